package candidate

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aislehq/aisle/model/dataset"
)

// TrainMF fits weighted ALS on d's interactions: every (user, item) cell
// has preference 1 if the user touched the item and 0 otherwise, weighted
// by confidence 1 + Alpha·(times touched). It returns an error if cfg is
// invalid, and ctx.Err() (wrapped) if ctx ends first.
//
// progress, if not nil, is called after each iteration (counting from 1)
// with the training objective divided by the total confidence weight, a
// weighted mean squared error plus regularisation; computing it costs about
// as much as a tenth of an iteration.
func TrainMF(ctx context.Context, d *dataset.Dataset, cfg MFConfig, progress func(iter int, loss float64)) (*MF, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("train mf: %w", err)
	}
	k, nItems, nUsers := cfg.Factors, d.NumItems(), len(d.Seqs)
	t := &mfTrainer{
		k: k, reg: cfg.Reg, steps: cfg.CGSteps, workers: cfg.Workers,
		users: mfUserRows(d.Seqs, nItems, cfg.Alpha),
		X:     make([]float64, nUsers*k),
		Y:     make([]float64, nItems*k),
	}
	t.items = t.users.transpose(nItems)
	// Small random start: both sides are random so that the first CG
	// sweep over users has a non-degenerate warm start.
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6d662d616c73))
	scale := 0.1 / math.Sqrt(float64(k))
	for i := range t.Y {
		t.Y[i] = rng.NormFloat64() * scale
	}
	for i := range t.X {
		t.X[i] = rng.NormFloat64() * scale
	}

	gramY, gramX := make([]float64, k*k), make([]float64, k*k)
	if err := t.gram(ctx, t.Y, nItems, gramY); err != nil {
		return nil, fmt.Errorf("train mf: %w", err)
	}
	for it := 1; it <= cfg.Iterations; it++ {
		if err := t.sweep(ctx, &t.users, t.X, t.Y, gramY); err != nil {
			return nil, fmt.Errorf("train mf: iteration %d: %w", it, err)
		}
		if err := t.gram(ctx, t.X, nUsers, gramX); err != nil {
			return nil, fmt.Errorf("train mf: iteration %d: %w", it, err)
		}
		if err := t.sweep(ctx, &t.items, t.Y, t.X, gramX); err != nil {
			return nil, fmt.Errorf("train mf: iteration %d: %w", it, err)
		}
		if err := t.gram(ctx, t.Y, nItems, gramY); err != nil {
			return nil, fmt.Errorf("train mf: iteration %d: %w", it, err)
		}
		if progress != nil {
			loss, err := t.loss(ctx, gramY)
			if err != nil {
				return nil, fmt.Errorf("train mf: iteration %d: %w", it, err)
			}
			progress(it, loss)
		}
	}

	items := make([]float32, len(t.Y))
	for i, v := range t.Y {
		items[i] = float32(v)
	}
	return newMF(k, nItems, cfg.Reg, cfg.Alpha, items), nil
}

// mfRows is a sparse matrix in compressed rows: row r's columns are
// col[start[r]:start[r+1]] with confidences conf[...], 1 + alpha·count.
type mfRows struct {
	start []int
	col   []int32
	conf  []float64
}

func (r *mfRows) len() int { return len(r.start) - 1 }

// mfUserRows builds the user × item confidence matrix, merging repeats.
// Items outside [0, nItems) are dropped.
func mfUserRows(seqs [][]int32, nItems int, alpha float64) mfRows {
	rows := mfRows{start: make([]int, 1, len(seqs)+1)}
	var tmp []int32
	for _, s := range seqs {
		tmp = append(tmp[:0], s...)
		slices.Sort(tmp)
		for i := 0; i < len(tmp); {
			j := i + 1
			for j < len(tmp) && tmp[j] == tmp[i] {
				j++
			}
			if tmp[i] >= 0 && int(tmp[i]) < nItems {
				rows.col = append(rows.col, tmp[i])
				rows.conf = append(rows.conf, 1+alpha*float64(j-i))
			}
			i = j
		}
		rows.start = append(rows.start, len(rows.col))
	}
	return rows
}

// transpose returns r's transpose, which has nCols rows; each new row's
// columns are in increasing order.
func (r *mfRows) transpose(nCols int) mfRows {
	t := mfRows{start: make([]int, nCols+1), col: make([]int32, len(r.col)), conf: make([]float64, len(r.conf))}
	for _, c := range r.col {
		t.start[c+1]++
	}
	for i := range nCols {
		t.start[i+1] += t.start[i]
	}
	next := slices.Clone(t.start[:nCols])
	for row := range r.len() {
		for p := r.start[row]; p < r.start[row+1]; p++ {
			c := r.col[p]
			q := next[c]
			next[c]++
			t.col[q], t.conf[q] = int32(row), r.conf[p]
		}
	}
	return t
}

// mfTrainer holds ALS training state. X holds user vectors and Y item
// vectors, row-major with k columns.
type mfTrainer struct {
	k, steps, workers int
	reg               float64
	users, items      mfRows
	X, Y              []float64
}

// Rows per unit of parallel work: mfCGBlock rows are solved in lockstep so
// that their k×k products batch into one matrix product; mfGramBlock rows
// make one partial Gram matrix.
const (
	mfCGBlock   = 32
	mfGramBlock = 512
)

// parallel calls fn(scratch, lo, hi) over [0, n) in blocks of size rows
// on t.workers goroutines, each with its own scratch. Results must depend
// only on the rows, never on which worker ran them.
func (t *mfTrainer) parallel(ctx context.Context, n, size int, fn func(s *mfScratch, lo, hi int)) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(t.workers, (n+size-1)/size) {
		wg.Go(func() {
			s := &mfScratch{}
			for ctx.Err() == nil {
				lo := int(next.Add(int64(size))) - size
				if lo >= n {
					return
				}
				fn(s, lo, min(lo+size, n))
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

// mfScratch is one training worker's scratch, grown on demand.
type mfScratch struct {
	a, b, r, p, q []float64
	rs            []float64
	active        []bool
}

// gram sets g to FᵀF + reg·I for the n×k matrix F. Partial sums over fixed
// blocks of rows are added in block order, so the result does not depend
// on the number of workers.
func (t *mfTrainer) gram(ctx context.Context, F []float64, n int, g []float64) error {
	k := t.k
	blocks := (n + mfGramBlock - 1) / mfGramBlock
	partial := make([]float64, blocks*k*k)
	err := t.parallel(ctx, n, mfGramBlock, func(s *mfScratch, lo, hi int) {
		m := hi - lo
		// Transpose the block so that Gram entries are row·row products.
		s.a = mfGrow(s.a, k*m)
		tr := s.a
		for i := lo; i < hi; i++ {
			for a, v := range F[i*k : (i+1)*k] {
				tr[a*m+i-lo] = v
			}
		}
		mfRowDots(partial[lo/mfGramBlock*k*k:][:k*k], k, tr, k, tr, k, m, true)
	})
	if err != nil {
		return err
	}
	clear(g)
	for b := range blocks {
		mfAddLower(g, partial[b*k*k:][:k*k], k)
	}
	mfSymmetrize(g, k, t.reg)
	return nil
}

// sweep re-solves every row of X given the fixed other side F, whose Gram
// matrix plus reg·I is g, and the confidences in rows.
func (t *mfTrainer) sweep(ctx context.Context, rows *mfRows, X, F, g []float64) error {
	k := t.k
	return t.parallel(ctx, rows.len(), mfCGBlock, func(s *mfScratch, lo, hi int) {
		if t.steps >= 0 {
			t.solveCG(s, rows, lo, hi, X, F, g)
			return
		}
		s.a, s.b = mfGrow(s.a, k*k), mfGrow(s.b, k)
		for u := lo; u < hi; u++ {
			t.solveExact(s, X[u*k:(u+1)*k], F, g, rows.col[rows.start[u]:rows.start[u+1]], rows.conf[rows.start[u]:rows.start[u+1]])
		}
	})
}

// solveExact sets x to the exact minimiser with a Cholesky solve of
// (g + Σ (c−1)·f·fᵀ) x = Σ c·f over the row's columns f with confidence c.
func (t *mfTrainer) solveExact(s *mfScratch, x, F, g []float64, col []int32, conf []float64) {
	k := t.k
	copy(s.a, g)
	clear(s.b)
	for n, c := range col {
		mfAddOuter64(s.a, s.b, F[int(c)*k:(int(c)+1)*k], conf[n]-1, conf[n])
	}
	if len(col) == 0 || !mfCholSolve(s.a, s.b, x, k) {
		clear(x)
	}
}

// solveCG improves rows [lo, hi) of X with t.steps conjugate-gradient steps
// each on the same systems as solveExact (Takács, Pilászy and Tikk 2011),
// warm-started from X and never forming the k×k matrices. The rows advance
// in lockstep so that their products with g batch into one matrix product;
// each row's arithmetic is independent of the others.
func (t *mfTrainer) solveCG(s *mfScratch, rows *mfRows, lo, hi int, X, F, g []float64) {
	k, m := t.k, hi-lo
	s.r, s.p, s.q = mfGrow(s.r, m*k), mfGrow(s.p, m*k), mfGrow(s.q, m*k)
	s.rs, s.active = mfGrow(s.rs, m), mfGrow(s.active, m)
	Xb := X[lo*k : hi*k]
	// r = b − A·x.
	mfRowDots(s.q, k, Xb, m, g, k, k, false)
	live := 0
	for i := range m {
		x, r, p, q := Xb[i*k:(i+1)*k], s.r[i*k:(i+1)*k], s.p[i*k:(i+1)*k], s.q[i*k:(i+1)*k]
		col, conf := rows.col[rows.start[lo+i]:rows.start[lo+i+1]], rows.conf[rows.start[lo+i]:rows.start[lo+i+1]]
		s.active[i] = false
		if len(col) == 0 {
			clear(x)
			clear(p)
			continue
		}
		for l, v := range q {
			r[l] = -v
		}
		for n, c := range col {
			f := F[int(c)*k : (int(c)+1)*k]
			mfAxpy(r, conf[n]-(conf[n]-1)*mfDot64(f, x), f)
		}
		copy(p, r)
		s.rs[i] = mfDot64(r, r)
		if s.rs[i] >= 1e-20 {
			s.active[i] = true
			live++
		}
	}
	for range t.steps {
		if live == 0 {
			return
		}
		// q = A·p.
		mfRowDots(s.q, k, s.p, m, g, k, k, false)
		for i := range m {
			if !s.active[i] {
				continue
			}
			x, r, p, q := Xb[i*k:(i+1)*k], s.r[i*k:(i+1)*k], s.p[i*k:(i+1)*k], s.q[i*k:(i+1)*k]
			col, conf := rows.col[rows.start[lo+i]:rows.start[lo+i+1]], rows.conf[rows.start[lo+i]:rows.start[lo+i+1]]
			for n, c := range col {
				f := F[int(c)*k : (int(c)+1)*k]
				mfAxpy(q, (conf[n]-1)*mfDot64(f, p), f)
			}
			pq := mfDot64(p, q)
			if !(pq > 0) {
				s.active[i] = false
				live--
				continue
			}
			a := s.rs[i] / pq
			mfAxpy(x, a, p)
			mfAxpy(r, -a, q)
			rsNew := mfDot64(r, r)
			if rsNew < 1e-20 {
				s.active[i] = false
				live--
				continue
			}
			beta := rsNew / s.rs[i]
			for l := range p {
				p[l] = r[l] + beta*p[l]
			}
			s.rs[i] = rsNew
		}
	}
}

// loss returns the objective
//
//	Σ_ui c_ui (p_ui − x_u·y_i)² + reg (Σ|x_u|² + Σ|y_i|²)
//
// divided by Σ c_ui, computed in O(users·k² + nnz·k) as
// Σ_u x_uᵀ(YᵀY + reg·I)x_u + Σ_nnz [c(1−s)² − s²] + reg Σ|y_i|², where
// gY = YᵀY + reg·I.
func (t *mfTrainer) loss(ctx context.Context, gY []float64) (float64, error) {
	k, rows := t.k, &t.users
	perUser := make([]float64, rows.len())
	err := t.parallel(ctx, rows.len(), mfCGBlock, func(s *mfScratch, lo, hi int) {
		s.q = mfGrow(s.q, (hi-lo)*k)
		mfRowDots(s.q, k, t.X[lo*k:hi*k], hi-lo, gY, k, k, false)
		for u := lo; u < hi; u++ {
			x := t.X[u*k : (u+1)*k]
			l := mfDot64(x, s.q[(u-lo)*k:(u-lo+1)*k])
			for p := rows.start[u]; p < rows.start[u+1]; p++ {
				c := rows.conf[p]
				sc := mfDot64(x, t.Y[int(rows.col[p])*k:(int(rows.col[p])+1)*k])
				l += c*(1-sc)*(1-sc) - sc*sc
			}
			perUser[u] = l
		}
	})
	if err != nil {
		return 0, err
	}
	var total float64
	for _, l := range perUser {
		total += l
	}
	total += t.reg * mfDot64(t.Y, t.Y)
	weight := float64(rows.len())*float64(len(t.Y)/k) - float64(len(rows.col))
	for _, c := range rows.conf {
		weight += c
	}
	if weight <= 0 {
		return 0, nil
	}
	return total / weight, nil
}
