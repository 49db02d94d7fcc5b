// Package rank blends the scores of several candidate generators into one
// ranking with weights learned on held-out interactions.
package rank

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/aislehq/aisle/model/dataset"
)

// Scorer scores every item for one history; see package candidate.
type Scorer interface {
	Score(history []int32, scores []float32)
}

// Blend scores items as Σ_m w_m · s_m(i) / max_j s_m(j): each member's
// scores are scaled so the user's best item scores 1, then weighed. It is
// safe for concurrent use.
type Blend struct {
	Members []Scorer
	Weights []float64
	n       int
	bufs    sync.Pool
}

// NewBlend returns a blend of members over n items with the given weights
// (len(weights) == len(members)).
func NewBlend(members []Scorer, weights []float64, n int) *Blend {
	return &Blend{Members: members, Weights: weights, n: n, bufs: sync.Pool{New: func() any { s := make([]float32, n); return &s }}}
}

// Score implements Scorer.
func (f *Blend) Score(history []int32, scores []float32) {
	clear(scores[:f.n])
	bp := f.bufs.Get().(*[]float32)
	defer f.bufs.Put(bp)
	buf := *bp
	for m, s := range f.Members {
		w := f.Weights[m]
		if w == 0 {
			continue
		}
		s.Score(history, buf)
		scale := float32(w / maxScore(buf))
		for i, v := range buf {
			scores[i] += scale * v
		}
	}
}

// maxScore returns the largest score, or 1 when none is positive.
func maxScore(s []float32) float64 {
	m := float32(0)
	for _, v := range s {
		if v > m {
			m = v
		}
	}
	if m <= 0 || math.IsInf(float64(m), 0) || math.IsNaN(float64(m)) {
		return 1
	}
	return float64(m)
}

// TuneOptions configure Tune.
type TuneOptions struct {
	// PerMember is how many of each proposing member's best items enter
	// a case's candidate pool (default 100), as Blend.Rank gathers
	// candidates when serving; the target is added to the pool. The fused
	// top K is found among the pool, so tuning optimises what is served.
	PerMember int
	// MaxCases caps the cases tuned on (default 30,000; larger sets are
	// sampled evenly): weights are 4 numbers, and pools cost memory.
	MaxCases int
	// Grid are the weights tried for each member in turn (default 0, 0.05,
	// 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3).
	Grid []float64
	// Passes of coordinate ascent (default 3).
	Passes int
	// K is the cutoff of the NDCG optimised (default 10).
	K int
	// Workers score cases in parallel (default 2).
	Workers int
}

func (o TuneOptions) withDefaults() TuneOptions {
	if o.PerMember <= 0 {
		o.PerMember = 100
	}
	if o.Grid == nil {
		o.Grid = []float64{0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3}
	}
	if o.MaxCases <= 0 {
		o.MaxCases = 30000
	}
	if o.Passes <= 0 {
		o.Passes = 3
	}
	if o.K <= 0 {
		o.K = 10
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	return o
}

// pool is one case's candidates: feats[c*M+m] is member m's normalised
// score of candidate c; candidate 0 is the target.
type pool struct {
	feats []float32
	n     int
}

// Tune learns blend weights by coordinate ascent on NDCG@K over cases
// (each member trained without the cases' targets). The first member's
// weight is fixed at 1; others are searched on opts.Grid. It returns the
// weights and the NDCG@K they reach on the candidate pools.
func Tune(ctx context.Context, members []Scorer, cases []dataset.Case, n int, opts TuneOptions) ([]float64, float64, error) {
	opts = opts.withDefaults()
	M := len(members)
	if M == 0 {
		return nil, 0, fmt.Errorf("rank: no members to tune")
	}
	if len(cases) > opts.MaxCases {
		sample := make([]dataset.Case, opts.MaxCases)
		for k := range sample {
			sample[k] = cases[k*len(cases)/opts.MaxCases]
		}
		cases = sample
	}
	members = slices.Clone(members)
	for m, s := range members {
		members[m] = asCandidateMember(s, n)
	}
	pools := make([]pool, len(cases))
	var wg sync.WaitGroup
	errc := make(chan error, opts.Workers)
	for w := range opts.Workers {
		wg.Go(func() {
			for ci := w; ci < len(cases); ci += opts.Workers {
				if ci%512 == w && ctx.Err() != nil {
					errc <- ctx.Err()
					return
				}
				pools[ci] = buildPool(members, cases[ci], opts.PerMember)
			}
		})
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, 0, err
	}
	weights := make([]float64, M)
	weights[0] = 1
	best := poolNDCG(pools, weights, M, opts.K)
	for pass := 0; pass < opts.Passes; pass++ {
		improved := false
		for m := 1; m < M; m++ {
			for _, g := range opts.Grid {
				if g == weights[m] {
					continue
				}
				old := weights[m]
				weights[m] = g
				if v := poolNDCG(pools, weights, M, opts.K); v > best+1e-9 {
					best, improved = v, true
				} else {
					weights[m] = old
				}
			}
		}
		if !improved {
			break
		}
	}
	return weights, best, nil
}

// buildPool gathers one case's candidates as serving does (Blend.Rank
// with every member active) less the history, with the target first.
func buildPool(members []Scorer, c dataset.Case, per int) pool {
	M := len(members)
	all := func(int) bool { return true }
	w := getWork()
	defer w.release()
	g := w.gather(members, all, all, c.History, per, c.Target)
	p := pool{feats: make([]float32, 0, len(g.feats))}
	for j, i := range g.items {
		if j > 0 && slices.Contains(c.History, i) {
			continue
		}
		p.feats = append(p.feats, g.feats[j*M:(j+1)*M]...)
		p.n++
	}
	return p
}

// denseMember lets a Scorer that only scores the whole catalog propose
// and score candidates, at the cost of a full Score per call.
type denseMember struct {
	Scorer
	n int
}

// asCandidateMember returns s if it can score chosen items, else s as a
// denseMember over n items.
func asCandidateMember(s Scorer, n int) Scorer {
	if _, ok := s.(ItemScorer); ok {
		return s
	}
	return denseMember{s, n}
}

// Top implements Proposer.
func (d denseMember) Top(history []int32, k int) ([]int32, []float32) {
	buf := make([]float32, d.n)
	d.Score(history, buf)
	items := topItems(buf, k)
	scores := make([]float32, len(items))
	for j, i := range items {
		scores[j] = buf[i]
	}
	return items, scores
}

// ScoreItems implements ItemScorer.
func (d denseMember) ScoreItems(history, items []int32, out []float32) {
	buf := make([]float32, d.n)
	d.Score(history, buf)
	for j, i := range items {
		out[j] = buf[i]
	}
}

// topItems returns the indices of the k best scores.
func topItems(s []float32, k int) []int32 {
	type iv struct {
		i int32
		v float32
	}
	top := make([]iv, 0, k+1)
	for i, v := range s {
		if len(top) == k && v <= top[k-1].v {
			continue
		}
		j, _ := slices.BinarySearchFunc(top, v, func(x iv, t float32) int {
			if x.v > t {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, j, iv{int32(i), v})
		if len(top) > k {
			top = top[:k]
		}
	}
	out := make([]int32, len(top))
	for j, x := range top {
		out[j] = x.i
	}
	return out
}

// poolNDCG is the mean NDCG@k of the target (candidate 0) when pools are
// ranked by the weighted features, ties counted against the target.
func poolNDCG(pools []pool, w []float64, M, k int) float64 {
	var sum float64
	for _, p := range pools {
		score := func(c int) float64 {
			var s float64
			for m := 0; m < M; m++ {
				s += w[m] * float64(p.feats[c*M+m])
			}
			return s
		}
		t := score(0)
		rank := 0
		for c := 1; c < p.n && rank < k; c++ {
			if score(c) >= t {
				rank++
			}
		}
		if rank < k {
			sum += 1 / math.Log2(float64(rank)+2)
		}
	}
	return sum / float64(len(pools))
}
