package http

import (
	"context"
	"fmt"
	"net/http"

	"github.com/aislehq/aisle"
)

// CartRecommender is an optional capability of a Recommender:
// complete-the-cart (POST /v1/cart/recommend).
type CartRecommender interface {
	// CompleteCart returns up to req.N items that go with the basket
	// req.Items, best first, each with its reasons; req has passed
	// Validate and its items are in the catalog.
	CompleteCart(ctx context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error)
}

// cartRoutes registers the complete-the-cart route: a read, as
// recommendations are; a key bound to a shopper may only name its own.
func (s *Server) cartRoutes() []route {
	return []route{
		{"POST /v1/cart/recommend", s.handle(s.cartRecommend), readOnly},
	}
}

// cartRecommend completes a basket: POST /v1/cart/recommend with
// {"items": [ids], "user", "n", "exclude", "category", "brand", "color",
// "min_price", "max_price", "max_per_category"}. Items not in the catalog
// are 400 naming "items[k]".
func (s *Server) cartRecommend(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var req aisle.CartRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	if err := checkShopper(r.Context(), "user", req.User); err != nil {
		return err
	}
	found, err := s.store.Items(r.Context(), req.Items)
	if err != nil {
		return err
	}
	for k, id := range req.Items {
		if _, ok := found[id]; !ok {
			return aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("items[%d]", k), "no item %q in the catalog", clip(id))
		}
	}
	cart, ok := s.rec.(CartRecommender)
	if !ok {
		return aisle.Errorf(aisle.EUNAVAILABLE, "complete-the-cart is not available on this server")
	}
	recs, err := cart.CompleteCart(r.Context(), req)
	if err != nil {
		return err
	}
	return writeRecommendations(w, recs)
}
