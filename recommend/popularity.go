package recommend

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/aislehq/aisle"
)

// Popularity scores items by time-decayed, type-weighted event counts:
// score(i) = Σ weight(type) · 2^(−age/halfLife), with age measured from the
// newest event seen, so a store of historical data (an imported dataset)
// ranks the same whatever the wall clock says.
//
// Scores are kept relative to a reference time; since multiplying every
// score by the same factor keeps the order, a newer event simply adds
// 2^((t−ref)/halfLife), and the reference is moved forward (rescaling all
// scores) before those terms grow large.
//
// Popularity is not safe for concurrent use; Engine guards it.
type Popularity struct {
	halfLife time.Duration
	weights  map[aisle.EventType]float64
	ref      time.Time
	scores   map[string]float64
	counts   map[string]int // events per item, for explanations
	// best holds the keep highest-scoring items, best first (ties by
	// id), kept exact as events arrive: scores only grow (a rebase scales
	// them all alike), so an item enters or moves up, never down.
	best []scored
	keep int
}

func newPopularity(halfLife time.Duration, weights map[aisle.EventType]float64, keep int) *Popularity {
	return &Popularity{halfLife: halfLife, weights: weights, scores: make(map[string]float64), counts: make(map[string]int), keep: keep}
}

// byRank orders items by descending score, ties by id.
func byRank(a, b scored) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// promote records that item's score grew to s in best. Most events are
// for items that stay below best's last: they cost one comparison.
func (p *Popularity) promote(id string, s float64) {
	x := scored{id, s}
	full := len(p.best) == p.keep
	if full && byRank(x, p.best[len(p.best)-1]) > 0 {
		return // below the last kept, so it was not kept either
	}
	if at := slices.IndexFunc(p.best, func(y scored) bool { return y.id == id }); at >= 0 {
		p.best = slices.Delete(p.best, at, at+1)
	} else if full {
		p.best = p.best[:len(p.best)-1]
	}
	i, _ := slices.BinarySearchFunc(p.best, x, byRank)
	p.best = slices.Insert(p.best, i, x)
}

// rebaseAfter is how far past the reference an event may lie before the
// reference moves; 2^(rebaseAfter/halfLife) stays far from overflow.
const rebaseAfterHalfLives = 32

// add counts one event.
func (p *Popularity) add(e *aisle.Event) {
	w := p.weights[e.Type]
	if e.Type == aisle.EventRating && e.Value != nil {
		// Ratings count in proportion to how good they are (5-star scale).
		w *= math.Max(0, *e.Value) / 5
	}
	if w == 0 || e.Item == "" {
		return
	}
	if p.ref.IsZero() {
		p.ref = e.Time
	}
	if age := e.Time.Sub(p.ref); age > rebaseAfterHalfLives*p.halfLife {
		p.rebase(e.Time)
	}
	p.scores[e.Item] += w * math.Exp2(e.Time.Sub(p.ref).Hours()/p.halfLife.Hours())
	p.counts[e.Item]++
	p.promote(e.Item, p.scores[e.Item])
}

// rebase moves the reference time to ref, rescaling every score.
func (p *Popularity) rebase(ref time.Time) {
	f := math.Exp2(-ref.Sub(p.ref).Hours() / p.halfLife.Hours())
	for id, s := range p.scores {
		p.scores[id] = s * f
	}
	for i := range p.best {
		p.best[i].score = p.scores[p.best[i].id]
	}
	p.ref = ref
}

// top returns up to k items by descending score, ties broken by id: from
// best when k is within it, else by sorting every score.
func (p *Popularity) top(k int) []scored {
	var out []scored
	if k <= p.keep || len(p.best) == len(p.scores) {
		out = slices.Clone(p.best[:min(k, len(p.best))])
	} else {
		out = make([]scored, 0, len(p.scores))
		for id, s := range p.scores {
			out = append(out, scored{id, s})
		}
		slices.SortFunc(out, byRank)
		out = out[:min(k, len(out))]
	}
	// Report scores relative to the best item, so they are comparable
	// across rebases.
	if len(out) > 0 && out[0].score > 0 {
		best := out[0].score
		for i := range out {
			out[i].score /= best
		}
	}
	return out
}

type scored struct {
	id    string
	score float64
}

// Popularity returns each of items' time-decayed popularity right now,
// in the order of items (0 for items without events). It implements
// search's Popularity, for queries that ask for the best sellers.
func (e *Engine) Popularity(_ context.Context, items []string) ([]float64, error) {
	out := make([]float64, len(items))
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pop == nil {
		return out, nil
	}
	for j, id := range items {
		out[j] = e.pop.scores[id]
	}
	return out, nil
}
