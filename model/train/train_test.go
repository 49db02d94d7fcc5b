package train_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aislehq/aisle/model/dataset/datasettest"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/train"
)

func TestModelsAreDeterministicUnderASeed(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model twice on real data")
	}
	d := datasettest.Office(t)
	ctx := context.Background()
	cfg := train.Config{Seed: 11, Skip: []string{saved.ModelEASE}} // EASE is closed-form: nothing random
	a, err := train.Models(ctx, d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := train.Models(ctx, d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	sa, sb := make([]float32, d.NumItems()), make([]float32, d.NumItems())
	for _, h := range [][]int32{{0}, {5, 9, 13}, d.Seqs[42]} {
		for i := range a.Members {
			a.Members[i].Scorer.Score(h, sa)
			b.Members[i].Scorer.Score(h, sb)
			for j := range sa {
				if sa[j] != sb[j] {
					t.Fatalf("%s: history %v item %d scores %v then %v", a.Members[i].Name, h, j, sa[j], sb[j])
				}
			}
		}
	}
}

// TestDenseModelsTrainOnTheHead trains EASE and SLIST with a 500-item
// limit on Office's 2,420 items: they train on the 500 most
// interacted-with items and serve over the whole catalog, and progress
// reports every step.
func TestDenseModelsTrainOnTheHead(t *testing.T) {
	d := datasettest.Office(t)
	var steps []string
	last := -1
	cfg := train.Config{
		EASE: candidate.EASEConfig{MaxItems: 500}, SLIST: candidate.SLISTConfig{MaxItems: 500},
		Skip: []string{saved.ModelMF, saved.ModelPopular, saved.ModelTransition, saved.ModelItemCF},
		Progress: func(done, total int, step string) {
			if done < last || total != 2 {
				t.Errorf("progress %d/%d after %d", done, total, last)
			}
			last = done
			steps = append(steps, step)
		},
	}
	set, err := train.Models(context.Background(), d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{saved.ModelEASE, saved.ModelSLIST, "done"}; !slices.Equal(steps, want) {
		t.Errorf("progress steps %q, want %q", steps, want)
	}
	head, orig := d.Head(500)
	inHead := make([]bool, d.NumItems())
	for _, i := range orig {
		inHead[i] = true
	}
	var tail int32
	for i := range inHead {
		if !inHead[i] {
			tail = int32(i)
			break
		}
	}
	scores := make([]float32, d.NumItems())
	for _, m := range set.Members {
		m.Scorer.Score([]int32{orig[0], orig[1]}, scores)
		touched := 0
		for i, v := range scores {
			if v != 0 && !inHead[i] {
				t.Fatalf("%s scores tail item %d", m.Name, i)
			}
			if v > 0 {
				touched++
			}
		}
		if touched == 0 {
			t.Errorf("%s scores nothing for the two most popular items of %d", m.Name, head.NumItems())
		}
		m.Scorer.Score([]int32{tail}, scores)
		if slices.ContainsFunc(scores, func(v float32) bool { return v != 0 }) {
			t.Errorf("%s scores items after a tail item it never trained on", m.Name)
		}
	}
}
