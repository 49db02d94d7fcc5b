package metric

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	nan = float32(math.NaN())
	inf = float32(math.Inf(1))
)

func TestRankFull(t *testing.T) {
	tests := []struct {
		name        string
		scores      []float32
		history     []int32
		target      int32
		keepHistory bool
		want        int
	}{
		{"best", []float32{0.1, 0.9, 0.3}, nil, 1, false, 0},
		{"second", []float32{0.1, 0.5, 0.9}, nil, 1, false, 1},
		{"worst", []float32{0.1, 0.5, 0.9}, nil, 0, false, 2},
		{"tie counts above target", []float32{0.5, 0.5, 0.9, 0.1}, nil, 0, false, 2},
		{"tie with later index counts too", []float32{0.5, 0.5, 0.9, 0.1}, nil, 1, false, 2},
		{"all equal is worst", []float32{0, 0, 0, 0, 0}, nil, 2, false, 4},
		{"history removed", []float32{0.9, 0.8, 0.5, 0.1}, []int32{0, 1}, 2, false, 0},
		{"history kept", []float32{0.9, 0.8, 0.5, 0.1}, []int32{0, 1}, 2, true, 2},
		{"history below target changes nothing", []float32{0.9, 0.8, 0.5, 0.1}, []int32{3}, 2, false, 2},
		{"history tie removed", []float32{0.5, 0.5, 0.9}, []int32{1}, 0, false, 1},
		{"duplicate history removed once", []float32{0.9, 0.8, 0.5, 0.7}, []int32{0, 0, 0}, 2, false, 2},
		{"target in history still ranked", []float32{0.9, 0.8, 0.5, 0.1}, []int32{2, 0}, 2, false, 1},
		{"target only history item", []float32{0.9, 0.8, 0.5, 0.1}, []int32{2, 2}, 2, false, 2},
		{"NaN other is -Inf", []float32{nan, 0.5, nan, 0.1}, nil, 1, false, 0},
		{"NaN target is worst", []float32{0.3, nan, -inf, 0.1}, nil, 1, false, 3},
		{"NaN target ties NaN others", []float32{nan, nan, nan}, nil, 1, false, 2},
		{"NaN target with history", []float32{0.3, nan, nan, 0.1}, []int32{0, 2}, 1, false, 1},
		{"-Inf target ties NaN", []float32{nan, -inf, 0.2}, nil, 1, false, 2},
		{"+Inf target", []float32{inf, inf, 0.2}, nil, 1, false, 1},
		{"+Inf target alone", []float32{0.5, inf, nan}, nil, 1, false, 0},
		{"negative scores", []float32{-3, -1, -2}, nil, 2, false, 1},
		{"single item", []float32{0.5}, nil, 0, false, 0},
		{"odd length tail", []float32{0.1, 0.2, 0.3, 0.4, 0.9}, nil, 0, false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, coverage := range []bool{true, false} {
				w := newWorker(len(tt.scores), coverage, 0)
				copy(w.scores, tt.scores)
				got := w.rankFull(tt.history, tt.target, !tt.keepHistory)
				if got != tt.want {
					t.Errorf("coverage %v: rank = %d, want %d", coverage, got, tt.want)
				}
			}
		})
	}
}

// naiveRank is the definition: other non-excluded items scoring at least
// the target, NaN read as -Inf.
func naiveRank(scores []float32, history []int32, target int32, exclude bool) int {
	v := func(i int) float32 {
		if math.IsNaN(float64(scores[i])) {
			return float32(math.Inf(-1))
		}
		return scores[i]
	}
	rank := 0
	for i := range scores {
		if i == int(target) || (exclude && slices.Contains(history, int32(i))) {
			continue
		}
		if v(i) >= v(int(target)) {
			rank++
		}
	}
	return rank
}

// naiveTop10 sorts the non-excluded items by score, then index.
func naiveTop10(scores []float32, history []int32, target int32) []int32 {
	var items []int32
	for i := range scores {
		if i == int(target) || !slices.Contains(history, int32(i)) {
			items = append(items, int32(i))
		}
	}
	v := func(i int32) float32 {
		if math.IsNaN(float64(scores[i])) {
			return float32(math.Inf(-1))
		}
		return scores[i]
	}
	slices.SortStableFunc(items, func(a, b int32) int {
		if v(a) != v(b) {
			if v(a) > v(b) {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	items = items[:min(10, len(items))]
	slices.Sort(items)
	return items
}

func TestRankFullMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 3000 {
		n := 1 + r.IntN(70)
		scores := make([]float32, n)
		levels := 1 + r.IntN(6) // few distinct values: many ties
		for i := range scores {
			switch x := r.IntN(20); {
			case x == 0:
				scores[i] = nan
			case x == 1:
				scores[i] = -inf
			case x == 2:
				scores[i] = inf
			default:
				scores[i] = float32(r.IntN(levels))
			}
		}
		history := make([]int32, r.IntN(n+1))
		for i := range history {
			history[i] = int32(r.IntN(n))
		}
		target := int32(r.IntN(n))
		exclude := r.IntN(4) != 0
		want := naiveRank(scores, history, target, exclude)
		for _, coverage := range []bool{true, false} {
			w := newWorker(n, coverage, 0)
			copy(w.scores, scores)
			if got := w.rankFull(history, target, exclude); got != want {
				t.Fatalf("trial %d, coverage %v: rank %d, want %d\nscores %v history %v target %d exclude %v",
					trial, coverage, got, want, scores, history, target, exclude)
			}
			if coverage && exclude {
				got := slices.Sorted(slices.Values(w.top.idx))
				if diff := cmp.Diff(got, naiveTop10(scores, history, target)); diff != "" {
					t.Fatalf("trial %d: top 10 (-got +want):\n%s\nscores %v history %v target %d", trial, diff, scores, history, target)
				}
			}
		}
	}
}

func TestAggregate(t *testing.T) {
	l3, l11 := 1/math.Log2(3), 1/math.Log2(11)
	tests := []struct {
		name  string
		ranks []int32
		want  Result
	}{
		{"rank 0", []int32{0}, Result{Cases: 1, MRR: 1,
			HR:   map[int]float64{1: 1, 5: 1, 10: 1},
			NDCG: map[int]float64{1: 1, 5: 1, 10: 1}}},
		{"rank 1", []int32{1}, Result{Cases: 1, MRR: 0.5,
			HR:   map[int]float64{1: 0, 5: 1, 10: 1},
			NDCG: map[int]float64{1: 0, 5: l3, 10: l3}}},
		{"rank 4 is inside top 5", []int32{4}, Result{Cases: 1, MRR: 0.2,
			HR:   map[int]float64{1: 0, 5: 1, 10: 1},
			NDCG: map[int]float64{1: 0, 5: 1 / math.Log2(6), 10: 1 / math.Log2(6)}}},
		{"rank 5 is outside top 5", []int32{5}, Result{Cases: 1, MRR: 1.0 / 6,
			HR:   map[int]float64{1: 0, 5: 0, 10: 1},
			NDCG: map[int]float64{1: 0, 5: 0, 10: 1 / math.Log2(7)}}},
		{"rank 9 is inside top 10", []int32{9}, Result{Cases: 1, MRR: 0.1,
			HR:   map[int]float64{1: 0, 5: 0, 10: 1},
			NDCG: map[int]float64{1: 0, 5: 0, 10: l11}}},
		{"rank 10 is a miss", []int32{10}, Result{Cases: 1, MRR: 1.0 / 11,
			HR:   map[int]float64{1: 0, 5: 0, 10: 0},
			NDCG: map[int]float64{1: 0, 5: 0, 10: 0}}},
		{"mean of several", []int32{0, 1, 9, 999}, Result{Cases: 4, MRR: (1 + 0.5 + 0.1 + 0.001) / 4,
			HR:   map[int]float64{1: 0.25, 5: 0.5, 10: 0.75},
			NDCG: map[int]float64{1: 0.25, 5: (1 + l3) / 4, 10: (1 + l3 + l11) / 4}}},
		{"no cases", nil, Result{
			HR:   map[int]float64{1: 0, 5: 0, 10: 0},
			NDCG: map[int]float64{1: 0, 5: 0, 10: 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := aggregate(tt.ranks, []int{1, 5, 10})
			if diff := cmp.Diff(got, tt.want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
				t.Errorf("aggregate (-got +want):\n%s", diff)
			}
		})
	}
	if got := ndcg(1); math.Abs(got-0.6309297535714574) > 1e-15 {
		t.Errorf("ndcg(1) = %v", got)
	}
}

func TestTopInto(t *testing.T) {
	tests := []struct {
		name    string
		scores  []float32
		history []int32
		target  int32
		want    []int32
	}{
		{"all equal: lowest indices", make([]float32, 20), nil, 0, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"ascending", ramp(25, 1), nil, 0, []int32{15, 16, 17, 18, 19, 20, 21, 22, 23, 24}},
		{"descending", ramp(25, -1), nil, 0, []int32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"history excluded", ramp(25, 1), []int32{24, 20, 3}, 0, []int32{13, 14, 15, 16, 17, 18, 19, 21, 22, 23}},
		{"target in history kept", ramp(25, 1), []int32{24, 20}, 24, []int32{14, 15, 16, 17, 18, 19, 21, 22, 23, 24}},
		{"fewer than 10 items", ramp(5, 1), []int32{1}, 0, []int32{0, 2, 3, 4}},
		{"fewer than 10 with NaN: all kept", []float32{nan, -inf, 1, nan}, nil, 2, []int32{0, 1, 2, 3}},
		{"NaN in first ten evicted", append([]float32{nan}, ramp(12, 1)...), nil, 0, []int32{3, 4, 5, 6, 7, 8, 9, 10, 11, 12}},
		{"NaN never beats a number", append(ramp(12, 1), nan, nan), nil, 0, []int32{2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorker(len(tt.scores), true, 0)
			copy(w.scores, tt.scores)
			w.rankFull(tt.history, tt.target, true)
			got := slices.Sorted(slices.Values(w.top.idx))
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("top 10 (-got +want):\n%s", diff)
			}
		})
	}
}

// ramp returns n scores i*step.
func ramp(n int, step float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(i) * step
	}
	return s
}

func TestSampleNegatives(t *testing.T) {
	tests := []struct {
		name     string
		numItems int
		history  []int32
		want     int // number of negatives
	}{
		{"rejection", 10000, []int32{1, 2, 3, 2}, 99},
		{"dense history: shuffle", 1000, seq(0, 700), 99},
		{"just enough", 101, []int32{5}, 99},
		{"fewer than 99: all", 50, []int32{0, 1, 2}, 46},
		{"nothing eligible", 3, []int32{0, 1, 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := int32(tt.numItems - 1)
			draw := func(seed, caseIndex uint64) []int32 {
				w := newWorker(tt.numItems, false, seed)
				var got []int32
				w.sampleNegatives(tt.history, target, caseIndex, func(i int32) { got = append(got, i) })
				return got
			}
			got := draw(1, 7)
			if len(got) != tt.want {
				t.Fatalf("drew %d negatives, want %d", len(got), tt.want)
			}
			seen := map[int32]bool{}
			for _, i := range got {
				if i == target || slices.Contains(tt.history, i) || seen[i] || i < 0 || int(i) >= tt.numItems {
					t.Fatalf("bad negative %d in %v", i, got)
				}
				seen[i] = true
			}
			if diff := cmp.Diff(draw(1, 7), got); diff != "" {
				t.Errorf("same seed, second draw differs from the first (-got +want):\n%s", diff)
			}
			if tt.want == 99 && tt.numItems-1-len(tt.history) > 99 {
				if slices.Equal(draw(2, 7), got) {
					t.Error("another seed drew the same negatives")
				}
				if slices.Equal(draw(1, 8), got) {
					t.Error("another case drew the same negatives")
				}
			}
		})
	}
}

// TestSampleNegativesUniform checks that every eligible item is drawn about
// equally often, in both sampling paths.
func TestSampleNegativesUniform(t *testing.T) {
	for _, numItems := range []int{600, 1200} { // shuffle, rejection
		history := seq(0, 300)
		target := int32(numItems - 1)
		w := newWorker(numItems, false, 42)
		counts := make([]int, numItems)
		const rounds = 4000
		for c := range uint64(rounds) {
			w.sampleNegatives(history, target, c, func(i int32) { counts[i]++ })
		}
		eligible := numItems - 1 - len(history)
		want := float64(rounds*sampledNegatives) / float64(eligible)
		for i := 300; i < numItems-1; i++ {
			if d := math.Abs(float64(counts[i]) - want); d > 6*math.Sqrt(want) {
				t.Errorf("%d items: item %d drawn %d times, want about %.0f", numItems, i, counts[i], want)
			}
		}
		for _, i := range append(history, target) {
			if counts[i] != 0 {
				t.Errorf("%d items: ineligible item %d drawn %d times", numItems, i, counts[i])
			}
		}
	}
}

func TestRankSampled(t *testing.T) {
	tests := []struct {
		name   string
		scores func(s []float32)
		want   int
	}{
		{"target best", func(s []float32) { s[0] = 1 }, 0},
		{"all equal", func(s []float32) {}, 99},
		{"NaN target", func(s []float32) { s[0] = nan }, 99},
		{"everything above", func(s []float32) { s[0] = -1 }, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorker(500, false, 3)
			tt.scores(w.scores)
			if got := w.rankSampled([]int32{1, 2}, 0, 0); got != tt.want {
				t.Errorf("rank = %d, want %d", got, tt.want)
			}
		})
	}
}

func seq(lo, hi int32) []int32 {
	var s []int32
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

func TestEpochWrap(t *testing.T) {
	w := newWorker(4, false, 0)
	copy(w.scores, []float32{0.9, 0.8, 0.5, 0.1})
	w.epoch = math.MaxUint32 - 1
	w.mark[0] = 1 // stale mark that would alias epoch 1 after the wrap
	if got := w.rankFull([]int32{1}, 2, true); got != 1 {
		t.Errorf("before wrap: rank %d, want 1", got)
	}
	if got := w.rankFull(nil, 2, true); got != 2 {
		t.Errorf("after wrap: rank %d, want 2", got)
	}
}

// BenchmarkRankFull is the per-case cost of a Full ranking over Beauty's
// 12,101 items, beyond scoring.
func BenchmarkRankFull(b *testing.B) {
	const numItems = 12101
	w := newWorker(numItems, true, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range w.scores {
		w.scores[i] = float32(r.IntN(200)) // ties, as popularity counts have
	}
	history := []int32{5, 77, 1234, 9000, 12000}
	b.ReportAllocs()
	for b.Loop() {
		w.rankFull(history, 42, true)
	}
}
