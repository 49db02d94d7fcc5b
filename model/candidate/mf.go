package candidate

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/aislehq/aisle/internal/modelfile"
)

// MFConfig configures TrainMF. The zero value is a valid configuration:
// every zero field takes the default documented beside it. The defaults
// were tuned on Amazon Beauty leave-one-out validation cases.
type MFConfig struct {
	// Factors is the dimension k of the user and item vectors; 0 means
	// 192. At most MFMaxFactors. Training costs O(k²) per user and item
	// per iteration, scoring O(k) per item.
	Factors int
	// Iterations is the number of ALS sweeps (users then items); 0 means 10.
	Iterations int
	// Reg is the L2 regularisation weight λ on every factor; 0 means 20.
	Reg float64
	// Alpha scales confidence: an item a user touched n times has
	// confidence 1 + Alpha·n, untouched items confidence 1; 0 means 60.
	Alpha float64
	// CGSteps is the number of conjugate-gradient steps per user or item
	// solve, warm-started from the previous sweep; 0 means 3. A negative
	// value solves every row exactly with a Cholesky factorisation, which
	// costs O(k³) per row instead of O(k²).
	CGSteps int
	// Seed seeds the random initial factors. Training is deterministic for
	// a fixed Seed whatever Workers is.
	Seed uint64
	// Workers is the number of goroutines used; 0 means GOMAXPROCS.
	Workers int
}

// MFMaxFactors is the largest MFConfig.Factors that TrainMF and
// UnmarshalBinary accept.
const MFMaxFactors = 1024

// MFDefaultIterations is the number of ALS sweeps when MFConfig leaves it 0.
const MFDefaultIterations = 10

// MF default hyperparameters; see MFConfig.
const (
	mfDefaultFactors = 192
	mfDefaultReg     = 20
	mfDefaultAlpha   = 60
	mfDefaultCGSteps = 3
)

// withDefaults returns c with zero fields replaced by defaults, or an error
// naming the first invalid field.
func (c MFConfig) withDefaults() (MFConfig, error) {
	if c.Factors == 0 {
		c.Factors = mfDefaultFactors
	}
	if c.Iterations == 0 {
		c.Iterations = MFDefaultIterations
	}
	if c.Reg == 0 {
		c.Reg = mfDefaultReg
	}
	if c.Alpha == 0 {
		c.Alpha = mfDefaultAlpha
	}
	if c.CGSteps == 0 {
		c.CGSteps = mfDefaultCGSteps
	}
	if c.Workers == 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	switch {
	case c.Factors < 0 || c.Factors > MFMaxFactors:
		return c, fmt.Errorf("factors %d not in [1, %d]", c.Factors, MFMaxFactors)
	case c.Iterations < 0:
		return c, fmt.Errorf("iterations %d < 0", c.Iterations)
	case !(c.Reg > 0) || math.IsInf(c.Reg, 0):
		return c, fmt.Errorf("reg %v not positive and finite", c.Reg)
	case !(c.Alpha > 0) || math.IsInf(c.Alpha, 0):
		return c, fmt.Errorf("alpha %v not positive and finite", c.Alpha)
	case c.Workers < 0:
		return c, fmt.Errorf("workers %d < 0", c.Workers)
	}
	return c, nil
}

// MF is an implicit-feedback matrix factorisation model (Hu, Koren and
// Volinsky 2008): every item has a k-dimensional vector, and a user's
// vector is solved on the fly from their history, so new users and fresh
// events are scored without retraining.
//
// An MF is immutable once built and safe for concurrent use, except that
// UnmarshalBinary must not run concurrently with any other method. Build
// one with TrainMF or UnmarshalBinary; the zero MF is only an
// UnmarshalBinary target.
type MF struct {
	k          int
	n          int
	reg, alpha float64
	// items holds the item vectors row-major: item i is items[i*k:(i+1)*k].
	items []float32
	// gram is YᵀY + reg·I over the float32 item vectors, k×k row-major.
	gram []float64
	// ginv is gram's inverse, or nil if gram is numerically singular.
	ginv []float64
	// proj holds G⁻¹·y_i for every item i (proj[i*k:(i+1)*k]), the
	// per-item term of the Woodbury fold-in, computed once at load
	// instead of h·k² work per request; nil when ginv is, or when the
	// catalog is too large for it (maxProjected).
	proj []float64
	// work pools *mfFoldWork scratch for Score.
	work *sync.Pool
}

// newMF builds a model around item vectors, computing their Gram matrix
// and its inverse.
func newMF(k, n int, reg, alpha float64, items []float32) *MF {
	m := &MF{k: k, n: n, reg: reg, alpha: alpha, items: items, gram: make([]float64, k*k)}
	mfGram32(m.gram, items, k, reg)
	if l := slices.Clone(m.gram); mfCholFactor(l, k) {
		m.ginv = make([]float64, k*k)
		e := make([]float64, k)
		for j := range k {
			clear(e)
			e[j] = 1
			mfCholSubst(l, e, m.ginv[j*k:(j+1)*k], k)
		}
		m.proj = m.project()
	}
	m.work = &sync.Pool{New: func() any { return &mfFoldWork{} }}
	return m
}

// maxProjected caps MF.proj at 32M values (256 MB): larger models fold
// users in with the h·k² product per request instead.
const maxProjected = 1 << 25

// project returns G⁻¹·y_i for every item, computed with the fold-in's
// own kernel (so the values are bit for bit those a request would
// compute), or nil past maxProjected.
func (m *MF) project() []float64 {
	k := m.k
	if m.n*k > maxProjected {
		return nil
	}
	proj := make([]float64, m.n*k)
	const chunk = 64
	rows := make([]float64, chunk*k)
	for i := 0; i < m.n; i += chunk {
		h := min(chunk, m.n-i)
		for l, v := range m.items[i*k : (i+h)*k] {
			rows[l] = float64(v)
		}
		mfRowDots(proj[i*k:(i+h)*k], k, rows, h, m.ginv, k, k, false)
	}
	return proj
}

// Factors returns the vector dimension k.
func (m *MF) Factors() int { return m.k }

// NumItems returns the number of items the model scores.
func (m *MF) NumItems() int { return m.n }

// ItemFactor returns item i's vector. The slice aliases the model and must
// not be modified. It panics if i is out of range.
func (m *MF) ItemFactor(i int) []float32 {
	return m.items[i*m.k : (i+1)*m.k : (i+1)*m.k]
}

// mfFoldWork is FoldIn's and Score's per-call scratch, grown on demand.
type mfFoldWork struct {
	hist, idx []int32
	conf      []float64 // per distinct history item, 1 + alpha·count
	a, b, x   []float64
	yh, z     []float64 // Woodbury: history vectors and G⁻¹ times them
	s, t, v   []float64
	u         []float32
}

// FoldIn appends to dst[:0] the least-squares user vector for history (item
// indices, oldest first; repeats add confidence; indices outside
// [0, NumItems) are ignored), solved exactly against the fixed item
// vectors with the training confidence and regularisation, and returns it.
// An empty history gives the zero vector. FoldIn is safe for concurrent use.
func (m *MF) FoldIn(history []int32, dst []float32) []float32 {
	w := m.work.Get().(*mfFoldWork)
	m.foldIn(history, w)
	dst = append(dst[:0], w.u...)
	m.work.Put(w)
	return dst
}

// foldIn solves the user vector for history into w.u: the x minimising
// Σ_i c_i (p_i − x·y_i)² + reg·|x|² over all items, that is
//
//	(G + Σ_h (c_h−1)·y_h·y_hᵀ) x = Σ_h c_h·y_h,  G = YᵀY + reg·I,
//
// over the history's distinct items h.
func (m *MF) foldIn(history []int32, w *mfFoldWork) {
	w.hist = append(w.hist[:0], history...)
	slices.Sort(w.hist)
	w.idx, w.conf = w.idx[:0], w.conf[:0]
	for i := 0; i < len(w.hist); {
		it := w.hist[i]
		j := i + 1
		for j < len(w.hist) && w.hist[j] == it {
			j++
		}
		if it >= 0 && int(it) < m.n {
			w.idx = append(w.idx, it)
			w.conf = append(w.conf, 1+m.alpha*float64(j-i))
		}
		i = j
	}
	w.u, w.x = mfGrow(w.u, m.k), mfGrow(w.x, m.k)
	h := len(w.idx)
	ok := false
	if h > 0 && m.ginv != nil && 2*h <= m.k {
		ok = m.foldInWoodbury(w)
	}
	if h > 0 && !ok {
		ok = m.foldInCholesky(w)
	}
	if !ok {
		clear(w.u)
		return
	}
	for i, v := range w.x {
		w.u[i] = float32(v)
	}
}

// foldInCholesky solves foldIn's system directly: O(h·k² + k³).
func (m *MF) foldInCholesky(w *mfFoldWork) bool {
	k := m.k
	w.a, w.b = mfGrow(w.a, k*k), mfGrow(w.b, k)
	copy(w.a, m.gram)
	clear(w.b)
	for n, it := range w.idx {
		c := w.conf[n]
		mfAddOuter32(w.a, w.b, m.items[int(it)*k:(int(it)+1)*k], c-1, c)
	}
	return mfCholSolve(w.a, w.b, w.x, k)
}

// foldInWoodbury solves foldIn's system with the Woodbury identity, in
// O(h·k² + h²·k + h³) for h history items: with H the h×k history
// vectors, W = diag(c−1), Z = H·G⁻¹ and S = Z·Hᵀ,
//
//	x = (G + HᵀWH)⁻¹ Hᵀc = Zᵀ (c − (W⁻¹ + S)⁻¹ S c).
func (m *MF) foldInWoodbury(w *mfFoldWork) bool {
	k, h := m.k, len(w.idx)
	w.yh, w.z = mfGrow(w.yh, h*k), mfGrow(w.z, h*k)
	w.s, w.t, w.v = mfGrow(w.s, h*h), mfGrow(w.t, h), mfGrow(w.v, h)
	for i, it := range w.idx {
		row := w.yh[i*k : (i+1)*k]
		for l, v := range m.items[int(it)*k : (int(it)+1)*k] {
			row[l] = float64(v)
		}
	}
	if m.proj != nil {
		for i, it := range w.idx {
			copy(w.z[i*k:(i+1)*k], m.proj[int(it)*k:(int(it)+1)*k])
		}
	} else {
		mfRowDots(w.z, k, w.yh, h, m.ginv, k, k, false)
	}
	mfRowDots(w.s, h, w.z, h, w.yh, h, k, false)
	for i := range h {
		w.t[i] = mfDotSeq(w.s[i*h:(i+1)*h], w.conf)
	}
	for i, c := range w.conf {
		w.s[i*h+i] += 1 / (c - 1)
	}
	if !mfCholSolve(w.s, w.t, w.v, h) {
		return false
	}
	clear(w.x)
	for i, c := range w.conf {
		mfAxpy(w.x, c-w.v[i], w.z[i*k:(i+1)*k])
	}
	return true
}

// Score folds the user in from history (item indices, oldest first; see
// FoldIn) and writes the predicted preference of every item into scores,
// which must have length NumItems; Score panics otherwise. Items in the
// history are scored like any other. It costs O(h·k² + NumItems·k) for h
// distinct history items. Score is safe for concurrent use.
func (m *MF) Score(history []int32, scores []float32) {
	if len(scores) != m.n {
		panic(fmt.Sprintf("recall: MF.Score: len(scores) = %d, want %d", len(scores), m.n))
	}
	w := m.work.Get().(*mfFoldWork)
	m.foldIn(history, w)
	mfMatVec32(scores, w.u, m.items)
	m.work.Put(w)
}

// ScoreItems folds the user in from history, as Score does, and writes the
// predicted preference of items[j] into out[j] (0 for indices out of
// range): O(h·k² + len(items)·k), whatever the catalog size. It is safe for
// concurrent use.
func (m *MF) ScoreItems(history, items []int32, out []float32) {
	w := m.work.Get().(*mfFoldWork)
	defer m.work.Put(w)
	m.foldIn(history, w)
	for j, i := range items {
		out[j] = 0
		if i >= 0 && int(i) < m.n {
			out[j] = mfDot32(w.u, m.items[int(i)*m.k:(int(i)+1)*m.k])
		}
	}
}

// mfFormat is MF's binary format (modelfile), all little-endian:
//
//	magic   [8]byte "AISLEMF\x00"
//	version uint32 (1)
//	k, n    uint32
//	reg     float64
//	alpha   float64
//	items   n·k float32, row-major
//	crc     uint32, CRC-32 (IEEE) of every preceding byte
var mfFormat = modelfile.Format{Magic: "AISLEMF\x00", Version: 1, Checksum: modelfile.CRC32IEEE, Err: ErrMFFormat}

// ErrMFFormat is returned, wrapped, by MF.UnmarshalBinary for data that is
// not a valid encoded model: truncated, corrupt, or of another version.
var ErrMFFormat = errors.New("invalid mf model data")

// MarshalBinary encodes the model in a versioned little-endian format with
// a checksum. It never fails.
func (m *MF) MarshalBinary() ([]byte, error) {
	e := mfFormat.NewEncoder(24 + 4*len(m.items))
	e.Uint32(uint32(m.k))
	e.Uint32(uint32(m.n))
	e.Float64(m.reg)
	e.Float64(m.alpha)
	e.Float32s(m.items)
	return e.Finish()
}

// UnmarshalBinary replaces m with the model encoded in data by
// MarshalBinary. It returns an error wrapping ErrMFFormat, and leaves m
// unchanged, if data is truncated, corrupt or of an unknown version. It
// must not run concurrently with other methods on m.
func (m *MF) UnmarshalBinary(data []byte) error {
	d, err := mfFormat.Open(data)
	if err != nil {
		return fmt.Errorf("unmarshal mf: %w", err)
	}
	k, n := uint64(d.Uint32()), uint64(d.Uint32())
	reg, alpha := d.Float64(), d.Float64()
	switch {
	case d.Err() != nil:
	case k == 0 || k > MFMaxFactors:
		d.Errorf("factors %d not in [1, %d]", k, MFMaxFactors)
	case !(reg > 0) || math.IsInf(reg, 0) || !(alpha > 0) || math.IsInf(alpha, 0):
		d.Errorf("reg %v or alpha %v not positive and finite", reg, alpha)
	}
	// k ≤ 1024 and n < 2³² so the size cannot overflow.
	items := d.FiniteFloat32s(k * n)
	if err := d.Finish(); err != nil {
		return fmt.Errorf("unmarshal mf: %w", err)
	}
	*m = *newMF(int(k), int(n), reg, alpha, items)
	return nil
}
