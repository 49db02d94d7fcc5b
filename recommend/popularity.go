package recommend

import (
	"cmp"
	"container/heap"
	"context"
	"math"
	"slices"

	"github.com/aislehq/aisle"
)

// Popularity ranks items by how many shoppers took to them lately, in a
// way one client cannot sway much:
//
//   - A shopper counts once per item, with the largest decayed weight of
//     their events on it: score(i) = Σ_u max_e w(e)·2^(−age(e)/halfLife),
//     over the shoppers u with events e on i, w the event type's weight
//     (a purchase 1, a view 0.1, a rating scaled by its value). Repeating
//     a view adds nothing; a later event counts only when it weighs more
//     now than the shopper's best so far; so one shopper lifts an item by
//     at most the weight of a purchase, however many events they send.
//   - Age is measured on an activity clock (activityClock): gaps between
//     events count at most maxGap, so an imported history stays comparable
//     with the live events that follow it, years later, and a quiet week
//     does not erase it. Under steady traffic it is wall time.
//   - Items touched by at least minShoppers distinct shoppers (their
//     support) come first, by score; the rest follow by support, then
//     score, so a small store still gets a full list, but an item one
//     shopper touched never outranks one that minShoppers shoppers did.
//
// Each (shopper, item) pair is kept (8 bytes in its shopper's slice) so
// that a shopper's contribution is known exactly and can be taken back
// when they are erased (forget). All told, popularity holds about 25
// bytes a pair on the scale test's log (10,000,000 events: 9.2 million
// pairs of 500,000 shoppers and 733,000 items, 215 MB).
//
// Scores are kept relative to a reference level; since multiplying every
// score by the same factor keeps the order, a newer event simply adds
// 2^(level−ref), and the reference moves forward (rescaling every score)
// before those terms grow large.
//
// Popularity is not safe for concurrent use; Engine guards it.
type Popularity struct {
	halfLife    float64 // seconds of activity time
	weights     map[aisle.EventType]float64
	minShoppers int32
	clock       activityClock

	ref float64 // reference level, in half-lives of activity time; set by the first counted event

	index   map[string]int32 // item id → item number
	ids     []string         // item number → id
	scores  []float64        // per item: Σ 2^(level−ref) over its shoppers
	support []int32          // per item: shoppers with a weighted event on it
	live    int              // items with support
	users   map[string][]pairLevel

	// best holds the numbers of the keep best-ranked items, best first,
	// kept exact as events arrive: an event only raises its item's rank (a
	// rebase scales every score alike), so an item enters or moves up,
	// never down; forget, which lowers ranks, refills it.
	best   []int32
	inBest []bool // per item: in best
	keep   int
}

// pairLevel is one shopper's contribution to one item: the base-2
// logarithm of its weight at activity time 0, log2(w) + t/halfLife for
// the event of weight w at activity time t that weighs most now.
type pairLevel struct {
	item  int32
	level float32
}

// newPopularity returns an empty Popularity over c's HalfLife, Weights,
// MinShoppers and MaxGap (c has its defaults), keeping its keep best
// items in order.
func newPopularity(c Config, keep int) *Popularity {
	return &Popularity{
		halfLife: c.HalfLife.Seconds(), weights: c.Weights, minShoppers: int32(c.MinShoppers),
		clock: newActivityClock(c.MaxGap), index: make(map[string]int32), users: make(map[string][]pairLevel), keep: keep,
	}
}

// rebaseAfterHalfLives is how far above the reference a level may lie
// before the reference moves; 2^32 stays far from overflow.
const rebaseAfterHalfLives = 32

// weight returns the weight of event e in popularity (0: it does not count).
func (p *Popularity) weight(e *aisle.Event) float64 {
	w := p.weights[e.Type]
	if e.Type == aisle.EventRating && e.Value != nil {
		// Ratings count in proportion to how good they are (5-star scale).
		w *= math.Max(0, *e.Value) / 5
	}
	return w
}

// add counts one event.
func (p *Popularity) add(e *aisle.Event) {
	w := p.weight(e)
	if !(w > 0) || e.Item == "" {
		return
	}
	act := p.clock.observe(e.Time)
	level := float32(math.Log2(w) + act/p.halfLife)
	if len(p.ids) == 0 { // the first counted event
		p.ref = float64(level)
	}
	if float64(level)-p.ref > rebaseAfterHalfLives {
		p.rebase(float64(level))
	}
	i := p.item(e.Item)
	pairs := p.users[e.User]
	k, found := slices.BinarySearchFunc(pairs, i, func(x pairLevel, i int32) int { return cmp.Compare(x.item, i) })
	if found {
		old := pairs[k].level
		if level <= old {
			return // the shopper already counts as much for this item
		}
		pairs[k].level = level
		p.scores[i] += p.contribution(level) - p.contribution(old)
	} else {
		p.users[e.User] = slices.Insert(pairs, k, pairLevel{i, level})
		if p.support[i] == 0 {
			p.live++
		}
		p.support[i]++
		p.scores[i] += p.contribution(level)
	}
	p.promote(i)
}

// contribution returns what a pair of this level adds to its item's score.
func (p *Popularity) contribution(level float32) float64 {
	return math.Exp2(float64(level) - p.ref)
}

// item returns the number of item id, numbering it if new.
func (p *Popularity) item(id string) int32 {
	i, ok := p.index[id]
	if !ok {
		i = int32(len(p.ids))
		p.index[id] = i
		p.ids = append(p.ids, id)
		p.scores = append(p.scores, 0)
		p.support = append(p.support, 0)
		p.inBest = append(p.inBest, false)
	}
	return i
}

// rebase moves the reference level to ref, rescaling every score.
func (p *Popularity) rebase(ref float64) {
	f := math.Exp2(p.ref - ref)
	for i := range p.scores {
		p.scores[i] *= f
	}
	p.ref = ref
	// Scaling keeps the order, up to ties that rounding may create.
	slices.SortFunc(p.best, p.byRank)
}

// tier is what ranks an item before its score: its support, capped at
// minShoppers.
func (p *Popularity) tier(i int32) int32 { return min(p.support[i], p.minShoppers) }

// byRank orders items by descending tier, then score, ties by id.
func (p *Popularity) byRank(a, b int32) int {
	if c := cmp.Compare(p.tier(b), p.tier(a)); c != 0 {
		return c
	}
	if c := cmp.Compare(p.scores[b], p.scores[a]); c != 0 {
		return c
	}
	return cmp.Compare(p.ids[a], p.ids[b])
}

// promote records that item i's rank rose. Most events are for items that
// stay below best's last: they cost one comparison.
func (p *Popularity) promote(i int32) {
	// Only i is out of place, and ranks higher than where it sits, so the
	// search still finds where it belongs.
	at, _ := slices.BinarySearchFunc(p.best, i, p.byRank)
	if p.inBest[i] {
		from := at + slices.Index(p.best[at:], i)
		copy(p.best[at+1:from+1], p.best[at:from])
		p.best[at] = i
		return
	}
	if len(p.best) == p.keep {
		if at == p.keep {
			return // below the last kept
		}
		p.inBest[p.best[p.keep-1]] = false
		p.best = p.best[:p.keep-1]
	}
	p.best = slices.Insert(p.best, at, i)
	p.inBest[i] = true
}

// forget takes back every contribution of user, as if none of their
// events had been seen (the clock aside), and reports whether they had any.
func (p *Popularity) forget(user string) bool {
	pairs, ok := p.users[user]
	if !ok {
		return false
	}
	delete(p.users, user)
	refill := false
	for _, pr := range pairs {
		i := pr.item
		p.support[i]--
		p.scores[i] -= p.contribution(pr.level)
		if p.support[i] == 0 {
			p.scores[i] = 0 // exactly, whatever the rounding
			p.live--
		}
		p.scores[i] = max(p.scores[i], 0)
		refill = refill || p.inBest[i]
	}
	if refill {
		p.refillBest()
	}
	return true
}

// refillBest recomputes best from every item's rank.
func (p *Popularity) refillBest() {
	for _, i := range p.best {
		p.inBest[i] = false
	}
	h := &worstFirst{p: p, items: p.best[:0]}
	for i := range p.support {
		if p.support[i] == 0 {
			continue
		}
		switch {
		case len(h.items) < p.keep:
			heap.Push(h, int32(i))
		case p.byRank(int32(i), h.items[0]) < 0:
			h.items[0] = int32(i)
			heap.Fix(h, 0)
		}
	}
	p.best = h.items
	slices.SortFunc(p.best, p.byRank)
	for _, i := range p.best {
		p.inBest[i] = true
	}
}

// worstFirst is a heap of items, the lowest-ranked on top.
type worstFirst struct {
	p     *Popularity
	items []int32
}

func (h *worstFirst) Len() int           { return len(h.items) }
func (h *worstFirst) Less(a, b int) bool { return h.p.byRank(h.items[a], h.items[b]) > 0 }
func (h *worstFirst) Swap(a, b int)      { h.items[a], h.items[b] = h.items[b], h.items[a] }
func (h *worstFirst) Push(x any)         { h.items = append(h.items, x.(int32)) }
func (h *worstFirst) Pop() any {
	x := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return x
}

// top returns up to k items in rank order: from best when k is within
// it, else by sorting every item. Scores are relative to the first
// item's, and never above the score of the item before (an item below
// minShoppers may have a higher raw score than the qualified items it
// follows).
func (p *Popularity) top(k int) []scored {
	var order []int32
	if k <= p.keep || len(p.best) == p.live {
		order = p.best[:min(k, len(p.best))]
	} else {
		order = make([]int32, 0, p.live)
		for i, s := range p.support {
			if s > 0 {
				order = append(order, int32(i))
			}
		}
		slices.SortFunc(order, p.byRank)
		order = order[:min(k, len(order))]
	}
	out := make([]scored, len(order))
	for j, i := range order {
		out[j] = scored{id: p.ids[i], score: p.scores[i]}
	}
	// Relative to the first item, so comparable across rebases.
	if len(out) > 0 && out[0].score > 0 {
		first := out[0].score
		for j := range out {
			out[j].score = out[j].score / first
			if j > 0 {
				out[j].score = min(out[j].score, out[j-1].score)
			}
		}
	}
	return out
}

// shoppers returns how many distinct shoppers have weighted events on id.
func (p *Popularity) shoppers(id string) int {
	if i, ok := p.index[id]; ok {
		return int(p.support[i])
	}
	return 0
}

// value returns a number that orders items as the ranking does: 0 for an
// item without shoppers, else its tier (support capped at minShoppers)
// plus a fraction below 1 that grows with its score, s/(s+s₁), s₁ the
// first-ranked item's score.
func (p *Popularity) value(id string) float64 {
	i, ok := p.index[id]
	if !ok || p.support[i] == 0 {
		return 0
	}
	first := 1.0
	if len(p.best) > 0 && p.scores[p.best[0]] > 0 {
		first = p.scores[p.best[0]]
	}
	s := p.scores[i]
	return float64(p.tier(i)) + s/(s+first)
}

type scored struct {
	id    string
	score float64
	// from has bit m set when member m of the loaded models proposed the
	// item (personal rankings only).
	from uint64
}

// Popularity returns, in the order of items, a number that orders them as
// the popular list does (0 for items no shopper touched): an item's
// shopper count capped at Config.MinShoppers, plus a fraction below 1
// that grows with its decayed score. It implements search's Popularity,
// for queries that ask for the best sellers. It never fails.
func (e *Engine) Popularity(_ context.Context, items []string) ([]float64, error) {
	out := make([]float64, len(items))
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pop == nil {
		return out, nil
	}
	for j, id := range items {
		out[j] = e.pop.value(id)
	}
	return out, nil
}
