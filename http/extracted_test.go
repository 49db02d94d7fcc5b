package http

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

// TestClientExtractedIgnored checks that an item's extracted attributes
// are the store's to set: what a client sends is dropped (this test
// store extracts nothing).
func TestClientExtractedIgnored(t *testing.T) {
	e := newEnv(t, nil)
	body := map[string]any{"title": "Steel ruler", "extracted": map[string]any{"colors": []string{"forged"}, "pack_size": 99}}
	got := decodeJSON[aisle.Item](t, e.expect(http.StatusCreated, "PUT", "/v1/items/r1", body).body)
	if got.Extracted != nil {
		t.Errorf("PUT kept the client's extracted attributes: %+v", got.Extracted)
	}
	stored := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "GET", "/v1/items/r1", nil).body)
	if stored.Extracted != nil {
		t.Errorf("GET shows the client's extracted attributes: %+v", stored.Extracted)
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
