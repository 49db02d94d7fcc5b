package search

import (
	"container/heap"
	"slices"

	"github.com/aislehq/aisle/vector"
)

// scored is a slot with a similarity.
type scored struct {
	slot  int32
	score float32
}

// VectorIndex is a nearest-neighbour index over unit vectors, for
// Config.Vectors; package vector's indexes satisfy it. It must be safe
// for concurrent use.
type VectorIndex interface {
	// Add stores v under id, replacing any vector id had.
	Add(id int32, v []float32)
	// Delete removes id.
	Delete(id int32)
	// Search returns up to k ids with the highest dot product with q,
	// best first, among those keep accepts.
	Search(q []float32, k int, keep func(id int32) bool) []vector.Hit
}

// denseLocked returns the Config.DenseK kept documents most similar to
// qv (dot product of unit vectors), best first, with positive
// similarity only: from Config.Vectors, or else by scanning every
// vector (exact, and at a few thousand items well under a millisecond).
// It needs x.mu held for reading.
func (x *Index) denseLocked(qv []float32, keep func(int32) bool) []scored {
	if x.cfg.Vectors != nil {
		hits := x.cfg.Vectors.Search(qv, x.cfg.DenseK, func(key int32) bool {
			slot, ok := x.keySlot[key]
			return ok && keep(slot)
		})
		out := make([]scored, 0, len(hits))
		for _, h := range hits {
			if slot, ok := x.keySlot[h.ID]; ok && h.Score > 0 {
				out = append(out, scored{slot, h.Score})
			}
		}
		return out
	}
	h := make(minHeap, 0, x.cfg.DenseK)
	for slot := range x.docs {
		v := x.docs[slot].vec
		if v == nil || !keep(int32(slot)) {
			continue
		}
		s := dot(qv, v)
		switch {
		case s <= 0:
		case len(h) < x.cfg.DenseK:
			heap.Push(&h, scored{int32(slot), s})
		case s > h[0].score:
			h[0] = scored{int32(slot), s}
			heap.Fix(&h, 0)
		}
	}
	slices.SortFunc(h, compareScored)
	return []scored(h)
}

// compareScored orders best first, equal scores by slot.
func compareScored(a, b scored) int {
	switch {
	case a.score > b.score:
		return -1
	case a.score < b.score:
		return 1
	}
	return int(a.slot - b.slot)
}

// dot returns the dot product of a and b, which have the same length.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// minHeap keeps the best scores seen, the worst on top.
type minHeap []scored

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i].score < h[j].score }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(v any)        { *h = append(*h, v.(scored)) }
func (h *minHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
