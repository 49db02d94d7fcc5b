package candidate_test

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aislehq/aisle/model/candidate"
)

// sparseScorer is what serving asks of a model besides Score.
type sparseScorer interface {
	Score(history []int32, scores []float32)
	ScoreItems(history, items []int32, out []float32)
}

// proposer is a model that names its best items.
type proposer interface {
	Top(history []int32, k int) ([]int32, []float32)
}

// TestSparsePathsMatchScore checks, for every model serving uses, that
// ScoreItems gives Score's numbers and that Top gives Score's best items
// in Score's order, on random histories over real-sized models.
func TestSparsePathsMatchScore(t *testing.T) {
	ctx := context.Background()
	d := mfTwoGroups(300, 120, 12, 5)
	n := d.NumItems()
	trans, err := candidate.TrainTransition(ctx, d, candidate.TransitionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	slist, err := candidate.TrainSLIST(ctx, d, candidate.SLISTConfig{})
	if err != nil {
		t.Fatal(err)
	}
	itemcf, err := candidate.TrainItemCF(ctx, d, candidate.ItemCFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	mf, err := candidate.TrainMF(ctx, d, candidate.MFConfig{Factors: 8, Iterations: 3, Seed: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	content, err := candidate.NewContent(randomUnitVectors(rng, n, 16, 7), candidate.ContentConfig{})
	if err != nil {
		t.Fatal(err)
	}
	models := map[string]sparseScorer{
		"transition": trans, "slist": slist.Sparsify(20), "itemcf": itemcf,
		"popular": candidate.TrainPopular(d), "mf": mf, "content": content,
	}
	all := make([]int32, n)
	for i := range all {
		all[i] = int32(i)
	}
	dense, sparse := make([]float32, n), make([]float32, n)
	for name, m := range models {
		for range 50 {
			h := make([]int32, 1+rng.IntN(12))
			for k := range h {
				h[k] = int32(rng.IntN(n))
			}
			m.Score(h, dense)
			m.ScoreItems(h, all, sparse)
			for i := range dense {
				if math.Abs(float64(dense[i]-sparse[i])) > 1e-5*max(1, math.Abs(float64(dense[i]))) {
					t.Fatalf("%s: ScoreItems(%v)[%d] = %v, Score gives %v", name, h, i, sparse[i], dense[i])
				}
			}
			p, ok := m.(proposer)
			if !ok {
				continue
			}
			const k = 15
			items, scores := p.Top(h, k)
			want := slices.Clone(all)
			slices.SortStableFunc(want, func(a, b int32) int { return cmp.Compare(dense[b], dense[a]) })
			positive := 0
			for _, i := range want[:k] {
				if dense[i] > 0 {
					positive++
				}
			}
			if len(items) != positive || len(scores) != len(items) {
				t.Fatalf("%s: Top(%v, %d) gave %d items, want the %d scoring above 0", name, h, k, len(items), positive)
			}
			for j, i := range items {
				if dense[i] != dense[want[j]] || math.Abs(float64(scores[j]-dense[i])) > 1e-5 {
					t.Fatalf("%s: Top(%v)[%d] = item %d scoring %v (dense %v), want score %v", name, h, j, i, scores[j], dense[i], dense[want[j]])
				}
			}
			// A preparation answers both questions exactly as the
			// calls it stands for.
			if pr, ok := m.(interface {
				Prepare([]int32) (func(int) ([]int32, []float32), func([]int32, []float32), func())
			}); ok {
				top, score, release := pr.Prepare(h)
				pItems, pScores := top(k)
				prepared := make([]float32, n)
				score(all, prepared)
				release()
				if !slices.Equal(pItems, items) || !slices.Equal(pScores, scores) || !slices.Equal(prepared, sparse) {
					t.Fatalf("%s: Prepare(%v) answers differ from Top and ScoreItems", name, h)
				}
			}
		}
	}
}
