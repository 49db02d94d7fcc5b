package rules

import (
	"fmt"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// Item is what a rule matches on: the facts of one catalog item. Values
// may be in any case (matching ignores it); lower-case ones match
// fastest.
type Item struct {
	ID         string
	Brand      string
	Categories []string // the category path, root first
	Attributes map[string]string
	// Colors are the item's colours (aisle.Item.Colors) and Materials its
	// extracted materials; the attribute keys "color" and "material"
	// match them.
	Colors, Materials []string
	Price             *float64
}

// setMapAbove is the list size above which a string set is a map.
const setMapAbove = 8

// strset is a set of lower-cased strings matched case-insensitively: a
// list when small, a map when large.
type strset struct {
	list []string
	m    map[string]struct{}
}

func newStrset(values []string) strset {
	var s strset
	for _, v := range values {
		s.list = append(s.list, strings.ToLower(v))
	}
	if len(s.list) > setMapAbove {
		s.m = make(map[string]struct{}, len(s.list))
		for _, v := range s.list {
			s.m[v] = struct{}{}
		}
	}
	return s
}

func (s *strset) empty() bool { return len(s.list) == 0 }

// has reports whether v is in s, ignoring case.
func (s *strset) has(v string) bool {
	if s.m != nil {
		_, ok := s.m[strings.ToLower(v)] // no allocation when v is lower case
		return ok
	}
	for _, x := range s.list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// any reports whether one of vs is in s.
func (s *strset) any(vs []string) bool {
	for _, v := range vs {
		if s.has(v) {
			return true
		}
	}
	return false
}

// idset is a set of item ids, compared exactly: a list when small (a
// few string comparisons beat hashing), a map when large.
type idset struct {
	list []string
	m    map[string]struct{}
}

func newIDset(ids []string) idset {
	s := idset{list: ids}
	if len(ids) > setMapAbove {
		s.m = make(map[string]struct{}, len(ids))
		for _, id := range ids {
			s.m[id] = struct{}{}
		}
	}
	return s
}

func (s *idset) has(id string) bool {
	if s.m != nil {
		_, ok := s.m[id]
		return ok
	}
	for _, x := range s.list {
		if x == id {
			return true
		}
	}
	return false
}

// attrMatch is one key=value criterion, lower-cased.
type attrMatch struct{ key, value string }

// compiled is one rule ready to match items.
type compiled struct {
	name       string
	action     aisle.RuleAction
	position   int // pins: 0-based
	strength   int
	start, end time.Time
	ids        idset
	idOrder    []string // match.items as listed, for pins
	brands     strset
	categories strset
	attrs      []attrMatch
	minPrice   *float64
	maxPrice   *float64
	reason     string // what an item it moved says
}

// compile prepares r, which must be valid.
func compile(r *aisle.Rule) *compiled {
	c := &compiled{
		name: r.Name, action: r.Action, strength: r.Strength, start: r.Start, end: r.End,
		brands: newStrset(r.Match.Brands), categories: newStrset(r.Match.Categories),
		minPrice: r.Match.MinPrice, maxPrice: r.Match.MaxPrice, idOrder: r.Match.Items,
	}
	if r.Action == aisle.RulePin {
		c.position = r.Position - 1
	}
	if (c.action == aisle.RuleBoost || c.action == aisle.RuleBury) && c.strength == 0 {
		c.strength = aisle.DefaultRuleStrength
	}
	c.ids = newIDset(r.Match.Items)
	for k, v := range r.Match.Attributes {
		c.attrs = append(c.attrs, attrMatch{strings.ToLower(k), strings.ToLower(v)})
	}
	switch r.Action {
	case aisle.RuleBoost:
		c.reason = fmt.Sprintf("boosted by rule %q", r.Name)
	case aisle.RuleBury:
		c.reason = fmt.Sprintf("buried by rule %q", r.Name)
	case aisle.RulePin:
		c.reason = fmt.Sprintf("pinned to position %d by rule %q", r.Position, r.Name)
	}
	return c
}

// active reports whether c applies at now.
func (c *compiled) active(now time.Time) bool {
	return (c.start.IsZero() || !now.Before(c.start)) && (c.end.IsZero() || now.Before(c.end))
}

// matches reports whether it is selected by c's match: every criterion
// holds. The cheapest and most selective criteria come first.
func (c *compiled) matches(it *Item) bool {
	if len(c.ids.list) > 0 && !c.ids.has(it.ID) {
		return false
	}
	if !c.brands.empty() && !c.brands.has(it.Brand) {
		return false
	}
	if !c.categories.empty() && !c.categories.any(it.Categories) {
		return false
	}
	for _, a := range c.attrs {
		if !attrHas(it, a) {
			return false
		}
	}
	return aisle.PriceWithin(it.Price, c.minPrice, c.maxPrice)
}

// attrHas reports whether it has attribute a (key and value compared
// ignoring case); "color" and "material" also look at its colours and
// materials.
func attrHas(it *Item, a attrMatch) bool {
	switch a.key {
	case "color":
		if containsFold(it.Colors, a.value) {
			return true
		}
	case "material":
		if containsFold(it.Materials, a.value) {
			return true
		}
	}
	if v, ok := it.Attributes[a.key]; ok {
		return strings.EqualFold(v, a.value)
	}
	for k, v := range it.Attributes {
		if strings.EqualFold(k, a.key) && strings.EqualFold(v, a.value) {
			return true
		}
	}
	return false
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
