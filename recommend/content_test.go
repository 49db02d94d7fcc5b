package recommend_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/recommend"
)

// TestSimilarContent checks that items described alike are similar by
// content even before any training and with no events at all, and that
// catalog changes reach the item vectors.
func TestSimilarContent(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	items := []aisle.Item{
		{ID: "pen-blue", Title: "Blue ballpoint pens, medium point, pack of 12", Categories: []string{"Office Products", "Writing", "Pens"}},
		{ID: "pen-black", Title: "Black ballpoint pens, fine point, 24 pack", Categories: []string{"Office Products", "Writing", "Pens"}},
		{ID: "stapler", Title: "Heavy duty desktop stapler", Categories: []string{"Office Products", "Staplers"}},
		{ID: "staples", Title: "Standard staples for desktop staplers, 5000 count", Categories: []string{"Office Products", "Staplers"}},
		{ID: "lamp", Title: "LED desk lamp with USB charging port"},
		{ID: "empty", Title: "—"},
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	recs, err := e.SimilarContent(ctx, "pen-blue", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || recs[0].Item != "pen-black" || !slices.Equal(recs[0].Models, []string{recommend.ModelContent}) {
		t.Fatalf("SimilarContent(pen-blue) = %v, want pen-black first from the content model", recs)
	}
	if recs, _ := e.SimilarContent(ctx, "stapler", 1); len(recs) != 1 || recs[0].Item != "staples" {
		t.Errorf("SimilarContent(stapler) = %v, want staples", recs)
	}
	if _, err := e.SimilarContent(ctx, "nope", 3); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("SimilarContent(nope): %v, want ENOTFOUND", err)
	}

	// A new item reaches the vectors in the background; a deleted one
	// leaves them at once.
	added := aisle.Item{ID: "pen-red", Title: "Red ballpoint pens, medium point, pack of 12", Categories: []string{"Office Products", "Writing", "Pens"}}
	if _, err := db.UpsertItems(ctx, []aisle.Item{added}); err != nil {
		t.Fatal(err)
	}
	stored, _ := db.Item(ctx, "pen-red")
	e.ObserveItems([]aisle.Item{stored})
	deadline := time.Now().Add(10 * time.Second)
	for {
		recs, _ := e.SimilarContent(ctx, "pen-blue", 1)
		if len(recs) == 1 && recs[0].Item == "pen-red" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new item pen-red never became pen-blue's nearest: %v", recs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := db.DeleteItem(ctx, "pen-red"); err != nil {
		t.Fatal(err)
	}
	e.ForgetItem("pen-red")
	if recs, _ := e.SimilarContent(ctx, "pen-blue", 5); slices.ContainsFunc(recs, func(r aisle.Recommendation) bool { return r.Item == "pen-red" }) {
		t.Errorf("deleted item still similar: %v", recs)
	}
	if e.Embeddings().Len() != len(items) {
		t.Errorf("%d item vectors, want %d", e.Embeddings().Len(), len(items))
	}
}
