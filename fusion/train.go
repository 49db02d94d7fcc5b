package fusion

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/aislehq/aisle/vector"
)

// Config holds the model's shape and the training settings. The zero
// value of every field means its default. The defaults were chosen on
// Amazon Office's leave-one-out validation items (text and behaviour).
type Config struct {
	// Dim is the length of the fused vectors. Default 128.
	Dim int
	// Epochs is the number of passes over the training pairs. Default 2
	// (4 scored the same).
	Epochs int
	// LearningRate is Adam's step size. Default 0.003.
	LearningRate float64
	// Temperature divides the cosines in the contrastive loss. Default
	// 0.1 (0.05 and 0.2 scored lower).
	Temperature float64
	// BatchSize is the number of positive pairs per step; the other pairs
	// of the batch are the negatives. Default 256.
	BatchSize int
	// Dropout is the probability that a side of a training pair hides
	// each of its modalities (one is always kept). Default 0.1 (0.3
	// scored lower); negative means none.
	Dropout float64
	// SelfPairs is how many times per epoch each item with two or more
	// modalities is paired with itself, its modalities split between the
	// two sides. Default 40 (1 and 10 scored lower: these pairs are what
	// aligns the modalities); negative means none.
	SelfPairs int
	// Seed makes the initial weights, the order of training and the
	// dropout deterministic. Zero is a valid seed (the default).
	Seed uint64
	// Workers is the number of goroutines. Default runtime.GOMAXPROCS(0).
	// It does not change the result.
	Workers int
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, 128)
	def(&c.Epochs, 2)
	def(&c.SelfPairs, 40)
	def(&c.BatchSize, 256)
	def(&c.Workers, runtime.GOMAXPROCS(0))
	if c.LearningRate == 0 {
		c.LearningRate = 0.003
	}
	if c.Temperature == 0 {
		c.Temperature = 0.1
	}
	if c.Dropout == 0 {
		c.Dropout = 0.1
	}
	return c
}

// validate checks a config that has its defaults filled in.
func (c Config) validate() error {
	switch {
	case c.Dim < 1 || c.Dim > maxDim:
		return fmt.Errorf("dim %d: want 1 to %d", c.Dim, maxDim)
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: want at least 1", c.Epochs)
	case c.BatchSize < 2:
		return fmt.Errorf("batch size %d: want at least 2", c.BatchSize)
	case c.Workers < 1:
		return fmt.Errorf("workers %d: want at least 1", c.Workers)
	case !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0):
		return fmt.Errorf("learning rate %g: want > 0", c.LearningRate)
	case !(c.Temperature > 0) || math.IsInf(c.Temperature, 0):
		return fmt.Errorf("temperature %g: want > 0", c.Temperature)
	case !(c.Dropout < 1):
		return fmt.Errorf("dropout %g: want < 1", c.Dropout)
	}
	return nil
}

// Corpus is what training sees.
type Corpus struct {
	// Modalities are the modalities to fuse, in the model's order.
	Modalities []Modality
	// Vectors[k][i] is item i's vector of modality k: nil (or all zeros)
	// when the item lacks it, else Modalities[k].Dim long. Every
	// Vectors[k] has one entry per item.
	Vectors [][][]float32
	// Pairs are (i, j) pairs of items that belong together: bought or
	// viewed near each other in a shopper's history.
	Pairs [][2]int32
}

// example is a positive training pair; self pairs an item with itself,
// its modalities split between the two sides.
type example struct {
	a, b int32
	self bool
}

// trainer holds the state of one training run.
type trainer struct {
	m     *Model
	cfg   Config
	xs    [][][]float32 // [item][modality]: unit inputs, nil when missing
	items []int32       // the batch's items: 2B views, a sides first
	ps    []*pass       // their forward passes (present marks the views)
	gu    []float32     // 2B×dim: the loss gradient for each fused vector
	gh    []float32     // 2B×M×dim: for each projection
	gs    []float32     // 2B×M: for each attention score
	s, q  []float32     // B×B logits, then their gradient; column softmax
	grad  []float32     // like m.params
	am    []float32     // Adam's first moments
	av    []float32     // Adam's second moments
	steps int
	gt    []float32 // dim×V: one modality's gh, transposed
	xt    []float32 // in×V: its inputs, transposed
}

// Train fits a model to c with the symmetric InfoNCE loss over in-batch
// negatives (see the package comment). progress, if not nil, is called
// after each step with the steps done and the total. It returns an error
// for an invalid cfg or corpus (vectors of the wrong length or not
// finite, a pair naming an item out of range), a corpus with fewer than
// two training pairs, or a done ctx.
func Train(ctx context.Context, c Corpus, cfg Config, progress func(done, total int)) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("fusion train: %w", err)
	}
	m, err := newModel(cfg.Dim, c.Modalities)
	if err != nil {
		return nil, fmt.Errorf("fusion train: %w", err)
	}
	if len(c.Vectors) != len(c.Modalities) {
		return nil, fmt.Errorf("fusion train: %d vector lists for %d modalities", len(c.Vectors), len(c.Modalities))
	}
	m.init(cfg.Seed)
	t := &trainer{m: m, cfg: cfg}
	if err := t.load(c); err != nil {
		return nil, fmt.Errorf("fusion train: %w", err)
	}
	examples := t.examples(c.Pairs)
	if len(examples) < 2 {
		return nil, fmt.Errorf("fusion train: %d training pairs: want at least 2", len(examples))
	}
	t.grad, t.am, t.av = make([]float32, len(m.params)), make([]float32, len(m.params)), make([]float32, len(m.params))
	b := cfg.BatchSize
	total := (len(examples) + b - 1) / b * cfg.Epochs
	done := 0
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x747261696e)) // "train"
	for range cfg.Epochs {
		rng.Shuffle(len(examples), func(i, j int) { examples[i], examples[j] = examples[j], examples[i] })
		for lo := 0; lo < len(examples); lo += b {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("fusion train: %w", err)
			}
			if batch := examples[lo:min(lo+b, len(examples))]; len(batch) >= 2 {
				t.draw(batch, rng)
				t.lossAndGrad()
				t.adam()
			}
			done++
			if progress != nil {
				progress(done, total)
			}
		}
	}
	return m, nil
}

// load checks c's vectors and keeps a unit-length copy of each.
func (t *trainer) load(c Corpus) error {
	n := -1
	for k, vs := range c.Vectors {
		if n >= 0 && len(vs) != n {
			return fmt.Errorf("modality %q has %d items, %q %d", c.Modalities[k].Name, len(vs), c.Modalities[0].Name, n)
		}
		n = len(vs)
	}
	t.xs = make([][][]float32, n)
	for i := range t.xs {
		in := Inputs{}
		for k, md := range c.Modalities {
			in[md.Name] = c.Vectors[k][i]
		}
		present := make([]bool, len(c.Modalities))
		xs, err := t.m.inputs(in, present)
		if err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		t.xs[i] = xs
	}
	for k, p := range c.Pairs {
		if p[0] < 0 || int(p[0]) >= n || p[1] < 0 || int(p[1]) >= n {
			return fmt.Errorf("pair %d (%d, %d): item out of range [0, %d)", k, p[0], p[1], n)
		}
	}
	return nil
}

// count returns how many modalities item i has.
func (t *trainer) count(i int32) int {
	n := 0
	for _, x := range t.xs[i] {
		if x != nil {
			n++
		}
	}
	return n
}

// examples returns the training pairs: those of pairs whose items differ
// and both have a modality, then SelfPairs self pairs per item with two
// or more.
func (t *trainer) examples(pairs [][2]int32) []example {
	var ex []example
	for _, p := range pairs {
		if p[0] != p[1] && t.count(p[0]) > 0 && t.count(p[1]) > 0 {
			ex = append(ex, example{a: p[0], b: p[1]})
		}
	}
	for i := range t.xs {
		if t.count(int32(i)) >= 2 {
			for range t.cfg.SelfPairs {
				ex = append(ex, example{a: int32(i), b: int32(i), self: true})
			}
		}
	}
	return ex
}

// draw sets the batch's views: each pair's items, with modalities hidden
// by dropout (one always kept), and each self pair's modalities split
// between its two sides at random.
func (t *trainer) draw(batch []example, rng *rand.Rand) {
	b := len(batch)
	t.items = t.items[:0]
	for len(t.ps) < 2*b {
		t.ps = append(t.ps, newPass(t.m))
	}
	for side := range 2 {
		for _, e := range batch {
			t.items = append(t.items, e.a)
			if side == 1 {
				t.items[len(t.items)-1] = e.b
			}
		}
	}
	var avail []int
	for j, e := range batch {
		a, bs := t.ps[j].present, t.ps[b+j].present
		avail = avail[:0]
		for k, x := range t.xs[e.a] {
			if x != nil {
				avail = append(avail, k)
			}
		}
		clear(a)
		clear(bs)
		if e.self {
			rng.Shuffle(len(avail), func(i, j int) { avail[i], avail[j] = avail[j], avail[i] })
			cut := 1 + rng.IntN(len(avail)-1)
			for _, k := range avail[:cut] {
				a[k] = true
			}
			for _, k := range avail[cut:] {
				bs[k] = true
			}
			continue
		}
		t.dropout(a, avail, rng)
		avail = avail[:0]
		for k, x := range t.xs[e.b] {
			if x != nil {
				avail = append(avail, k)
			}
		}
		t.dropout(bs, avail, rng)
	}
}

// dropout marks in present each modality of avail (at least one) that
// survives dropout.
func (t *trainer) dropout(present []bool, avail []int, rng *rand.Rand) {
	kept := false
	for _, k := range avail {
		if t.cfg.Dropout <= 0 || rng.Float64() >= t.cfg.Dropout {
			present[k], kept = true, true
		}
	}
	if !kept {
		present[avail[rng.IntN(len(avail))]] = true
	}
}

// lossAndGrad runs the batch drawn forward and back, sets t.grad to the
// loss gradient with respect to every weight, and returns the loss.
func (t *trainer) lossAndGrad() float64 {
	m, dim, nm := t.m, t.m.dim, len(t.m.mods)
	v := len(t.items)
	parallel(t.cfg.Workers, v, func(k int) { m.forward(t.ps[k], t.xs[t.items[k]]) })
	t.gu = grow(t.gu, v*dim)
	loss := t.infoNCE(v / 2)
	t.gh, t.gs = grow(t.gh, v*nm*dim), grow(t.gs, v*nm)
	parallel(t.cfg.Workers, v, func(k int) {
		m.backward(t.ps[k], t.gu[k*dim:(k+1)*dim], t.gh[k*nm*dim:(k+1)*nm*dim], t.gs[k*nm:(k+1)*nm])
	})
	clear(t.grad)
	gw, gb := t.grad[m.wOff:m.wOff+dim], t.grad[m.bOff:]
	for k := range v {
		for j := range nm {
			if s := t.gs[k*nm+j]; t.ps[k].present[j] {
				gb[j] += s
				tt := t.ps[k].t[j*dim : (j+1)*dim]
				for r := range gw {
					gw[r] += s * tt[r]
				}
			}
		}
	}
	// Projections: grad P_j[r][c] = Σ over the views with j of gh[r]·x[c],
	// as dot products of transposed copies.
	for j, md := range m.mods {
		var views []int
		for k := range v {
			if t.ps[k].present[j] {
				views = append(views, k)
			}
		}
		nv, in := len(views), md.Dim
		if nv == 0 {
			continue
		}
		t.gt, t.xt = grow(t.gt, dim*nv), grow(t.xt, in*nv)
		for c, k := range views {
			g, x := t.gh[(k*nm+j)*dim:(k*nm+j+1)*dim], t.xs[t.items[k]][j]
			for r := range dim {
				t.gt[r*nv+c] = g[r]
			}
			for i := range in {
				t.xt[i*nv+c] = x[i]
			}
		}
		gp := t.grad[m.off[j] : m.off[j]+dim*in]
		parallel(t.cfg.Workers, dim, func(r int) {
			row := t.gt[r*nv : (r+1)*nv]
			for i := range in {
				gp[r*in+i] = vector.Dot(row, t.xt[i*nv:(i+1)*nv])
			}
		})
	}
	return loss
}

// infoNCE sets t.gu to the gradient of the symmetric InfoNCE loss over
// the b×b cosines of the a sides (rows) and b sides (columns), with
// respect to the fused unit vectors, and returns the loss.
func (t *trainer) infoNCE(b int) float64 {
	dim := t.m.dim
	invT := float32(1 / t.cfg.Temperature)
	t.s, t.q = grow(t.s, b*b), grow(t.q, b*b)
	s, q := t.s, t.q
	parallel(t.cfg.Workers, b, func(i int) {
		for j := range b {
			s[i*b+j] = vector.Dot(t.ps[i].u, t.ps[b+j].u) * invT
		}
	})
	// dL/ds_ij = (P_ij + Q_ij − 2δ_ij) / 2b, P the row softmax and Q the
	// column softmax.
	parallel(t.cfg.Workers, b, func(j int) { softmax(q[j:], s[j:], b) })
	parallel(t.cfg.Workers, b, func(i int) { softmax(s[i*b:(i+1)*b], s[i*b:(i+1)*b], 1) })
	var loss float64
	for i := range b {
		loss -= math.Log(max(float64(s[i*b+i]), 1e-30)) + math.Log(max(float64(q[i*b+i]), 1e-30))
	}
	scale := 1 / float32(2*b)
	for k := range s {
		s[k] = (s[k] + q[k]) * scale
	}
	for i := range b {
		s[i*b+i] -= 2 * scale
	}
	parallel(t.cfg.Workers, 2*b, func(k int) {
		g := t.gu[k*dim : (k+1)*dim]
		clear(g)
		for o := range b {
			var w float32
			var other []float32
			if k < b { // a side i = k: Σ_j ds_ij b_j
				w, other = s[k*b+o], t.ps[b+o].u
			} else { // b side j = k−b: Σ_i ds_ij a_i
				w, other = s[o*b+k-b], t.ps[o].u
			}
			w *= invT
			for r := range g {
				g[r] += w * other[r]
			}
		}
	})
	return loss / float64(2*b)
}

// adam takes one Adam step with t.grad.
func (t *trainer) adam() {
	const beta1, beta2, eps = 0.9, 0.999, 1e-8
	t.steps++
	c1 := 1 - math.Pow(beta1, float64(t.steps))
	c2 := 1 - math.Pow(beta2, float64(t.steps))
	lr := float32(t.cfg.LearningRate * math.Sqrt(c2) / c1)
	p := t.m.params
	const chunk = 4096
	parallel(t.cfg.Workers, (len(p)+chunk-1)/chunk, func(c int) {
		for i := c * chunk; i < min((c+1)*chunk, len(p)); i++ {
			g := t.grad[i]
			t.am[i] = beta1*t.am[i] + (1-beta1)*g
			t.av[i] = beta2*t.av[i] + (1-beta2)*g*g
			p[i] -= lr * t.am[i] / (float32(math.Sqrt(float64(t.av[i]))) + eps)
		}
	})
}

// parallel calls fn(k) for k in [0, n) on up to workers goroutines, and
// returns when all calls have.
func parallel(workers, n int, fn func(k int)) {
	w := min(workers, n)
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

// grow returns s resized to n, reusing its storage when it is big enough.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
