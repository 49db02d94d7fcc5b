package vector

import (
	"runtime"
	"sync"
)

// DefaultExactBelow is the catalog size below which New's index searches
// exactly (Config.ExactBelow's default). It is where the graph starts to win
// at equal recall on 128-d vectors (docs/BENCHMARKS.md): at 10,000 exact
// search and the graph at ef 256 (recall 1.000) cost the same, at 20,000
// the graph at ef 64 is 3.5× faster with recall 1.000, and at 5,000 exact
// search is faster than the graph at any ef.
const DefaultExactBelow = 10_000

// Config configures New. The zero value gives the defaults.
type Config struct {
	// ExactBelow: while the index holds fewer ids it is a Flat; when an
	// Add or Build brings it to ExactBelow it becomes an HNSW (and stays
	// one if deletes shrink it again). Zero means DefaultExactBelow; a
	// negative value means always HNSW.
	ExactBelow int
	// HNSW shapes the graph.
	HNSW HNSWConfig
	// Workers is the number of goroutines that build the graph when the
	// index switches or Build is called on a graph; zero means GOMAXPROCS.
	Workers int
}

// Auto is the index New returns: exact (Flat) while small, HNSW from
// Config.ExactBelow ids on. It is safe for concurrent use: any number of
// searches run beside one writer, and writers are serialised. The switch to
// HNSW happens inside the Add or Build that crosses the threshold, which
// builds the graph while searches continue on the exact index.
type Auto struct {
	dim int
	cfg Config

	// wmu serialises writers.
	wmu sync.Mutex

	// mu guards flat and graph; exactly one is set.
	mu    sync.RWMutex
	flat  *Flat
	graph *HNSW
}

var _ Index = (*Auto)(nil)

// New returns an empty index for vectors of length dim that chooses exact
// or graph search by size.
func New(dim int, cfg Config) *Auto {
	if cfg.ExactBelow == 0 {
		cfg.ExactBelow = DefaultExactBelow
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	a := &Auto{dim: dim, cfg: cfg}
	if cfg.ExactBelow < 0 {
		a.graph = NewHNSW(dim, cfg.HNSW)
	} else {
		a.flat = NewFlat(dim)
	}
	return a
}

// inner is what Auto needs of Flat and HNSW.
type inner interface {
	Index
	SearchIDs(q []float32, k int, ids []int32) []Hit
	Delete(id int32)
}

// current returns the index in use.
func (a *Auto) current() inner {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.graph != nil {
		return a.graph
	}
	return a.flat
}

// Exact reports whether searches are currently exact.
func (a *Auto) Exact() bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.graph == nil
}

// Dim returns the vector length.
func (a *Auto) Dim() int { return a.dim }

// Len returns the number of live ids.
func (a *Auto) Len() int { return a.current().Len() }

// Search returns up to k hits best first among the ids keep accepts (all
// when keep is nil); see Flat.Search and HNSW.Search.
func (a *Auto) Search(q []float32, k int, keep func(id int32) bool) []Hit {
	return a.current().Search(q, k, keep)
}

// SearchIDs returns the k best hits among ids, exactly.
func (a *Auto) SearchIDs(q []float32, k int, ids []int32) []Hit {
	return a.current().SearchIDs(q, k, ids)
}

// Delete removes id; deleting an absent id does nothing.
func (a *Auto) Delete(id int32) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.current().Delete(id)
}

// Add stores v under id, replacing an existing id's vector, and switches
// to HNSW when the index reaches Config.ExactBelow ids: that Add builds the
// graph (seconds at 10,000 ids) while searches go on. It panics if len(v)
// is not Dim.
func (a *Auto) Add(id int32, v []float32) {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.RLock()
	flat, graph := a.flat, a.graph
	a.mu.RUnlock()
	if graph != nil {
		graph.Add(id, v)
		return
	}
	flat.Add(id, v)
	if flat.Len() >= a.cfg.ExactBelow {
		ids, vecs := flat.snapshot()
		a.switchLocked(ids, vecs)
	}
}

// Build adds len(ids) vectors held one after another in vecs, as Add
// would one by one, building a graph with Config.Workers goroutines. It
// returns an error if len(vecs) is not len(ids)·Dim.
func (a *Auto) Build(ids []int32, vecs []float32) error {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.RLock()
	flat, graph := a.flat, a.graph
	a.mu.RUnlock()
	if graph != nil {
		return graph.Build(ids, vecs, a.cfg.Workers)
	}
	if err := checkBuild(len(ids), len(vecs), a.dim); err != nil {
		return err
	}
	if flat.Len()+len(ids) < a.cfg.ExactBelow {
		for i, id := range ids {
			flat.Add(id, vecs[i*a.dim:(i+1)*a.dim])
		}
		return nil
	}
	old, oldVecs := flat.snapshot()
	a.switchLocked(append(old, ids...), append(oldVecs, vecs...))
	return nil
}

// switchLocked builds a graph of ids and vecs and puts it in the exact
// index's place. The caller holds wmu; len(vecs) is len(ids)·Dim.
func (a *Auto) switchLocked(ids []int32, vecs []float32) {
	g := NewHNSW(a.dim, a.cfg.HNSW)
	g.build(ids, vecs, a.cfg.Workers)
	a.mu.Lock()
	a.flat, a.graph = nil, g
	a.mu.Unlock()
}
