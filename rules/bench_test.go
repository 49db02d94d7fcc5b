package rules_test

import (
	"fmt"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
)

// BenchmarkApply: 10 rules (3 blocks, 3 boosts, 2 buries, 2 pins, one of
// them inserting) over 200 candidates of an Office-like catalog, keeping
// 10; and the same list with no rule set, the cost every request pays.
func BenchmarkApply(b *testing.B) {
	cats := [][]string{
		{"Office Products", "Office & School Supplies", "Writing & Correction Supplies", "Pens"},
		{"Office Products", "Office & School Supplies", "Paper", "Copy & Printer Paper"},
		{"Office Products", "Office Electronics", "Printers"},
		{"Office Products", "Office & School Supplies", "Labels", "Label Makers"},
	}
	brands := []string{"Brother", "Pilot", "HP", "Avery", "Sharpie", "Hammermill", "Epson", "Post-it"}
	c := catalog{items: map[string]rules.Item{}, insertable: map[string]bool{"new-1": true}}
	for i := range 2000 {
		price := float64(i%90) + 0.99
		c.items[fmt.Sprint("i", i)] = rules.Item{
			ID: fmt.Sprint("i", i), Brand: brands[i%len(brands)], Categories: cats[i%len(cats)],
			Attributes: map[string]string{"pack": fmt.Sprint(1 + i%12)}, Colors: []string{"black"}, Price: &price,
		}
	}
	c.items["new-1"] = rules.Item{ID: "new-1", Brand: "Brother", Categories: cats[3]}
	p := func(v float64) *float64 { return &v }
	rs := []aisle.Rule{
		{Name: "block-printers", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Categories: []string{"printers"}}},
		{Name: "block-epson", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Brands: []string{"Epson"}}},
		{Name: "block-pricey", Action: aisle.RuleBlock, Match: aisle.RuleMatch{MinPrice: p(85)}},
		{Name: "boost-brother", Action: aisle.RuleBoost, Match: aisle.RuleMatch{Brands: []string{"Brother"}}},
		{Name: "boost-12pack", Action: aisle.RuleBoost, Strength: 3, Match: aisle.RuleMatch{Attributes: map[string]string{"pack": "12"}}},
		{Name: "boost-labels", Action: aisle.RuleBoost, Match: aisle.RuleMatch{Categories: []string{"Label Makers"}, MaxPrice: p(30)}},
		{Name: "bury-sharpie", Action: aisle.RuleBury, Strength: 20, Match: aisle.RuleMatch{Brands: []string{"Sharpie"}}},
		{Name: "bury-some", Action: aisle.RuleBury, Match: aisle.RuleMatch{Items: []string{"i7", "i70", "i700"}}},
		{Name: "pin-1", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i150"}}},
		{Name: "pin-3", Action: aisle.RulePin, Position: 3, Match: aisle.RuleMatch{Items: []string{"new-1"}}},
	}
	list := make([]entry, 200)
	for i := range list {
		list[i].id = fmt.Sprint("i", i*7%2000)
	}
	for _, bc := range []struct {
		name  string
		rules []aisle.Rule
	}{{"rules=10", rs}, {"rules=0", nil}} {
		b.Run(bc.name+"/candidates=200", func(b *testing.B) {
			l := rules.New(nil)
			if err := l.Set(bc.rules); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if got := rules.Apply(l, list, 10, c); len(got) != 10 {
					b.Fatalf("%d items", len(got))
				}
			}
		})
	}
}
