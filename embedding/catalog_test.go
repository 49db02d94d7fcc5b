package embedding_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/embedding"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/ngram"
)

// counting is a text encoder that counts the texts it encodes.
type counting struct {
	aisle.TextEncoder
	n atomic.Int64
}

func (c *counting) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	c.n.Add(int64(len(texts)))
	return c.TextEncoder.Encode(ctx, texts)
}

func TestSyncReusesStoredVectors(t *testing.T) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items := []aisle.Item{
		{ID: "a", Title: "Blue gel pens"}, {ID: "b", Title: "Black gel pens"},
		{ID: "c", Title: "Desk stapler"}, {ID: "d", Title: "Stapler staples"},
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	enc := &counting{TextEncoder: ngram.New(ngram.Config{Seed: 1})}
	cat := embedding.NewText(enc, "test", db, nil)
	if err := cat.Sync(ctx, items); err != nil {
		t.Fatal(err)
	}
	if got := enc.n.Load(); got != 4 {
		t.Fatalf("first sync encoded %d texts, want 4", got)
	}
	want := cat.Vector("a")

	// A new process: stored vectors come back, only the changed text is encoded.
	items[2].Title = "Heavy duty desk stapler"
	enc2 := &counting{TextEncoder: enc.TextEncoder}
	cat2 := embedding.NewText(enc2, "test", db, nil)
	if err := cat2.Sync(ctx, items[:3]); err != nil {
		t.Fatal(err)
	}
	if got := enc2.n.Load(); got != 1 {
		t.Errorf("second sync encoded %d texts, want 1 (the changed one)", got)
	}
	if got := cat2.Vector("a"); len(got) != len(want) || got[0] != want[0] {
		t.Errorf("stored vector of a differs")
	}
	if cat2.Len() != 3 || cat2.Vector("d") != nil {
		t.Errorf("after syncing 3 items: %d vectors, d's %v", cat2.Len(), cat2.Vector("d"))
	}
	hits := cat2.Nearest(cat2.Vector("a"), 2, nil)
	if len(hits) != 2 || hits[0].ID != "a" || hits[1].ID != "b" {
		t.Errorf("Nearest(a) = %v, want a then b", hits)
	}
	if hits := cat2.Nearest(cat2.Vector("a"), 5, func(id string) bool { return id == "c" }); len(hits) != 1 || hits[0].ID != "c" {
		t.Errorf("filtered Nearest = %v, want only c", hits)
	}
	// Syncing again what is current encodes nothing.
	if err := cat2.Sync(ctx, items[:3]); err != nil {
		t.Fatal(err)
	}
	if got := enc2.n.Load(); got != 1 {
		t.Errorf("a sync with nothing changed encoded %d texts more", got-1)
	}
	// Dropped vectors are gone from the store: a new catalog of that
	// name encodes everything.
	if err := cat2.Drop(ctx); err != nil {
		t.Fatal(err)
	}
	enc4 := &counting{TextEncoder: enc.TextEncoder}
	if err := embedding.NewText(enc4, "test", db, nil).Sync(ctx, items[:3]); err != nil {
		t.Fatal(err)
	}
	if got := enc4.n.Load(); got != 3 {
		t.Errorf("after Drop a sync encoded %d texts, want 3", got)
	}
	// Another encoder name does not see these vectors.
	enc3 := &counting{TextEncoder: enc.TextEncoder}
	if err := embedding.NewText(enc3, "other", db, nil).Sync(ctx, items); err != nil {
		t.Fatal(err)
	}
	if got := enc3.n.Load(); got != 4 {
		t.Errorf("another encoder name encoded %d texts, want 4", got)
	}
}
