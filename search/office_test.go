package search_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/ngram"
	"github.com/aislehq/aisle/vector"
	"github.com/google/go-cmp/cmp"
)

// officeDir is the real Office catalog, beside the repository.
var officeDir = filepath.Join("..", "..", "shared", "data", "amazon-office")

var office = sync.OnceValues(func() ([]aisle.Item, error) {
	return importer.ReadItems(context.Background(), officeDir, "lcrec")
})

// officeItems returns the Office catalog, skipping tb when it is absent.
func officeItems(tb testing.TB) []aisle.Item {
	tb.Helper()
	if _, err := os.Stat(officeDir); err != nil {
		tb.Skipf("Office data not found at %s (see shared/data/README.md): %v", officeDir, err)
	}
	items, err := office()
	if err != nil {
		tb.Fatal(err)
	}
	return items
}

// officeIndex returns a BM25 index over the Office catalog with the real
// analyzer.
func officeIndex(tb testing.TB, cfg search.Config, deps search.Deps) (*search.Index, []aisle.Item) {
	tb.Helper()
	items := officeItems(tb)
	deps.Analyzer = analyze.New(analyze.Config{})
	return newIndex(tb, cfg, deps, items), items
}

// allPages returns every hit of req, page by page.
func allPages(tb testing.TB, x *search.Index, req search.Request) (hits []search.Hit, first search.Result) {
	tb.Helper()
	for page := 0; ; page++ {
		res, err := x.Search(context.Background(), req)
		if err != nil {
			tb.Fatal(err)
		}
		if page == 0 {
			first = res
		}
		hits = append(hits, res.Items...)
		if res.NextCursor == "" {
			return hits, first
		}
		req.Cursor = res.NextCursor
	}
}

func TestOfficeStapler(t *testing.T) {
	x, items := officeIndex(t, search.Config{}, search.Deps{})
	byID := make(map[string]aisle.Item)
	for _, it := range items {
		byID[it.ID] = it
	}
	for _, q := range []string{"stapler", "staplers"} {
		res, err := x.Search(context.Background(), search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 10 {
			t.Fatalf("%q: %d hits, want 10", q, len(res.Items))
		}
		for _, h := range res.Items {
			if !strings.Contains(strings.ToLower(byID[h.ID].Title), "stapler") {
				t.Errorf("%q: hit %s %q is not a stapler", q, h.ID, h.Title)
			}
			if !slices.Contains(h.Matched, "stapler") {
				t.Errorf("%q: hit %s matched %v, want stapler", q, h.ID, h.Matched)
			}
		}
	}
}

func TestOfficeFacetsAndPaging(t *testing.T) {
	x, items := officeIndex(t, search.Config{FacetLimit: 1000}, search.Deps{})
	byID := make(map[string]aisle.Item)
	for _, it := range items {
		byID[it.ID] = it
	}
	for _, req := range []search.Request{
		{Query: "ink cartridge", N: 37},
		{Query: "pen", N: aisle.MaxN},
		{Query: "pen", N: 7, Brand: "Pilot"},
		{Query: "paper", N: 50, Category: "Paper"},
	} {
		hits, first := allPages(t, x, req)
		if len(hits) != first.Total || first.Total == 0 {
			t.Errorf("%+v: pages gave %d hits, Total %d", req, len(hits), first.Total)
		}
		seen := make(map[string]bool)
		cats := make(map[string]int)
		brands := make(map[string]int)
		for _, h := range hits {
			if seen[h.ID] {
				t.Errorf("%+v: %s on two pages", req, h.ID)
			}
			seen[h.ID] = true
			it := byID[h.ID]
			if req.Brand != "" && !strings.EqualFold(it.Brand, req.Brand) {
				t.Errorf("%+v: %s has brand %q", req, h.ID, it.Brand)
			}
			if req.Category != "" && !slices.Contains(it.Categories, req.Category) {
				t.Errorf("%+v: %s has categories %q", req, h.ID, it.Categories)
			}
			for _, c := range slices.Compact(slices.Clone(it.Categories)) {
				cats[c]++
			}
			if it.Brand != "" {
				brands[it.Brand]++
			}
		}
		for _, f := range []struct {
			name string
			got  []search.FacetValue
			want map[string]int
		}{{"categories", first.Facets.Categories, cats}, {"brands", first.Facets.Brands, brands}} {
			got := make(map[string]int)
			for _, v := range f.got {
				got[v.Value] = v.Count
			}
			if d := cmp.Diff(got, f.want); d != "" {
				t.Errorf("%+v: %s facet (-got +want):\n%s", req, f.name, d)
			}
		}
	}
}

func TestOfficePersonalize(t *testing.T) {
	items := officeItems(t)
	plain, _ := officeIndex(t, search.Config{}, search.Deps{})
	base, err := plain.Search(context.Background(), search.Request{Query: "fountain pen", N: 20})
	if err != nil {
		t.Fatal(err)
	}
	liked := base.Items[9].ID // tenth by relevance
	x, _ := officeIndex(t, search.Config{}, search.Deps{Personalizer: fakePersonalizer{likes: []string{liked}}})
	res, err := x.Search(context.Background(), search.Request{Query: "fountain pen", User: "u1", N: 20})
	if err != nil {
		t.Fatal(err)
	}
	at := slices.IndexFunc(res.Items, func(h search.Hit) bool { return h.ID == liked })
	if at < 0 || at >= 9 {
		t.Errorf("liked item %s at %d after personalising, want above 9", liked, at)
	}
	if got, want := len(res.Items), len(base.Items); got != want || len(items) == 0 {
		t.Errorf("%d hits, want %d", got, want)
	}
}

// TestOfficeConcurrent searches while items are re-indexed and deleted;
// run it with -race.
func TestOfficeConcurrent(t *testing.T) {
	x, items := officeIndex(t, search.Config{}, search.Deps{})
	queries := officeQueries(items)
	ctx := context.Background()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := x.Search(ctx, search.Request{Query: queries[i%len(queries)], N: 20}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range 300 {
		it := items[i%len(items)]
		if i%3 == 0 {
			x.Delete(it.ID)
		}
		if err := x.Upsert([]aisle.Item{it}, nil); err != nil {
			t.Error(err)
		}
	}
	close(stop)
	wg.Wait()
	if x.Len() != len(items) {
		t.Errorf("Len = %d after re-adding every item, want %d", x.Len(), len(items))
	}
}

// officeQueries returns the search benchmark's queries over items.
func officeQueries(items []aisle.Item) []string {
	var qs []string
	for _, c := range eval.SearchCases(items) {
		qs = append(qs, c.Query)
	}
	return qs
}

// BenchmarkSearch measures one search (first page of 10, facets
// included) over the Office catalog, the queries being the search
// benchmark's (category names and brand + category phrases): "serial"
// one at a time, "parallel" from GOMAXPROCS clients (run with -cpu 8 for
// 8). Each reports the 99th percentile latency of its searches as
// p99-ms.
func BenchmarkSearch(b *testing.B) {
	items := officeItems(b)
	queries := officeQueries(items)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		enc  aisle.TextEncoder
	}{
		{"bm25", nil},
		{"hybrid", ngram.New(ngram.Config{Buckets: 1 << 16})}, // untrained: the same cost as a trained one
	} {
		x, _ := officeIndex(b, search.Config{}, search.Deps{Encoder: bc.enc})
		search1 := func(b *testing.B, i int) time.Duration {
			start := time.Now()
			if _, err := x.Search(ctx, search.Request{Query: queries[i%len(queries)]}); err != nil {
				b.Error(err)
			}
			return time.Since(start)
		}
		b.Run(bc.name+"/serial", func(b *testing.B) {
			var lat []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				lat = append(lat, search1(b, len(lat)))
			}
			reportP99(b, lat)
		})
		b.Run(bc.name+"/parallel", func(b *testing.B) {
			var (
				next atomic.Int64
				mu   sync.Mutex
				lat  []time.Duration
			)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					mine = append(mine, search1(b, int(next.Add(1))))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			reportP99(b, lat)
		})
	}
}

// reportP99 reports the 99th percentile of lat as p99-ms.
func reportP99(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// TestOfficeCompaction re-indexes the whole catalog until the index
// compacts its dead slots, and checks that searches find the same.
func TestOfficeCompaction(t *testing.T) {
	enc := ngram.New(ngram.Config{Dim: 32, Buckets: 1 << 12}) // untrained (a random table): vectors still differ by text
	for _, vi := range []search.VectorIndex{nil, vector.NewFlat(enc.Dim())} {
		x, items := officeIndex(t, search.Config{}, search.Deps{Encoder: enc, Vectors: vi})
		vecs, err := search.EncodeItems(context.Background(), enc, items, 0)
		if err != nil {
			t.Fatal(err)
		}
		queries := officeQueries(items)[:40]
		before := make([]search.Result, len(queries))
		for i, q := range queries {
			if before[i], err = x.Search(context.Background(), search.Request{Query: q, N: 50}); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			if err := x.Upsert(items, vecs); err != nil {
				t.Fatal(err)
			}
		}
		for i, q := range queries {
			after, err := x.Search(context.Background(), search.Request{Query: q, N: 50})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(after, before[i]); d != "" {
				t.Errorf("vectors %T, %q after re-indexing (-got +want):\n%s", vi, q, d)
			}
		}
	}
}
