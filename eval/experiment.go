package eval

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

// Names of the fused rankings an experiment reports beside each model.
const (
	// Baseline is the strong simple baseline: EASE plus position-decayed
	// item-to-item transitions from the last items, weights tuned on
	// validation like everything else.
	Baseline = "ease+transition (baseline)"
	// Fused is Aisle's ranking as served: every model, fused with learned
	// weights, over the candidates the models propose.
	Fused = train.Fused
	// FusedEvery is the same blend scoring every item of the catalog, to
	// show what restricting it to candidates costs.
	FusedEvery = "fused (every item scored)"
	// Ranked is the learned second stage over the fused candidates
	// (rank.Reranker), which serves when it beat the fusion on the
	// validation cases held out to choose.
	Ranked = "ranked (second stage)"
)

// ExperimentOptions configure Experiment.
type ExperimentOptions struct {
	// Sampled adds the 100-sampled-negatives protocol beside full ranking.
	Sampled bool
	// Seed fixes sampled negatives (and model seeds via Config.Seed).
	Seed uint64
	// Items gives the item facts the second-stage ranker reads, by id;
	// nil leaves them unknown.
	Items func(id string) rank.ItemInfo
	// Categories returns an item's category path, root first, by item
	// id; nil or an empty path means none. With it the full-ranking
	// results measure intra-list diversity by leaf category (items in
	// the same leaf, the same whole path, are alike); nil leaves it out.
	Categories func(id string) []string
}

// ExperimentReport is what Experiment measured.
type ExperimentReport struct {
	// Results has one entry per model and fused ranking and protocol,
	// measured on the test items.
	Results []metric.Result
	// Weights are the blend weights learned on validation, by member.
	Weights map[string]map[string]float64
	// ValidNDCG10 is each fused ranking's NDCG@10 on validation (on the
	// candidate pools rank.Tune ranks).
	ValidNDCG10 map[string]float64
	// SLIST is the SLIST configuration used (chosen on validation unless
	// Config.SLIST was set).
	SLIST candidate.SLISTConfig
	// Ranker is what choosing the second-stage ranker measured on the
	// validation cases (zero when none was trained); RankerServes whether
	// serving would use it.
	Ranker                                rank.RerankReport
	RankerServes                          bool
	Users, Items, Interactions, TestCases int
	// Set are the models trained on train+validation and scored on test.
	Set *saved.Set
}

// experimentBlends are the blends Experiment tunes: the baseline and the
// fused ranking.
func experimentBlends() []train.Blend {
	return []train.Blend{
		{Name: Baseline, Members: []string{saved.ModelEASE, saved.ModelTransition}},
		{Name: Fused, Members: saved.BlendOrder},
	}
}

// Experiment runs the leave-one-out protocol on d: models are trained on
// every user's history but the last two items, blend weights are tuned on
// the second-to-last items, then models are retrained on everything but
// the last item and every model, the baseline and the fused ranking are
// scored on the last items. Only validation items ever guide a choice.
// cfg.Progress receives every step.
func Experiment(ctx context.Context, d *dataset.Dataset, cfg train.Config, opts ExperimentOptions, logger *slog.Logger) (*ExperimentReport, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Seed == 0 {
		cfg.Seed = opts.Seed
	}
	if cfg.Items == nil {
		cfg.Items = opts.Items
	}
	sp := dataset.LeaveOneOut(d)
	rep := &ExperimentReport{
		Weights: map[string]map[string]float64{}, ValidNDCG10: map[string]float64{},
		Users: len(d.Users), Items: d.NumItems(), Interactions: d.Interactions(), TestCases: len(sp.Test),
	}
	if len(sp.Test) == 0 {
		return nil, fmt.Errorf("experiment: no user has the three interactions leave-one-out needs")
	}

	blends := experimentBlends()
	// Tuning, train+validation, then evaluations (counted exactly once
	// the models are known).
	steps := cfg.ModelSteps()
	tr := train.NewTracker(cfg.Progress, cfg.TuneSteps(d.NumItems(), len(blends))+steps+steps+len(blends)+1)
	tuned, err := train.Tune(ctx, sp, cfg, blends, logger, tr)
	if err != nil {
		return nil, err
	}
	cfg = tuned.Config
	rep.SLIST = cfg.SLIST
	rep.Ranker, rep.RankerServes = tuned.RankerReport, tuned.RankerReport.Better
	tunedBlends := tuned.Members
	for name, w := range tuned.Weights {
		rep.Weights[name] = w
		rep.ValidNDCG10[name] = tuned.ValidNDCG10[name]
	}

	logger.Info("training on train+validation for the test")
	set, err := train.ModelsTracked(ctx, sp.Full, cfg, logger, tr, " on train+validation")
	if err != nil {
		return nil, err
	}
	rep.Set = set
	protocols := []metric.Protocol{metric.Full}
	if opts.Sampled {
		protocols = append(protocols, metric.Sampled100)
	}
	// Evaluation steps: one per member and blend, and the fused
	// ranking's every-item variant.
	remaining := len(set.Members) + len(tunedBlends)
	if _, ok := tunedBlends[Fused]; ok {
		remaining++
		if tuned.Reranker != nil {
			remaining++
		}
	}
	tr.SetRemaining(remaining)
	catalog := experimentCatalog(sp.Full, set, opts.Categories)
	score := func(name string, s metric.Scorer, secs float64) error {
		tr.Start("evaluating " + name + " on the test items")
		defer tr.Finish()
		for _, p := range protocols {
			r, err := metric.Evaluate(ctx, s, sp.Test, d.NumItems(), metric.Options{Protocol: p, Seed: opts.Seed, Catalog: catalog})
			if err != nil {
				return err
			}
			r.Model, r.TrainSeconds = name, secs
			rep.Results = append(rep.Results, r)
			logger.Info("evaluated", "model", name, "protocol", p, "ndcg@10", fmt.Sprintf("%.4f", r.NDCG[10]), "hr@10", fmt.Sprintf("%.4f", r.HR[10]))
		}
		return nil
	}
	for _, m := range set.Members {
		if err := score(m.Name, m.Scorer, m.TrainSeconds); err != nil {
			return nil, err
		}
	}
	for _, b := range blends {
		name := b.Name
		names, ok := tunedBlends[name]
		if !ok {
			continue
		}
		w := make([]float64, len(names))
		secs := 0.0
		for i, n := range names {
			w[i] = rep.Weights[name][n]
			secs += set.Member(n).TrainSeconds
		}
		f, err := set.Blend(names, w)
		if err != nil {
			return nil, err
		}
		if name == Fused {
			if err := score(FusedEvery, f, secs); err != nil {
				return nil, err
			}
			cs := rank.CandidateScorer{Blend: f, PerMember: cfg.CandidatesPerModel()}
			if err := score(name, cs, secs); err != nil {
				return nil, err
			}
			if tuned.Reranker != nil {
				// Scored even when validation chose the fusion, to show why.
				r := *tuned.Reranker
				r.Side = rank.NewSide(sp.Full, cfg.Items)
				rs := rank.RerankScorer{Blend: f, Reranker: &r, PerMember: cfg.CandidatesPerModel()}
				if err := score(Ranked, rs, secs+tuned.RankerReport.Seconds); err != nil {
					return nil, err
				}
			}
			continue
		}
		if err := score(name, f, secs); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// experimentCatalog returns what the beyond-accuracy metrics of the test
// need (metric.Catalog): popularity as the interactions in full, the data
// the tested models trained on; leaf categories from categories, when it
// is not nil; and the content model's item vectors, when set has one.
func experimentCatalog(full *dataset.Dataset, set *saved.Set, categories func(string) []string) *metric.Catalog {
	c := &metric.Catalog{Popularity: make([]int, full.NumItems())}
	for _, seq := range full.Seqs {
		for _, i := range seq {
			c.Popularity[i]++
		}
	}
	if categories != nil {
		c.Categories = make([]int32, full.NumItems())
		ids := map[string]int32{}
		for i, id := range full.Items {
			path := categories(id)
			if len(path) == 0 {
				c.Categories[i] = -1
				continue
			}
			key := strings.Join(path, "\x00")
			leaf, ok := ids[key]
			if !ok {
				leaf = int32(len(ids))
				ids[key] = leaf
			}
			c.Categories[i] = leaf
		}
	}
	if m := set.Member(saved.ModelContent); m != nil {
		if v, ok := m.Scorer.(metric.ItemVectors); ok {
			c.Vectors = v
		}
	}
	return c
}
