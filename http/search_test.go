package http

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
	"github.com/google/go-cmp/cmp"
)

// seedSearch seeds e's store and gives its server a search index over
// the seeded items.
func (e *testEnv) seedSearch() {
	e.t.Helper()
	e.seed()
	page, err := e.db.ListItems(e.t.Context(), aisle.ItemFilter{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	x := search.New(search.Config{}, search.Deps{}, nil)
	if err := x.Upsert(page.Items, nil); err != nil {
		e.t.Fatal(err)
	}
	e.srv.SetSearcher(x)
}

func TestSearch(t *testing.T) {
	e := newEnv(t, nil)
	e.expect(http.StatusServiceUnavailable, "GET", "/v1/search?q=pen", nil)
	e.seedSearch()
	tests := []struct {
		path  string
		ids   []string
		total int
	}{
		{"/v1/search?q=pen", []string{"pen-1", "pen-2", "pen-3"}, 3},
		{"/v1/search?q=pen&brand=acme", []string{"pen-1", "pen-2"}, 2},
		{"/v1/search?q=office&category=Paper", []string{"paper-1"}, 1},
		{"/v1/search?q=mug&n=1", []string{"mug-1"}, 2},
		{"/v1/search?q=" + url.QueryEscape("no such thing"), []string{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got := decodeJSON[search.Result](t, e.expect(http.StatusOK, "GET", tt.path, nil).body)
			ids := []string{}
			for _, h := range got.Items {
				ids = append(ids, h.ID)
			}
			if d := cmp.Diff(ids, tt.ids); d != "" {
				t.Errorf("ids (-got +want):\n%s", d)
			}
			if got.Total != tt.total {
				t.Errorf("total = %d, want %d", got.Total, tt.total)
			}
		})
	}
	first := decodeJSON[search.Result](t, e.expect(http.StatusOK, "GET", "/v1/search?q=pen&n=2", nil).body)
	want := search.Facets{
		Categories: []search.FacetValue{{Value: "Office", Count: 3}, {Value: "Pens", Count: 3}, {Value: "Writing", Count: 3}},
		Brands:     []search.FacetValue{{Value: "Acme", Count: 2}, {Value: "Bic", Count: 1}},
		Colors:     []search.FacetValue{},
		Prices:     []search.PriceBand{{Min: 0, Max: ptr(10.0), Count: 1}},
	}
	if d := cmp.Diff(first.Facets, want); d != "" {
		t.Errorf("facets (-got +want):\n%s", d)
	}
	if first.Intent.Query != "pen" || first.NextCursor == "" {
		t.Errorf("intent %+v, next cursor %q; want query pen and a cursor", first.Intent, first.NextCursor)
	}
	next := decodeJSON[search.Result](t, e.expect(http.StatusOK, "GET", "/v1/search?q=pen&n=2&cursor="+first.NextCursor, nil).body)
	if len(next.Items) != 1 || next.Items[0].ID != "pen-3" || next.NextCursor != "" {
		t.Errorf("second page = %+v; want pen-3 alone, last page", next)
	}
	for _, bad := range []struct{ path, field string }{
		{"/v1/search", "q"},
		{"/v1/search?q=", "q"},
		{"/v1/search?q=%20", "q"},
		{"/v1/search?q=pen&n=0", "n"},
		{"/v1/search?q=pen&q=ink", "q"},
		{"/v1/search?q=ink&cursor=" + first.NextCursor, "cursor"},
		{"/v1/search?q=pen&user=%01", "user"},
	} {
		body := decodeJSON[errorBody](t, e.expect(http.StatusBadRequest, "GET", bad.path, nil).body)
		if body.Error.Field != bad.field {
			t.Errorf("%s: error %+v, want field %q", bad.path, body.Error, bad.field)
		}
	}
}

// TestSearchChangesNothing checks that GET /v1/search is free of side
// effects: a searching shopper is neither logged nor created (a page of
// another site could otherwise make browsers create shoppers, and a
// search could bring an erased shopper back).
func TestSearchChangesNothing(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	before := e.snapshot()
	e.expect(http.StatusOK, "GET", "/v1/search?q=pen&user=u7&n=1", nil)
	if d := cmp.Diff(e.snapshot(), before); d != "" {
		t.Errorf("GET /v1/search changed the store (-got +want):\n%s", d)
	}
	if _, err := e.db.User(t.Context(), "u7"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("searching created the shopper: %v", err)
	}
	if observed := e.rec.Observed(); len(observed) != 0 {
		t.Errorf("observed %+v; want nothing", observed)
	}
}

// TestSearchLogsWhenAsked checks Config.LogSearches: the first page of a
// known shopper's search is logged as a search event; unknown shoppers
// are not created.
func TestSearchLogsWhenAsked(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *fakeRecommender) { c.LogSearches = true })
	e.seedSearch()
	if _, err := e.db.UpsertUsers(t.Context(), []aisle.User{{ID: "u7"}}); err != nil {
		t.Fatal(err)
	}
	first := decodeJSON[search.Result](t, e.expect(http.StatusOK, "GET", "/v1/search?q=pen&user=u7&n=1", nil).body)
	e.expect(http.StatusOK, "GET", "/v1/search?q=pen&user=u7&n=1&cursor="+first.NextCursor, nil)
	e.expect(http.StatusOK, "GET", "/v1/search?q=mug", nil)               // no user: not logged
	e.expect(http.StatusOK, "GET", "/v1/search?q=mug&user=stranger", nil) // unknown: not created
	events, err := e.db.UserEvents(t.Context(), "u7", aisle.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 1 || events[0].Type != aisle.EventSearch || events[0].Query != "pen" {
		t.Errorf("stored events %+v; want one search for pen", events)
	}
	observed := e.rec.Observed()
	if len(observed) != 1 || observed[0].Query != "pen" {
		t.Errorf("observed %+v; want the search event", observed)
	}
	if _, err := e.db.User(t.Context(), "stranger"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("a search created the unknown shopper: %v", err)
	}
}
