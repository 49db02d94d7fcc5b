package extract_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/extract"
)

// catalog is an in-memory extract.Catalog that pages its items two at a
// time and counts the items written back.
type catalog struct {
	items    []aisle.Item
	upserted int
	err      error // what UpsertItems returns
}

func (c *catalog) ListItems(ctx context.Context, f aisle.ItemFilter) (aisle.ItemPage, error) {
	start, _ := strconv.Atoi(f.Cursor)
	end := min(start+2, len(c.items))
	page := aisle.ItemPage{Items: slices.Clone(c.items[start:end])}
	if end < len(c.items) {
		page.NextCursor = strconv.Itoa(end)
	}
	return page, nil
}

func (c *catalog) UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error) {
	if c.err != nil {
		return aisle.UpsertStats{}, c.err
	}
	c.upserted += len(items)
	return aisle.UpsertStats{}, nil
}

func TestVocabularyFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), extract.VocabularyFileName)
	probe := &aisle.Item{Title: "wilson jones binder"}
	v := extract.NewVocabularyFile(path)
	if err := v.Load(); err != nil {
		t.Fatalf("missing file: %v", err)
	}
	if got := v.Extract(probe).Brand; got != "" {
		t.Errorf("empty vocabulary knows the brand %q", got)
	}
	if n, err := v.LearnOnce(ctx, &catalog{}); n != 0 || err != nil {
		t.Errorf("empty catalog: LearnOnce = %d, %v", n, err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("an empty catalog's vocabulary was saved")
	}

	broken := &catalog{items: []aisle.Item{{ID: "1", Title: "x", Brand: "Wilson Jones"}}, err: errors.New("disk full")}
	if _, err := v.LearnOnce(ctx, broken); err == nil {
		t.Error("a failed rewrite was not reported")
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("the vocabulary was saved although the items were not rewritten")
	}

	c := &catalog{items: []aisle.Item{{ID: "1", Title: "x", Brand: "Wilson Jones"}, {ID: "2", Title: "y"}, {ID: "3", Title: "z"}}}
	if n, err := v.LearnOnce(ctx, c); n != 3 || err != nil || c.upserted != 3 {
		t.Fatalf("LearnOnce = %d, %v, %d rewritten; want 3, nil, 3", n, err, c.upserted)
	}
	if got := v.Extract(probe).Brand; got != "Wilson Jones" {
		t.Errorf("learned vocabulary: brand %q, want Wilson Jones", got)
	}
	if n, err := v.LearnOnce(ctx, c); n != 0 || err != nil || c.upserted != 3 {
		t.Errorf("second LearnOnce = %d, %v, %d rewritten; want nothing done", n, err, c.upserted)
	}

	again := extract.NewVocabularyFile(path)
	if err := again.Load(); err != nil {
		t.Fatal(err)
	}
	if got := again.Extract(probe).Brand; got != "Wilson Jones" {
		t.Errorf("loaded vocabulary: brand %q, want Wilson Jones", got)
	}
	os.WriteFile(path, []byte("{not json"), 0o644)
	if err := extract.NewVocabularyFile(path).Load(); err == nil {
		t.Error("a corrupt vocabulary loaded")
	}
}
