package ngram

import (
	"context"
	"fmt"
	"github.com/aislehq/aisle/vector"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
)

// Corpus is what training sees.
type Corpus struct {
	// Texts holds item i's text at index i (aisle.Item.Text(): title
	// first, then brand, category path and description, one per line).
	Texts []string
	// Pairs are (i, j) pairs of items that belong together: bought or
	// viewed together, consecutive in a shopper's history.
	Pairs [][2]int32
	// Queries are search queries paired with the item the shopper then
	// clicked, carted or bought.
	Queries []QueryPair
}

// QueryPair is a search query and an item the shopper chose after it.
type QueryPair struct {
	Query string
	Item  int32
}

// view is one side of a training pair: a feature set, or a random half of
// it.
type view struct {
	set  int32
	half bool
}

// example is a positive training pair.
type example struct{ a, b view }

// trainer holds the state of one training run.
type trainer struct {
	m       *Model
	cfg     Config
	sets    [][]uint32 // feature rows of every text a view can name
	acc     []float32  // Adagrad's accumulator, one per table row
	vecs    []float32  // the batch's unit vectors: 2B rows, a sides first
	norms   []float32  // their lengths before normalising
	grads   []float32  // the loss gradient for each of them
	logits  []float32  // B×B cosines over Temperature, then the loss gradient
	soft    []float32  // B×B row softmax of logits
	feats   [][]uint32 // the batch's feature rows, parallel to vecs
	halfBuf [][]uint32 // storage for the halves among feats
}

// Train fits a model to c with the symmetric InfoNCE loss over in-batch
// negatives (see the package comment). progress, if not nil, is called
// after each step with the steps done and the total. It returns an error
// for an invalid cfg, a pair or query naming an item outside c.Texts, a
// corpus with fewer than two training pairs, or a done ctx.
func Train(ctx context.Context, c Corpus, cfg Config, progress func(done, total int)) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("ngram train: %w", err)
	}
	n := int32(len(c.Texts))
	for k, p := range c.Pairs {
		if p[0] < 0 || p[0] >= n || p[1] < 0 || p[1] >= n {
			return nil, fmt.Errorf("ngram train: pair %d (%d, %d): item out of range [0, %d)", k, p[0], p[1], n)
		}
	}
	for k, q := range c.Queries {
		if q.Item < 0 || q.Item >= n {
			return nil, fmt.Errorf("ngram train: query %d: item %d out of range [0, %d)", k, q.Item, n)
		}
	}
	t := &trainer{m: New(cfg), cfg: cfg, acc: make([]float32, cfg.Buckets)}
	examples := t.examples(c)
	if len(examples) < 2 {
		return nil, fmt.Errorf("ngram train: %d training pairs: want at least 2", len(examples))
	}
	b := cfg.BatchSize
	perEpoch := (len(examples) + b - 1) / b
	total := perEpoch * cfg.Epochs
	done := 0
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x747261696e)) // "train"
	for range cfg.Epochs {
		rng.Shuffle(len(examples), func(i, j int) { examples[i], examples[j] = examples[j], examples[i] })
		for lo := 0; lo < len(examples); lo += b {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("ngram train: %w", err)
			}
			if batch := examples[lo:min(lo+b, len(examples))]; len(batch) >= 2 {
				t.step(batch, rng.Uint64())
			}
			done++
			if progress != nil {
				progress(done, total)
			}
		}
	}
	return t.m, nil
}

// examples featurises the corpus into t.sets and returns its positive
// pairs: c.Pairs, c.Queries and one self-supervised pair per item.
func (t *trainer) examples(c Corpus) []example {
	f := &t.m.feat
	s := &scratch{}
	add := func(text string) int32 {
		t.sets = append(t.sets, f.appendFeatures(nil, text, s))
		return int32(len(t.sets) - 1)
	}
	for _, text := range c.Texts {
		add(text)
	}
	var ex []example
	for _, p := range c.Pairs {
		if p[0] != p[1] {
			ex = append(ex, example{view{set: p[0]}, view{set: p[1]}})
		}
	}
	for _, q := range c.Queries {
		if qs := add(q.Query); len(t.sets[qs]) > 0 {
			ex = append(ex, example{view{set: qs}, view{set: q.Item}})
		}
	}
	for i, text := range c.Texts {
		title, rest, _ := strings.Cut(text, "\n")
		switch {
		case len(t.sets[i]) < 2:
			// Nothing to pair.
		case strings.TrimSpace(rest) == "":
			ex = append(ex, example{view{set: int32(i), half: true}, view{set: int32(i), half: true}})
		default:
			ex = append(ex, example{view{set: add(title)}, view{set: add(rest)}})
		}
	}
	return ex
}

// step takes one Adagrad step on the loss of batch; seed picks the halves.
func (t *trainer) step(batch []example, seed uint64) {
	b, dim := len(batch), t.cfg.Dim
	t.vecs = grow(t.vecs, 2*b*dim)
	t.grads = grow(t.grads, 2*b*dim)
	t.norms = grow(t.norms, 2*b)
	t.logits = grow(t.logits, b*b)
	t.feats = t.feats[:0]
	for side := range 2 {
		for i, e := range batch {
			v := e.a
			if side == 1 {
				v = e.b
			}
			t.feats = append(t.feats, t.viewFeatures(v, len(t.feats), seed^uint64(side*b+i)))
		}
	}
	// Encode the batch.
	t.parallel(2*b, func(k int) {
		v := t.vecs[k*dim : (k+1)*dim]
		t.m.sumRows(v, t.feats[k])
		t.norms[k] = vector.Normalize(v)
	})
	t.lossGradient(b)
	// Back through the normalisation: g ← (g − (g·u)u)/|z|. grads then
	// holds the gradient for each of the text's rows; norms the mean
	// square of that gradient for Adagrad.
	t.parallel(2*b, func(k int) {
		g, u := t.grads[k*dim:(k+1)*dim], t.vecs[k*dim:(k+1)*dim]
		if t.norms[k] == 0 {
			clear(g)
			return
		}
		var gu float32
		for i := range g {
			gu += g[i] * u[i]
		}
		var ss float32
		inv := 1 / t.norms[k]
		for i := range g {
			g[i] = (g[i] - gu*u[i]) * inv
			ss += g[i] * g[i]
		}
		t.norms[k] = ss / float32(dim)
	})
	t.apply()
}

// viewFeatures returns the feature rows of v, the k-th text of the batch:
// the whole set, or for a half view the features whose hash with seed
// comes up odd (at least one).
func (t *trainer) viewFeatures(v view, k int, seed uint64) []uint32 {
	set := t.sets[v.set]
	if !v.half {
		return set
	}
	for len(t.halfBuf) <= k {
		t.halfBuf = append(t.halfBuf, nil)
	}
	h := t.halfBuf[k][:0]
	for i, f := range set {
		if mix(seed+uint64(i)*fnvPrime)&1 == 1 {
			h = append(h, f)
		}
	}
	if len(h) == 0 {
		h = append(h, set[int(seed%uint64(len(set)))])
	}
	t.halfBuf[k] = h
	return h
}

// lossGradient sets t.grads to the gradient of the symmetric InfoNCE loss
// over the b×b cosines of the a sides (rows) and b sides (columns), with
// respect to the unit vectors.
func (t *trainer) lossGradient(b int) {
	dim := t.cfg.Dim
	invT := float32(1 / t.cfg.Temperature)
	a, bv := t.vecs[:b*dim], t.vecs[b*dim:2*b*dim]
	s := t.logits[:b*b]
	t.parallel(b, func(i int) {
		ai := a[i*dim : (i+1)*dim]
		for j := range b {
			s[i*b+j] = vector.Dot(ai, bv[j*dim:(j+1)*dim]) * invT
		}
	})
	// dL/ds_ij = (P_ij + Q_ij − 2δ_ij) / 2b, P the row softmax and Q the
	// column softmax. Rows first into a scratch copy, then columns.
	t.soft = grow(t.soft, b*b)
	p := t.soft
	t.parallel(b, func(i int) { softmax(p[i*b:(i+1)*b], s[i*b:(i+1)*b], 1) })
	t.parallel(b, func(j int) { softmax(s[j:], s[j:], b) })
	scale := 1 / float32(2*b)
	for k := range s {
		s[k] = (s[k] + p[k]) * scale
	}
	for i := range b {
		s[i*b+i] -= 2 * scale
	}
	ga, gb := t.grads[:b*dim], t.grads[b*dim:2*b*dim]
	t.parallel(b, func(i int) {
		g := ga[i*dim : (i+1)*dim]
		clear(g)
		for j := range b {
			axpy(g, bv[j*dim:(j+1)*dim], s[i*b+j]*invT)
		}
	})
	t.parallel(b, func(j int) {
		g := gb[j*dim : (j+1)*dim]
		clear(g)
		for i := range b {
			axpy(g, a[i*dim:(i+1)*dim], s[i*b+j]*invT)
		}
	})
}

// apply takes the Adagrad step on every row the batch touched. Each worker
// owns the rows congruent to its number and applies their updates in
// batch order, so the result does not depend on the number of workers.
func (t *trainer) apply() {
	dim, w := t.cfg.Dim, uint32(t.cfg.Workers)
	lr := float32(t.cfg.LearningRate)
	table := t.m.table
	t.parallel(int(w), func(shard int) {
		for k, feats := range t.feats {
			g, ms := t.grads[k*dim:(k+1)*dim], t.norms[k]
			if ms == 0 {
				continue
			}
			for _, f := range feats {
				if f%w != uint32(shard) {
					continue
				}
				t.acc[f] += ms
				axpy(table[int(f)*dim:int(f)*dim+dim], g, -lr/float32(math.Sqrt(float64(t.acc[f])+1e-10)))
			}
		}
	})
}

// parallel calls fn(k) for k in [0, n) on the configured workers, and
// returns when all calls have.
func (t *trainer) parallel(n int, fn func(k int)) {
	w := min(t.cfg.Workers, n)
	if w <= 1 {
		for k := range n {
			fn(k)
		}
		return
	}
	var wg sync.WaitGroup
	wg.Add(w)
	for shard := range w {
		go func() {
			defer wg.Done()
			for k := shard; k < n; k += w {
				fn(k)
			}
		}()
	}
	wg.Wait()
}

// softmax writes the softmax of the n values src[0], src[stride], … to
// the same places of dst; src and dst may be the same.
func softmax(dst, src []float32, stride int) {
	n := (len(src) + stride - 1) / stride
	mx := float32(math.Inf(-1))
	for k := range n {
		mx = max(mx, src[k*stride])
	}
	var sum float32
	for k := range n {
		e := float32(math.Exp(float64(src[k*stride] - mx)))
		dst[k*stride] = e
		sum += e
	}
	for k := range n {
		dst[k*stride] /= sum
	}
}

// axpyGo adds alpha·x to y, which have the same length.
func axpyGo(y, x []float32, alpha float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

// grow returns s resized to n, reusing its storage when it is big enough.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
