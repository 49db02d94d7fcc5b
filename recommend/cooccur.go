package recommend

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/aislehq/aisle"
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

type touch struct {
	item int32
	t    time.Time
	seq  int64
}

// coBuilder accumulates user histories and builds a CoOccurrence.
type coBuilder struct {
	window, keep, maxHistory int
	ids                      []string
	index                    map[string]int32
	histories                map[string][]touch
}

func newCoBuilder(window, keep, maxHistory int) *coBuilder {
	return &coBuilder{window: window, keep: keep, maxHistory: maxHistory, index: make(map[string]int32), histories: make(map[string][]touch)}
}

// interactionTypes are the events that say a shopper was interested in an item.
func isInteraction(t aisle.EventType) bool {
	switch t {
	case aisle.EventView, aisle.EventClick, aisle.EventAddToCart, aisle.EventPurchase, aisle.EventRating:
		return true
	}
	return false
}

func (b *coBuilder) add(e *aisle.Event) {
	if e.Item == "" || !isInteraction(e.Type) {
		return
	}
	idx, ok := b.index[e.Item]
	if !ok {
		idx = int32(len(b.ids))
		b.ids = append(b.ids, e.Item)
		b.index[e.Item] = idx
	}
	b.histories[e.User] = append(b.histories[e.User], touch{idx, e.Time, e.Seq})
}

func (b *coBuilder) build() *CoOccurrence {
	type pair struct{ a, b int32 }
	counts := make(map[pair]int32)
	users := make([]int32, len(b.ids)) // shoppers per item
	seen := make(map[int32]bool)
	for _, h := range b.histories {
		slices.SortFunc(h, func(x, y touch) int {
			if c := x.t.Compare(y.t); c != 0 {
				return c
			}
			return cmp.Compare(x.seq, y.seq)
		})
		// Repeated interactions with one item count once, at the latest.
		seq := make([]int32, 0, len(h))
		clear(seen)
		for i := len(h) - 1; i >= 0; i-- {
			if !seen[h[i].item] {
				seen[h[i].item] = true
				seq = append(seq, h[i].item)
			}
		}
		if len(seq) > b.maxHistory {
			seq = seq[:b.maxHistory] // the most recent ones
		}
		for _, it := range seq {
			users[it]++
		}
		for i := range seq {
			for j := i + 1; j < len(seq) && j <= i+b.window; j++ {
				x, y := seq[i], seq[j]
				if x > y {
					x, y = y, x
				}
				counts[pair{x, y}]++
			}
		}
	}
	lists := make([][]neighbor, len(b.ids))
	for p, c := range counts {
		s := float64(c) / math.Sqrt(float64(users[p.a])*float64(users[p.b]))
		lists[p.a] = append(lists[p.a], neighbor{b.ids[p.b], s, int(c)})
		lists[p.b] = append(lists[p.b], neighbor{b.ids[p.a], s, int(c)})
	}
	co := &CoOccurrence{neighbors: make(map[string][]neighbor, len(b.ids))}
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
		if len(l) > b.keep {
			l = slices.Clip(l[:b.keep])
		}
		co.neighbors[b.ids[i]] = l
	}
	return co
}
