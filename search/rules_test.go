package search_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
	"github.com/aislehq/aisle/search"
)

// TestSearchRules: blocked items leave the matches, the total and the
// facets; a pin puts a match, or an item the query did not find but the
// filters keep, at its place; a bury moves a match down; moved hits name
// their rule; pages follow the re-ranked order.
func TestSearchRules(t *testing.T) {
	live := rules.New(nil)
	x := newIndex(t, search.Config{}, search.Deps{Rules: live}, fixture(t))
	ctx := context.Background()
	before, err := x.Search(ctx, search.Request{Query: "stapler", N: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Items) < 3 {
		t.Fatalf("stapler finds %v", hitIDs(before.Items))
	}
	err = live.Set([]aisle.Rule{
		{Name: "no-bostitch", Action: aisle.RuleBlock, Match: aisle.RuleMatch{Brands: []string{"bostitch"}}},
		{Name: "pin-tape", Action: aisle.RulePin, Position: 1, Match: aisle.RuleMatch{Items: []string{"tape-1"}}},
		{Name: "sink", Action: aisle.RuleBury, Strength: 50, Match: aisle.RuleMatch{Items: []string{before.Items[0].ID}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, search.Request{Query: "stapler", N: 10})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, id := range hitIDs(before.Items)[1:] {
		if id != "stapler-2" && id != "stapler-old" {
			want = append(want, id)
		}
	}
	want = append(append([]string{"tape-1"}, want...), before.Items[0].ID)
	if diff := cmp.Diff(hitIDs(res.Items), want); diff != "" {
		t.Errorf("hits (-got +want):\n%s", diff)
	}
	if res.Total != len(want) {
		t.Errorf("total %d, want %d", res.Total, len(want))
	}
	for _, b := range res.Facets.Brands {
		if b.Value == "Bostitch" {
			t.Errorf("facets count the blocked brand: %+v", b)
		}
	}
	if diff := cmp.Diff(res.Items[0].Reasons, []string{`pinned to position 1 by rule "pin-tape"`}); diff != "" {
		t.Errorf("pinned hit's reasons (-got +want):\n%s", diff)
	}
	if last := res.Items[len(res.Items)-1]; !slices.Equal(last.Reasons, []string{`buried by rule "sink"`}) {
		t.Errorf("buried hit's reasons %q", last.Reasons)
	}
	// A pin the request's filters leave out is not inserted.
	res, err = x.Search(ctx, search.Request{Query: "stapler", N: 10, Brand: "Swingline"})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(hitIDs(res.Items), "tape-1") {
		t.Errorf("a pin outside the brand filter was inserted: %v", hitIDs(res.Items))
	}
	// Pages of one follow the same order.
	var paged []string
	req := search.Request{Query: "stapler", N: 1}
	for range 10 {
		page, err := x.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, hitIDs(page.Items)...)
		if req.Cursor = page.NextCursor; req.Cursor == "" {
			break
		}
	}
	if diff := cmp.Diff(paged, want); diff != "" {
		t.Errorf("pages (-got +want):\n%s", diff)
	}
}
