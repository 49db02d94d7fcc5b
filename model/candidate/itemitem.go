package candidate

import (
	"errors"
	"math"
	"slices"
	"sync"

	"github.com/aislehq/aisle/internal/modelfile"
)

// ItemItem is a sparse linear item-to-item model: each item keeps its K
// strongest outgoing weights, and a shopper's score for item j is
// Σ_p w_p · W[history_p][j] over their last Window items, the most recent
// weighing exp(0) = 1 and the p-th before it exp(−p/Tau) (Tau 0 weighs
// every distinct history item 1, as EASE does).
//
// It is how the dense closed-form models (EASE, SLIST) are kept and served:
// a 12,101-item dense matrix is 585 MB, its top-200 rows 19 MB, and scoring
// touches only the rows of the shopper's recent items, whatever the catalog
// size. ItemItem is immutable and safe for concurrent use.
type ItemItem struct {
	n      int
	window int
	tau    float64
	rows   [][]weighted
	// acc pools *accumulator scratch for Top and ScoreItems.
	acc *sync.Pool
}

// newItemItem returns a model over n items with the given rows (all
// weights positive), scoring with window and tau.
func newItemItem(n, window int, tau float64, rows [][]weighted) *ItemItem {
	return &ItemItem{n: n, window: window, tau: tau, rows: rows,
		acc: &sync.Pool{New: func() any { return &accumulator{v: make([]float32, n)} }}}
}

// accumulator is a sparse score vector over a dense array: v[i] is item
// i's score, non-zero only for the items in touched.
type accumulator struct {
	v       []float32
	touched []int32
}

// sparsify keeps the k largest positive entries of each row of the dense
// n×n matrix b.
func sparsify(b []float32, n, k, window int, tau float64) *ItemItem {
	m := newItemItem(n, window, tau, make([][]weighted, n))
	for i := 0; i < n; i++ {
		m.rows[i] = topRow(b[i*n:i*n+n], int32(i), k)
	}
	return m
}

// topRow returns the k largest positive entries of row, best first,
// skipping the diagonal entry self.
func topRow(row []float32, self int32, k int) []weighted {
	var top []weighted
	for j, v := range row {
		if v <= 0 || int32(j) == self || (len(top) == k && v <= top[k-1].w) {
			continue
		}
		at, _ := slices.BinarySearchFunc(top, v, func(x weighted, t float32) int {
			if x.w > t {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, at, weighted{int32(j), v})
		if len(top) > k {
			top = top[:k]
		}
	}
	return slices.Clip(top)
}

// Sparsify returns EASE's top-k item-to-item weights as an ItemItem.
func (m *EASE) Sparsify(k int) *ItemItem { return sparsify(m.b, m.n, k, 0, 0) }

// Sparsify returns SLIST's top-k weights as an ItemItem scoring like SLIST.
func (m *SLIST) Sparsify(k int) *ItemItem {
	return sparsify(m.b, m.n, k, m.cfg.Window, m.cfg.ScoreTau)
}

// NumItems returns the number of items.
func (m *ItemItem) NumItems() int { return m.n }

// WithNeighbors returns how many items have at least one neighbour.
func (m *ItemItem) WithNeighbors() int {
	n := 0
	for _, row := range m.rows {
		if len(row) > 0 {
			n++
		}
	}
	return n
}

// Remap returns the model over a catalog of n items of which this model's
// item i is item orig[i]; the other items have no weights. It serves a
// model trained on the head of a large catalog (dataset.Head) over all of
// it. The rows are shared, not copied.
func (m *ItemItem) Remap(n int, orig []int32) *ItemItem {
	rows := make([][]weighted, n)
	for i, row := range m.rows {
		out := make([]weighted, len(row))
		for k, x := range row {
			out[k] = weighted{orig[x.item], x.w}
		}
		rows[orig[i]] = out
	}
	return newItemItem(n, m.window, m.tau, rows)
}

// Neighbors returns item i's strongest items and weights, best first. The
// slices must not be modified.
func (m *ItemItem) Neighbors(i int32) (items []int32, weights []float32) {
	for _, x := range m.rows[i] {
		items = append(items, x.item)
		weights = append(weights, x.w)
	}
	return items, weights
}

// Weight returns the weight from item i to item j: 0 unless j is among
// i's kept neighbours.
func (m *ItemItem) Weight(i, j int32) float32 {
	if i < 0 || int(i) >= m.n {
		return 0
	}
	for _, x := range m.rows[i] {
		if x.item == j {
			return x.w
		}
	}
	return 0
}

// votes calls f for each history item that votes, with its weight.
func (m *ItemItem) votes(history []int32, f func(i int32, w float32)) {
	recent := history
	if m.window > 0 && len(recent) > m.window {
		recent = recent[len(recent)-m.window:]
	}
	if m.tau == 0 {
		recent = distinctSmall(recent)
	}
	for p, i := range recent {
		if i < 0 || int(i) >= m.n {
			continue
		}
		w := float32(1)
		if m.tau > 0 {
			w = float32(math.Exp(-float64(len(recent)-1-p) / m.tau))
		}
		f(i, w)
	}
}

// Score writes the shopper's score of every item into scores.
func (m *ItemItem) Score(history []int32, scores []float32) {
	clear(scores[:m.n])
	m.votes(history, func(i int32, w float32) {
		for _, x := range m.rows[i] {
			scores[x.item] += w * x.w
		}
	})
}

// accumulate adds the shopper's scores into a fresh accumulator from the
// pool, touching only the rows of their recent items; the caller returns
// it with release.
func (m *ItemItem) accumulate(history []int32) *accumulator {
	a := m.acc.Get().(*accumulator)
	m.votes(history, func(i int32, w float32) {
		for _, x := range m.rows[i] {
			if a.v[x.item] == 0 {
				a.touched = append(a.touched, x.item)
			}
			a.v[x.item] += w * x.w
		}
	})
	return a
}

// release clears a's touched entries and returns it to the pool.
func (m *ItemItem) release(a *accumulator) {
	for _, i := range a.touched {
		a.v[i] = 0
	}
	a.touched = a.touched[:0]
	m.acc.Put(a)
}

// Top returns the shopper's k best-scoring items, best first (ties by
// index), and their scores; only items with a positive score qualify. It
// costs O(touched · log k) for the weights the recent items' rows hold,
// whatever the catalog size. Top is safe for concurrent use.
func (m *ItemItem) Top(history []int32, k int) ([]int32, []float32) {
	a := m.accumulate(history)
	defer m.release(a)
	best := topTouched(a.touched, a.v, k)
	scores := make([]float32, len(best))
	for j, i := range best {
		scores[j] = a.v[i]
	}
	return best, scores
}

// ScoreItems writes the shopper's score of items[j] into out[j], as Score
// would, touching only the recent items' rows. It is safe for concurrent
// use.
func (m *ItemItem) ScoreItems(history, items []int32, out []float32) {
	a := m.accumulate(history)
	defer m.release(a)
	m.scoreFrom(a, items, out)
}

// scoreFrom writes a's score of items[j] into out[j].
func (m *ItemItem) scoreFrom(a *accumulator, items []int32, out []float32) {
	for j, i := range items {
		out[j] = 0
		if i >= 0 && int(i) < m.n {
			out[j] = a.v[i]
		}
	}
}

// Prepare accumulates history's votes once for both of a ranking's
// questions: top answers Top(history, k) and score ScoreItems(history,
// items, out), from the same votes. release returns them to the pool;
// neither function may be called after it. Accumulating is most of either
// call's cost, and a blend asks both for the same shopper.
func (m *ItemItem) Prepare(history []int32) (top func(k int) ([]int32, []float32), score func(items []int32, out []float32), release func()) {
	a := m.accumulate(history)
	top = func(k int) ([]int32, []float32) {
		best := topTouched(a.touched, a.v, k)
		scores := make([]float32, len(best))
		for j, i := range best {
			scores[j] = a.v[i]
		}
		return best, scores
	}
	score = func(items []int32, out []float32) { m.scoreFrom(a, items, out) }
	release = func() { m.release(a) }
	return top, score, release
}

// The item-item model's binary format (modelfile, CRC-32C): magic
// "AISLEIIM", version 2, then n and window uint32, tau float64, then per
// item its row's length uint32 and (item uint32, weight float32) pairs.
// Version 1 (magic "AISLEII1", no version word, CRC-32 IEEE) is still
// read.
var (
	itemItemFormat   = modelfile.Format{Magic: "AISLEIIM", Version: 2, Err: ErrItemItemFormat}
	itemItemFormatV1 = modelfile.Format{Magic: "AISLEII1", Checksum: modelfile.CRC32IEEE, Err: ErrItemItemFormat}
)

// ErrItemItemFormat is wrapped by UnmarshalBinary's errors.
var ErrItemItemFormat = errors.New("recall: not an item-item model")

// MarshalBinary encodes the model. It never fails.
func (m *ItemItem) MarshalBinary() ([]byte, error) {
	size := 16
	for _, row := range m.rows {
		size += 4 + 8*len(row)
	}
	e := itemItemFormat.NewEncoder(size)
	e.Uint32(uint32(m.n))
	e.Uint32(uint32(m.window))
	e.Float64(m.tau)
	for _, row := range m.rows {
		e.Uint32(uint32(len(row)))
		for _, x := range row {
			e.Int32(x.item)
			e.Float32(x.w)
		}
	}
	return e.Finish()
}

// UnmarshalBinary decodes what MarshalBinary wrote, or version 1. Corrupt
// or truncated input gives an error wrapping ErrItemItemFormat and leaves
// m unchanged.
func (m *ItemItem) UnmarshalBinary(data []byte) error {
	d, err := openVersioned(data, itemItemFormat, itemItemFormatV1)
	if err != nil {
		return err
	}
	n, window, tau := d.Uint32(), d.Uint32(), d.Float64()
	if d.Err() == nil && (math.IsNaN(tau) || tau < 0) {
		return d.Errorf("bad dimensions")
	}
	// Every row takes at least its length word, so rows grows only as
	// data is there for it.
	rows := make([][]weighted, 0, min(n, 1<<16))
	for range n {
		pairs := d.Uint32s(2 * uint64(d.Uint32()))
		if d.Err() != nil {
			return d.Err()
		}
		row := make([]weighted, len(pairs)/2)
		for j := range row {
			it := int32(pairs[2*j])
			if it < 0 || uint32(it) >= n {
				return d.Errorf("item %d out of range", it)
			}
			row[j] = weighted{it, math.Float32frombits(pairs[2*j+1])}
		}
		rows = append(rows, row)
	}
	if err := d.Finish(); err != nil {
		return err
	}
	*m = *newItemItem(int(n), int(window), tau, rows)
	return nil
}
