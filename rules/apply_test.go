package rules_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
)

// entry is a ranked list entry of the tests.
type entry struct {
	id      string
	reasons []string
}

// catalog adapts entries to rules.Apply over a map of items; insertable
// lists the items Insert accepts (in the catalog, kept by the request).
type catalog struct {
	items      map[string]rules.Item
	insertable map[string]bool
}

func (c catalog) ID(e *entry) string { return e.id }
func (c catalog) Item(id string) (rules.Item, bool) {
	it, ok := c.items[id]
	return it, ok
}
func (c catalog) Insert(id string) (entry, bool)  { return entry{id: id}, c.insertable[id] }
func (c catalog) Explain(e *entry, reason string) { e.reasons = append(e.reasons, reason) }

// testCatalog has items i0..i19: even ones of brand Acme, odd ones Zenith;
// i0..i4 in Office/Pens, the rest in Office/Paper; i3 is red; prices 1..20.
func testCatalog() catalog {
	c := catalog{items: map[string]rules.Item{}, insertable: map[string]bool{"x1": true, "x2": true}}
	for i := range 20 {
		price := float64(i + 1)
		it := rules.Item{ID: fmt.Sprint("i", i), Brand: "Acme", Categories: []string{"Office", "Paper"}, Price: &price}
		if i%2 == 1 {
			it.Brand = "Zenith"
		}
		if i < 5 {
			it.Categories = []string{"Office", "Pens"}
		}
		if i == 3 {
			it.Attributes = map[string]string{"Finish": "Glossy"}
			it.Colors = []string{"red"}
		}
		c.items[it.ID] = it
	}
	c.items["x1"] = rules.Item{ID: "x1", Brand: "Acme", Categories: []string{"Office", "Pens"}}
	c.items["x2"] = rules.Item{ID: "x2", Brand: "Zenith", Categories: []string{"Office", "Paper"}}
	return c
}

func ranked(n int) []entry {
	out := make([]entry, n)
	for i := range out {
		out[i].id = fmt.Sprint("i", i)
	}
	return out
}

func ids(es []entry) string {
	var s []string
	for _, e := range es {
		s = append(s, e.id)
	}
	return strings.Join(s, " ")
}

func TestApply(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		rules   []aisle.Rule
		n, cand int
		want    string
		reasons map[string][]string // of some entries
	}{
		{"no rules", nil, 5, 20, "i0 i1 i2 i3 i4", nil},
		{"block a brand, replaced from below", []aisle.Rule{{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Brands: []string{"zenith"}}}}, 5, 20, "i0 i2 i4 i6 i8", nil},
		{"block a category at any level", []aisle.Rule{{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Categories: []string{"PENS"}}}}, 3, 20, "i5 i6 i7", nil},
		{"block by price range", []aisle.Rule{{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{MinPrice: p(2), MaxPrice: p(4)}}}, 3, 20, "i0 i4 i5", nil},
		{"block by attribute and colour", []aisle.Rule{
			{Name: "a", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Attributes: map[string]string{"finish": "glossy"}}},
		}, 4, 20, "i0 i1 i2 i4", nil},
		{"colour attribute matches the item's colours", []aisle.Rule{
			{Name: "a", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Attributes: map[string]string{"Color": "Red"}}},
		}, 4, 20, "i0 i1 i2 i4", nil},
		{"criteria must all hold", []aisle.Rule{{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Brands: []string{"Acme"}, Categories: []string{"Pens"}}}}, 4, 20, "i1 i3 i5 i6", nil},
		{"boost moves an item up its strength", []aisle.Rule{{Name: "up", Action: aisle.RuleBoost, Strength: 3, Match: aisle.RuleMatch{Items: []string{"i6"}}}}, 5, 20, "i0 i1 i2 i6 i3",
			map[string][]string{"i6": {`boosted by rule "up"`}}},
		{"boost past the top stops at the top", []aisle.Rule{{Name: "up", Action: aisle.RuleBoost, Strength: 50, Match: aisle.RuleMatch{Items: []string{"i4"}}}}, 3, 20, "i4 i0 i1", nil},
		{"bury moves an item down its strength", []aisle.Rule{{Name: "down", Action: aisle.RuleBury, Strength: 2, Match: aisle.RuleMatch{Items: []string{"i0"}}}}, 4, 20, "i1 i2 i0 i3",
			map[string][]string{"i0": {`buried by rule "down"`}}},
		{"bury a brand out of the list", []aisle.Rule{{Name: "down", Action: aisle.RuleBury, Strength: 100, Match: aisle.RuleMatch{Brands: []string{"Acme"}}}}, 4, 20, "i1 i3 i5 i7", nil},
		{"boost and bury cancel", []aisle.Rule{
			{Name: "a", Action: aisle.RuleBoost, Strength: 2, Match: aisle.RuleMatch{Items: []string{"i3"}}},
			{Name: "b", Action: aisle.RuleBury, Strength: 2, Match: aisle.RuleMatch{Brands: []string{"Zenith"}}},
		}, 5, 20, "i0 i2 i3 i1 i4", map[string][]string{"i3": {`boosted by rule "a"`, `buried by rule "b"`}}},
		{"default strength is 5", []aisle.Rule{{Name: "up", Action: aisle.RuleBoost, Match: aisle.RuleMatch{Items: []string{"i9"}}}}, 5, 20, "i0 i1 i2 i3 i9", nil},
		{"pin a candidate", []aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i7"}}}}, 3, 20, "i7 i0 i1",
			map[string][]string{"i7": {`pinned to position 1 by rule "p"`}}},
		{"pin takes the best-ranked match", []aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 2, Match: aisle.RuleMatch{Brands: []string{"Zenith"}, MinPrice: p(5)}}}, 3, 20, "i0 i5 i1", nil},
		{"pin inserts an item not among the candidates", []aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 2, Match: aisle.RuleMatch{Items: []string{"nope", "x1"}}}}, 3, 20, "i0 x1 i1",
			map[string][]string{"x1": {`pinned to position 2 by rule "p"`}}},
		{"pin of an item the request leaves out", []aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"zz"}}}}, 3, 20, "i0 i1 i2", nil},
		{"a blocked item is not pinned", []aisle.Rule{
			{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Items: []string{"i5", "x1"}}},
			{Name: "p", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i5", "x1", "x2"}}},
		}, 3, 20, "x2 i0 i1", nil},
		{"pins for one position go in name order", []aisle.Rule{
			{Name: "b-pin", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i8"}}},
			{Name: "a-pin", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i9"}}},
		}, 4, 20, "i9 i8 i0 i1", nil},
		{"two pins matching the same item", []aisle.Rule{
			{Name: "a", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Categories: []string{"Pens"}}},
			{Name: "b", Action: aisle.RulePin, Position: 3, Match: aisle.RuleMatch{Categories: []string{"Pens"}}},
		}, 4, 20, "i0 i2 i1 i3", nil},
		{"pin beyond n leaves the item out", []aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 8, Match: aisle.RuleMatch{Items: []string{"i1"}}}}, 4, 20, "i0 i2 i3 i4", nil},
		{"pin beyond the list's end takes its last place", []aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 10, Match: aisle.RuleMatch{Items: []string{"i0"}}}}, 10, 4, "i1 i2 i3 i0", nil},
		{"pins and boosts together", []aisle.Rule{
			{Name: "p", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i10"}}},
			{Name: "u", Action: aisle.RuleBoost, Strength: 2, Match: aisle.RuleMatch{Items: []string{"i3"}}},
		}, 4, 20, "i10 i0 i3 i1", nil},
		{"fewer candidates than n", []aisle.Rule{{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Items: []string{"i0"}}}}, 10, 3, "i1 i2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := rules.New(nil)
			if err := l.Set(tt.rules); err != nil {
				t.Fatal(err)
			}
			got := rules.Apply(l, ranked(tt.cand), tt.n, testCatalog())
			if diff := cmp.Diff(ids(got), tt.want); diff != "" {
				t.Errorf("ids (-got +want):\n%s", diff)
			}
			for _, e := range got {
				if want, ok := tt.reasons[e.id]; ok {
					if diff := cmp.Diff(e.reasons, want); diff != "" {
						t.Errorf("reasons of %s (-got +want):\n%s", e.id, diff)
					}
				}
				if tt.reasons != nil && tt.reasons[e.id] == nil && len(e.reasons) > 0 && !slices.ContainsFunc(tt.rules, func(r aisle.Rule) bool { return r.Action == aisle.RuleBury || r.Action == aisle.RuleBoost }) {
					t.Errorf("%s has reasons %q, moved by no rule", e.id, e.reasons)
				}
			}
		})
	}
}

// TestApplyWindows: a rule applies from its start until before its end,
// on the clock Live was given; outside, it does nothing but stays.
func TestApplyWindows(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	now := t0
	l := rules.New(func() time.Time { return now })
	err := l.Set([]aisle.Rule{
		{Name: "sale", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i5"}}, Start: t0.Add(time.Hour), End: t0.Add(2 * time.Hour)},
		{Name: "gone", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Items: []string{"i0"}}, End: t0.Add(30 * time.Minute)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Duration
		want string
	}{
		{0, "i1 i2 i3"},
		{30 * time.Minute, "i0 i1 i2"},
		{time.Hour, "i5 i0 i1"},
		{2*time.Hour - time.Nanosecond, "i5 i0 i1"},
		{2 * time.Hour, "i0 i1 i2"},
	} {
		now = t0.Add(tt.at)
		if got := ids(rules.Apply(l, ranked(10), 3, testCatalog())); got != tt.want {
			t.Errorf("at +%v: %s, want %s", tt.at, got, tt.want)
		}
	}
	if l.Len() != 2 {
		t.Errorf("Len = %d, want 2: rules outside their window stay", l.Len())
	}
}

// TestSetRefusesBadRules: Set keeps the old rules when a new one is not
// valid or two share a name.
func TestSetRefusesBadRules(t *testing.T) {
	l := rules.New(nil)
	good := aisle.Rule{Name: "b", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Items: []string{"i0"}}}
	if err := l.Set([]aisle.Rule{good}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]aisle.Rule{
		{good, {Name: "x", Action: aisle.RulePin, Match: aisle.RuleMatch{Items: []string{"i1"}}}},
		{good, good},
	} {
		if err := l.Set(bad); err == nil {
			t.Errorf("Set(%+v) = nil, want an error", bad)
		}
	}
	if got := ids(rules.Apply(l, ranked(5), 2, testCatalog())); got != "i1 i2" {
		t.Errorf("after refused sets: %s, want the first rules in force (i1 i2)", got)
	}
	if got := ids(rules.Apply(nil, ranked(5), 2, testCatalog())); got != "i0 i1" {
		t.Errorf("nil Live: %s", got)
	}
}

func TestReach(t *testing.T) {
	l := rules.New(nil)
	if got := l.Reach(10); got != 10 {
		t.Errorf("Reach without rules = %d, want 10", got)
	}
	l.Set([]aisle.Rule{
		{Name: "a", Action: aisle.RuleBury, Strength: 7, Match: aisle.RuleMatch{Brands: []string{"x"}}},
		{Name: "p", Action: aisle.RulePin, Position: 3, Match: aisle.RuleMatch{Items: []string{"x"}}},
	})
	if got := l.Reach(10); got != 28 {
		t.Errorf("Reach = %d, want 2×10 + 7 + 1 pin", got)
	}
}

// TestApplyCutoff: the first n places come out the same whether Apply
// matches every candidate or stops where no candidate can reach them,
// over random rules and lists.
func TestApplyCutoff(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cat := testCatalog()
	brands := []string{"Acme", "Zenith"}
	cats := []string{"Pens", "Paper", "Office"}
	for iter := range 2000 {
		var rs []aisle.Rule
		for j := range 1 + r.IntN(4) {
			rule := aisle.Rule{Name: fmt.Sprint("r", j)}
			switch r.IntN(4) {
			case 0:
				rule.Action = aisle.RuleBlock
			case 1:
				rule.Action, rule.Position = aisle.RulePin, 1+r.IntN(25)
			case 2:
				rule.Action, rule.Strength = aisle.RuleBoost, 1+r.IntN(3)
			default:
				rule.Action, rule.Strength = aisle.RuleBury, 1+r.IntN(3)
			}
			switch r.IntN(3) {
			case 0:
				rule.Match.Brands = []string{brands[r.IntN(2)]}
			case 1:
				rule.Match.Categories = []string{cats[r.IntN(3)]}
			default:
				rule.Match.Items = []string{fmt.Sprint("i", r.IntN(20)), []string{"x1", "x2"}[r.IntN(2)]}
			}
			rs = append(rs, rule)
		}
		l := rules.New(nil)
		if err := l.Set(rs); err != nil {
			t.Fatal(err)
		}
		list := ranked(20)
		r.Shuffle(len(list), func(a, b int) { list[a], list[b] = list[b], list[a] })
		list = list[:5+r.IntN(16)]
		n := 1 + r.IntN(5)
		got := ids(rules.Apply(l, list, n, cat))
		full := rules.Apply(l, list, len(list)+len(rs), cat)
		want := ids(full[:min(n, len(full))])
		if got != want {
			t.Fatalf("iteration %d, n=%d, rules %+v:\n got %s\nwant %s", iter, n, rs, got, want)
		}
	}
}
