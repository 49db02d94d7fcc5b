package recommend

import (
	"maps"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
)

// filter is what one recommendation request keeps: items in its category,
// of its brand and colour and within its price range, and at most
// maxPerLeaf items of one leaf category (0: no cap), counted over every
// item picked for the request. A nil filter keeps everything. It is not
// safe for concurrent use: each request has its own.
type filter struct {
	category, brand, color string // lower-cased; "" for any
	minPrice, maxPrice     *float64
	maxPerLeaf             int
	leaves                 map[string]int // items picked per leaf category
	avoid                  *avoid         // interests the shopper removed (profile.go); nil: none
	variants               *variantSet    // one item per product line (variants.go); nil: no grouping
}

// newFilter returns the filter req asks for.
func newFilter(req aisle.RecommendRequest) *filter {
	return &filter{
		category: strings.ToLower(req.Category), brand: strings.ToLower(req.Brand), color: strings.ToLower(req.Color),
		minPrice: req.MinPrice, maxPrice: req.MaxPrice, maxPerLeaf: req.MaxPerCategory,
	}
}

// narrows reports whether f may leave out items the models rank high, so
// more candidates are worth gathering.
func (f *filter) narrows() bool {
	return f != nil && (f.category != "" || f.brand != "" || f.color != "" || f.minPrice != nil || f.maxPrice != nil || f.maxPerLeaf > 0 || f.avoid != nil)
}

// keeps reports whether b passes f's limits (not the cap).
func (f *filter) keeps(b brief) bool {
	switch {
	case f == nil:
		return true
	case f.category != "" && !slices.Contains(b.categories, f.category):
		return false
	case f.brand != "" && b.brand != f.brand:
		return false
	case f.color != "" && !slices.Contains(b.colors, f.color):
		return false
	case f.avoid.carries(b):
		return false
	}
	return aisle.PriceWithin(b.price, f.minPrice, f.maxPrice)
}

// take reports whether f's cap leaves room for b, and if so counts it.
func (f *filter) take(b brief) bool {
	if f == nil || f.maxPerLeaf <= 0 {
		return true
	}
	leaf := b.leaf()
	if leaf == "" {
		return true
	}
	if f.leaves[leaf] >= f.maxPerLeaf {
		return false
	}
	if f.leaves == nil {
		f.leaves = make(map[string]int)
	}
	f.leaves[leaf]++
	return true
}

// counts returns a copy of f's per-category counts, for restore.
func (f *filter) counts() map[string]int {
	if f == nil {
		return nil
	}
	return maps.Clone(f.leaves)
}

// restore sets f's per-category counts back to c (from counts), undoing
// the picks of an attempt whose result is thrown away.
func (f *filter) restore(c map[string]int) {
	if f != nil {
		f.leaves = c
	}
}
