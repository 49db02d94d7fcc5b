package search_test

import (
	"context"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/vector"
	"github.com/google/go-cmp/cmp"
)

// photoCatalog is a handmade catalog whose items have 3-d "image
// vectors" (one dimension per kind of photo: shirt, dress, shoe), for the
// logic of search by photo; the real model's behaviour is tested in
// package http (TestSearchImageReal).
func photoCatalog() ([]aisle.Item, [][]float32) {
	items := []aisle.Item{
		{ID: "red-shirt", Title: "Cotton shirt", Extracted: &aisle.Extracted{Colors: []string{"red"}}},
		{ID: "navy-shirt", Title: "Linen shirt", Price: ptr(20), Visual: &aisle.Visual{Colors: []string{"navy blue"}}},
		{ID: "red-dress", Title: "Summer dress", Price: ptr(30), Visual: &aisle.Visual{Colors: []string{"Red", "white"}}},
		{ID: "shoe", Title: "Running shoe", Price: ptr(80)},
		{ID: "wool-shirt", Title: "Wool shirt"}, // its photo not read yet
	}
	images := [][]float32{{1, 0, 0}, {0.9, 0.1, 0}, {0, 1, 0}, {0, 0, 2}, nil}
	return items, images
}

// photoIndex returns an index over photoCatalog.
func photoIndex(tb testing.TB) *search.Index {
	tb.Helper()
	items, images := photoCatalog()
	x := search.New(search.Config{}, search.Deps{}, nil)
	if err := x.UpsertVectors(items, nil, images); err != nil {
		tb.Fatal(err)
	}
	return x
}

func TestSearchImage(t *testing.T) {
	x := photoIndex(t)
	shirt := []float32{1, 0, 0}
	tests := []struct {
		name    string
		req     search.Request
		ids     []string
		sources [][]string
	}{
		{"nearest photos", search.Request{Image: shirt},
			[]string{"red-shirt", "navy-shirt"}, [][]string{{"image"}, {"image"}}},
		{"unnormalised query photo", search.Request{Image: []float32{0, 0, 7}, Query: " "},
			[]string{"shoe"}, [][]string{{"image"}}},
		{"colour from the text", search.Request{Image: shirt, Color: "RED"},
			[]string{"red-shirt"}, nil},
		{"colour from the photo", search.Request{Image: shirt, Color: "navy blue"},
			[]string{"navy-shirt"}, nil},
		{"price", search.Request{Image: []float32{1, 1, 0}, MaxPrice: ptr(50)},
			[]string{"navy-shirt", "red-dress"}, nil},
		{"price and colour", search.Request{Image: []float32{1, 1, 0}, MinPrice: ptr(25), Color: "white"},
			[]string{"red-dress"}, nil},
		{"category", search.Request{Image: shirt, Category: "none such"}, []string{}, nil},
		{"with a query", search.Request{Image: shirt, Query: "shirt"},
			[]string{"red-shirt", "navy-shirt", "wool-shirt"}, [][]string{{"bm25", "image"}, {"bm25", "image"}, {"bm25"}}},
		{"a query the photo does not match", search.Request{Image: []float32{0, 1, 0}, Query: "shoe"},
			[]string{"shoe", "red-dress", "navy-shirt"}, [][]string{{"bm25"}, {"image"}, {"image"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(hitIDs(res.Items), tt.ids); d != "" {
				t.Errorf("ids (-got +want):\n%s", d)
			}
			if res.Total != len(tt.ids) {
				t.Errorf("total %d, want %d", res.Total, len(tt.ids))
			}
			if tt.sources == nil {
				return
			}
			var sources [][]string
			for _, h := range res.Items {
				sources = append(sources, h.Sources)
			}
			if d := cmp.Diff(sources, tt.sources); d != "" {
				t.Errorf("sources (-got +want):\n%s", d)
			}
		})
	}
}

// TestSearchColorFilter checks the request's colour and price filters
// and the colour facet of a text search: the item's colours are its
// text's and its photo's.
func TestSearchColorFilter(t *testing.T) {
	x := photoIndex(t)
	res, err := x.Search(context.Background(), search.Request{Query: "shirt dress"})
	if err != nil {
		t.Fatal(err)
	}
	want := []search.FacetValue{{Value: "red", Count: 2}, {Value: "navy blue", Count: 1}, {Value: "white", Count: 1}}
	if d := cmp.Diff(res.Facets.Colors, want); d != "" {
		t.Errorf("colour facet (-got +want):\n%s", d)
	}
	for _, tt := range []struct {
		req search.Request
		ids []string
	}{
		{search.Request{Query: "shirt dress", Color: "red"}, []string{"red-shirt", "red-dress"}},
		{search.Request{Query: "shirt dress", Color: "green"}, []string{}},
		{search.Request{Query: "shirt dress", MinPrice: ptr(20), MaxPrice: ptr(20)}, []string{"navy-shirt"}},
	} {
		res, err := x.Search(context.Background(), tt.req)
		if err != nil {
			t.Fatal(err)
		}
		got := hitIDs(res.Items)
		slices.Sort(got)
		slices.Sort(tt.ids)
		if d := cmp.Diff(got, tt.ids); d != "" {
			t.Errorf("%+v: ids (-got +want):\n%s", tt.req, d)
		}
	}
}

func TestSearchImageErrors(t *testing.T) {
	x := photoIndex(t)
	page, err := x.Search(context.Background(), search.Request{Image: []float32{1, 0, 0}, N: 1})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("first page = %+v, %v; want a next page", page, err)
	}
	next, err := x.Search(context.Background(), search.Request{Image: []float32{1, 0, 0}, N: 1, Cursor: page.NextCursor})
	if err != nil || len(next.Items) != 1 || next.Items[0].ID != "navy-shirt" || next.NextCursor != "" {
		t.Errorf("second page = %+v, %v; want navy-shirt, the last", next, err)
	}
	nan := float32(math.NaN())
	tests := []struct {
		name  string
		req   search.Request
		field string
	}{
		{"no query, no image", search.Request{}, "q"},
		{"empty image", search.Request{Image: []float32{}}, "image"},
		{"zero image", search.Request{Image: []float32{0, 0, 0}}, "image"},
		{"NaN", search.Request{Image: []float32{1, nan, 0}}, "image"},
		{"another model's", search.Request{Image: []float32{1, 0}}, "image"},
		{"negative price", search.Request{Query: "shirt", MinPrice: ptr(-1)}, "min_price"},
		{"infinite price", search.Request{Query: "shirt", MaxPrice: ptr(math.Inf(1))}, "max_price"},
		{"limits crossed", search.Request{Query: "shirt", MinPrice: ptr(5), MaxPrice: ptr(4)}, "max_price"},
		{"cursor of another photo", search.Request{Image: []float32{0.9, 0.1, 0}, N: 1, Cursor: page.NextCursor}, "cursor"},
		{"cursor of another colour", search.Request{Image: []float32{1, 0, 0}, Color: "red", N: 1, Cursor: page.NextCursor}, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := x.Search(context.Background(), tt.req)
			if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != tt.field {
				t.Errorf("err = %v; want EINVALID on field %q", err, tt.field)
			}
		})
	}

	// An index without image vectors finds nothing by photo.
	empty := newIndex(t, search.Config{}, search.Deps{}, fixture(t))
	if res, err := empty.Search(context.Background(), search.Request{Image: []float32{1, 0}}); err != nil || res.Total != 0 {
		t.Errorf("search by photo without image vectors = %+v, %v; want nothing", res, err)
	}
}

func TestUpsertImages(t *testing.T) {
	x := photoIndex(t)
	items, _ := photoCatalog()
	for _, tt := range []struct {
		name   string
		images [][]float32
		field  string
	}{
		{"another length than indexed", [][]float32{{1, 0}, nil, nil, nil, nil}, "images"},
		{"lengths differ", [][]float32{nil, {1, 0, 0}, {1, 0}, nil, nil}, "images[2]"},
		{"zero", [][]float32{nil, nil, nil, {0, 0, 0}, nil}, "images[3]"},
		{"too few", [][]float32{nil}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := x.UpsertVectors(items, nil, tt.images)
			if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != tt.field {
				t.Errorf("err = %v; want EINVALID on field %q", err, tt.field)
			}
		})
	}
	// Nothing was indexed by the failed calls; an Upsert without image
	// vectors drops the item's, Delete too.
	if err := x.Upsert(items[:1], nil); err != nil {
		t.Fatal(err)
	}
	x.Delete("navy-shirt")
	res, err := x.Search(context.Background(), search.Request{Image: []float32{1, 0.1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(hitIDs(res.Items), []string{"red-dress"}); d != "" {
		t.Errorf("after the updates (-got +want):\n%s", d)
	}
}

// fakeImages are ImageEmbeddings a test changes.
type fakeImages struct {
	name string
	vecs map[string][]float32
}

func (f *fakeImages) Name() string               { return f.name }
func (f *fakeImages) Vector(id string) []float32 { return f.vecs[id] }

// TestLiveImages checks that a Live index reads the item image vectors
// when it builds, when an item is observed again after its photo was
// read, and rebuilds when the image vectors change.
func TestLiveImages(t *testing.T) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	items, images := photoCatalog()
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	vecs := map[string][]float32{}
	for i, it := range items {
		if images[i] != nil {
			vecs[it.ID] = images[i]
		}
	}
	var current atomic.Pointer[fakeImages]
	current.Store(&fakeImages{name: "cnn-1", vecs: vecs})
	deps := search.LiveDeps{Images: func() search.ImageEmbeddings { return current.Load() }}
	live := search.NewLive(db, analyze.New(analyze.Config{}), deps, search.LiveConfig{Refresh: 20 * time.Millisecond}, nil)
	if err := live.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	byPhoto := func(v []float32) []string {
		t.Helper()
		res, err := live.Search(ctx, search.Request{Image: v})
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(res.Items)
	}
	if got := byPhoto([]float32{0, 0, 1}); !slices.Equal(got, []string{"shoe"}) {
		t.Errorf("after Open: %v, want shoe", got)
	}
	// The wool shirt's photo is read: its vector is there when the item
	// is observed again.
	read := *current.Load()
	read.vecs = map[string][]float32{"wool-shirt": {0, 0.5, 0.5}}
	for id, v := range vecs {
		read.vecs[id] = v
	}
	current.Store(&read)
	live.ObserveItems(items[4:])
	if got := byPhoto([]float32{0, 1, 1}); !slices.Contains(got, "wool-shirt") {
		t.Errorf("after ObserveItems: %v, want wool-shirt", got)
	}
	// Another image model: rebuilt with its vectors.
	current.Store(&fakeImages{name: "cnn-2", vecs: map[string][]float32{"shoe": {1, 0, 0}}})
	deadline := time.Now().Add(10 * time.Second)
	for !slices.Equal(byPhoto([]float32{1, 0, 0}), []string{"shoe"}) {
		if time.Now().After(deadline) {
			t.Fatal("index not rebuilt after the image vectors changed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// BenchmarkSearchImage searches the real Office catalog by photo, each
// item with a random 768-d unit vector (MobileNet's size): the cost of
// exact nearest-neighbour search depends on the count and length of the
// vectors, not on what they show.
func BenchmarkSearchImage(b *testing.B) {
	items := officeItems(b)
	rng := rand.New(rand.NewPCG(1, 2))
	randomUnit := func() []float32 {
		v := make([]float32, 768)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		vector.Normalize(v)
		return v
	}
	images := make([][]float32, len(items))
	for i := range images {
		images[i] = randomUnit()
	}
	x := search.New(search.Config{}, search.Deps{Analyzer: analyze.New(analyze.Config{})}, nil)
	if err := x.UpsertVectors(items, nil, images); err != nil {
		b.Fatal(err)
	}
	queries := make([][]float32, 64)
	for i := range queries {
		queries[i] = randomUnit()
	}
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		req  search.Request
	}{
		{"image", search.Request{}},
		{"image+category", search.Request{Category: "Office Electronics"}}, // 669 of 2,420 items
		{"image+q", search.Request{Query: "stapler"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req := bc.req
				req.Image = queries[i%len(queries)]
				i++
				if _, err := x.Search(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
