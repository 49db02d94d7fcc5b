package aisle_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
)

func TestItemColors(t *testing.T) {
	tests := []struct {
		name string
		item aisle.Item
		want []string
	}{
		{"none", aisle.Item{}, nil},
		{"text only", aisle.Item{Extracted: &aisle.Extracted{Colors: []string{"black", "red"}}}, []string{"black", "red"}},
		{"photo only", aisle.Item{Visual: &aisle.Visual{Colors: []string{"navy blue"}}}, []string{"navy blue"}},
		{"text first, the photo's not named already", aisle.Item{
			Extracted: &aisle.Extracted{Colors: []string{"black"}},
			Visual:    &aisle.Visual{Colors: []string{"Black", "white"}},
		}, []string{"black", "white"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.item.Colors(), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
	// The text's colours are not modified.
	it := aisle.Item{Extracted: &aisle.Extracted{Colors: []string{"black"}}, Visual: &aisle.Visual{Colors: []string{"white"}}}
	it.Colors()
	if len(it.Extracted.Colors) != 1 {
		t.Errorf("Colors changed Extracted.Colors to %v", it.Extracted.Colors)
	}
}

func TestPriceWithin(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	tests := []struct {
		name            string
		price, min, max *float64
		want            bool
	}{
		{"no limits, no price", nil, nil, nil, true},
		{"no limits", p(5), nil, nil, true},
		{"a limit, no price", nil, p(1), nil, false},
		{"at the floor", p(1), p(1), nil, true},
		{"below the floor", p(0.5), p(1), nil, false},
		{"at the ceiling", p(9), nil, p(9), true},
		{"above the ceiling", p(9.5), nil, p(9), false},
		{"within both", p(5), p(1), p(9), true},
	}
	for _, tt := range tests {
		if got := aisle.PriceWithin(tt.price, tt.min, tt.max); got != tt.want {
			t.Errorf("%s: PriceWithin = %v, want %v", tt.name, got, tt.want)
		}
	}
}
