package profile

import (
	"slices"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestItemTagsExported(t *testing.T) {
	tests := []struct {
		item string
		want []string
	}{
		{"tape", []string{"category:Office", "category:Labels", "category:Label Tapes", "brand:Brother", "color:black", "material:plastic", "keyword:tze", "keyword:laminated", "keyword:tape"}},
		{"pen", []string{"category:Office", "category:Pens", "category:Gel Pens", "brand:Pilot", "color:black", "photo_color:black", "photo_color:white", "photo_color:grey", "photo_category:Office", "photo_category:Pens"}},
		{"ink", []string{"category:Office", "category:Ink", "brand:Epson"}},
	}
	for _, tt := range tests {
		it := catalog[tt.item]
		var got []string
		for _, tag := range ItemTags(&it) {
			got = append(got, tag.String())
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ItemTags(%s) (-want +got):\n%s", tt.item, d)
		}
	}
}

func TestTop(t *testing.T) {
	b := New(Config{}, catalog, nil, nil)
	b.Observe([]aisle.Event{
		ev("ana", "tape", aisle.EventPurchase, t0),
		ev("ana", "tape", aisle.EventPurchase, t0),
		ev("ana", "pen", aisle.EventView, t0),
		ev("ana", "paper", aisle.EventClick, t0),
		ev("ana", "ink", aisle.EventAddToCart, t0),
	})
	brands := func(t Tag, _ bool) bool { return t.Kind == KindBrand }
	leaves := func(t Tag, leaf bool) bool { return t.Kind == KindCategory && leaf }
	tests := []struct {
		name string
		n    int
		keep func(Tag, bool) bool
		want []string
	}{
		// Brother 2, Epson 0.5, HP 0.2 (under a quarter of 2), Pilot 0.1.
		{"brands", 5, brands, []string{"brand:Brother", "brand:Epson"}},
		{"one brand", 1, brands, []string{"brand:Brother"}},
		{"leaves", 5, leaves, []string{"category:Label Tapes", "category:Ink"}},
		{"none", 0, brands, nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tv := range b.Top("ana", tt.n, tt.keep) {
			got = append(got, tv.ID)
			if len(tv.Support) == 0 {
				t.Errorf("%s: %s without support", tt.name, tv.ID)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: Top = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := b.Top("nobody", 3, brands); got != nil {
		t.Errorf("Top of an unknown shopper = %v", got)
	}
	if err := b.Exclude("ana", "brand:Brother"); err != nil {
		t.Fatal(err)
	}
	if got := b.Top("ana", 1, brands); len(got) != 1 || got[0].ID != "brand:Epson" {
		t.Errorf("Top after removing brand:Brother = %v", got)
	}
}
