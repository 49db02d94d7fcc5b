package eval

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/google/go-cmp/cmp"
)

var officeDir = filepath.Join("..", "..", "shared", "data", "amazon-office")

// officeItems reads the Office catalog, skipping tb when it is absent.
func officeItems(tb testing.TB) []aisle.Item {
	tb.Helper()
	if _, err := os.Stat(officeDir); err != nil {
		tb.Skipf("Office data not found at %s (see shared/data/README.md): %v", officeDir, err)
	}
	items, err := importer.ReadItems(context.Background(), officeDir, "lcrec")
	if err != nil {
		tb.Fatal(err)
	}
	return items
}

func TestStripCategoryWords(t *testing.T) {
	tests := []struct {
		name    string
		in      aisle.Item
		title   string
		descrip string
	}{
		{"plural leaf strips singular and plural", aisle.Item{Title: "Swingline Stapler, staplers pack", Categories: []string{"Office", "Staplers"}}, "Swingline , pack", ""},
		{"es plural", aisle.Item{Title: "Boxes and a box", Description: "Box-like", Categories: []string{"Boxes"}}, "and a", "-like"},
		{"words of every level", aisle.Item{Title: "Office pen with ink", Categories: []string{"Office Products", "Pens & Ink"}}, "with", ""},
		{"other words stay", aisle.Item{Title: "Desk lamp", Brand: "Lumo", Categories: []string{"Lighting"}}, "Desk lamp", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := StripCategoryWords([]aisle.Item{tt.in})[0]
			want := tt.in
			want.Title, want.Description, want.Categories = tt.title, tt.descrip, nil
			if d := cmp.Diff(got, want); d != "" {
				t.Errorf("stripped (-got +want):\n%s", d)
			}
		})
	}
}

func TestSearchCasesOffice(t *testing.T) {
	items := officeItems(t)
	cases := SearchCases(items)
	byID := make(map[string]aisle.Item)
	for _, it := range items {
		byID[it.ID] = it
	}
	for _, c := range cases {
		if len(c.Relevant) < minBrandItems {
			t.Errorf("%q: %d relevant items", c.Query, len(c.Relevant))
		}
		for id := range c.Relevant {
			it := byID[id]
			path := strings.ToLower(strings.Join(it.Categories, "\x00"))
			if !strings.Contains(path, strings.TrimPrefix(c.Query, strings.ToLower(it.Brand)+" ")) {
				t.Errorf("%q: relevant item %s has path %q", c.Query, id, it.Categories)
			}
		}
	}
	if len(cases) < 100 {
		t.Errorf("%d cases; want over 100 on Office", len(cases))
	}
}

// TestSearchBenchmarkOffice checks that the benchmark measures something:
// BM25 finds category names in the plain variant and has a much harder
// time once they are stripped.
func TestSearchBenchmarkOffice(t *testing.T) {
	items := officeItems(t)
	var opts SearchOptions
	deps := SearchDeps{Analyzer: analyze.New(analyze.Config{})}
	plain, err := SearchBenchmark(context.Background(), items, opts, deps)
	if err != nil {
		t.Fatal(err)
	}
	opts.Hard = true
	hard, err := SearchBenchmark(context.Background(), items, opts, deps)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != 1 || len(hard) != 1 {
		t.Fatalf("results %v, %v; want BM25 only without an encoder", plain, hard)
	}
	if plain[0].NDCG10 < 0.8 || hard[0].NDCG10 > plain[0].NDCG10/2 {
		t.Errorf("nDCG@10 plain %.3f, hard %.3f; want plain ≥ 0.8 and hard under half of it", plain[0].NDCG10, hard[0].NDCG10)
	}
	var b strings.Builder
	WriteSearchTable(&b, append(plain, hard...))
	t.Logf("\n%s", b.String())
}
