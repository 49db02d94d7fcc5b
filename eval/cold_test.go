package eval_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aislehq/aisle/model/dataset/datasettest"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

// officeTexts returns the Office items' texts (aisle.Item.Text) by id, as
// importer's lcrec reader names the items.
func officeTexts(t *testing.T) func(string) string {
	t.Helper()
	b, err := os.ReadFile("../../shared/data/amazon-office/Office.item.json")
	if err != nil {
		t.Skip("shared data not present")
	}
	var raw map[string]struct {
		Title, Description, Brand string
		Categories                any
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	texts := make(map[string]string, len(raw))
	for id, r := range raw {
		it := aisle.Item{ID: id, Title: r.Title, Description: r.Description, Brand: r.Brand}
		texts[id] = it.Text()
	}
	return func(id string) string { return texts[id] }
}

// TestColdStartOnOffice holds out a tenth of Office's items and checks
// that the content model ranks them from their texts where popularity and
// the collaborative models cannot.
func TestColdStartOnOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model on real data")
	}
	t.Parallel() // the long tests of the package share its two cores
	d := datasettest.Office(t)
	rep, err := eval.ColdStart(context.Background(), d, train.Config{Seed: 1, Content: train.ContentConfig{Text: officeTexts(t)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hr := map[string]float64{}
	for _, r := range rep.Results {
		hr[r.Model] = r.HR[10]
		t.Logf("%-12s HR@10 %.4f NDCG@10 %.4f (%d cases)", r.Model, r.HR[10], r.NDCG[10], r.Cases)
	}
	for _, r := range rep.Warm {
		t.Logf("warm: %-12s HR@10 %.4f NDCG@10 %.4f (%d cases)", r.Model, r.HR[10], r.NDCG[10], r.Cases)
	}
	t.Logf("weights %v; %d cold items", rep.Weights, rep.ColdItems)
	if hr[saved.ModelPopular] != 0 || hr[saved.ModelEASE] != 0 {
		t.Errorf("popularity or EASE rank cold items: %v", hr)
	}
	if hr[saved.ModelContent] < 0.03 {
		t.Errorf("content HR@10 %.4f on cold items, want ≥ 0.03", hr[saved.ModelContent])
	}
	slots := eval.ColdSlotsName(10)
	if hr[slots] < 2*hr[eval.Fused]+0.03 {
		t.Errorf("cold places: HR@10 %.4f on cold items, fused alone %.4f; want the places to reach them", hr[slots], hr[eval.Fused])
	}
	warm := map[string]float64{}
	for _, r := range rep.Warm {
		warm[r.Model] = r.NDCG[10]
	}
	if warm[slots] < 0.8*warm[eval.Fused] {
		t.Errorf("cold places cost warm NDCG@10 %.4f → %.4f, more than a fifth", warm[eval.Fused], warm[slots])
	}
}
