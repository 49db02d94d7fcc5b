package recommend

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// TestPopularityBestStaysExact feeds random events, with rebases, and
// checks that the incrementally kept best list equals a full sort.
func TestPopularityBestStaysExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := newPopularity(time.Hour, DefaultConfig().Weights, 20)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	types := []aisle.EventType{aisle.EventView, aisle.EventPurchase, aisle.EventAddToCart}
	for k := range 5000 {
		e := aisle.Event{Item: fmt.Sprint("i", int(rng.ExpFloat64()*30)), Type: types[rng.IntN(len(types))], Time: t0.Add(time.Duration(k) * time.Minute)}
		p.add(&e)
		if k%500 != 499 {
			continue
		}
		var all []scored
		for id, s := range p.scores {
			all = append(all, scored{id, s})
		}
		slices.SortFunc(all, func(a, b scored) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
		got := p.top(20)
		for i := range got {
			if got[i].id != all[i].id {
				t.Fatalf("after %d events, place %d: %s, want %s", k+1, i, got[i].id, all[i].id)
			}
		}
	}
}
