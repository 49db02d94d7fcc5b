package search

import (
	"slices"

	"github.com/aislehq/aisle/rules"
	"github.com/aislehq/aisle/text/query"
)

// ruleItem returns the facts of d that rules match on.
func (d *doc) ruleItem() rules.Item {
	return rules.Item{ID: d.id, Brand: d.brand, Categories: d.categories, Attributes: d.attrs, Colors: d.colors, Materials: d.materials, Price: d.price}
}

// blockLocked drops the matches a block rule active now selects
// (Deps.Rules), before facets and totals count them. It needs x.mu held
// for reading.
func (x *Index) blockLocked(cands []cand) []cand {
	if x.deps.Rules == nil {
		return cands
	}
	blocked := x.deps.Rules.Blocker()
	if blocked == nil {
		return cands
	}
	return slices.DeleteFunc(cands, func(c cand) bool {
		it := x.docs[c.slot].ruleItem()
		return blocked(&it)
	})
}

// applyRules applies the store's rules (Deps.Rules) to the ordered
// matches: pins, boosts and buries re-rank the head that the first end
// results depend on (rules.Live.Reach), the rest keep their order. A
// pinned item that did not match is inserted when it passes the
// request's and the intent's filters. Pages after the first see the
// same order, so cursors stay consistent.
func (x *Index) applyRules(cands []cand, end int, in *query.Intent, req *Request) []cand {
	l := x.deps.Rules
	if l == nil {
		return cands
	}
	reach := l.Reach(end)
	if reach == end { // no rule is active
		return cands
	}
	w := min(len(cands), reach)
	x.mu.RLock()
	defer x.mu.RUnlock()
	sc := searchCands{x: x, f: x.newFilterLocked(in, req)}
	head := rules.Apply(l, cands[:w], reach, sc)
	return append(head, cands[w:]...)
}

// searchCands adapts matches to rules.Apply; it reads the index, so its
// caller holds x.mu for reading. Items are looked up by id: slots may
// have been renumbered since the matches were copied.
type searchCands struct {
	x *Index
	f *filter
}

func (s searchCands) ID(c *cand) string { return c.id }

func (s searchCands) Item(id string) (rules.Item, bool) {
	slot, ok := s.x.slotOf[id]
	if !ok || !s.x.docs[slot].alive {
		return rules.Item{}, false
	}
	return s.x.docs[slot].ruleItem(), true
}

func (s searchCands) Insert(id string) (cand, bool) {
	slot, ok := s.x.slotOf[id]
	if !ok || !s.f.keep(slot) {
		return cand{}, false
	}
	return s.x.candLocked(slot), true
}

func (s searchCands) Explain(c *cand, reason string) {
	c.reasons = append(slices.Clip(c.reasons), reason)
}
