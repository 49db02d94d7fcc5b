package search_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/query"
)

// TestOfficeWithParser searches the Office catalog through the real
// query understanding: what it reads out of a query is applied.
func TestOfficeWithParser(t *testing.T) {
	items := officeItems(t)
	an := analyze.New(analyze.Config{})
	u, err := query.Learn(items, nil, an, query.Config{})
	if err != nil {
		t.Fatal(err)
	}
	x := newIndex(t, search.Config{}, search.Deps{Analyzer: an, Parser: u}, items)
	byID := make(map[string]aisle.Item)
	for _, it := range items {
		byID[it.ID] = it
	}
	tests := []struct {
		q    string
		each func(it aisle.Item) bool // every hit must pass
	}{
		{"swingline stapler", func(it aisle.Item) bool {
			return it.Brand == "Swingline" && strings.Contains(strings.ToLower(it.Title), "stapl")
		}},
		{"hp", func(it aisle.Item) bool { return it.Brand == "HP" }},
		{"staplr", func(it aisle.Item) bool { // corrected to stapler, in a staplers category
			return strings.Contains(strings.ToLower(strings.Join(it.Categories, " ")), "stapler")
		}},
		{"stapler without electric", func(it aisle.Item) bool { return !strings.Contains(strings.ToLower(it.Text()), "electric") }},
		{"black pens", func(it aisle.Item) bool { return strings.Contains(strings.ToLower(it.Title), "black") }},
		// Terms are stems already ("eras"); stemming them again ("era")
		// would find nothing.
		{"erasers", func(it aisle.Item) bool { return strings.Contains(strings.ToLower(it.Text()), "eras") }},
		{"pencils without erasers", func(it aisle.Item) bool {
			return !strings.Contains(strings.ToLower(it.Title), "eraser")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			hits, first := allPages(t, x, search.Request{Query: tt.q, N: aisle.MaxN})
			if len(hits) == 0 {
				t.Fatalf("no hits; intent %+v", first.Intent)
			}
			for _, h := range hits {
				if it := byID[h.ID]; !tt.each(it) {
					t.Errorf("hit %s %q (brand %q) does not fit; intent %+v", h.ID, it.Title, it.Brand, first.Intent)
				}
			}
		})
	}
}

// TestOfficeChineseQuery searches the English Office catalog in Chinese:
// 订书机 (stapler) is translated, and staplers come before staples, which
// share only a word of the dictionary's gloss ("stapling machine").
func TestOfficeChineseQuery(t *testing.T) {
	items := officeItems(t)
	an := analyze.New(analyze.Config{})
	if err := an.Load(); err != nil {
		t.Fatalf("jieba dictionary: %v (run make deps)", err)
	}
	u, err := query.Learn(items, nil, an, query.Config{CEDICT: filepath.Join("..", query.DefaultCEDICT)})
	if err != nil {
		t.Fatalf("%v (run make deps)", err)
	}
	x := newIndex(t, search.Config{}, search.Deps{Analyzer: an, Parser: u}, items)
	res, err := x.Search(context.Background(), search.Request{Query: "订书机", N: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.Intent.Language != "zh" || !slices.Contains(res.Intent.Terms, "stapler") {
		t.Fatalf("intent %+v, want Chinese read as stapler", res.Intent)
	}
	for _, h := range res.Items {
		if !strings.Contains(strings.ToLower(h.Title), "stapler") {
			t.Errorf("订书机: hit %q is no stapler", h.Title)
		}
	}
}
