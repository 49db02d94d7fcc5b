// Package bench is aisle bench: it fills a store (the Amazon Beauty or
// Office dataset, or a synthetic catalog and log of any size), serves it
// in this process and drives it with the load generator (package
// loadgen), and reports each measured quantity as the median over runs.
//
// The binary supplies what the benchmark serves and trains through a
// Harness, so this package depends on no server or training code itself.
package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
)

// Config says what to measure and how hard. DefaultConfig gives the
// defaults of aisle bench.
type Config struct {
	// Data is the folder holding the datasets (amazon-beauty,
	// amazon-office).
	Data string
	// Duration is how long each load phase runs.
	Duration time.Duration
	// Concurrency is the number of concurrent clients of the read phases.
	Concurrency int
	// Writers is the number of concurrent clients posting events.
	Writers int
	// Batch is the number of events per POST /v1/events.
	Batch int
	// Runs is the number of repetitions of each load phase.
	Runs int
	// Train trains and saves the model set first (Harness.Train), so
	// recommendations come from the fused models, then measures serving
	// while `aisle train` runs again in another process
	// (Harness.TrainProcess).
	Train bool
	// TrainRate is the recommend requests a second sent while `aisle
	// train` runs (with Train).
	TrainRate float64
	// CPUProfile, when set, is the file a CPU profile of the Beauty load
	// phases is written to.
	CPUProfile string
	// SkipTrainPhase, with Train, measures the steady rate idle only,
	// not again while `aisle train` runs.
	SkipTrainPhase bool
	// Reuse measures the store as it is: it was imported (and trained,
	// with Train) by an earlier run kept with a data directory, so both
	// are skipped.
	Reuse bool
	// MemProfile, when set, is the file a heap profile is written to
	// after the Beauty load phases, following a collection: what the
	// serving process keeps live.
	MemProfile string
	// Trace, when set, is the prefix of two execution trace files (with
	// Train): Trace-idle.trace and Trace-train.trace hold the steady-rate
	// phase with the highest recommend p99, idle and during training.
	Trace string
	// SyntheticItems, when positive, replaces Beauty with a synthetic
	// catalog of that many items and SyntheticEvents events (package
	// synth): the scale test.
	SyntheticItems, SyntheticEvents int
	// Search replaces Beauty with Amazon Office and measures GET
	// /v1/search with the search benchmark's queries.
	Search bool
}

// DefaultConfig returns aisle bench's defaults.
func DefaultConfig() Config {
	return Config{
		Data:            "../shared/data",
		Duration:        10 * time.Second,
		Concurrency:     8,
		Writers:         4,
		Batch:           500,
		Runs:            3,
		TrainRate:       1000,
		SyntheticEvents: 10_000_000,
	}
}

// Store is the benchmark's store, empty at the start; *sqlite.DB is one.
type Store interface {
	importer.Store
	aisle.ItemLister
	// Counts returns the number of rows of each kind.
	Counts(ctx context.Context) (aisle.Counts, error)
	// Events returns the event log from afterSeq on.
	Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error]
}

// Harness is what a benchmark needs from the binary. Every field must be
// set, but TrainProcess, needed only with Config.Train.
type Harness struct {
	// Store is the store the benchmark fills and serves.
	Store Store
	// Serve serves Store over HTTP until ctx ends, calling started with
	// its base URL once it listens, and returns once it has shut down.
	Serve func(ctx context.Context, started func(url string)) error
	// Train trains the model set on Store and saves it where Serve loads
	// it from, saying what it did on out (nil: nothing).
	Train func(ctx context.Context, out io.Writer) error
	// TrainProcess returns the command that trains the model set on Store
	// in another process (`aisle train`), not started.
	TrainProcess func(ctx context.Context) (*exec.Cmd, error)
	// Log receives the benchmark's progress lines; nil discards them.
	Log io.Writer

	// logger logs the importer's warnings (Run's argument).
	logger *slog.Logger
}

// Result is one measured quantity, as the median over runs.
type Result struct {
	Name   string    `json:"name"`
	Unit   string    `json:"unit"`
	Median float64   `json:"median"`
	Runs   []float64 `json:"runs"`
}

// results collects Results in the order they are measured.
type results []Result

// add records the runs of one quantity.
func (r *results) add(name, unit string, vals ...float64) {
	s := slices.Clone(vals)
	slices.Sort(s)
	*r = append(*r, Result{name, unit, s[len(s)/2], vals})
}

// Run runs the benchmark cfg describes on h and returns what it measured;
// logger (nil discards) receives the importer's warnings. It is not safe
// to run two benchmarks on one Harness at once.
func Run(ctx context.Context, h Harness, cfg Config, logger *slog.Logger) ([]Result, error) {
	if h.Log == nil {
		h.Log = io.Discard
	}
	h.logger = logger
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	var res results
	var err error
	switch {
	case cfg.SyntheticItems > 0:
		err = synthetic(ctx, h, cfg, &res)
	case cfg.Search:
		err = searchPhases(ctx, h, cfg, &res)
	default:
		err = beauty(ctx, h, cfg, &res)
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Write prints results as indented JSON, or as a Markdown table.
func Write(w io.Writer, results []Result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	fmt.Fprintf(w, "| measurement | median | unit | runs |\n|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(w, "| %s | %.4g | %s | %s |\n", r.Name, r.Median, r.Unit, fmtRuns(r.Runs))
	}
	return nil
}

func fmtRuns(v []float64) string {
	var b strings.Builder
	for i, x := range v {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.4g", x)
	}
	return b.String()
}

// StartServer runs serve in a goroutine until the returned stop function
// is called (or ctx ends) and returns the base URL serve announces once it
// listens; stop waits for serve to return. An error serve returns before
// it listens is StartServer's.
func StartServer(ctx context.Context, serve func(ctx context.Context, started func(url string)) error) (string, func(), error) {
	srvCtx, stopServer := context.WithCancel(ctx)
	urls := make(chan string, 1)
	served := make(chan error, 1)
	go func() {
		served <- serve(srvCtx, func(u string) { urls <- u })
	}()
	select {
	case base := <-urls:
		return base, func() { stopServer(); <-served }, nil
	case err := <-served:
		stopServer()
		return "", nil, fmt.Errorf("start server: %w", err)
	}
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
