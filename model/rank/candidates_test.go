package rank_test

import (
	"cmp"
	"math"
	"slices"
	"testing"

	"github.com/aislehq/aisle/model/rank"
)

// fixed scores every history the same and proposes its best items.
type fixed struct{ s []float32 }

func (f fixed) Score(_ []int32, s []float32) { copy(s, f.s) }

func (f fixed) ScoreItems(_ []int32, items []int32, out []float32) {
	for j, i := range items {
		out[j] = f.s[i]
	}
}

// onlyScores hides fixed's Top, as matrix factorisation has none.
type onlyScores struct{ f fixed }

func (o onlyScores) Score(h []int32, s []float32)               { o.f.Score(h, s) }
func (o onlyScores) ScoreItems(h, items []int32, out []float32) { o.f.ScoreItems(h, items, out) }

func (f fixed) Top(_ []int32, k int) ([]int32, []float32) {
	var items []int32
	for i, v := range f.s {
		if v > 0 {
			items = append(items, int32(i))
		}
	}
	slices.SortStableFunc(items, func(a, b int32) int { return cmp.Compare(f.s[b], f.s[a]) })
	items = items[:min(k, len(items))]
	scores := make([]float32, len(items))
	for j, i := range items {
		scores[j] = f.s[i]
	}
	return items, scores
}

func TestRankScoresCandidatesAsScoreDoes(t *testing.T) {
	a := fixed{s: []float32{0, 8, 4, 0, 2, 0, 0, 1}}
	b := fixed{s: []float32{3, 0, 0, 6, 0, 0, 1, 0}}
	mf := onlyScores{f: fixed{s: []float32{0.5, 0.1, 0.9, 0.2, 0.3, 2, 0.4, 0.6}}}
	f := rank.NewBlend([]rank.Scorer{a, b, mf}, []float64{1, 0.5, 0.25}, 8)
	c := f.Rank(nil, 2)
	// a proposes 1, 2; b proposes 3, 0: mf scores them scaled by its best
	// among them (0.9), not by item 5's 2, which nobody proposed.
	want := map[int32]float32{
		1: 1 + 0.25*0.1/0.9,
		2: 0.5 + 0.25*1,
		3: 0.5*1 + 0.25*0.2/0.9,
		0: 0.5*0.5 + 0.25*0.5/0.9,
	}
	if len(c.Items) != len(want) {
		t.Fatalf("candidates %v, want items 1, 2, 3, 0", c.Items)
	}
	for j, i := range c.Items {
		if math.Abs(float64(c.Scores[j]-want[i])) > 1e-6 {
			t.Errorf("item %d scores %v, want %v", i, c.Scores[j], want[i])
		}
		if j > 0 && c.Scores[j] > c.Scores[j-1] {
			t.Errorf("not best first: %v", c.Scores)
		}
	}
	from := map[int32]uint64{1: 1, 2: 1, 3: 2, 0: 2}
	for j, i := range c.Items {
		if c.From[j] != from[i] {
			t.Errorf("item %d proposed by %b, want %b", i, c.From[j], from[i])
		}
	}

	// Proposers alone: candidates score exactly as the dense blend.
	g := rank.NewBlend([]rank.Scorer{a, b}, []float64{1, 0.7}, 8)
	dense := make([]float32, 8)
	g.Score(nil, dense)
	c = g.Rank(nil, 8)
	for j, i := range c.Items {
		if math.Abs(float64(c.Scores[j]-dense[i])) > 1e-6 {
			t.Errorf("item %d: Rank %v, Score %v", i, c.Scores[j], dense[i])
		}
	}

	// The evaluation adapter ranks non-candidates last.
	s := make([]float32, 8)
	rank.CandidateScorer{Blend: f, PerMember: 2}.Score(nil, s)
	for i, v := range s {
		if _, ok := want[int32(i)]; ok != !math.IsInf(float64(v), -1) {
			t.Errorf("CandidateScorer: item %d scores %v", i, v)
		}
	}
}
