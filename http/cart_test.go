package http

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

// TestCartRecommend checks that a basket reaches the recommender checked
// and with its defaults, and that its answer, variants included, comes
// back as the document describes.
func TestCartRecommend(t *testing.T) {
	e := newEnv(t, func(_ *Config, f *fakeRecommender) {
		f.cart = func(_ context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error) {
			return []aisle.Recommendation{{Item: "paper-1", Title: "A4 paper", Score: 1, Models: []string{"transition"}, Reasons: []string{`often bought right after "Blue pen"`},
				Variants: []aisle.Variant{{Item: "paper-2", Title: "Letter paper"}}}}, nil
		}
	})
	e.seed()
	resp := e.expect(http.StatusOK, "POST", "/v1/cart/recommend", `{"items":["pen-1","pen-2"],"user":"u1"}`)
	got := decodeJSON[struct {
		Items []aisle.Recommendation `json:"items"`
	}](t, resp.body)
	want := []aisle.Recommendation{{Item: "paper-1", Title: "A4 paper", Score: 1, Models: []string{"transition"}, Reasons: []string{`often bought right after "Blue pen"`},
		Variants: []aisle.Variant{{Item: "paper-2", Title: "Letter paper"}}}}
	if d := cmp.Diff(got.Items, want); d != "" {
		t.Errorf("(-got +want):\n%s", d)
	}
	if !slices.Contains(e.rec.Requests(), "cart pen-1,pen-2 user=u1 n=10") {
		t.Errorf("requests %q lack the basket with n=10", e.rec.Requests())
	}
}

// TestCartShopperKey checks that a key bound to a shopper completes baskets
// for that shopper or none, never for another.
func TestCartShopperKey(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	_, own := e.newKey(aisle.RoleRead, "u1")
	e.expect(http.StatusOK, "POST", "/v1/cart/recommend", `{"items":["pen-1"],"user":"u1"}`, own...)
	e.expect(http.StatusOK, "POST", "/v1/cart/recommend", `{"items":["pen-1"]}`, own...)
	resp := e.expect(http.StatusForbidden, "POST", "/v1/cart/recommend", `{"items":["pen-1"],"user":"u2"}`, own...)
	if d := apiError(t, resp); d.Field != "user" {
		t.Errorf("error %+v, want field user", d)
	}
	e.expect(http.StatusUnauthorized, "POST", "/v1/cart/recommend", `{"items":["pen-1"]}`)
}
