package gbdt

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
)

// Report is what Train measured.
type Report struct {
	// Trees is how many trees the model kept.
	Trees int
	// TrainNDCG is the mean NDCG@K of the training groups under the
	// model; ValidNDCG the same on the validation groups (−1 without
	// validation data). Valid lists it after each tree.
	TrainNDCG, ValidNDCG float64
	Valid                []float64
}

// Train fits a LambdaMART ensemble on train: each tree is fitted by
// Newton steps to the gradients of the pairwise logistic loss weighted by
// each pair's change in NDCG (LambdaRank). With valid (same features),
// training stops once valid's NDCG@K has not improved for cfg.Patience
// trees and keeps the best number of trees. Groups without two different
// labels carry no gradient. Train is deterministic.
func Train(ctx context.Context, train, valid *Data, cfg Config) (*Model, Report, error) {
	cfg = cfg.withDefaults()
	if err := train.check(0); err != nil {
		return nil, Report{}, err
	}
	if valid != nil {
		if err := valid.check(train.F); err != nil {
			return nil, Report{}, fmt.Errorf("validation data: %w", err)
		}
	}
	if cfg.Base.Scale != 0 && (cfg.Base.Feature < 0 || cfg.Base.Feature >= train.F) {
		return nil, Report{}, fmt.Errorf("gbdt: base feature %d of %d", cfg.Base.Feature, train.F)
	}
	t := newTrainer(train, cfg)
	m := &Model{F: train.F, base: cfg.Base}
	rep := Report{ValidNDCG: -1}
	var vscore []float64
	if valid != nil {
		vscore = make([]float64, valid.Rows())
		for r := range vscore {
			vscore[r] = float64(m.Predict(valid.X[r*valid.F : (r+1)*valid.F]))
		}
	}
	best, bestAt := math.Inf(-1), 0
	if valid != nil {
		best = meanNDCG(vscore, valid.Label, valid.Groups, cfg.K)
	}
	for k := 0; k < cfg.Trees; k++ {
		if err := ctx.Err(); err != nil {
			return nil, Report{}, err
		}
		tr := t.grow()
		m.trees = append(m.trees, tr)
		if valid == nil {
			continue
		}
		for r := range vscore {
			vscore[r] += float64(tr.predict(valid.X[r*valid.F : (r+1)*valid.F]))
		}
		v := meanNDCG(vscore, valid.Label, valid.Groups, cfg.K)
		rep.Valid = append(rep.Valid, v)
		if v > best+1e-12 {
			best, bestAt = v, k+1
		} else if k+1-bestAt >= cfg.Patience {
			break
		}
	}
	if valid != nil {
		m.trees = m.trees[:bestAt]
		rep.ValidNDCG = best
	}
	rep.Trees = len(m.trees)
	score := make([]float64, train.Rows())
	for r := range score {
		score[r] = float64(m.Predict(train.X[r*train.F : (r+1)*train.F]))
	}
	rep.TrainNDCG = meanNDCG(score, train.Label, train.Groups, cfg.K)
	return m, rep, nil
}

// trainer holds the binned training data and the state of boosting.
type trainer struct {
	cfg     Config
	d       *Data
	cuts    [][]float32 // per feature, ascending: bin b holds values ≤ cuts[b] and > cuts[b-1]
	bins    [][]uint8   // per feature, each row's bin
	offset  []int       // feature f's bins start at offset[f] in a histogram
	score   []float64   // the ensemble's score of each row so far
	grad    []float64
	hess    []float64
	rows    []int32 // row indices, partitioned by leaf
	idealK  []float64
	scratch [][]int32 // per worker, a group's rows by score
}

func newTrainer(d *Data, cfg Config) *trainer {
	t := &trainer{cfg: cfg, d: d, score: make([]float64, d.Rows()), grad: make([]float64, d.Rows()), hess: make([]float64, d.Rows())}
	if cfg.Base.Scale != 0 {
		for r := range t.score {
			t.score[r] = float64(cfg.Base.Scale * d.X[r*d.F+cfg.Base.Feature])
		}
	}
	t.cuts = make([][]float32, d.F)
	t.bins = make([][]uint8, d.F)
	t.offset = make([]int, d.F+1)
	for f := range d.F {
		t.cuts[f] = cutPoints(d, f, cfg.Bins)
		t.bins[f] = make([]uint8, d.Rows())
		for r := range d.Rows() {
			t.bins[f][r] = uint8(binOf(t.cuts[f], d.X[r*d.F+f]))
		}
		t.offset[f+1] = t.offset[f] + len(t.cuts[f]) + 1
	}
	t.idealK = make([]float64, len(d.Groups)-1)
	for g := range t.idealK {
		t.idealK[g] = idealDCG(d.Label[d.Groups[g]:d.Groups[g+1]], cfg.K)
	}
	t.scratch = make([][]int32, cfg.Workers)
	return t
}

// cutPoints returns feature f's cut points: between neighbouring distinct
// values when there are at most bins of them, else at bins−1 quantiles of
// (a sample of) its values.
func cutPoints(d *Data, f, bins int) []float32 {
	n := d.Rows()
	step := max(1, n/200000)
	vals := make([]float32, 0, n/step+1)
	for r := 0; r < n; r += step {
		vals = append(vals, d.X[r*d.F+f])
	}
	slices.Sort(vals)
	distinct := slices.Compact(slices.Clone(vals))
	if len(distinct) <= bins {
		cuts := make([]float32, 0, len(distinct))
		for i := 0; i+1 < len(distinct); i++ {
			cuts = append(cuts, distinct[i]+(distinct[i+1]-distinct[i])/2)
		}
		return cuts
	}
	cuts := make([]float32, 0, bins-1)
	for b := 1; b < bins; b++ {
		v := vals[b*len(vals)/bins]
		if len(cuts) == 0 || v > cuts[len(cuts)-1] {
			cuts = append(cuts, v)
		}
	}
	// Values equal to the largest cut fall in its bin; make sure the
	// largest values still have a bin of their own.
	if cuts[len(cuts)-1] >= distinct[len(distinct)-1] {
		cuts = cuts[:len(cuts)-1]
	}
	return cuts
}

// binOf returns the bin of v: the first cut ≥ v, or len(cuts).
func binOf(cuts []float32, v float32) int {
	b, _ := slices.BinarySearch(cuts, v)
	return b
}

// bin is one histogram bin's sums.
type bin struct {
	g, h float64
	n    int
}

// leaf is a leaf of the tree being grown.
type leaf struct {
	lo, hi int   // its rows are t.rows[lo:hi]
	hist   []bin // by t.offset
	g, h   float64
	// The best split found: feature, bin (rows with bin ≤ at go left)
	// and gain; gain ≤ 0 means none.
	feature, at int
	gain        float64
	// node and isLeft say where the leaf hangs: child isLeft of internal
	// node node, or the root when node < 0.
	node   int32
	isLeft bool
}

// grow fits one tree to the current gradients, adds it to the training
// scores and returns it.
func (t *trainer) grow() tree {
	t.gradients()
	n := t.d.Rows()
	if len(t.rows) != n {
		t.rows = make([]int32, n)
	}
	for r := range t.rows {
		t.rows[r] = int32(r)
	}
	root := &leaf{lo: 0, hi: n, node: -1}
	root.hist = t.histogram(root.lo, root.hi, nil)
	t.findSplit(root)
	leaves := []*leaf{root}
	var tr tree
	for len(leaves) < t.cfg.Leaves {
		k := -1
		for i, l := range leaves {
			if l.gain > 0 && (k < 0 || l.gain > leaves[k].gain) {
				k = i
			}
		}
		if k < 0 {
			break
		}
		l := leaves[k]
		node := int32(len(tr.feature))
		tr.feature = append(tr.feature, int32(l.feature))
		tr.threshold = append(tr.threshold, t.cuts[l.feature][l.at])
		tr.left, tr.right = append(tr.left, 0), append(tr.right, 0)
		t.attach(&tr, l, node)
		left, right := t.split(l, node)
		leaves[k] = left
		leaves = append(leaves, right)
	}
	tr.value = make([]float32, len(leaves))
	lr := t.cfg.LearningRate
	for i, l := range leaves {
		v := float32(-lr * l.g / (l.h + t.cfg.L2))
		tr.value[i] = v
		if l.node >= 0 {
			if l.isLeft {
				tr.left[l.node] = ^int32(i)
			} else {
				tr.right[l.node] = ^int32(i)
			}
		}
		for _, r := range t.rows[l.lo:l.hi] {
			t.score[r] += float64(v)
		}
	}
	return tr
}

// attach hangs the new internal node in l's place.
func (t *trainer) attach(tr *tree, l *leaf, node int32) {
	if l.node < 0 {
		return
	}
	if l.isLeft {
		tr.left[l.node] = node
	} else {
		tr.right[l.node] = node
	}
}

// split partitions l's rows by its best split under node and returns the
// two children with their histograms (the smaller built, the larger by
// subtraction) and best splits.
func (t *trainer) split(l *leaf, node int32) (*leaf, *leaf) {
	bins := t.bins[l.feature]
	rows := t.rows[l.lo:l.hi]
	i := 0
	for j, r := range rows {
		if int(bins[r]) <= l.at {
			rows[i], rows[j] = rows[j], rows[i]
			i++
		}
	}
	left := &leaf{lo: l.lo, hi: l.lo + i, node: node, isLeft: true}
	right := &leaf{lo: l.lo + i, hi: l.hi, node: node}
	small, large := left, right
	if small.hi-small.lo > large.hi-large.lo {
		small, large = large, small
	}
	small.hist = t.histogram(small.lo, small.hi, nil)
	large.hist = l.hist // reused: the parent's is no longer needed
	for b := range large.hist {
		large.hist[b].g -= small.hist[b].g
		large.hist[b].h -= small.hist[b].h
		large.hist[b].n -= small.hist[b].n
	}
	t.findSplit(left)
	t.findSplit(right)
	return left, right
}

// histogram sums the gradients of t.rows[lo:hi] by feature and bin, the
// features shared among the workers.
func (t *trainer) histogram(lo, hi int, hist []bin) []bin {
	if hist == nil {
		hist = make([]bin, t.offset[len(t.offset)-1])
	}
	rows := t.rows[lo:hi]
	var wg sync.WaitGroup
	for w := range t.cfg.Workers {
		wg.Go(func() {
			for f := w; f < t.d.F; f += t.cfg.Workers {
				h := hist[t.offset[f]:t.offset[f+1]]
				bins := t.bins[f]
				for _, r := range rows {
					b := &h[bins[r]]
					b.g += t.grad[r]
					b.h += t.hess[r]
					b.n++
				}
			}
		})
	}
	wg.Wait()
	return hist
}

// findSplit sets l's sums and best split from its histogram.
func (t *trainer) findSplit(l *leaf) {
	l.g, l.h, l.gain = 0, 0, 0
	for _, b := range l.hist[t.offset[0]:t.offset[1]] {
		l.g += b.g
		l.h += b.h
	}
	n := l.hi - l.lo
	if n < 2*t.cfg.MinLeaf {
		return
	}
	lambda := t.cfg.L2
	parent := l.g * l.g / (l.h + lambda)
	for f := range t.d.F {
		h := l.hist[t.offset[f]:t.offset[f+1]]
		var gl, hl float64
		nl := 0
		for b := 0; b+1 < len(h); b++ {
			gl, hl, nl = gl+h[b].g, hl+h[b].h, nl+h[b].n
			if nl < t.cfg.MinLeaf {
				continue
			}
			if n-nl < t.cfg.MinLeaf {
				break
			}
			gr, hr := l.g-gl, l.h-hl
			gain := gl*gl/(hl+lambda) + gr*gr/(hr+lambda) - parent
			if gain > l.gain+1e-12 {
				l.gain, l.feature, l.at = gain, f, b
			}
		}
	}
}

// gradients sets t.grad and t.hess to the LambdaRank gradients of the
// current scores, the groups shared among the workers.
func (t *trainer) gradients() {
	clear(t.grad)
	clear(t.hess)
	var wg sync.WaitGroup
	G := len(t.d.Groups) - 1
	for w := range t.cfg.Workers {
		wg.Go(func() {
			for g := w; g < G; g += t.cfg.Workers {
				if t.idealK[g] > 0 {
					t.groupGradients(w, g)
				}
			}
		})
	}
	wg.Wait()
}

// groupGradients adds group g's pairs' gradients.
func (t *trainer) groupGradients(w, g int) {
	lo, hi := t.d.Groups[g], t.d.Groups[g+1]
	order := t.scratch[w][:0]
	for r := lo; r < hi; r++ {
		order = append(order, int32(r))
	}
	t.scratch[w] = order
	byScore(order, t.score)
	label := t.d.Label
	inv := 1 / t.idealK[g]
	for i := 0; i < min(t.cfg.Truncation, len(order)); i++ {
		a := order[i]
		for j := i + 1; j < len(order); j++ {
			b := order[j]
			if label[a] == label[b] {
				continue
			}
			hi, lo := a, b
			if label[b] > label[a] {
				hi, lo = b, a
			}
			delta := (gain(label[hi]) - gain(label[lo])) * (discount(i) - discount(j)) * inv
			rho := 1 / (1 + math.Exp(t.score[hi]-t.score[lo]))
			t.grad[hi] -= rho * delta
			t.grad[lo] += rho * delta
			hh := rho * (1 - rho) * delta
			t.hess[hi] += hh
			t.hess[lo] += hh
		}
	}
}

// byScore sorts rows by score, best first, ties by row.
func byScore(rows []int32, score []float64) {
	slices.SortFunc(rows, func(a, b int32) int {
		if c := cmp.Compare(score[b], score[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
}

// gain is a label's gain in DCG.
func gain(label float32) float64 { return math.Exp2(float64(label)) - 1 }

// discount is DCG's discount at position i (0 first).
func discount(i int) float64 { return 1 / math.Log2(float64(i)+2) }

// idealDCG is the DCG@k of labels in their best order.
func idealDCG(labels []float32, k int) float64 {
	s := slices.Clone(labels)
	slices.SortFunc(s, func(a, b float32) int { return cmp.Compare(b, a) })
	var dcg float64
	for i, l := range s[:min(k, len(s))] {
		dcg += gain(l) * discount(i)
	}
	return dcg
}

// meanNDCG is the mean NDCG@k of the groups ranked by score (ties by
// row); groups with no relevant row count as 0.
func meanNDCG(score []float64, label []float32, groups []int, k int) float64 {
	G := len(groups) - 1
	if G <= 0 {
		return 0
	}
	var sum float64
	var order []int32
	for g := range G {
		lo, hi := groups[g], groups[g+1]
		ideal := idealDCG(label[lo:hi], k)
		if ideal == 0 {
			continue
		}
		order = order[:0]
		for r := lo; r < hi; r++ {
			order = append(order, int32(r))
		}
		byScore(order, score)
		var dcg float64
		for i, r := range order[:min(k, len(order))] {
			dcg += gain(label[r]) * discount(i)
		}
		sum += dcg / ideal
	}
	return sum / float64(G)
}

// NDCG returns the mean NDCG@k of d's groups ranked by m (ties by row;
// groups with no relevant row count as 0).
func (m *Model) NDCG(d *Data, k int) float64 {
	score := make([]float64, d.Rows())
	for r := range score {
		score[r] = float64(m.Predict(d.X[r*d.F : (r+1)*d.F]))
	}
	return meanNDCG(score, d.Label, d.Groups, k)
}
