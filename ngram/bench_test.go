package ngram

import (
	"testing"
)

// BenchmarkEncode encodes the Office item texts one at a time through
// EncodeTo, the fast path.
func BenchmarkEncode(b *testing.B) {
	texts := loadOffice(b).texts
	m := New(Config{})
	dst := make([]float32, m.Dim())
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		m.EncodeTo(dst, texts[n%len(texts)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "texts/s")
}

// BenchmarkEncodeParallel encodes the Office item texts through EncodeTo
// from GOMAXPROCS goroutines at once.
func BenchmarkEncodeParallel(b *testing.B) {
	texts := loadOffice(b).texts
	m := New(Config{})
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		dst := make([]float32, m.Dim())
		n := 0
		for pb.Next() {
			m.EncodeTo(dst, texts[n%len(texts)])
			n++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "texts/s")
}
