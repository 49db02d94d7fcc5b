package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
)

// testRules checks the merchandising rules: created then replaced (its
// creation time kept), read back as written (normalised), listed in name
// order, checked naming the bad field, and deleted.
func testRules(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.Rules(ctx); err != nil || len(got) != 0 {
		t.Fatalf("Rules of an empty store = %v, %v", got, err)
	}
	if _, err := s.Rule(ctx, "nope"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("Rule(unknown) err = %v, want not_found", err)
	}
	price := 9.5
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	summer := aisle.Rule{
		Name: "summer-sale", Action: aisle.RuleBoost,
		Match: aisle.RuleMatch{Brands: []string{" Brother "}, Categories: []string{"Label Makers"}, Attributes: map[string]string{"color": "black"}, MaxPrice: &price},
		Start: start, End: start.Add(30 * 24 * time.Hour),
	}
	stored, created, err := s.PutRule(ctx, summer)
	if err != nil || !created {
		t.Fatalf("PutRule = %v, created %v", err, created)
	}
	want := summer
	want.Match.Brands = []string{"Brother"}
	want.Strength = aisle.DefaultRuleStrength
	ignoreTimes := cmp.FilterPath(func(p cmp.Path) bool {
		n := p.Last().String()
		return n == ".CreatedAt" || n == ".UpdatedAt"
	}, cmp.Ignore())
	if diff := cmp.Diff(stored, want, ignoreTimes); diff != "" {
		t.Errorf("PutRule returned (-got +want):\n%s", diff)
	}
	if stored.CreatedAt.IsZero() || !stored.UpdatedAt.Equal(stored.CreatedAt) {
		t.Errorf("new rule's times: created %v, updated %v", stored.CreatedAt, stored.UpdatedAt)
	}
	got, err := s.Rule(ctx, "summer-sale")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, stored); diff != "" {
		t.Errorf("Rule (-got +want):\n%s", diff)
	}
	pin := aisle.Rule{Name: "a-pin", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"i1"}}}
	if _, created, err := s.PutRule(ctx, pin); err != nil || !created {
		t.Fatalf("PutRule(pin) = %v, created %v", err, created)
	}
	// Replacing keeps the creation time and changes the rest.
	time.Sleep(2 * time.Millisecond)
	summer.Action, summer.Strength = aisle.RuleBury, 3
	replaced, created, err := s.PutRule(ctx, summer)
	if err != nil || created {
		t.Fatalf("PutRule (replace) = %v, created %v", err, created)
	}
	if !replaced.CreatedAt.Equal(stored.CreatedAt) || !replaced.UpdatedAt.After(stored.UpdatedAt) {
		t.Errorf("replaced rule's times: created %v (was %v), updated %v", replaced.CreatedAt, stored.CreatedAt, replaced.UpdatedAt)
	}
	all, err := s.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Name != "a-pin" || all[1].Name != "summer-sale" || all[1].Action != aisle.RuleBury || all[1].Strength != 3 {
		t.Errorf("Rules = %+v, want a-pin then summer-sale (bury 3)", all)
	}
	testBadRules(t, s)
	if err := s.DeleteRule(ctx, "summer-sale"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRule(ctx, "summer-sale"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("second DeleteRule err = %v, want not_found", err)
	}
	if all, err := s.Rules(ctx); err != nil || len(all) != 1 || all[0].Name != "a-pin" {
		t.Errorf("Rules after delete = %+v, %v", all, err)
	}
}

// testBadRules checks that PutRule refuses bad rules naming the field,
// and stores nothing of them.
func testBadRules(t *testing.T, s aisle.Store) {
	ctx := context.Background()
	neg := -1.0
	ok := aisle.RuleMatch{Brands: []string{"Brother"}}
	bad := []struct {
		name  string
		rule  aisle.Rule
		field string
	}{
		{"no name", aisle.Rule{Action: aisle.RuleBlock, Match: ok}, "name"},
		{"name with a control character", aisle.Rule{Name: "a\x01", Action: aisle.RuleBlock, Match: ok}, "name"},
		{"unknown action", aisle.Rule{Name: "x", Action: "promote", Match: ok}, "action"},
		{"empty match", aisle.Rule{Name: "x", Action: aisle.RuleBlock}, "match"},
		{"blank brand", aisle.Rule{Name: "x", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Brands: []string{" "}}}, "match.brands[0]"},
		{"too many categories", aisle.Rule{Name: "x", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Categories: strings.Split(strings.Repeat("c,", aisle.MaxRuleValues), ",")}}, "match.categories"},
		{"negative price", aisle.Rule{Name: "x", Action: aisle.RuleBlock, Match: aisle.RuleMatch{MinPrice: &neg}}, "match.min_price"},
		{"bad item id", aisle.Rule{Name: "x", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Items: []string{"ok", " padded"}}}, "match.items[1]"},
		{"pin without position", aisle.Rule{Name: "x", Action: aisle.RulePin, Match: ok}, "position"},
		{"pin beyond MaxN", aisle.Rule{Name: "x", Action: aisle.RulePin, Position: aisle.MaxN + 1, Match: ok}, "position"},
		{"boost with a position", aisle.Rule{Name: "x", Action: aisle.RuleBoost, Position: 2, Match: ok}, "position"},
		{"strength too big", aisle.Rule{Name: "x", Action: aisle.RuleBoost, Strength: aisle.MaxRuleStrength + 1, Match: ok}, "strength"},
		{"block with strength", aisle.Rule{Name: "x", Action: aisle.RuleBlock, Strength: 2, Match: ok}, "strength"},
		{"end before start", aisle.Rule{Name: "x", Action: aisle.RuleBlock, Match: ok, Start: time.Unix(100, 0), End: time.Unix(50, 0)}, "ends_at"},
	}
	for _, b := range bad {
		_, _, err := s.PutRule(ctx, b.rule)
		if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != b.field {
			t.Errorf("%s: err %v, want invalid naming %s", b.name, err, b.field)
		}
	}
	if _, err := s.Rule(ctx, "x"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("a refused rule was stored: %v", err)
	}
}
