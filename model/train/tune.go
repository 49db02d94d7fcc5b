package train

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/model/saved"
)

// Fused names the blend Train tunes and serves: every model of the set,
// in saved.BlendOrder, over the candidates the models propose.
const Fused = "fused"

// Blend is a weighted blend of models (rank.Blend) whose weights Tune
// learns on the validation items.
type Blend struct {
	// Name names the blend, in progress, logs and Tuning's maps.
	Name string
	// Members are the models blended, in order; those the trained set
	// lacks are left out.
	Members []string
}

// served is the blend Train tunes.
func served() Blend { return Blend{Name: Fused, Members: saved.BlendOrder} }

// slistGrid are the SLIST configurations tuning chooses among on
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
func selectSLIST(ctx context.Context, sp *dataset.Split, neighbors int, logger *slog.Logger, tr *Tracker) (candidate.SLISTConfig, error) {
	best, bestNDCG := candidate.SLISTConfig{}, -1.0
	for k, c := range slistGrid {
		tr.Start(fmt.Sprintf("slist configuration %d/%d on the train split", k+1, len(slistGrid)))
		m, err := candidate.TrainSLIST(ctx, sp.Train, c)
		if err != nil {
			return candidate.SLISTConfig{}, fmt.Errorf("select slist: %w", err)
		}
		sparse := m.Sparsify(neighbors)
		m = nil
		releaseDense()
		r, err := metric.Evaluate(ctx, sparse, sp.Valid, sp.Train.NumItems(), metric.Options{})
		if err != nil {
			return candidate.SLISTConfig{}, err
		}
		tr.Finish()
		logger.Info("slist candidate", "config", fmt.Sprintf("%+v", c), "valid_ndcg@10", fmt.Sprintf("%.4f", r.NDCG[10]))
		if r.NDCG[10] > bestNDCG {
			best, bestNDCG = c, r.NDCG[10]
		}
	}
	return best, nil
}

// TuneSteps is how many progress steps Tune takes on a catalog of n
// items with the given number of blends.
func (c Config) TuneSteps(n, blends int) int {
	s := c.ModelSteps() + blends
	if c.trainsRanker() {
		s++
	}
	if c.selectsSLIST(n) {
		s += len(slistGrid)
	}
	return s
}

// Tuning is what validation chose: the configuration, and for each blend
// its members, weights and validation NDCG@10, by blend name. A blend with
// fewer than two of its models trained is in none of the maps.
type Tuning struct {
	// Config is the configuration tuned, with SLIST's configuration and
	// the content model's vectors (Content.Vectors) settled: the one to
	// train the models to test or serve with.
	Config Config
	// Members are each blend's models that were trained, in its order.
	Members map[string][]string
	// Weights are each blend's weights, by member.
	Weights map[string]map[string]float64
	// ValidNDCG10 is each blend's NDCG@10 on the validation items (on the
	// candidate pools rank.Tune ranks).
	ValidNDCG10 map[string]float64
	// Reranker is the second-stage ranker learned over the Fused blend
	// (nil when none was), and RankerReport what choosing it measured.
	Reranker     *rank.Reranker
	RankerReport rank.RerankReport
}

// Tune chooses SLIST's configuration, the content model's vectors and the
// blends' weights on the split's validation items, with models trained on
// its train part, reporting each model, SLIST configuration and blend to
// tr as a step (cfg.TuneSteps of them). Only sp.Train and sp.Valid are
// used.
func Tune(ctx context.Context, sp *dataset.Split, cfg Config, blends []Blend, logger *slog.Logger, tr *Tracker) (*Tuning, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
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
	t := &Tuning{Config: cfg, Members: map[string][]string{}, Weights: map[string]map[string]float64{}, ValidNDCG10: map[string]float64{}}
	for _, b := range blends {
		name := b.Name
		names := present(valSet.Set, b.Members)
		tr.Start("blend weights for " + name + " on the validation items")
		if len(names) < 2 {
			tr.Finish()
			logger.Warn("blend skipped: too few models", "blend", name, "models", names)
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
		t.Members[name] = names
		t.Weights[name] = map[string]float64{}
		for i, n := range names {
			t.Weights[name][n] = w[i]
		}
		t.ValidNDCG10[name] = v
		tr.Finish()
		logger.Info("blend tuned on validation", "blend", name, "weights", t.Weights[name], "valid_ndcg@10", fmt.Sprintf("%.4f", v), "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()))
		if name == Fused && cfg.trainsRanker() {
			blend, err := valSet.Blend(names, w)
			if err != nil {
				return nil, err
			}
			if t.Reranker, t.RankerReport, err = trainRanker(ctx, sp, blend, names, cfg, logger, tr); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
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
