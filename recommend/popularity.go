package recommend

import (
	"cmp"
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
}

func newPopularity(halfLife time.Duration, weights map[aisle.EventType]float64) *Popularity {
	return &Popularity{halfLife: halfLife, weights: weights, scores: make(map[string]float64), counts: make(map[string]int)}
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
}

// rebase moves the reference time to ref, rescaling every score.
func (p *Popularity) rebase(ref time.Time) {
	f := math.Exp2(-ref.Sub(p.ref).Hours() / p.halfLife.Hours())
	for id, s := range p.scores {
		p.scores[id] = s * f
	}
	p.ref = ref
}

// top returns up to k items by descending score, ties broken by id.
func (p *Popularity) top(k int) []scored {
	out := make([]scored, 0, len(p.scores))
	for id, s := range p.scores {
		out = append(out, scored{id, s})
	}
	slices.SortFunc(out, func(a, b scored) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	if len(out) > k {
		out = out[:k]
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
