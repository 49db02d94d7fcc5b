package vector

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"
)

// BenchConfig describes one RunBenchmark: a synthetic data set, the graph
// to build over it and the searches to time. Zero fields take the defaults
// given with them.
type BenchConfig struct {
	N       int   // vectors indexed; 0 means 1,000,000
	Dim     int   // vector length; 0 means 128
	Queries int   // queries timed and checked; 0 means 1,000
	K       int   // hits per query, and the k of recall@k; 0 means 10
	Ef      []int // search breadths to measure; nil means 32, 64, 128, 256
	Workers int   // Build's goroutines and the concurrent searchers; 0 means GOMAXPROCS

	M, EfConstruction int // graph shape; 0 means HNSWConfig's defaults

	// Data is "mixture" (the default) or "sphere". A mixture draws each
	// vector around one of Centres centres (uniform on the unit sphere, each
	// vector's centre uniform among them) by adding Gaussian noise of
	// norm about Spread and normalising, like clustered embeddings; "sphere"
	// draws vectors uniformly on the unit sphere, the hard case with no
	// structure to exploit. Queries are fresh draws from the same
	// distribution. The data is invented, never real.
	Data    string
	Centres int     // 0 means 1,000
	Spread  float64 // 0 means 0.75
	Seed    uint64  // data and graph seed
}

func (c BenchConfig) withDefaults() BenchConfig {
	def := func(p *int, v int) {
		if *p <= 0 {
			*p = v
		}
	}
	def(&c.N, 1_000_000)
	def(&c.Dim, 128)
	def(&c.Queries, 1000)
	def(&c.K, 10)
	def(&c.Workers, runtime.GOMAXPROCS(0))
	def(&c.Centres, 1000)
	if c.Ef == nil {
		c.Ef = []int{32, 64, 128, 256}
	}
	if c.Data == "" {
		c.Data = "mixture"
	}
	if c.Spread <= 0 {
		c.Spread = 0.75
	}
	return c
}

// BenchResult is what RunBenchmark measured.
type BenchResult struct {
	Config     BenchConfig   // with defaults filled in
	Build      time.Duration // Build of all N vectors with Workers goroutines
	IndexBytes int64         // HNSW.Bytes after the build
	HeapBytes  uint64        // Go heap in use after the build and a GC (vectors given to Build included)
	RSSBytes   uint64        // resident set after the build (Linux; 0 elsewhere)
	Flat       SearchTiming  // exact search (Flat), the baseline and the ground truth
	HNSW       []SearchTiming
}

// SearchTiming is one search configuration's measurements over the
// benchmark's queries.
type SearchTiming struct {
	Ef       int     // 0 for exact search
	Recall   float64 // mean recall@K against exact search
	QPS      float64 // one goroutine
	QPSPar   float64 // Workers goroutines
	P50, P99 time.Duration
}

// RunBenchmark generates cfg's data, builds an HNSW graph over it, and
// measures build time, memory, and recall@K, throughput and latency
// percentiles at each EfSearch against exact search, writing progress lines
// to progress (nil: none). It returns ctx's error if cancelled, checked
// between build chunks and between measurements.
func RunBenchmark(ctx context.Context, cfg BenchConfig, progress io.Writer) (BenchResult, error) {
	cfg = cfg.withDefaults()
	if progress == nil {
		progress = io.Discard
	}
	logf := func(format string, args ...any) {
		fmt.Fprintf(progress, "%s "+format+"\n", append([]any{time.Now().UTC().Format("15:04:05")}, args...)...)
	}
	res := BenchResult{Config: cfg}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed+1))
	gen, err := newGenerator(cfg, rng)
	if err != nil {
		return res, err
	}
	vecs := gen.draw(cfg.N)
	queries := gen.draw(cfg.Queries)
	logf("generated %d %s vectors of %d", cfg.N, cfg.Data, cfg.Dim)

	h := NewHNSW(cfg.Dim, HNSWConfig{M: cfg.M, EfConstruction: cfg.EfConstruction, Seed: cfg.Seed})
	ids := make([]int32, cfg.N)
	for i := range ids {
		ids[i] = int32(i)
	}
	start := time.Now()
	chunk := max(cfg.N/20, 1)
	for lo := 0; lo < cfg.N; lo += chunk {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		hi := min(lo+chunk, cfg.N)
		if err := h.Build(ids[lo:hi], vecs[lo*cfg.Dim:hi*cfg.Dim], cfg.Workers); err != nil {
			return res, err
		}
		logf("built %d/%d in %v", hi, cfg.N, time.Since(start).Round(time.Second))
	}
	res.Build = time.Since(start)
	res.IndexBytes = h.Bytes()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapBytes = ms.HeapAlloc
	res.RSSBytes = rss()
	logf("build %v, index %d MB, heap %d MB, RSS %d MB", res.Build.Round(time.Second),
		res.IndexBytes>>20, res.HeapBytes>>20, res.RSSBytes>>20)

	flat := NewFlat(cfg.Dim)
	for i, id := range ids {
		flat.Add(id, vecs[i*cfg.Dim:(i+1)*cfg.Dim])
	}
	truth := make([][]Hit, cfg.Queries)
	res.Flat, err = timeSearches(ctx, cfg, queries, func(i int, q []float32) []Hit {
		hits := flat.Search(q, cfg.K, nil)
		truth[i] = hits
		return hits
	}, truth)
	if err != nil {
		return res, err
	}
	res.Flat.Recall = 1
	logf("exact: %.0f QPS (%.0f with %d goroutines), p50 %v, p99 %v", res.Flat.QPS, res.Flat.QPSPar,
		cfg.Workers, res.Flat.P50, res.Flat.P99)
	for _, ef := range cfg.Ef {
		t, err := timeSearches(ctx, cfg, queries, func(_ int, q []float32) []Hit {
			return h.SearchEf(q, cfg.K, ef, nil)
		}, truth)
		if err != nil {
			return res, err
		}
		t.Ef = ef
		res.HNSW = append(res.HNSW, t)
		logf("ef=%d: recall@%d %.4f, %.0f QPS (%.0f with %d goroutines), p50 %v, p99 %v",
			ef, cfg.K, t.Recall, t.QPS, t.QPSPar, cfg.Workers, t.P50, t.P99)
	}
	return res, nil
}

// timeSearches runs search over every query on one goroutine (timing each
// for the percentiles and comparing it with truth when truth's entry is
// set), then again split over cfg.Workers goroutines for throughput.
func timeSearches(ctx context.Context, cfg BenchConfig, queries []float32, search func(i int, q []float32) []Hit, truth [][]Hit) (SearchTiming, error) {
	var t SearchTiming
	lat := make([]time.Duration, cfg.Queries)
	q := func(i int) []float32 { return queries[i*cfg.Dim : (i+1)*cfg.Dim] }
	var sum float64
	start := time.Now()
	for i := range cfg.Queries {
		t0 := time.Now()
		hits := search(i, q(i))
		lat[i] = time.Since(t0)
		if truth[i] != nil {
			sum += recall(hits, truth[i])
		}
	}
	t.QPS = float64(cfg.Queries) / time.Since(start).Seconds()
	t.Recall = sum / float64(cfg.Queries)
	slices.Sort(lat)
	t.P50 = lat[len(lat)/2]
	t.P99 = lat[min(len(lat)*99/100, len(lat)-1)]
	if err := ctx.Err(); err != nil {
		return t, err
	}
	var wg sync.WaitGroup
	start = time.Now()
	for w := range cfg.Workers {
		wg.Go(func() {
			for i := w; i < cfg.Queries; i += cfg.Workers {
				search(i, q(i))
			}
		})
	}
	wg.Wait()
	t.QPSPar = float64(cfg.Queries) / time.Since(start).Seconds()
	return t, ctx.Err()
}

// recall returns the fraction of want's ids found in got.
func recall(got, want []Hit) float64 {
	if len(want) == 0 {
		return 1
	}
	var n int
	for _, w := range want {
		if slices.ContainsFunc(got, func(g Hit) bool { return g.ID == w.ID }) {
			n++
		}
	}
	return float64(n) / float64(len(want))
}

// generator draws benchmark vectors.
type generator struct {
	rng     *rand.Rand
	dim     int
	centres []float32 // nil for "sphere"
	sigma   float64   // per-coordinate noise around a centre
}

func newGenerator(cfg BenchConfig, rng *rand.Rand) (*generator, error) {
	g := &generator{rng: rng, dim: cfg.Dim}
	switch cfg.Data {
	case "sphere":
	case "mixture":
		g.centres = g.draw(cfg.Centres)
		g.sigma = cfg.Spread / math.Sqrt(float64(cfg.Dim))
	default:
		return nil, fmt.Errorf("benchmark data %q: want mixture or sphere", cfg.Data)
	}
	return g, nil
}

// draw returns n unit vectors one after another.
func (g *generator) draw(n int) []float32 {
	v := make([]float32, n*g.dim)
	for i := range n {
		x := v[i*g.dim : (i+1)*g.dim]
		var c []float32
		if g.centres != nil {
			k := g.rng.IntN(len(g.centres) / g.dim)
			c = g.centres[k*g.dim : (k+1)*g.dim]
		}
		var norm float64
		for j := range x {
			if c != nil {
				x[j] = c[j] + float32(g.sigma*g.rng.NormFloat64())
			} else {
				x[j] = float32(g.rng.NormFloat64())
			}
			norm += float64(x[j]) * float64(x[j])
		}
		inv := float32(1 / math.Sqrt(norm))
		for j := range x {
			x[j] *= inv
		}
	}
	return v
}

// rss returns the process's resident set size from /proc/self/status, or
// 0 where that cannot be read.
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) >= 2 && string(f[0]) == "VmRSS:" {
			kb, _ := strconv.ParseUint(string(f[1]), 10, 64)
			return kb << 10
		}
	}
	return 0
}
