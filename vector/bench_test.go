package vector

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
)

// BenchmarkHNSW1M is the target: 1,000,000 × 128-d vectors,
// recall@10 ≥ 0.95 against exact search. It takes tens of minutes, so it
// runs only with AISLE_BENCH_1M=1:
//
//	AISLE_BENCH_1M=1 go test -run '^$' -bench 'BenchmarkHNSW1M/data=mixture' -benchtime 1x -timeout 120m ./vector
func BenchmarkHNSW1M(b *testing.B) {
	if os.Getenv("AISLE_BENCH_1M") != "1" {
		b.Skip("set AISLE_BENCH_1M=1 to build and measure the 1,000,000-vector graph (tens of minutes)")
	}
	for _, data := range []string{"mixture", "sphere"} {
		b.Run("data="+data, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := RunBenchmark(context.Background(), BenchConfig{Data: data, Seed: 1, EfConstruction: 100, Ef: []int{16, 32, 64, 128, 256}}, os.Stderr)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(res.Build.Seconds(), "build-s")
				for _, t := range res.HNSW {
					if t.Recall >= 0.95 {
						b.ReportMetric(float64(t.Ef), "ef@0.95")
						b.ReportMetric(t.QPS, "QPS@0.95")
						break
					}
				}
			}
		})
	}
}

func TestRunBenchmarkSmall(t *testing.T) {
	for _, data := range []string{"mixture", "sphere"} {
		t.Run(data, func(t *testing.T) {
			res, err := RunBenchmark(context.Background(), BenchConfig{N: 3000, Dim: 32, Queries: 50, Ef: []int{200}, Data: data, Centres: 30, Seed: 3}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r := res.HNSW[0].Recall; r < 0.95 {
				t.Errorf("recall@10 at ef=200 = %.3f, want ≥ 0.95", r)
			}
			if res.Flat.Recall != 1 || res.Build <= 0 || res.IndexBytes < 3000*32*4 {
				t.Errorf("implausible result %+v", res)
			}
		})
	}
	if _, err := RunBenchmark(context.Background(), BenchConfig{N: 10, Data: "cube"}, nil); err == nil {
		t.Error("unknown data: no error")
	}
}

// benchData returns n mixture vectors and 100 queries of length dim, the
// benchmark distribution of RunBenchmark with 1,000 centres.
func benchData(tb testing.TB, n, dim int) (vecs, queries []float32) {
	tb.Helper()
	cfg := BenchConfig{N: n, Dim: dim, Seed: 1}.withDefaults()
	g, err := newGenerator(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		tb.Fatal(err)
	}
	return g.draw(n), g.draw(100)
}

// BenchmarkSearch compares exact search with the graph at DefaultEfSearch
// and at ef = 256 as the catalog grows, for Config.ExactBelow (128-d
// mixture vectors, one goroutine, k = 10); each graph's recall against
// exact search is reported beside its time.
func BenchmarkSearch(b *testing.B) {
	const dim, k = 128, 10
	for _, n := range []int{2000, 5000, 10000, 20000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			vecs, queries := benchData(b, n, dim)
			flat := NewFlat(dim)
			for i := range n {
				flat.Add(int32(i), vecs[i*dim:(i+1)*dim])
			}
			h := NewHNSW(dim, HNSWConfig{Seed: 1})
			if err := h.Build(seq(n), vecs, 2); err != nil {
				b.Fatal(err)
			}
			q := func(i int) []float32 { return queries[(i%100)*dim : (i%100+1)*dim] }
			b.Run("index=flat", func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					flat.Search(q(i), k, nil)
					i++
				}
			})
			for _, ef := range []int{DefaultEfSearch, 256} {
				b.Run(fmt.Sprintf("index=hnsw/ef=%d", ef), func(b *testing.B) {
					b.ReportAllocs()
					i := 0
					for b.Loop() {
						h.SearchEf(q(i), k, ef, nil)
						i++
					}
					b.ReportMetric(meanRecall(100, func(i int) []Hit { return h.SearchEf(q(i), k, ef, nil) },
						func(i int) []Hit { return flat.Search(q(i), k, nil) }), "recall")
				})
			}
		})
	}
}

// BenchmarkFilter times a filtered search through the graph and by exact
// scan over the kept ids, for the crossover in HNSWConfig.ExactScanFactor
// (20,000 128-d mixture vectors, ef = DefaultEfSearch, k = 10).
func BenchmarkFilter(b *testing.B) {
	const n, dim, k = 20000, 128, 10
	vecs, queries := benchData(b, n, dim)
	h := NewHNSW(dim, HNSWConfig{Seed: 1})
	if err := h.Build(seq(n), vecs, 2); err != nil {
		b.Fatal(err)
	}
	q := func(i int) []float32 { return queries[(i%100)*dim : (i%100+1)*dim] }
	for _, permille := range []int32{5, 10, 20, 50, 100, 200, 500} {
		keep := func(id int32) bool { return id%1000 < permille }
		b.Run(fmt.Sprintf("kept=%.1f%%/path=graph", float64(permille)/10), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.graphSearch(q(i), k, DefaultEfSearch, keep)
				i++
			}
			b.ReportMetric(meanRecall(100, func(i int) []Hit { return h.graphSearch(q(i), k, DefaultEfSearch, keep) },
				func(i int) []Hit { return h.scanSearch(q(i), k, keep) }), "recall")
		})
		b.Run(fmt.Sprintf("kept=%.1f%%/path=scan", float64(permille)/10), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.scanSearch(q(i), k, keep)
				i++
			}
		})
	}
}

// meanRecall returns the mean recall of got(i) against want(i) over
// queries 0..n-1.
func meanRecall(n int, got, want func(i int) []Hit) float64 {
	var sum float64
	for i := range n {
		sum += recall(got(i), want(i))
	}
	return sum / float64(n)
}
