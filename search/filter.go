package search

import (
	"math"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/query"
)

// filter is a search's structured filters: the request's and the
// intent's. Discontinued items never pass; out-of-stock and preorder
// items do (a shopper may still want to find them). A colour the query
// names matches an item's colours (aisle.Item.Colors) or, for an item without
// any, its title; the request's colour matches the item's colours only.
type filter struct {
	x                  *Index
	categories, brands []string // each must match
	colors             []string // any may match
	color              string   // the request's: must match
	minPrice, maxPrice *float64
	excluded           map[int32]bool
	structured         bool // the intent itself filters
	// titleColors are the slots whose title names one of colors, for
	// items without extracted colours.
	titleColors map[int32]bool
}

// newFilterLocked returns the filters of req and in. It needs x.mu held.
func (x *Index) newFilterLocked(in *query.Intent, req *Request) *filter {
	f := &filter{
		x:        x,
		colors:   in.Colors,
		color:    req.Color,
		minPrice: tighter(in.MinPrice, req.MinPrice, math.Max),
		maxPrice: tighter(in.MaxPrice, req.MaxPrice, math.Min),
	}
	for _, c := range []string{req.Category, in.Category} {
		if c != "" {
			f.categories = append(f.categories, c)
		}
	}
	for _, b := range []string{req.Brand, in.Brand} {
		if b != "" {
			f.brands = append(f.brands, b)
		}
	}
	f.structured = in.Category != "" || in.Brand != "" || len(in.Colors) > 0 || in.MinPrice != nil || in.MaxPrice != nil
	for _, c := range in.Colors {
		for slot := range x.titleMatchesLocked(c) {
			if f.titleColors == nil {
				f.titleColors = make(map[int32]bool)
			}
			f.titleColors[slot] = true
		}
	}
	for _, t := range in.Exclude { // index terms already (query.Intent)
		id, ok := x.termIDs[t]
		if !ok {
			continue
		}
		if f.excluded == nil {
			f.excluded = make(map[int32]bool)
		}
		for _, p := range x.postings[id] {
			f.excluded[p.doc] = true
		}
	}
	return f
}

// keep reports whether the live or dead slot passes the filters.
func (f *filter) keep(slot int32) bool {
	d := &f.x.docs[slot]
	if !d.alive || d.avail == aisle.AvailabilityDiscontinued || f.excluded[slot] {
		return false
	}
	for _, c := range f.categories {
		if !containsFold(d.categories, c) {
			return false
		}
	}
	for _, b := range f.brands {
		if !strings.EqualFold(d.brand, b) {
			return false
		}
	}
	if f.color != "" && !containsFold(d.colors, f.color) {
		return false
	}
	if len(f.colors) > 0 {
		ok := len(d.colors) == 0 && f.titleColors[slot]
		for _, c := range f.colors {
			ok = ok || containsFold(d.colors, c)
		}
		if !ok {
			return false
		}
	}
	return aisle.PriceWithin(d.price, f.minPrice, f.maxPrice)
}

// tighter returns the tighter of two optional limits, pick choosing
// between two given ones.
func tighter(a, b *float64, pick func(x, y float64) float64) *float64 {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	v := pick(*a, *b)
	return &v
}

// containsFold reports whether list holds s, case-insensitively.
func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// titleMatchesLocked returns the slots whose title holds every index
// term of text. It needs x.mu held.
func (x *Index) titleMatchesLocked(text string) map[int32]bool {
	terms := x.deps.Analyzer.Terms(nil, text)
	count := make(map[int32]int)
	for _, t := range terms {
		id, ok := x.termIDs[t]
		if !ok {
			return nil
		}
		for _, p := range x.postings[id] {
			if p.tf[fieldTitle] > 0 {
				count[p.doc]++
			}
		}
	}
	out := make(map[int32]bool)
	for slot, n := range count {
		if n == len(terms) {
			out[slot] = true
		}
	}
	return out
}

// none reports whether f keeps every live item that is not discontinued.
func (f *filter) none() bool {
	return len(f.categories) == 0 && len(f.brands) == 0 && len(f.colors) == 0 && f.color == "" &&
		f.minPrice == nil && f.maxPrice == nil && len(f.excluded) == 0
}
