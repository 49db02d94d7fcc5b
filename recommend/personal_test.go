package recommend_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/train"
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
	set, meta, err := train.Train(ctx, d, train.Config{Seed: 1, Skip: []string{train.ModelMF}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "models")
	version, err := train.Save(dir, set, meta)
	if err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Config{ModelDir: dir}, nil)
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
