package rank_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/aislehq/aisle/internal/modelfile"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/dataset/datasettest"
	"github.com/aislehq/aisle/model/gbdt"
	"github.com/aislehq/aisle/model/rank"
)

// officeBlend trains transition, item-CF and popularity on d and blends
// them as the fusion would.
func officeBlend(t testing.TB, d *dataset.Dataset) (*rank.Blend, []string) {
	t.Helper()
	ctx := context.Background()
	tr, err := candidate.TrainTransition(ctx, d, candidate.TransitionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := candidate.TrainItemCF(ctx, d, candidate.ItemCFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return rank.NewBlend([]rank.Scorer{candidate.TrainPopular(d), tr, cf}, []float64{0.05, 1, 1}, d.NumItems()), []string{"popular", "transition", "itemcf"}
}

// officeInfo makes up no facts: it numbers items into ten pretend
// "leaves" and brands by id, so the fact features have values to read.
func officeInfo(id string) rank.ItemInfo {
	n, _ := strconv.Atoi(id)
	return rank.ItemInfo{Leaf: strconv.Itoa(n % 10), Brand: strconv.Itoa(n % 7), Price: float64(1 + n%40)}
}

func trainOffice(t testing.TB) (*rank.Reranker, rank.RerankReport, *rank.Blend, *dataset.Split) {
	t.Helper()
	sp := dataset.LeaveOneOut(datasettest.Office(t))
	blend, names := officeBlend(t, sp.Train)
	r, rep, err := rank.TrainReranker(context.Background(), blend, names, rank.NewSide(sp.Train, officeInfo), sp.Valid, rank.RerankOptions{GBDT: gbdt.Config{Trees: 60}})
	if err != nil {
		t.Fatal(err)
	}
	return r, rep, blend, sp
}

// TestRerankerOnOffice trains the second stage on Office's validation
// items and checks that it ranks the held-out selection cases at least
// as well as the blend it re-orders, is deterministic, and survives a
// round trip through its file.
func TestRerankerOnOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on Office")
	}
	r, rep, blend, sp := trainOffice(t)
	if rep.Trees == 0 || rep.TrainGroups == 0 || rep.SelectionCases == 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.Ranker < rep.Blend {
		t.Errorf("selection NDCG@10: ranker %.4f below the blend's %.4f", rep.Ranker, rep.Blend)
	}
	b1, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	again, _, _, _ := trainOffice(t)
	b2, _ := again.MarshalBinary()
	if !bytes.Equal(b1, b2) {
		t.Error("two trainings on the same data differ")
	}
	var back rank.Reranker
	if err := back.UnmarshalBinary(b1); err != nil {
		t.Fatal(err)
	}
	for _, c := range sp.Test[:200] {
		x, y := r.Rank(blend, c.History, 100), back.Rank(blend, c.History, 100)
		if !slices.Equal(x.Items, y.Items) || !slices.Equal(x.Scores, y.Scores) {
			t.Fatalf("user %d: ranked %v before the round trip, %v after", c.User, x.Items[:5], y.Items[:5])
		}
		for _, h := range c.History {
			if slices.Contains(x.Items, h) {
				t.Fatalf("user %d: history item %d ranked", c.User, h)
			}
		}
		for j := 1; j < len(x.Scores); j++ {
			if x.Scores[j] > x.Scores[j-1] {
				t.Fatalf("user %d: scores not decreasing at %d", c.User, j)
			}
		}
	}
}

// TestFeaturesDoNotSeeTheTarget checks for leakage: a case's features are
// a function of its history alone (the same whichever item is its
// target), and training reads the very features serving computes.
func TestFeaturesDoNotSeeTheTarget(t *testing.T) {
	sp := dataset.LeaveOneOut(datasettest.Office(t))
	blend, names := officeBlend(t, sp.Train)
	side := rank.NewSide(sp.Train, officeInfo)
	m := len(names)
	F := rank.NumFeatures(m)
	for _, c := range sp.Valid[:300] {
		cands := blend.RankWithMembers(c.History, 100)
		var kept rank.Candidates
		for j, i := range cands.Items {
			if !slices.Contains(c.History, i) {
				kept.Items, kept.Scores, kept.From = append(kept.Items, i), append(kept.Scores, cands.Scores[j]), append(kept.From, cands.From[j])
				kept.Members = append(kept.Members, cands.Members[j*m:(j+1)*m]...)
			}
		}
		n := min(rank.DefaultDepth, len(kept.Items))
		a, b := make([]float32, n*F), make([]float32, n*F)
		side.Features(c.History, kept, m, n, rank.VectorsOf(blend), a)
		other := c
		other.Target = kept.Items[n/2]
		side.Features(other.History, kept, m, n, rank.VectorsOf(blend), b)
		if !slices.Equal(a, b) {
			t.Fatalf("user %d: features change with the target", c.User)
		}
		got := rank.CaseFeatures(blend, side, names, c, 100)
		if at := slices.Index(kept.Items[:n], c.Target); at >= 0 && !slices.Equal(got, a) {
			t.Fatalf("user %d: training features differ from serving's", c.User)
		}
	}
	// Facts come from the data given: the test targets' interactions are
	// not in sp.Full, so they do not count in its popularity.
	full := rank.NewSide(sp.Full, nil)
	counts := make([]float32, sp.Full.NumItems())
	for _, seq := range sp.Full.Seqs {
		for _, i := range seq {
			counts[i]++
		}
	}
	if !slices.Equal(full.Popularity, counts) {
		t.Error("popularity is not the training data's")
	}
}

func TestRerankerRejectsHostileFiles(t *testing.T) {
	m, _, err := gbdt.Train(context.Background(), &gbdt.Data{F: 2, X: []float32{0, 1, 1, 0}, Label: []float32{0, 1}, Groups: []int{0, 2}}, nil, gbdt.Config{Trees: 1, MinLeaf: 1})
	if err != nil {
		t.Fatal(err)
	}
	r := &rank.Reranker{Model: m, Members: []string{"a"}, Side: rank.NewSide(&dataset.Dataset{Items: []string{"x"}, Seqs: [][]int32{}, Times: [][]int64{}}, nil)}
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back rank.Reranker
	if err := back.UnmarshalBinary(b); !errors.Is(err, rank.ErrRerankerFormat) || !errors.Is(err, modelfile.ErrCorrupt) {
		t.Errorf("trees over 2 features for 1 member (%d features): %v", rank.NumFeatures(1), err)
	}
}

func FuzzRerankerUnmarshal(f *testing.F) {
	rows := rank.NumFeatures(1)
	x := make([]float32, 2*rows)
	x[0] = 1
	m, _, err := gbdt.Train(context.Background(), &gbdt.Data{F: rows, X: x, Label: []float32{1, 0}, Groups: []int{0, 2}}, nil, gbdt.Config{Trees: 2, MinLeaf: 1})
	if err != nil {
		f.Fatal(err)
	}
	r := &rank.Reranker{Model: m, Members: []string{"a"}, Depth: 50, Side: rank.NewSide(&dataset.Dataset{Items: []string{"x", "y"}, Seqs: [][]int32{{0, 1}}, Times: [][]int64{{1, 2}}}, nil)}
	b, err := r.MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		var r rank.Reranker
		if r.UnmarshalBinary(data) != nil {
			return
		}
		again, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("a decoded ranker does not encode to its bytes: %v", err)
		}
	})
}

// BenchmarkRank compares one shopper's ranking by the blend alone with
// the blend and the second stage, on Office's test histories.
func BenchmarkRank(b *testing.B) {
	r, _, blend, sp := trainOffice(b)
	for _, stage := range []string{"blend", "ranker"} {
		b.Run(stage, func(b *testing.B) {
			b.ReportAllocs()
			k := 0
			for b.Loop() {
				c := sp.Test[k%len(sp.Test)]
				k++
				if stage == "blend" {
					blend.Rank(c.History, 100)
				} else {
					r.Rank(blend, c.History, 100)
				}
			}
		})
	}
}
