package aisle

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// Limits on complete-the-cart requests: the most items a basket may hold,
// and the most ids it may exclude.
const (
	MaxCartItems   = 100
	MaxCartExclude = 1000
)

// maxCartColorBytes bounds the colour filter of a cart request, as the
// query parameter of recommendations is bounded.
const maxCartColorBytes = 64

// CartRequest asks for items that complete a basket
// (POST /v1/cart/recommend): items bought with or right after the basket's
// items, from other leaf categories than theirs.
type CartRequest struct {
	// Items are the basket's item ids (1..MaxCartItems), each in the
	// catalog; repeats count once.
	Items []string `json:"items"`
	// User, when set, is the shopper whose basket it is: what they bought
	// is left out. Unknown users are fine.
	User string `json:"user,omitempty"`
	// N is the number of items wanted (1..MaxN); 0 means DefaultN.
	N int `json:"n,omitempty"`
	// Exclude lists item ids that must not be returned.
	Exclude []string `json:"exclude,omitempty"`
	// Category, Brand, Color, MinPrice, MaxPrice and MaxPerCategory filter
	// the items as they filter recommendations (RecommendRequest).
	Category       string   `json:"category,omitempty"`
	Brand          string   `json:"brand,omitempty"`
	Color          string   `json:"color,omitempty"`
	MinPrice       *float64 `json:"min_price,omitempty"`
	MaxPrice       *float64 `json:"max_price,omitempty"`
	MaxPerCategory int      `json:"max_per_category,omitempty"`
}

// Validate checks r's fields and sets N to DefaultN when it is 0; errors
// are EINVALID naming the field ("items[2]", "max_price"). It does not
// check that the items exist.
func (r *CartRequest) Validate() error {
	switch {
	case len(r.Items) == 0:
		return FieldErrorf(EINVALID, "items", "must not be empty: send the basket's item ids")
	case len(r.Items) > MaxCartItems:
		return FieldErrorf(EINVALID, "items", "more than %d items in one basket", MaxCartItems)
	case len(r.Exclude) > MaxCartExclude:
		return FieldErrorf(EINVALID, "exclude", "more than %d ids", MaxCartExclude)
	}
	for k, id := range r.Items {
		if err := checkID(fmt.Sprintf("items[%d]", k), id); err != nil {
			return err
		}
	}
	for k, id := range r.Exclude {
		if err := checkID(fmt.Sprintf("exclude[%d]", k), id); err != nil {
			return err
		}
	}
	if r.User != "" {
		if err := checkID("user", r.User); err != nil {
			return err
		}
	}
	if r.N == 0 {
		r.N = DefaultN
	}
	if r.N < 1 || r.N > MaxN {
		return FieldErrorf(EINVALID, "n", "must be an integer from 1 to %d, not %d", MaxN, r.N)
	}
	if r.MaxPerCategory < 0 || r.MaxPerCategory > MaxN {
		return FieldErrorf(EINVALID, "max_per_category", "must be an integer from 1 to %d, not %d", MaxN, r.MaxPerCategory)
	}
	return r.validateFilters()
}

// validateFilters checks the attribute and price filters.
func (r *CartRequest) validateFilters() error {
	for _, f := range []struct {
		name, v string
		max     int
	}{{"category", r.Category, MaxCategoryBytes}, {"brand", r.Brand, MaxBrandBytes}, {"color", r.Color, maxCartColorBytes}} {
		if len(f.v) > f.max {
			return FieldErrorf(EINVALID, f.name, "longer than %d bytes", f.max)
		}
		if !utf8.ValidString(f.v) {
			return FieldErrorf(EINVALID, f.name, "not valid UTF-8")
		}
	}
	for _, p := range []struct {
		name string
		v    *float64
	}{{"min_price", r.MinPrice}, {"max_price", r.MaxPrice}} {
		if p.v != nil && (math.IsNaN(*p.v) || math.IsInf(*p.v, 0) || *p.v < 0) {
			return FieldErrorf(EINVALID, p.name, "must be a number ≥ 0")
		}
	}
	if r.MinPrice != nil && r.MaxPrice != nil && *r.MaxPrice < *r.MinPrice {
		return FieldErrorf(EINVALID, "max_price", "%g is below min_price %g", *r.MaxPrice, *r.MinPrice)
	}
	return nil
}

// Filters returns r's filters as a RecommendRequest (N and Exclude
// included), for recommenders that share their filtering.
func (r *CartRequest) Filters() RecommendRequest {
	return RecommendRequest{
		N: r.N, Exclude: r.Exclude, Category: r.Category, Brand: r.Brand, Color: r.Color,
		MinPrice: r.MinPrice, MaxPrice: r.MaxPrice, MaxPerCategory: r.MaxPerCategory,
	}
}
