package search

import "github.com/aislehq/aisle/vector"

// VectorIndex is a nearest-neighbour index over unit vectors, for
// Deps.Vectors; package vector's indexes satisfy it. It must be safe
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

// nearestLocked returns the k documents most similar to qv (dot product
// of unit vectors) in vi, which knows them by key (Deps.Vectors or the
// image vectors), that keep accepts (nil: all), best first, with
// positive similarity only. It needs x.mu held for reading.
func (x *Index) nearestLocked(vi VectorIndex, qv []float32, k int, keep func(int32) bool) []scored {
	var keepKey func(int32) bool
	if keep != nil {
		keepKey = func(key int32) bool {
			slot, ok := x.keySlot[key]
			return ok && keep(slot)
		}
	}
	hits := vi.Search(qv, k, keepKey)
	out := make([]scored, 0, len(hits))
	for _, h := range hits {
		if slot, ok := x.keySlot[h.ID]; ok && h.Score > 0 {
			out = append(out, scored{slot, h.Score})
		}
	}
	return out
}

// scored is a slot with a score.
type scored struct {
	slot  int32
	score float32
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
