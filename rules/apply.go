package rules

import (
	"cmp"
	"slices"

	"github.com/aislehq/aisle"
)

// Candidates adapts a caller's ranked list of T to Apply.
type Candidates[T any] interface {
	// ID returns the item id of c.
	ID(c *T) string
	// Item returns the facts of item id that rules match on; false when
	// it is unknown, and then only match.items can select it.
	Item(id string) (Item, bool)
	// Insert returns a list entry for item id, which a pin names but the
	// list does not hold, when the catalog has it, it can be sold and the
	// request's filters keep it; false otherwise.
	Insert(id string) (T, bool)
	// Explain appends reason to c's reasons.
	Explain(c *T, reason string)
}

// maxRulesOfKind caps the pins, and separately the boosts and buries,
// that apply at once (the first in name order); blocks have no cap.
const maxRulesOfKind = 64

// candState is what the active rules do to one candidate.
type candState struct {
	blocked bool
	pinned  bool   // taken by a pin
	beyond  bool   // past the places that can reach the first n (matchAll)
	shift   int    // boosts' strengths minus buries'
	pins    uint64 // bit i: pin rule i matches
	moves   uint64 // bit i: boost or bury rule i matches
}

// byKind is the active rules split by action, each in name order.
type byKind struct {
	blocks, pins, moves []*compiled
	shifts              int // the strengths of moves added up
}

func (k *byKind) empty() bool { return len(k.blocks)+len(k.pins)+len(k.moves) == 0 }

func split(act []*compiled) byKind {
	var k byKind
	for _, c := range act {
		switch c.action {
		case aisle.RuleBlock:
			k.blocks = append(k.blocks, c)
		case aisle.RulePin:
			if len(k.pins) < maxRulesOfKind {
				k.pins = append(k.pins, c)
			}
		default:
			if len(k.moves) < maxRulesOfKind {
				k.moves = append(k.moves, c)
				k.shifts += c.strength
			}
		}
	}
	return k
}

// Apply applies the rules of l active now to list, ranked best first, as
// the package documentation describes, and returns its first n (a new
// slice, or list's own prefix when no rule is active). Give it more
// candidates than n (Live.Reach) so that blocked and buried items are
// replaced. A nil l applies none.
func Apply[T any](l *Live, list []T, n int, c Candidates[T]) []T {
	var k byKind
	if l != nil {
		k = l.active()
	}
	if k.empty() || n <= 0 {
		return list[:max(0, min(n, len(list)))]
	}
	st, anyShift := matchAll(list, n, k, c)
	pins := choosePins(list, st, k, c)
	rest := make([]restEntry, 0, len(list))
	for i := range list {
		if !st[i].blocked && !st[i].pinned && !st[i].beyond {
			rest = append(rest, restEntry{idx: i, key: len(rest) - st[i].shift, shift: st[i].shift})
		}
	}
	if anyShift {
		// Stable: among equal keys and shifts, the better ranked first.
		slices.SortStableFunc(rest, func(a, b restEntry) int {
			return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(b.shift, a.shift))
		})
	}
	return compose(list, st, rest, pins, k, n, c)
}

// matchAll matches the candidates against the rules. Only so many
// unblocked candidates can reach the first n places, however the boosts
// and buries move them: n, one for each pin, and the boosts' and buries'
// strengths added up (an entry's key is its place less its shift, and
// the n-th smallest key is at most n−1 plus the buries'). Those past
// them are marked beyond and matched against pins only (and, when one
// matches, the blocks): a pin may still take one.
func matchAll[T any](list []T, n int, k byKind, c Candidates[T]) (st []candState, anyShift bool) {
	st = make([]candState, len(list))
	limit := n + len(k.pins) + k.shifts + 1
	kept := 0
	for i := range list {
		s := &st[i]
		if kept >= limit {
			if len(k.pins) == 0 {
				for j := i; j < len(list); j++ {
					st[j].beyond = true
				}
				break
			}
			s.beyond = true
		}
		id := c.ID(&list[i])
		it, ok := c.Item(id)
		if !ok {
			it = Item{ID: id}
		}
		if s.beyond {
			s.pins = k.pinMask(&it)
			s.blocked = s.pins != 0 && k.blocked(&it)
			continue
		}
		if s.blocked = k.blocked(&it); s.blocked {
			continue
		}
		kept++
		s.pins = k.pinMask(&it)
		for j, r := range k.moves {
			if r.matches(&it) {
				s.moves |= 1 << j
				if r.action == aisle.RuleBoost {
					s.shift += r.strength
				} else {
					s.shift -= r.strength
				}
				anyShift = true
			}
		}
	}
	return st, anyShift
}

// blocked reports whether a block rule matches it.
func (k *byKind) blocked(it *Item) bool {
	for _, r := range k.blocks {
		if r.matches(it) {
			return true
		}
	}
	return false
}

// pinMask returns the pins that match it, bit i for k.pins[i].
func (k *byKind) pinMask(it *Item) uint64 {
	var m uint64
	for j, r := range k.pins {
		if r.matches(it) {
			m |= 1 << j
		}
	}
	return m
}

// restEntry is a candidate neither blocked nor pinned: its index in the
// list, its place among such candidates less its shift, and the shift.
type restEntry struct{ idx, key, shift int }

// pinned is the item a pin rule places: a candidate (idx ≥ 0) or an
// inserted entry (idx < 0).
type pinned[T any] struct {
	rule     *compiled
	idx      int
	inserted T
}

// choosePins gives each pin rule, in name order, the best-ranked
// candidate it matches that no earlier pin took, else the first of its
// match.items that is not a candidate and c inserts (and no block
// matches), marking the candidates taken in st.
func choosePins[T any](list []T, st []candState, k byKind, c Candidates[T]) []pinned[T] {
	if len(k.pins) == 0 {
		return nil
	}
	var out []pinned[T]
	taken := make(map[string]bool)
	for j, r := range k.pins {
		p := pinned[T]{rule: r, idx: -1}
		for i := range st {
			if !st[i].blocked && !st[i].pinned && st[i].pins&(1<<j) != 0 {
				st[i].pinned, p.idx = true, i
				break
			}
		}
		if p.idx < 0 {
			var ok bool
			if p.inserted, ok = insertPin(list, r, k.blocks, taken, c); !ok {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// insertPin returns the first of r's match.items that list does not
// hold, no earlier pin inserted, no block matches and c inserts.
func insertPin[T any](list []T, r *compiled, blocks []*compiled, taken map[string]bool, c Candidates[T]) (T, bool) {
	var zero T
	for _, id := range r.idOrder {
		if taken[id] || holds(list, id, c) {
			continue
		}
		it, ok := c.Item(id)
		if !ok {
			continue
		}
		it.ID = id
		if slices.ContainsFunc(blocks, func(b *compiled) bool { return b.matches(&it) }) {
			continue
		}
		if x, ok := c.Insert(id); ok {
			taken[id] = true
			return x, true
		}
	}
	return zero, false
}

// holds reports whether list holds item id.
func holds[T any](list []T, id string, c Candidates[T]) bool {
	for i := range list {
		if c.ID(&list[i]) == id {
			return true
		}
	}
	return false
}

// compose lays out the first n places: each pin at its position (the
// next free one when an earlier pin holds it, the last place when it is
// beyond the list), the other candidates in the order of rest, each
// entry explained by the rules that moved it.
func compose[T any](list []T, st []candState, rest []restEntry, pins []pinned[T], k byKind, n int, c Candidates[T]) []T {
	total := len(rest) + len(pins)
	m := min(n, total)
	slot := make([]int, total) // 0: free; p+1: pins[p]
	for p := range pins {
		at := min(pins[p].rule.position, total-1)
		for at < total && slot[at] != 0 {
			at++
		}
		if at == total { // beyond the end, all taken: the last free place
			for at = total - 1; slot[at] != 0; at-- {
			}
		}
		slot[at] = p + 1
	}
	out := make([]T, 0, m)
	next := 0
	for s := 0; s < m; s++ {
		if p := slot[s]; p != 0 {
			pin := &pins[p-1]
			x := pin.inserted
			if pin.idx >= 0 {
				x = list[pin.idx]
			}
			c.Explain(&x, pin.rule.reason)
			out = append(out, x)
			continue
		}
		e := rest[next]
		next++
		x := list[e.idx]
		for j, r := range k.moves {
			if st[e.idx].moves&(1<<j) != 0 {
				c.Explain(&x, r.reason)
			}
		}
		out = append(out, x)
	}
	return out
}
