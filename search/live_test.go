package search_test

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/embedding"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/ngram"
)

// TestLive checks that a Live index serves the stored catalog, follows
// catalog changes at once, and rebuilds when the item vectors change.
func TestLive(t *testing.T) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items := []aisle.Item{
		{ID: "stapler", Title: "Heavy duty desktop stapler", Categories: []string{"Office", "Staplers"}},
		{ID: "pens", Title: "Blue ballpoint pens, 12 pack", Categories: []string{"Office", "Pens"}},
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	cat := embedding.NewText(ngram.New(ngram.Config{Seed: 1}), "v1", nil, nil)
	if err := cat.Sync(ctx, items); err != nil {
		t.Fatal(err)
	}
	var current atomicEmb
	current.set(cat)
	live := search.NewLive(db, analyze.New(analyze.Config{}), search.LiveDeps{Embeddings: current.get}, search.LiveConfig{Refresh: 20 * time.Millisecond}, nil)
	if _, err := live.Search(ctx, search.Request{Query: "stapler"}); aisle.ErrorCode(err) != aisle.EUNAVAILABLE {
		t.Errorf("search before Open: %v, want EUNAVAILABLE", err)
	}
	if err := live.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	found := func(q string) []string {
		t.Helper()
		res, err := live.Search(ctx, search.Request{Query: q, Retrieval: search.RetrievalBM25})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Items {
			ids = append(ids, h.ID)
		}
		return ids
	}
	if got := found("stapler"); !slices.Equal(got, []string{"stapler"}) {
		t.Errorf("stapler: %v", got)
	}
	added := aisle.Item{ID: "staples", Title: "Standard staples for any stapler, 5000 count"}
	live.ObserveItems([]aisle.Item{added})
	if got := found("staples"); !slices.Contains(got, "staples") {
		t.Errorf("after ObserveItems, staples: %v", got)
	}
	live.ForgetItem("stapler")
	if got := found("stapler"); slices.Contains(got, "stapler") {
		t.Errorf("after ForgetItem, stapler: %v", got)
	}
	// New vectors (another encoder): the index is rebuilt from the store,
	// where the forgotten item still is and the observed one never was.
	v2 := embedding.NewText(ngram.New(ngram.Config{Seed: 2}), "v2", nil, nil)
	if err := v2.Sync(ctx, items); err != nil {
		t.Fatal(err)
	}
	current.set(v2)
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Contains(found("stapler"), "stapler") {
		if time.Now().After(deadline) {
			t.Fatal("index not rebuilt after the item vectors changed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	res, err := live.Search(ctx, search.Request{Query: "desktop stapler"})
	if err != nil || len(res.Items) == 0 || !slices.Contains(res.Items[0].Sources, search.SourceDense) {
		t.Errorf("hybrid search after rebuild: %+v, %v; want a dense hit first", res.Items, err)
	}
}

// atomicEmb holds the current Embeddings for a Live index.
type atomicEmb struct {
	p atomic.Pointer[embedding.Catalog]
}

func (a *atomicEmb) set(c *embedding.Catalog) { a.p.Store(c) }

func (a *atomicEmb) get() search.Embeddings {
	if c := a.p.Load(); c != nil {
		return c
	}
	return nil
}

// TestLiveForgetUserRebuilds checks that an erased shopper makes the
// index rebuild at once (what query understanding learned from their
// searches goes with them), without waiting for the refresh interval.
func TestLiveForgetUserRebuilds(t *testing.T) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.UpsertItems(ctx, []aisle.Item{{ID: "stapler", Title: "Heavy duty desktop stapler"}}); err != nil {
		t.Fatal(err)
	}
	var logs lockedLog
	live := search.NewLive(db, analyze.New(analyze.Config{}), search.LiveDeps{}, search.LiveConfig{Refresh: time.Hour}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err := live.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	live.ForgetUser("u1")
	live.ForgetUser("u2") // coalesced with the first, or a second build: never blocks
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(logs.String(), "search index built") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no rebuild after ForgetUser; logs:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// lockedLog is a log sink safe for concurrent use.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
