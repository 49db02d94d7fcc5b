package recommend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
)

// TestApplyRulesInsert: a pin inserts an item the list lacks only when
// the catalog has it, it can be bought, the request's filter keeps it
// and it is not skipped (excluded, bought); the first that qualifies is
// taken, titled, with the rule's reason.
func TestApplyRulesInsert(t *testing.T) {
	live := rules.New(nil)
	e := NewEngine(nil, Deps{Rules: live}, Config{}, nil)
	e.mem = newMemory()
	price := 5.0
	for _, it := range []aisle.Item{
		{ID: "a", Title: "A", Brand: "Acme"}, {ID: "b", Title: "B", Brand: "Acme"}, {ID: "c", Title: "C", Brand: "Acme"},
		{ID: "gone", Title: "Gone", Availability: aisle.AvailabilityOutOfStock},
		{ID: "bought", Title: "Bought", Brand: "Acme"},
		{ID: "zen", Title: "Zen", Brand: "Zenith", Price: &price},
		{ID: "acme-new", Title: "Acme new", Brand: "Acme", Attributes: map[string]string{"Finish": "matte"}},
	} {
		e.mem.setItem(it.ID, briefOf(&it))
	}
	err := live.Set([]aisle.Rule{{Name: "p", Action: aisle.RulePin, Position: 2, Match: aisle.RuleMatch{Items: []string{"nope", "gone", "bought", "zen", "acme-new"}}}})
	if err != nil {
		t.Fatal(err)
	}
	list := []aisle.Recommendation{{Item: "a", Title: "A"}, {Item: "b", Title: "B"}, {Item: "c", Title: "C"}}
	skip := map[string]bool{"bought": true}
	for _, tt := range []struct {
		name string
		f    *filter
		want []string
	}{
		{"no filter", nil, []string{"a", "zen", "b"}},
		{"brand filter leaves zen out", newFilter(aisle.RecommendRequest{Brand: "acme"}), []string{"a", "acme-new", "b"}},
		{"price filter leaves both out", newFilter(aisle.RecommendRequest{MinPrice: &price, Brand: "acme"}), []string{"a", "b", "c"}},
	} {
		got := e.applyRules(list, 3, tt.f, skip)
		var ids []string
		for _, r := range got {
			ids = append(ids, r.Item)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, ids, tt.want)
		}
		if got[1].Item != "b" && (got[1].Title == "" || !slices.Equal(got[1].Models, []string{ModelRule}) || !slices.Contains(got[1].Reasons, `pinned to position 2 by rule "p"`)) {
			t.Errorf("%s: inserted %+v", tt.name, got[1])
		}
	}
	if list[0].Reasons != nil || list[1].Reasons != nil {
		t.Errorf("applyRules changed the caller's list: %+v", list)
	}
	// An attribute rule matches the item's attributes, case-insensitively.
	live.Set([]aisle.Rule{{Name: "x", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Attributes: map[string]string{"finish": "MATTE"}}}})
	if got := e.applyRules([]aisle.Recommendation{{Item: "acme-new"}, {Item: "a"}}, 2, nil, nil); len(got) != 1 || got[0].Item != "a" {
		t.Errorf("attribute block: %+v", got)
	}
}

// BenchmarkRecommendRulesOffice: Recommend on Office (popularity and
// co-occurrence, no trained version) with no rule set, and with ten
// active rules, which gather Reach(10) candidates and apply them.
func BenchmarkRecommendRulesOffice(b *testing.B) {
	ctx := context.Background()
	db := officeStore(b, 0)
	live := rules.New(nil)
	e := NewEngine(db, Deps{Rules: live}, Config{}, nil)
	if err := e.Open(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	var users []string
	for u := range e.mem.recent {
		users = append(users, u)
	}
	slices.Sort(users)
	pop := e.popular(300)
	var rs []aisle.Rule
	for i := range 10 {
		id := pop[20+i].id
		it := e.mem.items[id]
		r := aisle.Rule{Name: fmt.Sprint("r", i)}
		switch i % 4 {
		case 0:
			r.Action, r.Match.Categories = aisle.RuleBlock, []string{it.leaf()}
		case 1:
			r.Action, r.Match.Brands = aisle.RuleBoost, []string{cmp.Or(it.brand, "x")}
		case 2:
			r.Action, r.Strength, r.Match.Brands = aisle.RuleBury, 3, []string{cmp.Or(it.brand, "x")}
		default:
			r.Action, r.Position, r.Match.Items = aisle.RulePin, 1+i, []string{pop[250+i].id}
		}
		rs = append(rs, r)
	}
	for _, bc := range []struct {
		name  string
		rules []aisle.Rule
	}{{"rules=0", nil}, {"rules=10", rs}} {
		b.Run(bc.name, func(b *testing.B) {
			if err := live.Set(bc.rules); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := e.Recommend(ctx, users[i%len(users)], aisle.RecommendRequest{N: 10}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
