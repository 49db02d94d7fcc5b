package search

import (
	"math"
	"slices"
	"strings"
	"sync"
)

// Facets count the values of the whole matched set of a search.
type Facets struct {
	// Categories counts every category on the items' paths (top-level,
	// intermediate and leaf alike, so each value works as the category
	// filter), Brands the brands and Colors the extracted colours; most
	// frequent first, ties by value, at most Config.FacetLimit each.
	Categories []FacetValue `json:"categories"`
	Brands     []FacetValue `json:"brands"`
	Colors     []FacetValue `json:"colors"`
	// Prices counts the priced items in the fixed bands of PriceBands;
	// bands with no item are left out.
	Prices []PriceBand `json:"prices"`
}

// FacetValue is one value of a facet and the number of matched items
// that have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// PriceBand is a price range [Min, Max) and the number of matched items
// priced in it. Max is nil for the open top band.
type PriceBand struct {
	Min   float64  `json:"min"`
	Max   *float64 `json:"max,omitempty"`
	Count int      `json:"count"`
}

// PriceBands are the lower bounds of the price facet's bands, in the
// catalog's currency: [0,10), [10,25), [25,50), [50,100), [100,250),
// [250,500), [500,∞).
var PriceBands = [...]float64{0, 10, 25, 50, 100, 250, 500}

// Facet kinds, indexing Index.facetVals.
const (
	facetCategory = iota
	facetBrand
	facetColor
	numFacets
)

// facetTable numbers the values of one facet kind, so that counting a
// matched set touches slices, not maps. Values are never removed: a
// value no live item has any more simply counts 0.
type facetTable struct {
	ids   map[string]int32
	names []string
}

// id returns v's number, adding it when new.
func (t *facetTable) id(v string) int32 {
	if t.ids == nil {
		t.ids = make(map[string]int32)
	}
	id, ok := t.ids[v]
	if !ok {
		id = int32(len(t.names))
		t.ids[v] = id
		t.names = append(t.names, v)
	}
	return id
}

// facetIDsLocked numbers d's facet values into d.facets. It needs x.mu
// held for writing.
func (x *Index) facetIDsLocked(d *doc) {
	add := func(kind int, v string) {
		id := x.facetVals[kind].id(v)
		if !slices.Contains(d.facets[kind], id) {
			d.facets[kind] = append(d.facets[kind], id)
		}
	}
	for _, c := range d.categories {
		add(facetCategory, c)
	}
	if d.brand != "" {
		add(facetBrand, d.brand)
	}
	for _, c := range d.colors {
		add(facetColor, strings.ToLower(c))
	}
}

// facetCounts is a search's facet counters; pooled across searches.
type facetCounts struct {
	n       [numFacets][]int32
	touched [numFacets][]int32
}

var facetPool = sync.Pool{New: func() any { return new(facetCounts) }}

// facetsLocked counts the facets of cands. It needs x.mu held.
func (x *Index) facetsLocked(cands []cand) Facets {
	fc := facetPool.Get().(*facetCounts)
	defer facetPool.Put(fc)
	for k := range numFacets {
		fc.n[k] = resize(fc.n[k], len(x.facetVals[k].names))
		fc.touched[k] = fc.touched[k][:0]
	}
	var bands [len(PriceBands)]int
	for i := range cands {
		d := &x.docs[cands[i].slot]
		for k := range numFacets {
			for _, id := range d.facets[k] {
				if fc.n[k][id] == 0 {
					fc.touched[k] = append(fc.touched[k], id)
				}
				fc.n[k][id]++
			}
		}
		if d.price != nil {
			band, _ := slices.BinarySearch(PriceBands[:], math.Nextafter(*d.price, math.Inf(1)))
			bands[max(band-1, 0)]++ // a (never stored) negative price counts in the first band
		}
	}
	f := Facets{
		Categories: x.topLocked(fc, facetCategory),
		Brands:     x.topLocked(fc, facetBrand),
		Colors:     x.topLocked(fc, facetColor),
		Prices:     []PriceBand{},
	}
	for i, n := range bands {
		if n == 0 {
			continue
		}
		b := PriceBand{Min: PriceBands[i], Count: n}
		if i+1 < len(PriceBands) {
			b.Max = &PriceBands[i+1]
		}
		f.Prices = append(f.Prices, b)
	}
	return f
}

// topLocked returns the counted values of one facet kind, most frequent
// first, ties by value, at most Config.FacetLimit. It keeps the best
// values in order as it goes (Config.FacetLimit is small), instead of
// sorting every value counted.
func (x *Index) topLocked(fc *facetCounts, kind int) []FacetValue {
	names := x.facetVals[kind].names
	n := fc.n[kind]
	before := func(a, b int32) bool {
		return n[a] > n[b] || n[a] == n[b] && names[a] < names[b]
	}
	limit := x.cfg.FacetLimit
	top := make([]int32, 0, min(len(fc.touched[kind]), limit))
	for _, id := range fc.touched[kind] {
		if len(top) == limit && !before(id, top[limit-1]) {
			continue
		}
		i := len(top)
		if i < limit {
			top = append(top, id)
		} else {
			i--
		}
		for ; i > 0 && before(id, top[i-1]); i-- {
			top[i] = top[i-1]
		}
		top[i] = id
	}
	vs := make([]FacetValue, len(top))
	for i, id := range top {
		vs[i] = FacetValue{names[id], int(n[id])}
	}
	return vs
}
