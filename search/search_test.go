package search_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/query"
	"github.com/aislehq/aisle/vector"
	"github.com/google/go-cmp/cmp"
)

// fixture returns the handmade catalog of testdata/catalog.json.
func fixture(tb testing.TB) []aisle.Item {
	tb.Helper()
	b, err := os.ReadFile("testdata/catalog.json")
	if err != nil {
		tb.Fatal(err)
	}
	var items []aisle.Item
	if err := json.Unmarshal(b, &items); err != nil {
		tb.Fatal(err)
	}
	return items
}

// newIndex returns an index over items configured by cfg, calling deps.
func newIndex(tb testing.TB, cfg search.Config, deps search.Deps, items []aisle.Item) *search.Index {
	tb.Helper()
	x := search.New(cfg, deps, nil)
	var vecs [][]float32
	if deps.Encoder != nil {
		var err error
		if vecs, err = search.EncodeItems(context.Background(), deps.Encoder, items, 4); err != nil {
			tb.Fatal(err)
		}
	}
	if err := x.Upsert(items, vecs); err != nil {
		tb.Fatal(err)
	}
	return x
}

// fakeParser returns fixed intents by query, and the query's words for
// any other query.
type fakeParser map[string]query.Intent

func (p fakeParser) Parse(q string) (query.Intent, error) {
	if in, ok := p[q]; ok {
		in.Query = q
		return in, nil
	}
	return query.Intent{Query: q, Terms: strings.Fields(q)}, nil
}

// conceptEncoder is a fake aisle.TextEncoder: one dimension per concept,
// each word counting towards the concept it names.
type conceptEncoder map[string]int

func (e conceptEncoder) Dim() int { return 3 }

func (e conceptEncoder) Encode(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, e.Dim())
		var norm float32
		for _, w := range strings.Fields(strings.ToLower(t)) {
			if c, ok := e[strings.Trim(w, ",.")]; ok {
				v[c]++
				norm++
			}
		}
		for j := range v {
			if norm > 0 {
				v[j] /= norm // not unit length, but dot products still rank
			}
		}
		out[i] = v
	}
	return out, nil
}

var concepts = conceptEncoder{"tape": 0, "glue": 0, "adhesive": 0, "stapler": 1, "staples": 1, "pen": 2, "ink": 2}

func ptr(f float64) *float64 { return &f }

func hitIDs(hits []search.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func TestSearch(t *testing.T) {
	parser := fakeParser{
		"swingline":           {Brand: "Swingline"},
		"cheap stapler":       {Terms: []string{"stapler"}, Sort: query.SortPriceAsc},
		"priciest stapler":    {Terms: []string{"stapler"}, Sort: query.SortPriceDesc},
		"newest stapler":      {Terms: []string{"stapler"}, Sort: query.SortNewest},
		"red stapler":         {Terms: []string{"stapler"}, Colors: []string{"red"}},
		"stapler under 20":    {Terms: []string{"stapler"}, MaxPrice: ptr(20)},
		"stapler 10 to 50":    {Terms: []string{"stapler"}, MinPrice: ptr(10), MaxPrice: ptr(50)},
		"mouse no bluetooth":  {Terms: []string{"mouse"}, Exclude: []string{"bluetooth"}},
		"pens category":       {Category: "Pens"},
		"sticky":              {Terms: []string{"sticky"}, Synonyms: map[string][]string{"sticky": {"adhesive"}}},
		"logitech electronic": {Terms: []string{"wireless"}, Brand: "Logitech"},
	}
	x := newIndex(t, search.Config{}, search.Deps{Parser: parser}, fixture(t))
	tests := []struct {
		name string
		req  search.Request
		want []string
	}{
		{"title and tags match first, then description; discontinued left out", search.Request{Query: "stapler"}, []string{"stapler-1", "stapler-3", "stapler-2", "staples-1"}},
		{"request category", search.Request{Query: "stapler", Category: "staples"}, []string{"staples-1"}},
		{"request brand", search.Request{Query: "stapler", Brand: "bostitch"}, []string{"stapler-2"}},
		{"brand only query lists the brand", search.Request{Query: "swingline"}, []string{"stapler-1", "stapler-3", "staples-1"}},
		{"category only query", search.Request{Query: "pens category"}, []string{"pen-1", "pen-2"}},
		{"price ascending", search.Request{Query: "cheap stapler"}, []string{"staples-1", "stapler-3", "stapler-1", "stapler-2"}},
		{"price descending", search.Request{Query: "priciest stapler"}, []string{"stapler-2", "stapler-1", "stapler-3", "staples-1"}},
		{"newest first", search.Request{Query: "newest stapler"}, []string{"stapler-2", "stapler-1", "stapler-3", "staples-1"}},
		{"colour", search.Request{Query: "red stapler"}, []string{"stapler-3"}},
		{"max price", search.Request{Query: "stapler under 20"}, []string{"stapler-1", "stapler-3", "staples-1"}},
		{"price range", search.Request{Query: "stapler 10 to 50"}, []string{"stapler-1", "stapler-2"}},
		{"exclusion", search.Request{Query: "mouse no bluetooth"}, []string{"mouse-1"}},
		{"synonym", search.Request{Query: "sticky"}, []string{"tape-1"}},
		{"brand and terms", search.Request{Query: "logitech electronic"}, []string{"mouse-1", "pen-3"}},
		{"nonsense matches nothing", search.Request{Query: "zzxq"}, []string{}},
		{"unknown category matches nothing", search.Request{Query: "stapler", Category: "Garden"}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(hitIDs(res.Items), tt.want); d != "" {
				t.Errorf("ids (-got +want):\n%s", d)
			}
			if res.Total != len(tt.want) {
				t.Errorf("Total = %d, want %d", res.Total, len(tt.want))
			}
		})
	}
}

func TestSearchErrors(t *testing.T) {
	x := newIndex(t, search.Config{}, search.Deps{}, fixture(t))
	other, err := x.Search(context.Background(), search.Request{Query: "pen", N: 1})
	if err != nil || other.NextCursor == "" {
		t.Fatalf("Search(pen) = %+v, %v; want a next page", other, err)
	}
	tests := []struct {
		name  string
		req   search.Request
		field string
	}{
		{"empty query", search.Request{Query: ""}, "q"},
		{"blank query", search.Request{Query: " \t"}, "q"},
		{"huge query", search.Request{Query: strings.Repeat("a", aisle.MaxQueryBytes+1)}, "q"},
		{"bad UTF-8", search.Request{Query: "\xff"}, "q"},
		{"negative n", search.Request{Query: "pen", N: -1}, "n"},
		{"n over the maximum", search.Request{Query: "pen", N: aisle.MaxN + 1}, "n"},
		{"garbage cursor", search.Request{Query: "pen", Cursor: "%%%"}, "cursor"},
		{"cursor of another query", search.Request{Query: "stapler", Cursor: other.NextCursor}, "cursor"},
		{"cursor of another filter", search.Request{Query: "pen", Brand: "Pilot", Cursor: other.NextCursor}, "cursor"},
		{"unknown retrieval", search.Request{Query: "pen", Retrieval: "magic"}, "retrieval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.Search(context.Background(), tt.req)
			if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != tt.field {
				t.Errorf("err = %v; want EINVALID on field %q", err, tt.field)
			}
		})
	}
}

func TestSearchHits(t *testing.T) {
	x := newIndex(t, search.Config{}, search.Deps{Encoder: concepts}, fixture(t))
	res, err := x.Search(context.Background(), search.Request{Query: "glue"})
	if err != nil {
		t.Fatal(err)
	}
	want := []search.Hit{{ID: "tape-1", Title: "Clear tape", Price: ptr(2.5), Matched: []string{}, Sources: []string{search.SourceDense}}}
	if d := cmp.Diff(res.Items, want, cmpIgnoreScore); d != "" {
		t.Errorf("dense-only hit (-got +want):\n%s", d)
	}
	res, err = x.Search(context.Background(), search.Request{Query: "desk stapler", N: 1})
	if err != nil {
		t.Fatal(err)
	}
	want = []search.Hit{{ID: "stapler-1", Title: "Swingline desk stapler, black", Price: ptr(12.5), Matched: []string{"desk", "stapler"}, Sources: []string{search.SourceBM25, search.SourceDense}}}
	if d := cmp.Diff(res.Items, want, cmpIgnoreScore); d != "" {
		t.Errorf("hybrid hit (-got +want):\n%s", d)
	}
	for _, mode := range []string{search.RetrievalBM25, search.RetrievalDense} {
		res, err := x.Search(context.Background(), search.Request{Query: "glue", Retrieval: mode})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(res.Items) > 0, mode == search.RetrievalDense; got != want {
			t.Errorf("%s: found %v, want found = %v", mode, hitIDs(res.Items), want)
		}
	}
}

var cmpIgnoreScore = cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Score" }, cmp.Ignore())

func TestFacets(t *testing.T) {
	x := newIndex(t, search.Config{}, search.Deps{}, fixture(t))
	res, err := x.Search(context.Background(), search.Request{Query: "stapler", N: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := search.Facets{
		Categories: []search.FacetValue{{"Office", 4}, {"Staplers", 3}, {"Staples", 1}},
		Brands:     []search.FacetValue{{"Swingline", 3}, {"Bostitch", 1}},
		Colors:     []search.FacetValue{{"black", 1}, {"gray", 1}, {"red", 1}},
		Prices:     []search.PriceBand{{Min: 0, Max: ptr(10), Count: 2}, {Min: 10, Max: ptr(25), Count: 1}, {Min: 25, Max: ptr(50), Count: 1}},
	}
	if d := cmp.Diff(res.Facets, want); d != "" {
		t.Errorf("facets (-got +want):\n%s", d)
	}
}

func TestPaging(t *testing.T) {
	x := newIndex(t, search.Config{}, search.Deps{}, fixture(t))
	for _, n := range []int{1, 2, 3, 100} {
		req := search.Request{Query: "office", N: n}
		var got []string
		for pages := 0; ; pages++ {
			res, err := x.Search(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, hitIDs(res.Items)...)
			if res.NextCursor == "" {
				break
			}
			if pages > 20 {
				t.Fatal("no last page")
			}
			req.Cursor = res.NextCursor
		}
		if len(got) != 10 || len(slices.Compact(slices.Sorted(slices.Values(got)))) != 10 {
			t.Errorf("n=%d: pages gave %v; want the 10 live items once each", n, got)
		}
	}
}

// fakePersonalizer likes the items it lists, in that order.
type fakePersonalizer struct {
	likes []string
	err   error
}

func (p fakePersonalizer) Affinity(_ context.Context, user string, items []string) ([]float64, error) {
	if p.err != nil || user != "u1" {
		return nil, p.err
	}
	out := make([]float64, len(items))
	for i, id := range items {
		if k := slices.Index(p.likes, id); k >= 0 {
			out[i] = float64(len(p.likes) - k)
		}
	}
	return out, nil
}

func TestPersonalize(t *testing.T) {
	tests := []struct {
		name string
		p    fakePersonalizer
		user string
		want []string
	}{
		{"no user", fakePersonalizer{likes: []string{"stapler-2"}}, "", []string{"stapler-1", "stapler-3", "stapler-2", "staples-1"}},
		{"user without history", fakePersonalizer{likes: []string{"stapler-2"}}, "u2", []string{"stapler-1", "stapler-3", "stapler-2", "staples-1"}},
		{"liked item moves up", fakePersonalizer{likes: []string{"stapler-2"}}, "u1", []string{"stapler-2", "stapler-1", "stapler-3", "staples-1"}},
		{"relevance still dominates", fakePersonalizer{likes: []string{"staples-1"}}, "u1", []string{"stapler-1", "stapler-3", "stapler-2", "staples-1"}},
		{"failure keeps relevance", fakePersonalizer{err: errors.New("down")}, "u1", []string{"stapler-1", "stapler-3", "stapler-2", "staples-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newIndex(t, search.Config{}, search.Deps{Personalizer: tt.p}, fixture(t))
			res, err := x.Search(context.Background(), search.Request{Query: "stapler", User: tt.user})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(hitIDs(res.Items), tt.want); d != "" {
				t.Errorf("ids (-got +want):\n%s", d)
			}
		})
	}
}

// fakePopularity ranks items by the number in their id's suffix.
type fakePopularity struct{}

func (fakePopularity) Popularity(_ context.Context, items []string) ([]float64, error) {
	out := make([]float64, len(items))
	for i, id := range items {
		out[i] = float64(id[len(id)-1])
	}
	return out, nil
}

func TestSortPopular(t *testing.T) {
	parser := fakeParser{"popular stapler": {Terms: []string{"stapler"}, Sort: query.SortPopular}}
	x := newIndex(t, search.Config{}, search.Deps{Parser: parser, Popularity: fakePopularity{}}, fixture(t))
	res, err := x.Search(context.Background(), search.Request{Query: "popular stapler"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(hitIDs(res.Items), []string{"stapler-3", "stapler-2", "stapler-1", "staples-1"}); d != "" {
		t.Errorf("ids (-got +want):\n%s", d)
	}
}

func TestUpdates(t *testing.T) {
	items := fixture(t)
	x := newIndex(t, search.Config{}, search.Deps{}, items)
	ctx := context.Background()
	find := func(q string) []string {
		t.Helper()
		res, err := x.Search(ctx, search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(res.Items)
	}
	renamed := items[len(items)-1]
	renamed.Title = "Masking tape"
	if err := x.Upsert([]aisle.Item{renamed}, nil); err != nil {
		t.Fatal(err)
	}
	if got := find("clear"); len(got) != 0 {
		t.Errorf("old title still found: %v", got)
	}
	if got := find("masking"); !slices.Equal(got, []string{"tape-1"}) {
		t.Errorf("new title: %v", got)
	}
	if !x.Delete("tape-1") || x.Delete("tape-1") {
		t.Error("Delete should report true once")
	}
	if got := find("tape"); len(got) != 0 {
		t.Errorf("deleted item found: %v", got)
	}
	if x.Len() != len(items)-1 {
		t.Errorf("Len = %d, want %d", x.Len(), len(items)-1)
	}
	if err := x.Upsert([]aisle.Item{{Title: "no id"}}, nil); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("item without id: err = %v, want EINVALID", err)
	}
	if err := x.Upsert(items[:1], [][]float32{{1, 2}}); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("vector without encoder: err = %v, want EINVALID", err)
	}
}

func TestCancelledEncoder(t *testing.T) {
	x := newIndex(t, search.Config{}, search.Deps{Encoder: concepts}, fixture(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := x.Search(ctx, search.Request{Query: "pen"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestMerges(t *testing.T) {
	tests := []struct {
		merge, q string
		want     []string
	}{
		{search.MergeRRF, "glue", []string{"tape-1"}}, // dense alone
		{search.MergeLinear, "glue", []string{"tape-1"}},
		// RRF counts ranks, linear merging scores: there staples-1's brand
		// match weighs more than stapler-2's place.
		{search.MergeRRF, "swingline stapler", []string{"stapler-1", "stapler-3", "stapler-2", "staples-1"}},
		{search.MergeLinear, "swingline stapler", []string{"stapler-1", "stapler-3", "staples-1", "stapler-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.merge+" "+tt.q, func(t *testing.T) {
			x := newIndex(t, search.Config{Merge: tt.merge}, search.Deps{Encoder: concepts}, fixture(t))
			res, err := x.Search(context.Background(), search.Request{Query: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(hitIDs(res.Items), tt.want); d != "" {
				t.Errorf("ids (-got +want):\n%s", d)
			}
		})
	}
}

// TestVectorIndex checks that dense retrieval through a vector index
// finds what the built-in scan finds, and follows updates.
func TestVectorIndex(t *testing.T) {
	items := fixture(t)
	scan := newIndex(t, search.Config{}, search.Deps{Encoder: concepts}, items)
	for _, tt := range []struct {
		name string
		vi   search.VectorIndex
	}{
		{"flat", vector.NewFlat(concepts.Dim())},
		{"hnsw", vector.New(concepts.Dim(), vector.Config{ExactBelow: -1})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := newIndex(t, search.Config{}, search.Deps{Encoder: concepts, Vectors: tt.vi}, items)
			for _, q := range []string{"glue", "pen", "swingline stapler"} {
				for _, mode := range []string{search.RetrievalDense, search.RetrievalHybrid} {
					want, err := scan.Search(context.Background(), search.Request{Query: q, Retrieval: mode})
					if err != nil {
						t.Fatal(err)
					}
					got, err := x.Search(context.Background(), search.Request{Query: q, Retrieval: mode})
					if err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(hitIDs(got.Items), hitIDs(want.Items)); d != "" {
						t.Errorf("%s %q (-got +want):\n%s", mode, q, d)
					}
				}
			}
			x.Delete("tape-1")
			res, err := x.Search(context.Background(), search.Request{Query: "glue"})
			if err != nil || len(res.Items) != 0 {
				t.Errorf("deleted item found: %v, %v", hitIDs(res.Items), err)
			}
		})
	}
}

func TestFacetLimit(t *testing.T) {
	for _, limit := range []int{1, 2, 3} {
		x := newIndex(t, search.Config{FacetLimit: limit}, search.Deps{}, fixture(t))
		res, err := x.Search(context.Background(), search.Request{Query: "stapler"})
		if err != nil {
			t.Fatal(err)
		}
		all := []search.FacetValue{{"Office", 4}, {"Staplers", 3}, {"Staples", 1}}
		if d := cmp.Diff(res.Facets.Categories, all[:limit]); d != "" {
			t.Errorf("limit %d (-got +want):\n%s", limit, d)
		}
		colors := []search.FacetValue{{"black", 1}, {"gray", 1}, {"red", 1}} // ties by value
		if d := cmp.Diff(res.Facets.Colors, colors[:limit]); d != "" {
			t.Errorf("limit %d colours (-got +want):\n%s", limit, d)
		}
	}
}
