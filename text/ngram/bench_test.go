package ngram

import (
	"testing"
	"time"
)

// The encoding benchmarks report texts/s of wall time and texts/cpu-s,
// texts per second of the process's CPU time, which a shared machine's
// other load does not dilute: on n idle cores the parallel benchmark's
// texts/s approaches n × texts/cpu-s.

// benchConfigs are the encoders the benchmarks compare: the defaults, and
// as a baseline the longer n-grams and texts the defaults were cut from.
var benchConfigs = []struct {
	name string
	cfg  Config
}{
	{"default", Config{}},
	{"baseline=ngrams3to5,words64", Config{MaxN: 5, MaxWords: 64}},
}

// BenchmarkEncode encodes the Office item texts one at a time through
// EncodeTo, the fast path.
func BenchmarkEncode(b *testing.B) {
	texts := loadOffice(b).texts
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			m := New(bc.cfg)
			dst := make([]float32, m.Dim())
			b.ReportAllocs()
			cpu := startCPU()
			n := 0
			for b.Loop() {
				m.EncodeTo(dst, texts[n%len(texts)])
				n++
			}
			report(b, n, cpu)
		})
	}
}

// BenchmarkEncodeParallel encodes the Office item texts through EncodeTo
// from GOMAXPROCS goroutines at once.
func BenchmarkEncodeParallel(b *testing.B) {
	texts := loadOffice(b).texts
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			m := New(bc.cfg)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := startCPU()
			b.RunParallel(func(pb *testing.PB) {
				dst := make([]float32, m.Dim())
				n := 0
				for pb.Next() {
					m.EncodeTo(dst, texts[n%len(texts)])
					n++
				}
			})
			report(b, b.N, cpu)
		})
	}
}

// startCPU returns the process's CPU time so far, or -1 where it cannot be
// read.
func startCPU() time.Duration {
	if t, ok := cpuTime(); ok {
		return t
	}
	return -1
}

// report reports texts/s and, when the CPU time can be read, texts/cpu-s
// for n texts encoded since start.
func report(b *testing.B, n int, start time.Duration) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "texts/s")
	if end, ok := cpuTime(); ok && start >= 0 && end > start {
		b.ReportMetric(float64(n)/(end-start).Seconds(), "texts/cpu-s")
	}
}
