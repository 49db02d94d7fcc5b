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
