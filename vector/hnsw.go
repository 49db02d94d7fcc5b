package vector

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// DefaultEfSearch is the search breadth HNSW uses when HNSWConfig.EfSearch
// is zero: the smallest value measured to reach recall@10 ≥ 0.95 on the
// 1,000,000 × 128 benchmark (docs/BENCHMARKS.md).
const DefaultEfSearch = 128

// maxLevel caps the number of graph layers; with M = 16 a layer above 15
// would need about 16^15 nodes.
const maxLevel = 15

// lockStripes is the number of mutexes that serialise changes to neighbour
// lists between Build's workers (node s uses stripe s % lockStripes).
const lockStripes = 1024

// HNSWConfig sets an HNSW graph's shape. The zero value gives the defaults.
type HNSWConfig struct {
	// M is the number of neighbours a node gets on each layer above 0
	// (2M on layer 0). Zero means 16.
	M int
	// EfConstruction is the search breadth while inserting. Zero means 200.
	EfConstruction int
	// EfSearch is Search's breadth (SearchEf takes it per call). Zero
	// means DefaultEfSearch.
	EfSearch int
	// Seed seeds the random layer assignment; the same seed and the same
	// single-writer insertion order give the same graph.
	Seed uint64
	// ExactScanFactor tunes when a filtered search scans the kept ids
	// exactly instead of walking the graph: it does when the estimated
	// number of kept ids is at most ExactScanFactor·√(ef·2M·Len). The
	// walk expands about ef·Len/kept nodes of 2M neighbours each and the
	// scan scores the kept ids, so the two costs meet there with a factor
	// of √(cost of a walked neighbour / cost of a scanned vector), measured
	// at 2 (docs/BENCHMARKS.md). Zero means 2; a negative value never
	// scans.
	ExactScanFactor float64
}

// withDefaults returns cfg with zero fields set to their defaults.
func (cfg HNSWConfig) withDefaults() HNSWConfig {
	if cfg.M <= 0 {
		cfg.M = 16
	}
	if cfg.EfConstruction <= 0 {
		cfg.EfConstruction = 200
	}
	if cfg.EfSearch <= 0 {
		cfg.EfSearch = DefaultEfSearch
	}
	if cfg.ExactScanFactor == 0 {
		cfg.ExactScanFactor = 2
	}
	return cfg
}

// HNSW is an approximate nearest-neighbour index: a hierarchical navigable
// small-world graph over the vectors. Nodes are numbered by slot in order
// of insertion; all vectors live in one []float32, and layer 0's neighbour
// lists in one []int32 (per node a count then up to 2M slots), so the graph
// costs 4·(2M+1) bytes a node plus a little for the few nodes on upper
// layers.
//
// Delete marks a node as a tombstone: it stays in the graph so searches
// still pass through it, but it is never returned. Adding an existing id
// tombstones its old node and inserts a new one. Tombstones keep their
// memory until the index is rebuilt.
//
// Locking: Search, SearchEf, SearchIDs, Len and WriteTo may run from any
// number of goroutines, concurrently with one writer (Add, Delete, Build,
// ReadFrom, UnmarshalBinary); writers are serialised among themselves by an
// internal mutex. Searches hold a read lock. A writer holds the write lock
// only to grow storage, record ids and mark tombstones, and links a new
// node under the read lock, changing neighbour lists with atomic stores so
// that concurrent searches always read whole entries. Build's workers
// serialise their changes to one node's list with striped mutexes.
//
// Make one with NewHNSW or ReadHNSW; the zero value is only a target for
// UnmarshalBinary.
type HNSW struct {
	dim, m, m0, efC, efSearch int
	seed                      uint64
	ml                        float64
	scanFactor                float64
	visited                   sync.Pool // *visitSet

	// wmu serialises writers; it guards rng.
	wmu sync.Mutex
	rng *rand.Rand

	// mu guards the fields below it: writers hold it for writing to change
	// slice headers, slot, dead and live; neighbour-list entries are
	// changed under the read lock with atomic stores (see the type doc).
	mu       sync.RWMutex
	vecs     []float32       // slot*dim
	ids      []int32         // slot → id
	levels   []uint8         // slot → top layer
	dead     []bool          // slot → tombstone
	layer0   []int32         // slot*(m0+1): count, then neighbours
	upperOff []uint32        // slot → offset in upper of its layer-1 list
	upper    []int32         // per node on layer ≥ 1: level lists of (m+1)
	slot     map[int32]int32 // live id → slot
	live     int
	entry    atomic.Int64 // top layer<<32 | slot of the entry point; -1 when empty

	locks [lockStripes]sync.Mutex
}

var _ Index = (*HNSW)(nil)

// NewHNSW returns an empty graph for vectors of length dim.
func NewHNSW(dim int, cfg HNSWConfig) *HNSW {
	cfg = cfg.withDefaults()
	h := &HNSW{
		dim:        dim,
		m:          cfg.M,
		m0:         2 * cfg.M,
		efC:        cfg.EfConstruction,
		efSearch:   cfg.EfSearch,
		seed:       cfg.Seed,
		ml:         1 / math.Log(float64(cfg.M)),
		scanFactor: cfg.ExactScanFactor,
		rng:        rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		slot:       make(map[int32]int32),
	}
	h.entry.Store(-1)
	return h
}

// Dim returns the vector length.
func (h *HNSW) Dim() int { return h.dim }

// Len returns the number of live ids.
func (h *HNSW) Len() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.live
}

// Nodes returns the number of graph nodes, tombstones included.
func (h *HNSW) Nodes() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.ids)
}

// Bytes returns the memory the index holds for vectors, ids and graph,
// counted from its slices' capacities (the slot map excluded).
func (h *HNSW) Bytes() int64 {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return int64(cap(h.vecs))*4 + int64(cap(h.ids))*4 + int64(cap(h.levels)) + int64(cap(h.dead)) +
		int64(cap(h.layer0))*4 + int64(cap(h.upperOff))*4 + int64(cap(h.upper))*4
}

// Add inserts v under id; an existing id is tombstoned and re-inserted with
// the new vector. v is copied. It panics if len(v) is not Dim.
func (h *HNSW) Add(id int32, v []float32) {
	checkDim("add", len(v), h.dim)
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.mu.Lock()
	s := h.allocLocked(id, v)
	h.mu.Unlock()
	h.mu.RLock()
	defer h.mu.RUnlock()
	vis := h.getVisited()
	defer h.visited.Put(vis)
	h.link(s, vis)
}

// Delete tombstones id; deleting an absent id does nothing.
func (h *HNSW) Delete(id int32) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deleteLocked(id)
}

func (h *HNSW) deleteLocked(id int32) {
	if s, ok := h.slot[id]; ok {
		h.dead[s] = true
		delete(h.slot, id)
		h.live--
	}
}

// Build inserts len(ids) vectors, vecs holding them one after another,
// with workers goroutines linking nodes in parallel (workers < 1 means 1).
// It behaves as Add for each pair in order, except that the graph depends on
// the workers' interleaving. It returns an error if len(vecs) is not
// len(ids)·Dim.
func (h *HNSW) Build(ids []int32, vecs []float32, workers int) error {
	if err := checkBuild(len(ids), len(vecs), h.dim); err != nil {
		return err
	}
	h.build(ids, vecs, workers)
	return nil
}

// build is Build with lengths already checked.
func (h *HNSW) build(ids []int32, vecs []float32, workers int) {
	if len(ids) == 0 {
		return
	}
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.mu.Lock()
	first := int32(len(h.ids))
	h.growLocked(len(ids))
	for i, id := range ids {
		h.allocLocked(id, vecs[i*h.dim:(i+1)*h.dim])
	}
	last := int32(len(h.ids))
	h.mu.Unlock()

	h.mu.RLock()
	defer h.mu.RUnlock()
	next := first
	if h.entry.Load() < 0 {
		vis := h.getVisited()
		h.link(first, vis)
		h.visited.Put(vis)
		next++
	}
	var (
		counter atomic.Int32
		wg      sync.WaitGroup
	)
	counter.Store(next)
	for range max(workers, 1) {
		wg.Go(func() {
			vis := h.getVisited()
			defer h.visited.Put(vis)
			for s := counter.Add(1) - 1; s < last; s = counter.Add(1) - 1 {
				h.link(s, vis)
			}
		})
	}
	wg.Wait()
}

// growLocked makes room for n more nodes without reallocating.
func (h *HNSW) growLocked(n int) {
	h.vecs = slices.Grow(h.vecs, n*h.dim)
	h.ids = slices.Grow(h.ids, n)
	h.levels = slices.Grow(h.levels, n)
	h.dead = slices.Grow(h.dead, n)
	h.layer0 = slices.Grow(h.layer0, n*(h.m0+1))
	h.upperOff = slices.Grow(h.upperOff, n)
}

// allocLocked stores a new node for id with vector v and a random level,
// tombstoning id's old node, and returns its slot. The node is not linked.
func (h *HNSW) allocLocked(id int32, v []float32) int32 {
	h.deleteLocked(id)
	s := int32(len(h.ids))
	level := min(int(-math.Log(1-h.rng.Float64())*h.ml), maxLevel)
	h.vecs = append(h.vecs, v...)
	h.ids = append(h.ids, id)
	h.levels = append(h.levels, uint8(level))
	h.dead = append(h.dead, false)
	h.layer0 = extend(h.layer0, h.m0+1)
	h.upperOff = append(h.upperOff, uint32(len(h.upper)))
	h.upper = extend(h.upper, level*(h.m+1))
	h.slot[id] = s
	h.live++
	return s
}

// extend returns s grown by n zeroed elements.
func extend(s []int32, n int) []int32 {
	s = slices.Grow(s, n)
	s = s[:len(s)+n]
	clear(s[len(s)-n:])
	return s
}

// vec returns slot s's vector.
func (h *HNSW) vec(s int32) []float32 {
	return h.vecs[int(s)*h.dim : (int(s)+1)*h.dim : (int(s)+1)*h.dim]
}

// list returns slot s's neighbour list on layer l: the count, then room for
// the neighbours. Its entries must be read and written atomically.
func (h *HNSW) list(s int32, l int) []int32 {
	if l == 0 {
		o := int(s) * (h.m0 + 1)
		return h.layer0[o : o+h.m0+1 : o+h.m0+1]
	}
	o := int(h.upperOff[s]) + (l-1)*(h.m+1)
	return h.upper[o : o+h.m+1 : o+h.m+1]
}

// maxConn is the most neighbours a node keeps on layer l.
func (h *HNSW) maxConn(l int) int {
	if l == 0 {
		return h.m0
	}
	return h.m
}

// loadList copies the neighbours in list into buf.
func loadList(list []int32, buf []int32) []int32 {
	n := int(atomic.LoadInt32(&list[0]))
	buf = buf[:0]
	for i := 1; i <= n; i++ {
		buf = append(buf, atomic.LoadInt32(&list[i]))
	}
	return buf
}

// storeList replaces the neighbours in list with nb.
func storeList(list []int32, nb []int32) {
	for i, s := range nb {
		atomic.StoreInt32(&list[i+1], s)
	}
	atomic.StoreInt32(&list[0], int32(len(nb)))
}

// link connects the allocated node s into the graph. The caller holds
// h.mu for reading.
func (h *HNSW) link(s int32, vis *visitSet) {
	level := int(h.levels[s])
	e := h.entry.Load()
	if e < 0 {
		if h.entry.CompareAndSwap(-1, int64(level)<<32|int64(s)) {
			return
		}
		e = h.entry.Load()
	}
	q := h.vec(s)
	top, cur := int(e>>32), int32(e)
	curScore := dot(q, h.vec(cur))
	for l := top; l > level; l-- {
		cur, curScore = h.greedy(q, cur, curScore, l)
	}
	s3 := &vis.st
	var nb, buf []int32
	var cs []cand
	for l := min(level, top); l >= 0; l-- {
		s3.search(h, q, []cand{{curScore, cur}}, h.efC, l, nil, vis)
		w := s3.res
		slices.SortFunc(w, func(a, b cand) int { return cmpScore(b.score, a.score) })
		nb = h.selectNeighbours(w, h.m, nb[:0])
		mu := &h.locks[int(s)%lockStripes]
		mu.Lock()
		storeList(h.list(s, l), nb)
		mu.Unlock()
		for _, n := range nb {
			buf, cs = h.addLink(n, s, l, buf, cs)
		}
		cur, curScore = w[0].slot, w[0].score
	}
	for level > top {
		if h.entry.CompareAndSwap(e, int64(level)<<32|int64(s)) {
			return
		}
		e = h.entry.Load()
		top = int(e >> 32)
	}
}

// addLink adds s to n's list on layer l, pruning the list with the
// heuristic when it is full. buf and cs are scratch space, returned for
// reuse.
func (h *HNSW) addLink(n, s int32, l int, buf []int32, cs []cand) ([]int32, []cand) {
	mu := &h.locks[int(n)%lockStripes]
	mu.Lock()
	defer mu.Unlock()
	list := h.list(n, l)
	cnt := int(atomic.LoadInt32(&list[0]))
	if cnt < h.maxConn(l) {
		atomic.StoreInt32(&list[cnt+1], s)
		atomic.StoreInt32(&list[0], int32(cnt+1))
		return buf, cs
	}
	base := h.vec(n)
	buf = append(loadList(list, buf), s)
	cs = cs[:0]
	for _, x := range buf {
		cs = append(cs, cand{dot(base, h.vec(x)), x})
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmpScore(b.score, a.score) })
	buf = h.selectNeighbours(cs, h.maxConn(l), buf[:0])
	storeList(list, buf)
	return buf, cs
}

// selectNeighbours is Malkov & Yashunin's heuristic (their algorithm 4
// without extension or pruned-connection fill): from candidates sorted best
// first, it keeps a candidate only if it is closer to the base than to
// every candidate already kept, up to m, appending them to out.
func (h *HNSW) selectNeighbours(cands []cand, m int, out []int32) []int32 {
	for _, c := range cands {
		if len(out) >= m {
			break
		}
		v, ok := h.vec(c.slot), true
		for _, o := range out {
			if dot(v, h.vec(o)) > c.score {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c.slot)
		}
	}
	return out
}

// greedy walks layer l from cur to a local best for q.
func (h *HNSW) greedy(q []float32, cur int32, curScore float32, l int) (int32, float32) {
	for changed := true; changed; {
		changed = false
		list := h.list(cur, l)
		n := int(atomic.LoadInt32(&list[0]))
		for i := 1; i <= n; i++ {
			x := atomic.LoadInt32(&list[i])
			if sc := dot(q, h.vec(x)); sc > curScore {
				cur, curScore, changed = x, sc, true
			}
		}
	}
	return cur, curScore
}

func cmpScore(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// visitSet is one goroutine's scratch space for searches: it marks
// visited slots (a slot is visited when its mark equals the current
// generation) and keeps the heaps' storage between searches.
type visitSet struct {
	marks []uint32
	gen   uint32
	st    searchState
}

// getVisited returns a visit set large enough for the current nodes. The
// caller holds h.mu for reading and puts the set back when done.
func (h *HNSW) getVisited() *visitSet {
	v, _ := h.visited.Get().(*visitSet)
	if v == nil || len(v.marks) < len(h.ids) {
		return &visitSet{marks: make([]uint32, cap(h.ids))}
	}
	return v
}

// next starts a new search: every slot becomes unvisited.
func (v *visitSet) next() {
	v.gen++
	if v.gen == 0 {
		clear(v.marks)
		v.gen = 1
	}
}
