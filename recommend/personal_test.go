package recommend_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/recommend"
)

// TestTrainedModelServesAndFollowsNewEvents trains and saves a model set on
// shoppers who walk a 40-item catalog in steps of one, serves it, and
// checks that recommendations follow each shopper's latest item, at once
// after new events, and that shoppers without history get popularity.
func TestTrainedModelServesAndFollowsNewEvents(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	var items []aisle.Item
	for i := range 40 {
		items = append(items, aisle.Item{ID: fmt.Sprint("i", i), Title: fmt.Sprint("Item ", i)})
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	var evs []aisle.Event
	for u := range 300 {
		for k := range 8 {
			evs = append(evs, aisle.Event{User: fmt.Sprint("u", u), Item: fmt.Sprint("i", (u+k)%40), Type: aisle.EventView, Time: t0.Add(time.Duration(k) * time.Minute)})
		}
	}
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.FromEvents(db.Events(ctx, 0), dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set, meta, err := train.Train(ctx, d, train.Config{Seed: 1, Skip: []string{saved.ModelMF}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "models")
	version, err := saved.Save(dir, set, meta, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{ModelDir: dir}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.ModelVersion() != version {
		t.Fatalf("serving version %q, want %q", e.ModelVersion(), version)
	}

	// u5 walked i5..i12: next is i13.
	got, err := e.Recommend(ctx, "u5", aisle.RecommendRequest{N: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Item != "i13" || got[0].Models[0] != recommend.ModelFused || got[0].Title != "Item 13" {
		t.Fatalf("u5 gets %+v, want i13 first from the fused model", got)
	}
	for _, r := range got {
		if r.Item >= "i5" && r.Item <= "i12" && len(r.Item) == len("i12") {
			t.Errorf("recommended %s from the user's own history", r.Item)
		}
	}
	if len(got[0].Models) < 2 || !strings.HasSuffix(got[0].Reasons[0], ` "Item 12"`) {
		t.Errorf("i13's models and reason: %v %q", got[0].Models, got[0].Reasons)
	}

	// A long list: the models' candidates, topped up with popularity,
	// never repeating an item or showing the history.
	got, err = e.Recommend(ctx, "u5", aisle.RecommendRequest{N: 32})
	if err != nil || len(got) != 32 {
		t.Fatalf("n=32: %d items, %v", len(got), err)
	}
	seen := map[string]bool{}
	for _, r := range got {
		if seen[r.Item] || (r.Item >= "i5" && r.Item <= "i12" && len(r.Item) == len("i12")) {
			t.Errorf("n=32: %s repeated or from the history", r.Item)
		}
		seen[r.Item] = true
	}

	// Similar items come from the trained item-to-item models.
	sim, err := e.Similar(ctx, "i20", 2)
	if err != nil || len(sim) != 2 {
		t.Fatalf("similar to i20: %+v, %v", sim, err)
	}
	if sim[0].Models[0] != recommend.ModelFused || (sim[0].Item != "i21" && sim[0].Item != "i19") {
		t.Errorf("similar to i20 = %+v, want i21 or i19 first from the fused model", sim)
	}
	for _, r := range sim {
		if r.Item == "i20" || !strings.Contains(r.Reasons[0], `"Item 20"`) {
			t.Errorf("similar to i20: %s with reason %q", r.Item, r.Reasons)
		}
	}

	// New views move the next item at once, without retraining.
	var jump []aisle.Event
	for k, it := range []string{"i30", "i31", "i32"} {
		jump = append(jump, aisle.Event{User: "u5", Item: it, Type: aisle.EventView, Time: t0.Add(time.Hour + time.Duration(k)*time.Minute)})
	}
	if _, err := db.AppendEvents(ctx, jump); err != nil {
		t.Fatal(err)
	}
	e.Observe(jump)
	got, _ = e.Recommend(ctx, "u5", aisle.RecommendRequest{N: 1})
	if len(got) != 1 || got[0].Item != "i33" {
		t.Errorf("after viewing i30, i31, i32, u5 gets %+v, want i33", got)
	}

	// No history: popularity, never an error.
	got, err = e.Recommend(ctx, "stranger", aisle.RecommendRequest{N: 2})
	if err != nil || len(got) != 2 || got[0].Models[0] != recommend.ModelPopular {
		t.Errorf("cold start = %+v, %v", got, err)
	}
}
