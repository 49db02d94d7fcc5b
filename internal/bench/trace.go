package bench

import (
	"fmt"
	"os"
	"runtime/trace"
	"time"
)

// worstTrace keeps the execution trace of the worst of a group of load
// phases: a flight recorder holds the last phase's trace in memory, and
// after each phase whose p99 is the group's worst so far it is written to
// a file, replacing the last one. Its zero value records nothing.
type worstTrace struct {
	fr    *trace.FlightRecorder
	file  string
	worst float64 // p99 of the phase in file, ms
}

// startWorstTrace starts a flight recorder that remembers phases of length
// d, for the group of phases whose worst is written to file; "" records
// nothing. Only one may run at a time.
func startWorstTrace(file string, d time.Duration) (*worstTrace, error) {
	if file == "" {
		return &worstTrace{}, nil
	}
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: d + 2*time.Second, MaxBytes: 256 << 20})
	if err := fr.Start(); err != nil {
		return nil, fmt.Errorf("trace: %w", err)
	}
	return &worstTrace{fr: fr, file: file, worst: -1}, nil
}

// phaseDone writes the trace of the phase that just ended when its p99
// (ms) is the worst so far.
func (w *worstTrace) phaseDone(p99 float64) error {
	if w.fr == nil || p99 <= w.worst {
		return nil
	}
	w.worst = p99
	f, err := os.Create(w.file)
	if err != nil {
		return fmt.Errorf("trace: %w", err)
	}
	if _, err := w.fr.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("trace: %w", err)
	}
	return f.Close()
}

// stop stops the flight recorder.
func (w *worstTrace) stop() {
	if w.fr != nil {
		w.fr.Stop()
	}
}
