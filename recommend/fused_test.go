package recommend_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/text/ngram"
)

// TestSimilarFused serves a version whose content model runs over fused
// text and behaviour vectors: similar items by everything known
// (mode=auto) come from the fused vectors, also for an item added after
// training (its text alone, fused), and fall back to the text vectors
// when the version has no fusion.
func TestSimilarFused(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	title := func(n int) string { return fmt.Sprintf("widget %d of line %d", n, n/5) }
	var items []aisle.Item
	for n := range 40 {
		items = append(items, aisle.Item{ID: fmt.Sprint("i", n), Title: title(n)})
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	var evs []aisle.Event
	for u := range 200 {
		item, step := u%40, 1+u%2
		for range 8 {
			evs = append(evs, aisle.Event{User: fmt.Sprint("u", u), Item: fmt.Sprint("i", item), Type: aisle.EventPurchase, Time: t0.Add(time.Duration(len(evs)) * time.Second)})
			item = (item + step) % 40
		}
	}
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.FromEvents(db.Events(ctx, 0), dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, it := range items {
		texts[it.ID] = it.Title
	}
	cfg := train.Config{Seed: 3, Skip: []string{saved.ModelEASE, saved.ModelSLIST}, Content: train.ContentConfig{
		Text: func(id string) string { return texts[id] }, Vectors: train.VectorsFused,
		Encoder: ngram.Config{Buckets: 1 << 10, Dim: 16},
		Fusion:  fusion.Config{Step: 1, MinStep: 1, Rounds: 1},
	}}
	set, meta, err := train.Train(ctx, d, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "models")
	if _, err := saved.Save(dir, set, meta, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{ModelDir: dir}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	recs, err := e.SimilarFused(ctx, "i3", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || !slices.Equal(recs[0].Models, []string{recommend.ModelMultimodal}) || slices.ContainsFunc(recs, func(r aisle.Recommendation) bool { return r.Item == "i3" }) {
		t.Fatalf("SimilarFused(i3) = %+v", recs)
	}
	if _, err := e.SimilarFused(ctx, "nope", 3); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("unknown item: %v", err)
	}

	// An item added after training has no behaviour: its text is fused.
	added := aisle.Item{ID: "i99", Title: title(3)}
	if _, err := db.UpsertItems(ctx, []aisle.Item{added}); err != nil {
		t.Fatal(err)
	}
	stored, _ := db.Item(ctx, "i99")
	e.ObserveItems([]aisle.Item{stored})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		recs, err := e.SimilarFused(ctx, "i99", 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 3 && recs[0].Models[0] == recommend.ModelMultimodal {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new item never got fused neighbours: %+v", recs)
		}
	}
}

// TestSimilarFusedFallsBackToText checks mode=auto without a trained
// fusion: the text vectors answer.
func TestSimilarFusedFallsBackToText(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	items := []aisle.Item{
		{ID: "pen-blue", Title: "Blue ballpoint pens, medium point, pack of 12"},
		{ID: "pen-black", Title: "Black ballpoint pens, fine point, 24 pack"},
		{ID: "lamp", Title: "LED desk lamp with USB charging port"},
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	recs, err := e.SimilarFused(ctx, "pen-blue", 1)
	if err != nil || len(recs) != 1 || recs[0].Item != "pen-black" || recs[0].Models[0] != recommend.ModelContent {
		t.Fatalf("%+v %v", recs, err)
	}
}
