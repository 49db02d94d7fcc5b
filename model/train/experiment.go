package train

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
)

// Names of the fused rankings an experiment reports beside each model.
const (
	// Baseline is the strong simple baseline: EASE plus position-decayed
	// item-to-item transitions from the last items, weights tuned on
	// validation like everything else.
	Baseline = "ease+transition (baseline)"
	// Fused is Aisle's ranking as served: every model, fused with learned
	// weights, over the candidates the models propose.
	Fused = "fused"
	// FusedEvery is the same fusion scoring every item of the catalog, to
	// show what restricting it to candidates costs.
	FusedEvery = "fused (every item scored)"
)

// ExperimentOptions configure Experiment.
type ExperimentOptions struct {
	// Sampled adds the 100-sampled-negatives protocol beside full ranking.
	Sampled bool
	// Seed fixes sampled negatives (and model seeds via Config.Seed).
	Seed uint64
	// Logger receives progress; nil discards.
	Logger *slog.Logger
}

// Report is what an experiment measured.
type Report struct {
	// Results has one entry per model and fused ranking and protocol,
	// measured on the test items.
	Results []eval.Result
	// Weights are the fusion weights learned on validation, by member.
	Weights map[string]map[string]float64
	// ValidNDCG10 is each fused ranking's NDCG@10 on validation (on the
	// candidate pools Tune ranks).
	ValidNDCG10 map[string]float64
	// SLIST is the SLIST configuration used (chosen on validation unless
	// Config.SLIST was set).
	SLIST                                 candidate.SLISTConfig
	Users, Items, Interactions, TestCases int
}

// slistGrid are the SLIST configurations an experiment chooses among on
// validation when none is given: the defaults (best on Beauty's validation
// items), one leaning more on next-item prediction (best on Office's), and
// a lighter-regularised one.
var slistGrid = []candidate.SLISTConfig{
	{},
	{Alpha: 0.2, Lambda: 50, TrainTau: 2, ScoreTau: 2},
	{Alpha: 0.1, Lambda: 20, TrainTau: 2, ScoreTau: 2},
}

// selectsSLIST reports whether tuning chooses SLIST's configuration on a
// catalog of n items: when none is configured and SLIST trains on the
// whole catalog (on a large catalog's head it keeps its defaults, as
// choosing would score every item for every validation case).
func (c Config) selectsSLIST(n int) bool {
	return !c.skips(saved.ModelSLIST) && c.SLIST == (candidate.SLISTConfig{}) && n <= candidate.DefaultMaxDenseItems
}

// selectSLIST trains SLIST on the train split with each grid configuration
// and returns the one with the best validation NDCG@10.
func selectSLIST(ctx context.Context, sp *dataset.Split, neighbors int, logger *slog.Logger, tr *tracker) (candidate.SLISTConfig, error) {
	best, bestNDCG := candidate.SLISTConfig{}, -1.0
	for k, c := range slistGrid {
		tr.start(fmt.Sprintf("slist configuration %d/%d on the train split", k+1, len(slistGrid)))
		m, err := candidate.TrainSLIST(ctx, sp.Train, c)
		if err != nil {
			return candidate.SLISTConfig{}, fmt.Errorf("select slist: %w", err)
		}
		sparse := m.Sparsify(neighbors)
		m = nil
		releaseDense()
		r, err := eval.Evaluate(ctx, sparse, sp.Valid, sp.Train.NumItems(), eval.Options{})
		if err != nil {
			return candidate.SLISTConfig{}, err
		}
		tr.finish()
		logger.Info("slist candidate", "config", fmt.Sprintf("%+v", c), "valid_ndcg@10", fmt.Sprintf("%.4f", r.NDCG[10]))
		if r.NDCG[10] > bestNDCG {
			best, bestNDCG = c, r.NDCG[10]
		}
	}
	return best, nil
}

// tuneSteps is how many progress steps tune takes on a catalog of n
// items with the given number of fusions.
func (c Config) tuneSteps(n, fusions int) int {
	s := c.modelSteps() + fusions
	if c.selectsSLIST(n) {
		s += len(slistGrid)
	}
	return s
}

// tuning is what validation chose: the configuration (SLIST's), and for
// each fusion its members, weights and validation NDCG@10.
type tuning struct {
	cfg     Config
	fusions map[string][]string
	weights map[string]map[string]float64
	valid   map[string]float64
}

// tune chooses SLIST's configuration and the named fusions' weights on the
// split's validation items, with models trained on its train part.
func tune(ctx context.Context, sp *dataset.Split, cfg Config, fusionNames []string, logger *slog.Logger, tr *tracker) (*tuning, error) {
	if cfg.selectsSLIST(sp.Train.NumItems()) {
		best, err := selectSLIST(ctx, sp, cfg.neighbors(), logger, tr)
		if err != nil {
			return nil, err
		}
		cfg.SLIST = best
	}
	logger.Info("training on train split for tuning", "users", len(sp.Train.Users), "items", sp.Train.NumItems())
	valSet, err := models(ctx, sp.Train, cfg, logger, tr, " on the train split")
	if err != nil {
		return nil, err
	}
	if err := chooseVectors(ctx, sp, valSet, &cfg, logger); err != nil {
		return nil, err
	}
	t := &tuning{cfg: cfg, fusions: map[string][]string{}, weights: map[string]map[string]float64{}, valid: map[string]float64{}}
	orders := map[string][]string{Baseline: {saved.ModelEASE, saved.ModelTransition}, Fused: saved.BlendOrder}
	for _, name := range fusionNames {
		names := present(valSet.Set, orders[name])
		tr.start("fusion weights for " + name + " on the validation items")
		if len(names) < 2 {
			tr.finish()
			logger.Warn("fusion skipped: too few models", "fusion", name, "models", names)
			continue
		}
		var members []rank.Scorer
		for _, n := range names {
			members = append(members, valSet.Member(n).Scorer)
		}
		start := time.Now()
		w, v, err := rank.Tune(ctx, members, sp.Valid, sp.Train.NumItems(), cfg.Fusion)
		if err != nil {
			return nil, err
		}
		t.fusions[name] = names
		t.weights[name] = map[string]float64{}
		for i, n := range names {
			t.weights[name][n] = w[i]
		}
		t.valid[name] = v
		tr.finish()
		logger.Info("fusion tuned on validation", "fusion", name, "weights", t.weights[name], "valid_ndcg@10", fmt.Sprintf("%.4f", v), "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()))
	}
	return t, nil
}

// Experiment runs the leave-one-out protocol on d: models are trained on
// every user's history but the last two items, fusion weights are tuned on
// the second-to-last items, then models are retrained on everything but
// the last item and every model, the baseline and the fused ranking are
// scored on the last items. Only validation items ever guide a choice.
func Experiment(ctx context.Context, d *dataset.Dataset, cfg Config, opts ExperimentOptions) (*Report, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Seed == 0 {
		cfg.Seed = opts.Seed
	}
	sp := dataset.LeaveOneOut(d)
	rep := &Report{
		Weights: map[string]map[string]float64{}, ValidNDCG10: map[string]float64{},
		Users: len(d.Users), Items: d.NumItems(), Interactions: d.Interactions(), TestCases: len(sp.Test),
	}
	if len(sp.Test) == 0 {
		return nil, fmt.Errorf("experiment: no user has the three interactions leave-one-out needs")
	}

	fusionNames := []string{Baseline, Fused}
	// Tuning, train+validation, then evaluations (counted exactly once
	// the models are known).
	steps := cfg.modelSteps()
	tr := &tracker{fn: cfg.Progress, total: cfg.tuneSteps(d.NumItems(), len(fusionNames)) + steps + steps + len(fusionNames) + 1}
	tuned, err := tune(ctx, sp, cfg, fusionNames, logger, tr)
	if err != nil {
		return nil, err
	}
	cfg = tuned.cfg
	rep.SLIST = cfg.SLIST
	fusions := tuned.fusions
	for name, w := range tuned.weights {
		rep.Weights[name] = w
		rep.ValidNDCG10[name] = tuned.valid[name]
	}

	logger.Info("training on train+validation for the test")
	set, err := models(ctx, sp.Full, cfg, logger, tr, " on train+validation")
	if err != nil {
		return nil, err
	}
	protocols := []eval.Protocol{eval.Full}
	if opts.Sampled {
		protocols = append(protocols, eval.Sampled100)
	}
	// Evaluation steps: one per member and fusion, and the fused
	// ranking's every-item variant.
	tr.total = tr.done + len(set.Members) + len(fusions)
	if _, ok := fusions[Fused]; ok {
		tr.total++
	}
	score := func(name string, s eval.Scorer, secs float64) error {
		tr.start("evaluating " + name + " on the test items")
		defer tr.finish()
		for _, p := range protocols {
			r, err := eval.Evaluate(ctx, s, sp.Test, d.NumItems(), eval.Options{Protocol: p, Seed: opts.Seed})
			if err != nil {
				return err
			}
			r.Model, r.TrainSeconds = name, secs
			rep.Results = append(rep.Results, r)
			logger.Info("evaluated", "model", name, "protocol", p, "ndcg@10", fmt.Sprintf("%.4f", r.NDCG[10]), "hr@10", fmt.Sprintf("%.4f", r.HR[10]))
		}
		return nil
	}
	total := 0.0
	for _, m := range set.Members {
		total += m.TrainSeconds
		if err := score(m.Name, m.Scorer, m.TrainSeconds); err != nil {
			return nil, err
		}
	}
	for _, name := range []string{Baseline, Fused} {
		names, ok := fusions[name]
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
			cs := rank.CandidateScorer{Blend: f, PerMember: cfg.candidates()}
			if err := score(name, cs, secs); err != nil {
				return nil, err
			}
			continue
		}
		if err := score(name, f, secs); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// present returns the names in order that set has.
func present(set *saved.Set, order []string) []string {
	var out []string
	for _, n := range order {
		if set.Member(n) != nil && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
