package recommend

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRankCart checks the scaling and summing of RankCart, that the
// basket's own items and kinds are kept apart, and CartKind.
func TestRankCart(t *testing.T) {
	neighbors := map[string]map[string][]string{ // source → item → neighbours, best first
		"after":    {"printer": {"printer-2", "ink", "paper"}, "pen": {"refill", "ink"}},
		"together": {"printer": {"ink", "cable"}},
	}
	var sources []CartSource[string]
	for _, name := range []string{"after", "together"} {
		sources = append(sources, CartSource[string]{Name: name, Reason: name + " %q", Neighbors: func(id string) ([]string, []float32) {
			items := neighbors[name][id]
			weights := make([]float32, len(items))
			for k := range items {
				weights[k] = float32(len(items) - k) // best first
			}
			return items, weights
		}})
	}
	kind := func(id string) string {
		return map[string]string{"printer": "printers", "printer-2": "printers", "ink": "ink", "pen": "pens"}[id]
	}
	complements, same := RankCart(sources, []string{"printer", "pen"}, kind)
	var got []string
	for _, p := range complements {
		got = append(got, p.Item)
	}
	// ink: 2/3 after the printer + 1/2 after the pen + 1 together = 2.17.
	if d := cmp.Diff(got, []string{"ink", "refill", "cable", "paper"}); d != "" {
		t.Errorf("complements (-got +want):\n%s", d)
	}
	if len(same) != 1 || same[0].Item != "printer-2" {
		t.Errorf("same kind = %+v, want printer-2 alone", same)
	}
	if ink := complements[0]; ink.Models != 3 || ink.Source != 1 || ink.Anchor != "printer" {
		t.Errorf("ink: %+v, want both sources, the reason from together with the printer", ink)
	}
	for want, path := range map[string][]string{
		"printers":    {"Office Electronics", "Printers & Accessories", "Printers", "Inkjet Printers"},
		"inkjet ink":  {"Office & School Supplies", "Printer Ink & Toner", "Inkjet Ink"},
		"":            nil,
		"accessories": {"Accessories"},
	} {
		if got := CartKind(path); got != want {
			t.Errorf("CartKind(%q) = %q, want %q", path, got, want)
		}
	}
}
