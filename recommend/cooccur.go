package recommend

import (
	"cmp"
	"math"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/dataset"
)

// CoOccurrence holds, for each item, the items most often viewed or bought
// together with it: two items co-occur when one shopper interacted with
// both within Window positions of their history. Scores are cosine
// similarities over shoppers, c(i,j)/√(n(i)·n(j)), which keeps best-sellers
// from being everyone's neighbour.
//
// A CoOccurrence is immutable once built and safe for concurrent reads.
type CoOccurrence struct {
	neighbors map[string][]neighbor
}

type neighbor struct {
	id     string
	score  float64
	shared int // shoppers who had both
}

// isInteraction reports whether an event of type t says a shopper was
// interested in its item: the types package dataset keeps by default.
func isInteraction(t aisle.EventType) bool {
	return slices.Contains(dataset.DefaultTypes, t)
}

// buildCoOccurrence counts, over d's per-user sequences, the pairs of
// items within window positions of each other among each shopper's
// maxHistory most recent distinct items, and keeps each item's keep best
// neighbours.
func buildCoOccurrence(d *dataset.Dataset, window, keep, maxHistory int) *CoOccurrence {
	type pair struct{ a, b int32 }
	counts := make(map[pair]int32)
	users := make([]int32, d.NumItems()) // shoppers per item
	seen := make(map[int32]bool)
	for _, h := range d.Seqs {
		// Repeated interactions with one item count once, at the latest.
		seq := make([]int32, 0, len(h))
		clear(seen)
		for i := len(h) - 1; i >= 0; i-- {
			if !seen[h[i]] {
				seen[h[i]] = true
				seq = append(seq, h[i])
			}
		}
		if len(seq) > maxHistory {
			seq = seq[:maxHistory] // the most recent ones
		}
		for _, it := range seq {
			users[it]++
		}
		for i := range seq {
			for j := i + 1; j < len(seq) && j <= i+window; j++ {
				x, y := seq[i], seq[j]
				if x > y {
					x, y = y, x
				}
				counts[pair{x, y}]++
			}
		}
	}
	lists := make([][]neighbor, d.NumItems())
	for p, c := range counts {
		s := float64(c) / math.Sqrt(float64(users[p.a])*float64(users[p.b]))
		lists[p.a] = append(lists[p.a], neighbor{d.Items[p.b], s, int(c)})
		lists[p.b] = append(lists[p.b], neighbor{d.Items[p.a], s, int(c)})
	}
	co := &CoOccurrence{neighbors: make(map[string][]neighbor, d.NumItems())}
	for i, l := range lists {
		if len(l) == 0 {
			continue
		}
		slices.SortFunc(l, func(x, y neighbor) int {
			if c := cmp.Compare(y.score, x.score); c != 0 {
				return c
			}
			return cmp.Compare(x.id, y.id)
		})
		if len(l) > keep {
			l = slices.Clip(l[:keep])
		}
		co.neighbors[d.Items[i]] = l
	}
	return co
}
