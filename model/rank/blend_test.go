package rank_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
)

// funcScorer adapts a function to rank.Scorer.
type funcScorer func(history []int32, scores []float32)

func (f funcScorer) Score(h []int32, s []float32) { f(h, s) }

// target of a case is encoded in its history's last item: item h+1.
func next(h []int32, n int) int32 { return (h[len(h)-1] + 1) % int32(n) }

func TestBlendScalesMembersToTheirBest(t *testing.T) {
	a := funcScorer(func(_ []int32, s []float32) { copy(s, []float32{10, 0, 5}) })
	b := funcScorer(func(_ []int32, s []float32) { copy(s, []float32{0, 1, 0.5}) })
	f := rank.NewBlend([]rank.Scorer{a, b}, []float64{1, 2}, 3)
	got := make([]float32, 3)
	f.Score(nil, got)
	want := []float32{1, 2, 0.5 + 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fused = %v, want %v", got, want)
		}
	}
}

func TestTuneWeighsInformativeMembers(t *testing.T) {
	const n = 500
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []dataset.Case
	for u := range 400 {
		h := []int32{int32(rng.IntN(n)), int32(rng.IntN(n))}
		cases = append(cases, dataset.Case{User: int32(u), History: h, Target: next(h, n)})
	}
	noise := func(seed uint64) funcScorer {
		return func(h []int32, s []float32) {
			r := rand.New(rand.NewPCG(seed, uint64(h[0])<<20|uint64(h[1])))
			for i := range s {
				s[i] = r.Float32()
			}
		}
	}
	// weak: the target gets a small bonus over noise; signal alone is
	// sharper but ties many items; noise carries nothing.
	weak := funcScorer(func(h []int32, s []float32) {
		noise(1)(h, s)
		s[next(h, n)] += 0.9
	})
	signal := funcScorer(func(h []int32, s []float32) {
		clear(s)
		t := next(h, n)
		for d := int32(0); d < 30; d++ {
			s[(t+d)%n] = 1
		}
	})
	w, ndcg, err := rank.Tune(context.Background(), []rank.Scorer{weak, signal, noise(2)}, cases, n, rank.TuneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if w[0] != 1 || w[1] <= 0 || w[2] > w[1] {
		t.Errorf("weights = %v: want the signal member weighed above the noise member", w)
	}
	if ndcg < 0.9 {
		t.Errorf("tuned NDCG@10 = %.3f, want ≥ 0.9 (signal and weak together pin the target)", ndcg)
	}
	if _, _, err := rank.Tune(context.Background(), nil, cases, n, rank.TuneOptions{}); err == nil {
		t.Error("Tune accepted no members")
	}
}
