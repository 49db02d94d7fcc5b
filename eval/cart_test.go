package eval_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/dataset/datasettest"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

// cartModels trains what CartExperiment reads on d's train+validation
// data: popularity, transitions and item-to-item CF (the fused weights
// for similar items weigh the last two alike).
func cartModels(t *testing.T, d *dataset.Dataset) (*saved.Set, map[string]float64) {
	t.Helper()
	skip := []string{saved.ModelEASE, saved.ModelSLIST, saved.ModelMF, saved.ModelContent, saved.ModelRanker}
	set, err := train.ModelsTracked(context.Background(), dataset.LeaveOneOut(d).Full, train.Config{Seed: 1, Skip: skip}, nil, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	return set, map[string]float64{saved.ModelTransition: 1, saved.ModelItemCF: 1}
}

// TestCartExperiment: half the shoppers buy a pen, a printer and its ink,
// the others a printer, its ink and two packs of paper. The test steps
// that change category are the first half's (printer → ink; paper →
// paper is no case), and the cart finds the ink after its printer from the
// others' histories.
func TestCartExperiment(t *testing.T) {
	var evs []aisle.Event
	for u := range 60 {
		p := u % 3
		seq := []string{fmt.Sprint("printer-", p), fmt.Sprint("ink-", p), "paper-a", "paper-b"}
		if u%2 == 0 {
			seq = []string{"pen", fmt.Sprint("printer-", p), fmt.Sprint("ink-", p)}
		}
		for k, it := range seq {
			evs = append(evs, aisle.Event{User: fmt.Sprint("u", u), Item: it, Type: aisle.EventPurchase, Time: time.Unix(int64(k), 0), Seq: int64(len(evs) + 1)})
		}
	}
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	categories := func(id string) []string {
		kind, _, _ := strings.Cut(id, "-")
		return []string{"Office", kind}
	}
	set, fused := cartModels(t, d)
	rep, err := eval.CartExperiment(context.Background(), d, set, fused, 100, categories)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Cases != 30 {
		t.Errorf("%d cases, want 30", rep.Cases)
	}
	for _, r := range rep.Results {
		t.Logf("%-32s HR@10 %.3f NDCG@10 %.3f", r.Model, r.HR10, r.NDCG10)
		if r.Model == eval.CartRanking && r.HR10 != 1 {
			t.Errorf("cart HR@10 = %v, want 1: the ink follows its printer", r.HR10)
		}
	}
}

// TestCartExperimentOffice runs the cart evaluation on Office with the
// cart's own models (the numbers of BENCHMARKS.md come from aisle eval,
// whose similar items use the whole tuned fusion) and logs its cost.
func TestCartExperimentOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains models on real data")
	}
	d := datasettest.Office(t)
	b, err := os.ReadFile("../../shared/data/amazon-office/Office.item.json")
	if err != nil {
		t.Skip("shared data not present")
	}
	var raw map[string]struct{ Categories string }
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	categories := func(id string) []string { return strings.Split(raw[id].Categories, ", ") }
	set, fused := cartModels(t, d)
	start := time.Now()
	rep, err := eval.CartExperiment(context.Background(), d, set, fused, 100, categories)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cases, %d fell back, %v", rep.Cases, rep.FellBack, time.Since(start).Round(time.Millisecond))
	hr := map[string]float64{}
	for _, r := range rep.Results {
		hr[r.Model] = r.HR10
		t.Logf("%-32s HR@10 %.4f NDCG@10 %.4f", r.Model, r.HR10, r.NDCG10)
	}
	if rep.Cases < 4000 || hr[eval.CartRanking] <= hr[eval.CartCoPurchase] {
		t.Errorf("cases %d, cart HR@10 %.4f vs co-purchase %.4f: want thousands of cases and the cart ahead", rep.Cases, hr[eval.CartRanking], hr[eval.CartCoPurchase])
	}
}
