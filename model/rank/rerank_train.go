package rank

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/gbdt"
)

// RerankOptions configure TrainReranker. Zero fields take the defaults
// beside them.
type RerankOptions struct {
	// Depth is how many of the blend's best candidates are re-ranked
	// (default DefaultDepth).
	Depth int
	// PerMember is how many items each proposing member adds to the
	// candidates (default 100, as serving).
	PerMember int
	// MaxCases caps the cases used (default 30,000; larger sets are
	// sampled evenly).
	MaxCases int
	// GBDT configures the trees. Its zero fields take the ranker's
	// defaults, chosen on Beauty's validation cases held out to choose
	// (never its test items): 7 leaves, learning rate 0.02, at least 200
	// rows a leaf, patience 100 trees, and every candidate starting from
	// BaseScale times its blend score.
	GBDT gbdt.Config
	// BaseScale scales the blend's score into each candidate's starting
	// score (default 5; negative starts from 0): the trees learn
	// corrections to the blend's order.
	BaseScale float32
	// Workers build features in parallel (default 2).
	Workers int
	// Always serves the ranker even where it lost to the blend on the
	// selection cases (tests and experiments).
	Always bool
}

func (o RerankOptions) withDefaults() RerankOptions {
	if o.Depth <= 0 {
		o.Depth = DefaultDepth
	}
	if o.PerMember <= 0 {
		o.PerMember = 100
	}
	if o.MaxCases <= 0 {
		o.MaxCases = 30000
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	if o.GBDT.Leaves <= 0 {
		o.GBDT.Leaves = 7
	}
	if o.GBDT.LearningRate <= 0 {
		o.GBDT.LearningRate = 0.02
	}
	if o.GBDT.MinLeaf <= 0 {
		o.GBDT.MinLeaf = 200
	}
	if o.GBDT.Patience <= 0 {
		// At learning rate 0.02 the first tens of trees barely move the
		// blend's order, so a short patience stops before the trees start
		// to help (Office: 0 trees with 40).
		o.GBDT.Patience = 100
	}
	if o.BaseScale == 0 {
		o.BaseScale = 5
	}
	return o
}

// RerankReport is what TrainReranker measured.
type RerankReport struct {
	// Cases is how many cases were used; TrainGroups how many of the
	// training cases had their target among the re-ranked candidates
	// (the others carry no gradient).
	Cases, TrainGroups int
	// Trees is how many trees the model kept.
	Trees int
	// Ranker and Blend are the NDCG@10 of the re-ranked and the blend's
	// order on the selection cases (a tenth of the cases, used neither
	// to fit the trees nor to stop adding them); Better reports whether
	// the ranker's is the higher one.
	Ranker, Blend float64
	Better        bool
	// SelectionCases is how many cases Ranker and Blend average.
	SelectionCases int
	Seconds        float64
}

// TrainReranker learns a Reranker for blend (whose members are named
// names) from cases, whose targets the blend's members never trained on
// (validation cases, members trained on the train split): features of
// each case's best Depth candidates as serving computes them, labelled 1
// for the target. Cases are split by position: every tenth (k%10 = 0)
// stops the boosting, every tenth from the fifth (k%10 = 5) selects
// between the ranker and the blend, the rest fit the trees. side holds
// the item facts of the data the members trained on.
func TrainReranker(ctx context.Context, blend *Blend, names []string, side Side, cases []dataset.Case, opts RerankOptions) (*Reranker, RerankReport, error) {
	start := time.Now()
	opts = opts.withDefaults()
	m := len(blend.Members)
	if len(names) != m {
		return nil, RerankReport{}, fmt.Errorf("rerank: %d names for %d members", len(names), m)
	}
	if len(cases) > opts.MaxCases {
		sample := make([]dataset.Case, opts.MaxCases)
		for k := range sample {
			sample[k] = cases[k*len(cases)/opts.MaxCases]
		}
		cases = sample
	}
	r := &Reranker{Side: side, Members: slices.Clone(names), Depth: opts.Depth}
	groups, err := r.groups(ctx, blend, cases, opts)
	if err != nil {
		return nil, RerankReport{}, err
	}
	F := NumFeatures(m)
	train, stop, n := splitGroups(groups, F)
	rep := RerankReport{Cases: len(cases), TrainGroups: n}
	if rep.TrainGroups == 0 || stop.Rows() == 0 {
		return nil, rep, fmt.Errorf("rerank: no case has its target among the candidates")
	}
	if opts.BaseScale > 0 {
		opts.GBDT.Base = gbdt.Base{Feature: 2*m + featBlendScore, Scale: opts.BaseScale}
	}
	model, gr, err := gbdt.Train(ctx, train, stop, opts.GBDT)
	if err != nil {
		return nil, rep, fmt.Errorf("rerank: %w", err)
	}
	r.Model, rep.Trees = model, gr.Trees
	rep.Ranker, rep.Blend, rep.SelectionCases = r.selection(groups, F)
	rep.Better = rep.Ranker > rep.Blend
	rep.Seconds = time.Since(start).Seconds()
	return r, rep, nil
}

// groups builds every case's features, the cases shared among
// opts.Workers goroutines.
func (r *Reranker) groups(ctx context.Context, blend *Blend, cases []dataset.Case, opts RerankOptions) ([]rerankGroup, error) {
	groups := make([]rerankGroup, len(cases))
	var wg sync.WaitGroup
	errc := make(chan error, opts.Workers)
	for w := range opts.Workers {
		wg.Go(func() {
			for k := w; k < len(cases); k += opts.Workers {
				if k%256 == w && ctx.Err() != nil {
					errc <- ctx.Err()
					return
				}
				groups[k] = r.group(blend, cases[k], opts.PerMember)
			}
		})
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	return groups, nil
}

// splitGroups returns the groups that fit the trees and those that stop
// the boosting (k%10 = 0), each labelled 1 for its target, and how many
// fit; groups without their target and the selection groups (k%10 = 5)
// are left out.
func splitGroups(groups []rerankGroup, F int) (train, stop *gbdt.Data, fit int) {
	train, stop = &gbdt.Data{F: F, Groups: []int{0}}, &gbdt.Data{F: F, Groups: []int{0}}
	for k, g := range groups {
		if g.target < 0 || k%10 == 5 {
			continue
		}
		d := train
		if k%10 == 0 {
			d = stop
		} else {
			fit++
		}
		d.X = append(d.X, g.feats...)
		for j := range len(g.feats) / F {
			d.Label = append(d.Label, b2f(j == g.target))
		}
		d.Groups = append(d.Groups, len(d.Label))
	}
	return train, stop, fit
}

// selection returns the mean NDCG@10 of the ranker's and the blend's
// order over the selection groups (k%10 = 5), and how many there are.
func (r *Reranker) selection(groups []rerankGroup, F int) (ranker, blend float64, n int) {
	for k, g := range groups {
		if k%10 != 5 {
			continue
		}
		n++
		if g.target < 0 {
			continue
		}
		blend += ndcgAt(g.target, 10)
		ranker += ndcgAt(r.position(g.feats, g.target, F), 10)
	}
	if n > 0 {
		ranker, blend = ranker/float64(n), blend/float64(n)
	}
	return ranker, blend, n
}

// rerankGroup is one case's re-ranked candidates: their features, and the
// target's place among them (−1 when it is not one of them).
type rerankGroup struct {
	feats  []float32
	target int
}

// group builds case c's features as Rerank computes them; a case whose
// target is not among the candidates keeps none.
func (r *Reranker) group(blend *Blend, c dataset.Case, per int) rerankGroup {
	m := len(r.Members)
	cands := withoutHistory(blend.RankWithMembers(c.History, per), c.History, m)
	n := min(r.depth(), len(cands.Items))
	target := slices.Index(cands.Items[:n], c.Target)
	if target < 0 {
		return rerankGroup{target: -1}
	}
	feats := make([]float32, n*NumFeatures(m))
	r.Side.Features(c.History, cands, m, n, VectorsOf(blend), feats)
	return rerankGroup{feats: feats, target: target}
}

// position returns the place of row target among the rows of feats once
// the model orders them, ties counted against it.
func (r *Reranker) position(feats []float32, target, F int) int {
	t := r.Model.Predict(feats[target*F : (target+1)*F])
	pos := 0
	for j := range len(feats) / F {
		if j != target && r.Model.Predict(feats[j*F:(j+1)*F]) >= t {
			pos++
		}
	}
	return pos
}

// ndcgAt is the NDCG@k of one relevant item at position pos (0 first).
func ndcgAt(pos, k int) float64 {
	if pos < 0 || pos >= k {
		return 0
	}
	return 1 / math.Log2(float64(pos)+2)
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}
