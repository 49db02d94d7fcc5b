package metric_test

import (
	"context"
	"encoding/json"
	"errors"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// scorerFunc adapts a function to metric.Scorer.
type scorerFunc func(history []int32, scores []float32)

func (f scorerFunc) Score(history []int32, scores []float32) { f(history, scores) }

// oracle gives each case's target the top score. It finds the case by the
// address of its history, which every case in the tests owns alone.
type oracle map[*int32]int32

func newOracle(cases []dataset.Case) oracle {
	o := oracle{}
	for _, c := range cases {
		o[&c.History[0]] = c.Target
	}
	return o
}

func (o oracle) Score(history []int32, scores []float32) {
	clear(scores)
	scores[o[&history[0]]] = 1
}

func (o oracle) Name() string { return "oracle" }

// constant gives every item the same score.
var constant = scorerFunc(func(_ []int32, scores []float32) {
	for i := range scores {
		scores[i] = 1
	}
})

// random gives items pseudo-random scores seeded by the history, so that it
// is deterministic and safe for concurrent use.
var random = scorerFunc(func(history []int32, scores []float32) {
	h := fnv.New64a()
	for _, i := range history {
		h.Write([]byte{byte(i), byte(i >> 8), byte(i >> 16), byte(i >> 24)})
	}
	r := rand.New(rand.NewPCG(h.Sum64(), 1))
	for i := range scores {
		scores[i] = r.Float32()
	}
})

// popularity scores items by a fixed count.
type popularity []float32

func (p popularity) Score(_ []int32, scores []float32) { copy(scores, p) }

// syntheticCases returns n cases over numItems items whose histories and
// targets follow a Zipf law, with popularity counted on separate draws.
func syntheticCases(n, numItems int, seed uint64) ([]dataset.Case, popularity) {
	r := rand.New(rand.NewPCG(seed, 0))
	z := rand.NewZipf(r, 1.1, 2, uint64(numItems-1))
	// Permute so that popular items are not simply the low indices.
	perm := r.Perm(numItems)
	draw := func() int32 { return int32(perm[z.Uint64()]) }
	pop := make(popularity, numItems)
	for range 20 * n {
		pop[draw()]++
	}
	cases := make([]dataset.Case, n)
	for u := range cases {
		h := make([]int32, 2+r.IntN(8))
		for i := range h {
			h[i] = draw()
		}
		cases[u] = dataset.Case{User: int32(u), History: h, Target: draw()}
	}
	return cases, pop
}

func TestEvaluateOracleAndConstant(t *testing.T) {
	const numItems = 300
	cases, _ := syntheticCases(500, numItems, 1)
	cases[0].History = append(cases[0].History, cases[0].Target) // target inside history
	ones := map[int]float64{5: 1, 10: 1, 20: 1}
	zeros := map[int]float64{5: 0, 10: 0, 20: 0}
	for _, p := range []metric.Protocol{metric.Full, metric.Sampled100} {
		t.Run(string(p), func(t *testing.T) {
			got, err := metric.Evaluate(context.Background(), newOracle(cases), cases, numItems, metric.Options{Protocol: p})
			if err != nil {
				t.Fatal(err)
			}
			want := metric.Result{Model: "oracle", Protocol: p, Cases: len(cases), HR: ones, NDCG: ones, MRR: 1}
			if p == metric.Full {
				got.Coverage = 0 // checked below
			}
			if diff := cmp.Diff(got, want); diff != "" {
				t.Errorf("oracle (-got +want):\n%s", diff)
			}

			got, err = metric.Evaluate(context.Background(), constant, cases, numItems, metric.Options{Protocol: p})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got.HR, zeros); diff != "" {
				t.Errorf("constant HR (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(got.NDCG, zeros); diff != "" {
				t.Errorf("constant NDCG (-got +want):\n%s", diff)
			}
			if got.MRR <= 0 || got.MRR > 1.0/90 {
				t.Errorf("constant MRR = %v, want the worst rank's", got.MRR)
			}
		})
	}
}

func TestEvaluateRandomScorer(t *testing.T) {
	const numItems, n = 1000, 20000
	cases := make([]dataset.Case, n)
	r := rand.New(rand.NewPCG(9, 9))
	for u := range cases {
		h := make([]int32, 1+r.IntN(5))
		for i := range h {
			h[i] = int32(r.IntN(numItems))
		}
		cases[u] = dataset.Case{User: int32(u), History: h, Target: int32(r.IntN(numItems))}
	}
	got, err := metric.Evaluate(context.Background(), random, cases, numItems, metric.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// About 997 items are ranked per case: HR@k ≈ k/997, with a standard
	// error of sqrt(0.01/20000) ≈ 0.0007 at k = 10.
	for _, k := range []int{5, 10, 20} {
		want := float64(k) / 997
		if d := math.Abs(got.HR[k] - want); d > 5*math.Sqrt(want/n) {
			t.Errorf("HR@%d = %.4f, want %.4f", k, got.HR[k], want)
		}
	}
	if got.NDCG[10] >= got.HR[10] || got.NDCG[10] <= got.HR[10]/4 {
		t.Errorf("NDCG@10 = %.4f beside HR@10 = %.4f", got.NDCG[10], got.HR[10])
	}
	// A random scorer's top 10s cover nearly every item.
	if got.Coverage < 0.99 {
		t.Errorf("coverage = %.3f, want nearly 1", got.Coverage)
	}
}

// TestEvaluateHistory uses a scorer that puts the history on top and the
// target right below it: removing the history, or never drawing history
// items as negatives, puts the target first.
func TestEvaluateHistory(t *testing.T) {
	const numItems = 500
	cases, _ := syntheticCases(300, numItems, 2)
	targets := newOracle(cases)
	s := scorerFunc(func(history []int32, scores []float32) {
		clear(scores)
		scores[targets[&history[0]]] = 1
		for _, h := range history {
			scores[h] = 2
		}
	})
	tests := []struct {
		name   string
		opts   metric.Options
		wantHR float64 // at k = 1
	}{
		{"full excludes history", metric.Options{}, 1},
		{"sampled never draws history", metric.Options{Protocol: metric.Sampled100, Seed: 5}, 1},
		{"sampled ignores KeepHistory", metric.Options{Protocol: metric.Sampled100, KeepHistory: true}, 1},
		{"full keeps history", metric.Options{KeepHistory: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Ks = []int{1}
			got, err := metric.Evaluate(context.Background(), s, cases, numItems, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got.HR[1] != tt.wantHR {
				t.Errorf("HR@1 = %v, want %v", got.HR[1], tt.wantHR)
			}
		})
	}
}

func TestEvaluateSampled(t *testing.T) {
	const numItems = 2000
	cases, pop := syntheticCases(3000, numItems, 3)
	run := func(s metric.Scorer, opts metric.Options) metric.Result {
		t.Helper()
		r, err := metric.Evaluate(context.Background(), s, cases, numItems, opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a := run(random, metric.Options{Protocol: metric.Sampled100, Seed: 1})
	if diff := cmp.Diff(run(random, metric.Options{Protocol: metric.Sampled100, Seed: 1}), a); diff != "" {
		t.Errorf("same seed, second run differs from the first (-got +want):\n%s", diff)
	}
	if b := run(random, metric.Options{Protocol: metric.Sampled100, Seed: 2}); b.MRR == a.MRR {
		t.Errorf("seeds 1 and 2 gave the same MRR %v", a.MRR)
	}
	// Random among 100 candidates: HR@10 ≈ 0.1.
	if math.Abs(a.HR[10]-0.1) > 0.02 {
		t.Errorf("random sampled HR@10 = %.3f, want about 0.1", a.HR[10])
	}
	if a.Coverage != 0 {
		t.Errorf("sampled coverage = %v, want 0", a.Coverage)
	}

	full := run(pop, metric.Options{})
	sampled := run(pop, metric.Options{Protocol: metric.Sampled100})
	t.Logf("popularity: full HR@10 %.4f NDCG@10 %.4f, sampled HR@10 %.4f NDCG@10 %.4f",
		full.HR[10], full.NDCG[10], sampled.HR[10], sampled.NDCG[10])
	if sampled.HR[10] <= full.HR[10] || sampled.NDCG[10] <= full.NDCG[10] || sampled.MRR <= full.MRR {
		t.Errorf("popularity sampled %+v not better than full %+v", sampled, full)
	}
}

func TestEvaluateCoverage(t *testing.T) {
	const numItems = 1000
	cases, _ := syntheticCases(400, numItems, 4)
	// The same top 10 for everyone; histories avoid it so exclusion
	// cannot bring in other items.
	for i := range cases {
		for j, h := range cases[i].History {
			cases[i].History[j] = 10 + h%(numItems-10)
		}
	}
	fixed := scorerFunc(func(_ []int32, scores []float32) {
		for i := range scores {
			scores[i] = float32(-i)
		}
	})
	got, err := metric.Evaluate(context.Background(), fixed, cases, numItems, metric.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := 10.0 / numItems; got.Coverage != want {
		t.Errorf("coverage = %v, want %v", got.Coverage, want)
	}
	// Excluding item 0 for one user brings in item 10.
	cases[0].History = append(cases[0].History, 0)
	got, err = metric.Evaluate(context.Background(), fixed, cases, numItems, metric.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := 11.0 / numItems; got.Coverage != want {
		t.Errorf("coverage with one exclusion = %v, want %v", got.Coverage, want)
	}
}

func TestEvaluateWorkersDeterministic(t *testing.T) {
	const numItems = 700
	cases, _ := syntheticCases(2500, numItems, 5)
	for _, p := range []metric.Protocol{metric.Full, metric.Sampled100} {
		t.Run(string(p), func(t *testing.T) {
			var first metric.Result
			for i, workers := range []int{1, 2, 7} {
				got, err := metric.Evaluate(context.Background(), random, cases, numItems, metric.Options{Protocol: p, Workers: workers, Seed: 11})
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = got
					continue
				}
				if diff := cmp.Diff(got, first); diff != "" {
					t.Errorf("workers %d vs 1 (-got +want):\n%s", workers, diff)
				}
			}
		})
	}
}

func TestEvaluateErrors(t *testing.T) {
	cases := []dataset.Case{{History: []int32{0, 1}, Target: 2}}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name     string
		ctx      context.Context
		cases    []dataset.Case
		numItems int
		opts     metric.Options
		want     error
	}{
		{"canceled", canceled, cases, 3, metric.Options{}, context.Canceled},
		{"protocol", context.Background(), cases, 3, metric.Options{Protocol: "sampled50"}, metric.ErrBadOptions},
		{"k zero", context.Background(), cases, 3, metric.Options{Ks: []int{10, 0}}, metric.ErrBadOptions},
		{"workers", context.Background(), cases, 3, metric.Options{Workers: -1}, metric.ErrBadOptions},
		{"no items", context.Background(), nil, 0, metric.Options{}, metric.ErrBadOptions},
		{"target out of range", context.Background(), cases, 2, metric.Options{}, metric.ErrBadOptions},
		{"history out of range", context.Background(), []dataset.Case{{History: []int32{-1}, Target: 0}}, 3, metric.Options{}, metric.ErrBadOptions},
		{"no cases", context.Background(), nil, 3, metric.Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := metric.Evaluate(tt.ctx, constant, tt.cases, tt.numItems, tt.opts)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestEvaluateCanceledMidway(t *testing.T) {
	cases, _ := syntheticCases(5000, 100, 6)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls atomic.Int64
	s := scorerFunc(func(h []int32, scores []float32) {
		if calls.Add(1) == 100 {
			cancel()
		}
		constant(h, scores)
	})
	_, err := metric.Evaluate(ctx, s, cases, 100, metric.Options{Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := calls.Load(); n >= int64(len(cases)) {
		t.Errorf("scored all %d cases after cancel", n)
	}
}

func TestEvaluateKs(t *testing.T) {
	cases, _ := syntheticCases(50, 100, 7)
	got, err := metric.Evaluate(context.Background(), newOracle(cases), cases, 100, metric.Options{Ks: []int{3, 1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]float64{1: 1, 3: 1}
	if diff := cmp.Diff(got.HR, want, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("HR keys (-got +want):\n%s", diff)
	}
}

func TestResultJSON(t *testing.T) {
	r := metric.Result{
		Model: "pop", Protocol: metric.Full, Cases: 3,
		HR:   map[int]float64{5: 0.1, 10: 0.2, 20: 0.3},
		NDCG: map[int]float64{5: 0.01, 10: 0.02, 20: 0.03},
		MRR:  0.05, Coverage: 0.5, TrainSeconds: 1.5,
	}
	want := map[string]any{
		"model": "pop", "protocol": "full", "cases": 3.0,
		"hr@5": 0.1, "hr@10": 0.2, "hr@20": 0.3,
		"ndcg@5": 0.01, "ndcg@10": 0.02, "ndcg@20": 0.03,
		"mrr": 0.05, "coverage@10": 0.5, "train_seconds": 1.5,
	}
	got := r.JSON()
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("JSON (-got +want):\n%s", diff)
	}
	// Encoding and decoding gives the same map back: numbers are float64.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(back, want); diff != "" {
		t.Errorf("JSON round trip (-got +want):\n%s", diff)
	}
}
