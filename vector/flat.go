package vector

import "sync"

// Flat is an exact index: Search scores every live vector. Vectors are kept
// in one contiguous slice; Delete moves the last vector into the freed
// place, so the slice stays dense.
//
// Flat is safe for concurrent use: Search and Len take a read lock, Add and
// Delete a write lock.
type Flat struct {
	dim int

	// mu guards the fields below.
	mu   sync.RWMutex
	vecs []float32       // len(ids)*dim
	ids  []int32         // slot → id
	slot map[int32]int32 // id → slot
}

var _ Index = (*Flat)(nil)

// NewFlat returns an empty exact index for vectors of length dim.
func NewFlat(dim int) *Flat {
	return &Flat{dim: dim, slot: make(map[int32]int32)}
}

// Dim returns the vector length.
func (f *Flat) Dim() int { return f.dim }

// Len returns the number of ids held.
func (f *Flat) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.ids)
}

// Add stores v under id, replacing the vector an existing id had. v is
// copied. It panics if len(v) is not Dim, like Search.
func (f *Flat) Add(id int32, v []float32) {
	checkDim("add", len(v), f.dim)
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.slot[id]; ok {
		copy(f.vecs[int(s)*f.dim:], v)
		return
	}
	f.slot[id] = int32(len(f.ids))
	f.ids = append(f.ids, id)
	f.vecs = append(f.vecs, v...)
}

// Delete removes id; deleting an absent id does nothing.
func (f *Flat) Delete(id int32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.slot[id]
	if !ok {
		return
	}
	last := len(f.ids) - 1
	if int(s) != last {
		moved := f.ids[last]
		f.ids[s] = moved
		f.slot[moved] = s
		copy(f.vecs[int(s)*f.dim:(int(s)+1)*f.dim], f.vecs[last*f.dim:])
	}
	f.ids = f.ids[:last]
	f.vecs = f.vecs[:last*f.dim]
	delete(f.slot, id)
}

// Vector returns a copy of id's vector and whether id is held.
func (f *Flat) Vector(id int32) ([]float32, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	s, ok := f.slot[id]
	if !ok {
		return nil, false
	}
	return append([]float32(nil), f.vecs[int(s)*f.dim:(int(s)+1)*f.dim]...), true
}

// Search returns the k best hits among the ids keep accepts (all when keep
// is nil), exactly. It panics if len(q) is not Dim.
func (f *Flat) Search(q []float32, k int, keep func(id int32) bool) []Hit {
	checkDim("search", len(q), f.dim)
	f.mu.RLock()
	defer f.mu.RUnlock()
	if k <= 0 || len(f.ids) == 0 {
		return nil
	}
	top := newTopK(min(k, len(f.ids)))
	for s, id := range f.ids {
		if keep != nil && !keep(id) {
			continue
		}
		top.push(Hit{ID: id, Score: dot(q, f.vecs[s*f.dim:(s+1)*f.dim])})
	}
	return top.sorted()
}

// SearchIDs returns the k best hits among ids, exactly; ids not held are
// skipped and ids must not repeat. It is the cheapest search when the
// caller already has the short list of allowed ids. It panics if len(q) is not Dim.
func (f *Flat) SearchIDs(q []float32, k int, ids []int32) []Hit {
	checkDim("search", len(q), f.dim)
	f.mu.RLock()
	defer f.mu.RUnlock()
	return searchIDs(q, k, ids, func(id int32) ([]float32, bool) {
		s, ok := f.slot[id]
		if !ok {
			return nil, false
		}
		return f.vecs[int(s)*f.dim : (int(s)+1)*f.dim], true
	})
}

// snapshot returns copies of the ids and their vectors, in slot order.
func (f *Flat) snapshot() ([]int32, []float32) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return append([]int32(nil), f.ids...), append([]float32(nil), f.vecs...)
}
