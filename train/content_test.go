package train_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/train"
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
	d := office(t)
	rep, err := train.ColdStart(context.Background(), d, train.Config{Seed: 1, Content: train.ContentConfig{Text: officeTexts(t)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	hr := map[string]float64{}
	for _, r := range rep.Results {
		hr[r.Model] = r.HR[10]
		t.Logf("%-12s HR@10 %.4f NDCG@10 %.4f (%d cases)", r.Model, r.HR[10], r.NDCG[10], r.Cases)
	}
	t.Logf("weights %v; %d cold items", rep.Weights, rep.ColdItems)
	if hr[train.ModelPopular] != 0 || hr[train.ModelEASE] != 0 {
		t.Errorf("popularity or EASE rank cold items: %v", hr)
	}
	if hr[train.ModelContent] < 0.05 {
		t.Errorf("content HR@10 %.4f on cold items, want ≥ 0.05", hr[train.ModelContent])
	}
}
