package metric

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Catalog is what the beyond-accuracy metrics (Beyond) know of the items.
// Setting Options.Catalog makes Evaluate measure them, under Full only, on
// the same top-10 lists as Result.Coverage. A Catalog is only read.
type Catalog struct {
	// Popularity[i] is item i's number of interactions in the data the
	// model trained on. It must have one entry per item, none negative,
	// and a positive sum.
	Popularity []int
	// Categories[i] identifies item i's leaf category: two items share a
	// leaf when they have the same non-negative id; a negative id means
	// the item has no category. nil (or no item with a category) leaves
	// out Beyond.ILD[ILDCategory]; otherwise it must have one entry per
	// item.
	Categories []int32
	// Vectors gives the item vectors of Beyond.ILD[ILDCosine]; nil leaves
	// it out. An item whose vector is nil or all zeros takes no part.
	Vectors ItemVectors
}

// ItemVectors gives an item's vector, nil when it has none. It must be
// safe for concurrent use and return vectors of one length; Evaluate reads
// each item's vector once and does not modify it.
// *candidate.Content is one.
type ItemVectors interface {
	Vector(i int32) []float32
}

// Keys of Beyond.ILD: how the dissimilarity of two items is measured.
const (
	// ILDCategory is 1 when two items are in different leaf categories
	// and 0 when they share one (Catalog.Categories).
	ILDCategory = "category"
	// ILDCosine is 1 − the cosine of two items' vectors (Catalog.Vectors).
	ILDCosine = "cosine"
)

// Beyond holds the beyond-accuracy metrics of one evaluation, measured on
// each case's top 10 after exclusion: the lists Coverage counts. They show
// whether accuracy gains come from pushing the already popular head.
// Lists with fewer than 10 items (a catalog that small) count as they are.
type Beyond struct {
	// Novelty is the mean self-information of the recommended items,
	// −log2(Popularity[i] / ΣPopularity), averaged over each list and then
	// over cases: the expected number of bits it takes to learn that a
	// shopper met the item, high for items few interacted with (Zhou et
	// al., "Solving the apparent diversity-accuracy dilemma of recommender
	// systems", PNAS 2010; Vargas and Castells, "Rank and relevance in
	// novelty and diversity metrics for recommender systems", RecSys
	// 2011). An item with no interaction counts as one, so that its
	// self-information is finite: the largest of any item.
	Novelty float64
	// HeadItems is the number of most popular items that make the head:
	// 1% of the catalog, rounded down, but at least one. Ties in
	// Popularity go to the lower item index.
	HeadItems int
	// HeadShare is the share of all top-10 slots, over every case, that
	// the head items take: popularity bias. Popularity ranking scores
	// near 1; a ranking that ignores popularity near HeadItems/items.
	HeadShare float64
	// ExposureGini is the Gini coefficient of exposure, an item's number
	// of top-10 slots over every case, across every item of the catalog:
	// 0 when every item is shown equally often, (n−1)/n for n items when
	// one item takes every slot. It is computed from the exposures sorted
	// ascending, e₁ ≤ … ≤ eₙ, as Σᵢ(2i−n−1)·eᵢ / (n·Σᵢeᵢ).
	ExposureGini float64
	// ILD is intra-list diversity, keyed by ILDCategory and ILDCosine
	// (each only when the Catalog allows it): the mean dissimilarity of
	// the pairs of items in a list, averaged over lists (Ziegler et al.,
	// "Improving recommendation lists through topic diversification",
	// WWW 2005). Pairs where an item lacks a category or a vector are
	// skipped, and lists without a pair left are left out of the mean.
	ILD map[string]float64
}

// beyond is what Evaluate precomputes from a Catalog, shared read-only by
// the workers.
type beyond struct {
	selfInfo []float64 // −log2 of each item's share of interactions
	head     []bool
	headN    int
	cats     []int32     // nil: no category ILD
	vecs     [][]float32 // nil: no cosine ILD; a nil row takes no part
	norms    []float64
	perCase  []caseBeyond
}

// caseBeyond is one case's top-10 list measured: sums, so that Evaluate
// can average them in case order whatever the scheduling.
type caseBeyond struct {
	slots, head        int32
	selfInfo           float64
	catPairs, cosPairs int32
	catSum, cosSum     float64
}

// newBeyond checks c against numItems and precomputes what the workers
// read, for cases cases.
func newBeyond(c *Catalog, numItems, cases int) (*beyond, error) {
	if len(c.Popularity) != numItems {
		return nil, fmt.Errorf("catalog: %d popularity counts for %d items: %w", len(c.Popularity), numItems, ErrBadOptions)
	}
	total := 0.0
	for i, p := range c.Popularity {
		if p < 0 {
			return nil, fmt.Errorf("catalog: item %d popularity %d: %w", i, p, ErrBadOptions)
		}
		total += float64(p)
	}
	if total == 0 {
		return nil, fmt.Errorf("catalog: no interactions: %w", ErrBadOptions)
	}
	if c.Categories != nil && len(c.Categories) != numItems {
		return nil, fmt.Errorf("catalog: %d categories for %d items: %w", len(c.Categories), numItems, ErrBadOptions)
	}
	b := &beyond{selfInfo: make([]float64, numItems), head: make([]bool, numItems), perCase: make([]caseBeyond, cases)}
	for i, p := range c.Popularity {
		b.selfInfo[i] = -math.Log2(float64(max(p, 1)) / total)
	}
	b.headN = max(numItems/100, 1)
	order := make([]int32, numItems)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		return cmp.Or(cmp.Compare(c.Popularity[y], c.Popularity[x]), cmp.Compare(x, y))
	})
	for _, i := range order[:b.headN] {
		b.head[i] = true
	}
	if slices.ContainsFunc(c.Categories, func(id int32) bool { return id >= 0 }) {
		b.cats = c.Categories
	}
	if c.Vectors != nil {
		if err := b.readVectors(c.Vectors, numItems); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// readVectors fills b.vecs and b.norms, leaving both nil when no item has
// a vector.
func (b *beyond) readVectors(v ItemVectors, numItems int) error {
	vecs, norms := make([][]float32, numItems), make([]float64, numItems)
	dim, found := -1, false
	for i := range numItems {
		x := v.Vector(int32(i))
		if len(x) == 0 {
			continue
		}
		if dim >= 0 && len(x) != dim {
			return fmt.Errorf("catalog: item %d vector has %d dimensions, want %d: %w", i, len(x), dim, ErrBadOptions)
		}
		dim = len(x)
		n := math.Sqrt(dot(x, x))
		if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
			continue
		}
		vecs[i], norms[i], found = x, n, true
	}
	if found {
		b.vecs, b.norms = vecs, norms
	}
	return nil
}

func dot(x, y []float32) float64 {
	s := 0.0
	for i, v := range x {
		s += float64(v) * float64(y[i])
	}
	return s
}

// measure records case j's list, the items of top, and adds them to
// exposure.
func (b *beyond) measure(j int, top []int32, exposure []int32) {
	c := caseBeyond{slots: int32(len(top))}
	for k, i := range top {
		exposure[i]++
		c.selfInfo += b.selfInfo[i]
		if b.head[i] {
			c.head++
		}
		for _, o := range top[:k] {
			if b.cats != nil && b.cats[i] >= 0 && b.cats[o] >= 0 {
				c.catPairs++
				if b.cats[i] != b.cats[o] {
					c.catSum++
				}
			}
			if b.vecs != nil && b.vecs[i] != nil && b.vecs[o] != nil {
				c.cosPairs++
				c.cosSum += 1 - dot(b.vecs[i], b.vecs[o])/(b.norms[i]*b.norms[o])
			}
		}
	}
	b.perCase[j] = c
}

// result averages the cases in order and computes the Gini coefficient of
// exposure, the per-item slot counts summed over the workers.
func (b *beyond) result(exposure []int32) *Beyond {
	r := &Beyond{HeadItems: b.headN, ExposureGini: Gini(exposure), ILD: map[string]float64{}}
	var novelty, cat, cos float64
	var lists, catLists, cosLists, slots, head int
	for _, c := range b.perCase {
		if c.slots > 0 {
			novelty += c.selfInfo / float64(c.slots)
			lists++
		}
		slots += int(c.slots)
		head += int(c.head)
		if c.catPairs > 0 {
			cat += c.catSum / float64(c.catPairs)
			catLists++
		}
		if c.cosPairs > 0 {
			cos += c.cosSum / float64(c.cosPairs)
			cosLists++
		}
	}
	mean := func(sum float64, n int) float64 { return sum / float64(max(n, 1)) }
	r.Novelty = mean(novelty, lists)
	r.HeadShare = mean(float64(head), slots)
	if b.cats != nil {
		r.ILD[ILDCategory] = mean(cat, catLists)
	}
	if b.vecs != nil {
		r.ILD[ILDCosine] = mean(cos, cosLists)
	}
	return r
}

// Gini returns the Gini coefficient of exposure[i], how often item i was
// shown: 0 when every item is shown equally often (or none is shown),
// (n−1)/n when one of n items takes every showing. See Beyond.ExposureGini.
func Gini(exposure []int32) float64 {
	n := len(exposure)
	e := slices.Clone(exposure)
	slices.Sort(e)
	var weighted, total float64
	for i, x := range e {
		weighted += float64(2*(i+1)-n-1) * float64(x)
		total += float64(x)
	}
	if total == 0 {
		return 0
	}
	return weighted / (float64(n) * total)
}
