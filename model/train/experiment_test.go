package train_test

import (
	"context"
	"encoding/json"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/train"
)

// office reads the real Amazon Office interactions (LC-Rec JSON).
func office(t *testing.T) *dataset.Dataset {
	t.Helper()
	b, err := os.ReadFile("../../../shared/data/amazon-office/Office.inter.json")
	if err != nil {
		t.Skip("shared data not present")
	}
	var seqs map[string][]int
	if err := json.Unmarshal(b, &seqs); err != nil {
		t.Fatal(err)
	}
	users := make([]string, 0, len(seqs))
	for u := range seqs {
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { a, _ := strconv.Atoi(users[i]); b, _ := strconv.Atoi(users[j]); return a < b })
	var evs []aisle.Event
	for _, u := range users {
		for k, it := range seqs[u] {
			evs = append(evs, aisle.Event{User: u, Item: strconv.Itoa(it), Type: aisle.EventPurchase, Time: time.Unix(int64(k), 0), Seq: int64(len(evs) + 1)})
		}
	}
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestExperimentOnOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model on real data")
	}
	d := office(t)
	rep, err := train.Experiment(context.Background(), d, train.Config{Seed: 7}, train.ExperimentOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if rep.TestCases != 4905 || rep.Items != 2420 || rep.Interactions != 53258 {
		t.Errorf("dataset: %d test users, %d items, %d interactions", rep.TestCases, rep.Items, rep.Interactions)
	}
	got := map[string]eval.Result{}
	for _, r := range rep.Results {
		got[r.Model] = r
	}
	for _, m := range []string{saved.ModelPopular, saved.ModelTransition, saved.ModelEASE, saved.ModelSLIST, saved.ModelMF, train.Baseline, train.Fused} {
		if _, ok := got[m]; !ok {
			t.Errorf("no result for %s", m)
		}
	}
	fused, base := got[train.Fused], got[train.Baseline]
	t.Logf("office test NDCG@10: fused %.4f, baseline %.4f, slist %.4f, ease %.4f", fused.NDCG[10], base.NDCG[10], got[saved.ModelSLIST].NDCG[10], got[saved.ModelEASE].NDCG[10])
	// Measured 2026-11-23 08:51: fused 0.0731 / 0.1225, baseline 0.0681;
	// everything was chosen on validation only, so the margin is real.
	if fused.NDCG[10] < base.NDCG[10] {
		t.Errorf("fused NDCG@10 %.4f below the EASE+transition baseline %.4f", fused.NDCG[10], base.NDCG[10])
	}
	if fused.NDCG[10] < 0.065 || fused.HR[10] < 0.11 {
		t.Errorf("fused NDCG@10 %.4f HR@10 %.4f, measured 0.0731 / 0.1225", fused.NDCG[10], fused.HR[10])
	}
	if got[saved.ModelEASE].NDCG[10] <= got[saved.ModelPopular].NDCG[10] {
		t.Errorf("EASE does not beat popularity")
	}
}

func TestSetFuseUnknownModel(t *testing.T) {
	set := &saved.Set{N: 3}
	if _, err := set.Blend([]string{"nope"}, []float64{1}); err == nil {
		t.Fatal("Fuse accepted an unknown model")
	}
}

func TestModelsAreDeterministicUnderASeed(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model twice on real data")
	}
	d := office(t)
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
	d := office(t)
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
