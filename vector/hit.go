package vector

import (
	"fmt"
	"slices"
)

// Hit is one search result: the id given to Add and its inner product with
// the query.
type Hit struct {
	ID    int32
	Score float32
}

// Index is a nearest-neighbour index over unit-length vectors.
// Implementations in this package (Flat, HNSW, Auto) are safe for
// concurrent use.
type Index interface {
	// Search returns up to k hits, best first (equal scores by smaller
	// id). keep, when not nil, is called during the search and only ids it
	// returns true for come back; k hits come back whenever k kept ids
	// exist. q must have Dim elements. keep must be safe to call from
	// several goroutines when Search is.
	Search(q []float32, k int, keep func(id int32) bool) []Hit
	// Len returns the number of live (added and not deleted) ids.
	Len() int
	// Dim returns the vector length the index was made for.
	Dim() int
}

// better reports whether a ranks before b: a higher score, or an equal
// score and a smaller id.
func better(a, b Hit) bool {
	return a.Score > b.Score || (a.Score == b.Score && a.ID < b.ID)
}

// compareHits orders hits best first, for slices.SortFunc.
func compareHits(a, b Hit) int {
	switch {
	case better(a, b):
		return -1
	case better(b, a):
		return 1
	}
	return 0
}

// topK keeps the k best hits seen so far in a min-heap whose root is the
// worst kept hit. The zero value keeps nothing; use newTopK.
type topK struct {
	k int
	h []Hit
}

func newTopK(k int) topK { return topK{k: k, h: make([]Hit, 0, k)} }

// push offers hit; it is kept if fewer than k are kept or it beats the
// worst kept hit.
func (t *topK) push(hit Hit) {
	if len(t.h) < t.k {
		t.h = append(t.h, hit)
		i := len(t.h) - 1
		for i > 0 {
			p := (i - 1) / 2
			if !better(t.h[p], t.h[i]) {
				break
			}
			t.h[p], t.h[i] = t.h[i], t.h[p]
			i = p
		}
		return
	}
	if t.k == 0 || !better(hit, t.h[0]) {
		return
	}
	t.h[0] = hit
	t.siftDown()
}

func (t *topK) siftDown() {
	h, i := t.h, 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		w := l
		if r := l + 1; r < len(h) && better(h[l], h[r]) {
			w = r
		}
		if !better(h[i], h[w]) {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}

// sorted returns the kept hits best first; the heap is consumed.
func (t *topK) sorted() []Hit {
	slices.SortFunc(t.h, compareHits)
	return t.h
}

// checkDim panics when a vector given to op has length n instead of dim: a
// vector of the wrong length is a programming error, as with an index out
// of range.
func checkDim(op string, n, dim int) {
	if n != dim {
		panic(fmt.Sprintf("vector: %s: vector length %d, want %d", op, n, dim))
	}
}

// searchIDs returns the k best hits among ids, exactly, taking each id's
// vector from vec (false: the id is not held, skip it).
func searchIDs(q []float32, k int, ids []int32, vec func(id int32) ([]float32, bool)) []Hit {
	if k <= 0 {
		return nil
	}
	top := newTopK(min(k, len(ids)))
	for _, id := range ids {
		if v, ok := vec(id); ok {
			top.push(Hit{ID: id, Score: dot(q, v)})
		}
	}
	return top.sorted()
}

// checkBuild returns an error unless nFloats holds nIDs vectors of dim.
func checkBuild(nIDs, nFloats, dim int) error {
	if nFloats != nIDs*dim {
		return fmt.Errorf("vector build: %d floats for %d vectors of %d", nFloats, nIDs, dim)
	}
	return nil
}
