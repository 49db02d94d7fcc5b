package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignoreTimes = cmpopts.IgnoreFields(aisle.Item{}, "CreatedAt", "UpdatedAt")

func TestPutItem(t *testing.T) {
	e := newEnv(t, nil)
	want := aisle.Item{
		ID: "pen/1 ü", Title: "Blue pen", Description: "Writes blue.", Brand: "Acme",
		Categories: []string{"Office", "Pens"}, Attributes: map[string]string{"colour": "blue"},
		Price: ptr(1.25), Currency: "EUR", Availability: aisle.AvailabilityPreorder, Images: []string{"https://img.example/pen.jpg"},
	}
	path := "/v1/items/" + url.PathEscape(want.ID)

	body := want
	body.ID = "" // the path names the item
	created := decodeJSON[aisle.Item](t, e.expect(http.StatusCreated, "PUT", path, body).body)
	if d := cmp.Diff(created, want, ignoreTimes); d != "" {
		t.Errorf("created item (-got +want):\n%s", d)
	}
	if created.CreatedAt.IsZero() || created.UpdatedAt.IsZero() {
		t.Errorf("created item lacks timestamps: %+v", created)
	}

	// The same item again, id in the body this time: 200, unchanged.
	again := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "PUT", path, want).body)
	if d := cmp.Diff(again, created); d != "" {
		t.Errorf("identical PUT changed the item (-got +want):\n%s", d)
	}

	want.Title = "Blue pen, fine"
	want.Price = nil
	want.Currency = ""
	updated := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "PUT", path, want).body)
	if d := cmp.Diff(updated, want, ignoreTimes); d != "" {
		t.Errorf("updated item (-got +want):\n%s", d)
	}

	got := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "GET", path, nil).body)
	if d := cmp.Diff(got, updated); d != "" {
		t.Errorf("GET after PUT (-got +want):\n%s", d)
	}
	stored, err := e.db.Item(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(stored, updated); d != "" {
		t.Errorf("stored item (-got +want):\n%s", d)
	}
}

func TestPutItemDefaultsAvailability(t *testing.T) {
	e := newEnv(t, nil)
	got := decodeJSON[aisle.Item](t, e.expect(http.StatusCreated, "PUT", "/v1/items/x", `{"title":"X"}`).body)
	if got.Availability != aisle.AvailabilityInStock {
		t.Errorf("availability = %q, want %q", got.Availability, aisle.AvailabilityInStock)
	}
}

func TestUpsertItems(t *testing.T) {
	e := newEnv(t, nil)
	items := []aisle.Item{
		{ID: "a", Title: "A"},
		{ID: "b", Title: "B", Categories: []string{"X"}},
		{ID: "c", Title: "C", Brand: "Z"},
	}
	tests := []struct {
		name  string
		items []aisle.Item
		want  aisle.UpsertStats
	}{
		{"insert", items, aisle.UpsertStats{Inserted: 3}},
		{"again", items, aisle.UpsertStats{Unchanged: 3}},
		{"one changed, one new", []aisle.Item{items[0], {ID: "b", Title: "B2"}, {ID: "d", Title: "D"}}, aisle.UpsertStats{Inserted: 1, Updated: 1, Unchanged: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.expect(http.StatusOK, "POST", "/v1/items", map[string]any{"items": tt.items})
			if d := cmp.Diff(decodeJSON[aisle.UpsertStats](t, resp.body), tt.want); d != "" {
				t.Errorf("stats (-got +want):\n%s", d)
			}
		})
	}
	b, err := e.db.Item(t.Context(), "b")
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "B2" || len(b.Categories) != 0 {
		t.Errorf("item b = %+v, want title B2 and no categories", b)
	}
}

func TestGetItem(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	want, err := e.db.Item(t.Context(), "lamp-1")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "GET", "/v1/items/lamp-1", nil).body)
	if d := cmp.Diff(got, want, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("item (-got +want):\n%s", d)
	}
}

func TestDeleteItem(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	resp := e.expect(http.StatusNoContent, "DELETE", "/v1/items/pen-1", nil)
	if len(resp.body) != 0 {
		t.Errorf("204 with body %q", resp.body)
	}
	e.expect(http.StatusNotFound, "GET", "/v1/items/pen-1", nil)
	e.expect(http.StatusNotFound, "DELETE", "/v1/items/pen-1", nil)
	// Events about the item are history: they stay.
	events, err := e.db.UserEvents(t.Context(), "u1", aisle.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Errorf("u1 has %d events after the item was deleted, want 2", len(events))
	}
}

func TestListItems(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{"lamp-1", "mug-1", "mug-2", "paper-1", "pen-1", "pen-2", "pen-3"}},
		{"?category=Pens", []string{"pen-1", "pen-2", "pen-3"}},
		{"?category=Office", []string{"lamp-1", "paper-1", "pen-1", "pen-2", "pen-3"}},
		{"?brand=acme", []string{"paper-1", "pen-1", "pen-2"}},
		{"?brand=Acme&category=Pens", []string{"pen-1", "pen-2"}},
		{"?category=Garden", nil},
		{"?category=", []string{"lamp-1", "mug-1", "mug-2", "paper-1", "pen-1", "pen-2", "pen-3"}},
	}
	for _, tt := range tests {
		for _, limit := range []int{0, 1, 2, 1000} {
			t.Run(tt.query+"/limit="+strconv.Itoa(limit), func(t *testing.T) {
				got := pageThrough(t, e, "/v1/items"+tt.query, limit)
				if d := cmp.Diff(got, tt.want); d != "" {
					t.Errorf("ids (-got +want):\n%s", d)
				}
			})
		}
	}
}

// pageThrough lists every page of a listing and returns the ids in order.
func pageThrough(t *testing.T, e *testEnv, path string, limit int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatalf("listing %s does not end", path)
		}
		q := url.Values{}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		if limit > 0 {
			q.Set("limit", strconv.Itoa(limit))
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		p := path
		if len(q) > 0 {
			p += sep + q.Encode()
		}
		page := decodeJSON[listResponse[aisle.Item]](t, e.expect(http.StatusOK, "GET", p, nil).body)
		if limit > 0 && len(page.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), limit)
		}
		for _, it := range page.Items {
			ids = append(ids, it.ID)
		}
		if page.NextCursor == "" {
			return ids
		}
		if len(page.Items) == 0 {
			t.Fatalf("empty page with a next cursor")
		}
		cursor = page.NextCursor
	}
}

func TestListItemsEmptyIsArray(t *testing.T) {
	e := newEnv(t, nil)
	resp := e.expect(http.StatusOK, "GET", "/v1/items", nil)
	if got, want := string(resp.body), `{"items":[],"next_cursor":""}`+"\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
}

func TestListQuestions(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	tests := []struct {
		path string
		want []string
	}{
		{"/v1/items/pen-1/questions", []string{"q2", "q1"}},
		{"/v1/items/pen-1/questions?limit=1", []string{"q2"}},
		{"/v1/items/gone-1/questions", []string{"q3"}}, // not in the catalog, but has questions
		{"/v1/items/pen-2/questions", []string{}},      // in the catalog, no questions
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			page := decodeJSON[listResponse[aisle.Question]](t, e.expect(http.StatusOK, "GET", tt.path, nil).body)
			ids := []string{}
			for _, q := range page.Items {
				ids = append(ids, q.ID)
			}
			if d := cmp.Diff(ids, tt.want); d != "" {
				t.Errorf("question ids (-got +want):\n%s", d)
			}
		})
	}
	page := decodeJSON[listResponse[aisle.Question]](t, e.expect(http.StatusOK, "GET", "/v1/items/pen-1/questions?limit=1", nil).body)
	want, err := e.db.Questions(t.Context(), "pen-1", 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(page.Items, want); d != "" {
		t.Errorf("questions (-got +want):\n%s", d)
	}
}

func TestUnprefixField(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want *aisle.Error
	}{
		{
			"nested field",
			aisle.WithFieldPrefix(aisle.FieldErrorf(aisle.EINVALID, "title", "longer than 5 bytes"), "items[0]"),
			&aisle.Error{Code: aisle.EINVALID, Message: "title: longer than 5 bytes", Field: "title"},
		},
		{
			"attribute path",
			aisle.WithFieldPrefix(aisle.FieldErrorf(aisle.EINVALID, "attributes.k", "not valid UTF-8"), "items[0]"),
			&aisle.Error{Code: aisle.EINVALID, Message: "attributes.k: not valid UTF-8", Field: "attributes.k"},
		},
		{
			"whole element",
			aisle.FieldErrorf(aisle.EUNPROCESSABLE, "items[0]", "gone"),
			&aisle.Error{Code: aisle.EUNPROCESSABLE, Message: "gone", Field: ""},
		},
		{
			"other element untouched",
			aisle.FieldErrorf(aisle.EINVALID, "items[10].title", "bad"),
			&aisle.Error{Code: aisle.EINVALID, Message: "items[10].title: bad", Field: "items[10].title"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(unprefixField(tt.err, "items[0]"), error(tt.want)); d != "" {
				t.Errorf("(-got +want):\n%s", d)
			}
		})
	}
}

func TestCatalogChangesReachTheRecommender(t *testing.T) {
	e := newEnv(t, nil)
	e.expect(http.StatusCreated, "PUT", "/v1/items/a", map[string]any{"title": "A"})
	e.expect(http.StatusOK, "POST", "/v1/items", map[string]any{"items": []map[string]any{{"id": "b", "title": "B"}, {"id": "c", "title": "C"}}})
	e.expect(http.StatusNoContent, "DELETE", "/v1/items/a", nil)
	e.expect(http.StatusBadRequest, "PUT", "/v1/items/d", map[string]any{"price": -1}) // rejected: not observed
	e.expect(http.StatusOK, "POST", "/v1/events", map[string]any{"events": []map[string]any{{"user": "u", "item": "b", "type": "view"}}})
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u", nil)
	want := []string{"items a", "items b,c", "forget-item a", "forget-user u"}
	if d := cmp.Diff(e.rec.Requests(), want); d != "" {
		t.Errorf("catalog changes seen by the recommender (-got +want):\n%s", d)
	}
}
