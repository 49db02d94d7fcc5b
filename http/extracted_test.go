package http

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

// TestClientReadOnlyFieldsRejected checks that what Aisle derives (an
// item's extracted attributes and visual, the store's times) is not the
// client's to send: a request naming them is refused, naming the field,
// rather than silently half-applied.
func TestClientReadOnlyFieldsRejected(t *testing.T) {
	e := newEnv(t, nil)
	for field, v := range map[string]any{
		"extracted":  map[string]any{"colors": []string{"forged"}, "pack_size": 99},
		"visual":     map[string]any{"ref": "x", "colors": []string{"red"}},
		"created_at": "2020-01-01T00:00:00Z",
		"updated_at": "2020-01-01T00:00:00Z",
	} {
		body := map[string]any{"title": "Steel ruler", field: v}
		if d := apiError(t, e.expect(http.StatusBadRequest, "PUT", "/v1/items/r1", body)); d.Field != field || !strings.Contains(d.Message, "read-only") {
			t.Errorf("PUT with %s: error %+v", field, d)
		}
		batch := map[string]any{"items": []any{map[string]any{"id": "r1", "title": "Steel ruler"}, map[string]any{"id": "r2", "title": "Ruler", field: v}}}
		if d := apiError(t, e.expect(http.StatusBadRequest, "POST", "/v1/items", batch)); d.Field != "items[1]."+field {
			t.Errorf("POST with %s: error %+v", field, d)
		}
	}
	e.expect(http.StatusNotFound, "GET", "/v1/items/r1", nil) // nothing was written
	got := decodeJSON[aisle.Item](t, e.expect(http.StatusCreated, "PUT", "/v1/items/r1", map[string]any{"title": "Steel ruler", "extracted": nil}).body)
	if got.Extracted != nil {
		t.Errorf("this store extracts nothing, yet: %+v", got.Extracted)
	}
}

func TestListItemsAttributeFilters(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	for _, q := range []string{"?color=black", "?material=plastic", "?color=navy%20blue&material=steel&category=Pens"} {
		if got := pageThrough(t, e, "/v1/items"+q, 2); len(got) != 0 {
			t.Errorf("%s matched %v in a store that extracts nothing", q, got)
		}
	}
	for _, p := range []string{"color", "material"} {
		resp := e.expect(http.StatusBadRequest, "GET", "/v1/items?"+p+"="+strings.Repeat("x", maxAttributeParamBytes+1), nil)
		if d := apiError(t, resp); d.Field != p {
			t.Errorf("%s too long: error field %q, want %q", p, d.Field, p)
		}
	}
}
