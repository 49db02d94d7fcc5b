package train

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/rank"
)

// ColdFraction is the share of items ColdStart holds out.
const ColdFraction = 0.1

// ColdReport is what ColdStart measured.
type ColdReport struct {
	// Results has one entry per model and the fused ranking as served,
	// measured on the interactions with cold items.
	Results []eval.Result
	// Weights are the fusion weights learned on (warm) validation.
	Weights map[string]float64
	// ColdItems, TestCases count the held-out items and the cases.
	ColdItems, TestCases int
}

// ColdStart measures how well new items get recommended: every
// interaction of a random ColdFraction of d's items is held out
// (dataset.HoldOutItems), the model set is trained as for serving (Train:
// fusion weights tuned on validation, then every model retrained) on the
// rest — the held-out items are in the catalog, with their texts, but
// without interactions — and every model and the fused ranking as served
// are scored on the held-out interactions: each asks for the cold item
// given the user's warm items before it, over the whole catalog.
// Popularity and the collaborative models score every cold item 0, so
// only the content model can rank them.
func ColdStart(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*ColdReport, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cs := dataset.HoldOutItems(d, ColdFraction, cfg.Seed+1)
	if len(cs.Test) == 0 {
		return nil, fmt.Errorf("cold start: no interaction with a held-out item follows a warm one")
	}
	rep := &ColdReport{TestCases: len(cs.Test)}
	for _, c := range cs.Cold {
		if c {
			rep.ColdItems++
		}
	}
	set, meta, err := Train(ctx, cs.Train, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("cold start: %w", err)
	}
	rep.Weights = meta.Weights
	score := func(name string, s eval.Scorer) error {
		r, err := eval.Evaluate(ctx, s, cs.Test, d.NumItems(), eval.Options{})
		if err != nil {
			return fmt.Errorf("cold start: %w", err)
		}
		r.Model = name
		rep.Results = append(rep.Results, r)
		logger.Info("evaluated on cold items", "model", name, "ndcg@10", fmt.Sprintf("%.4f", r.NDCG[10]), "hr@10", fmt.Sprintf("%.4f", r.HR[10]))
		return nil
	}
	for _, m := range set.Members {
		if err := score(m.Name, m.Scorer); err != nil {
			return nil, err
		}
	}
	names := meta.FusionMembers()
	w := make([]float64, len(names))
	for i, n := range names {
		w[i] = meta.Weights[n]
	}
	f, err := set.Fuse(names, w)
	if err != nil {
		return nil, fmt.Errorf("cold start: %w", err)
	}
	if err := score(Fused, rank.CandidateScorer{Fusion: f, PerMember: meta.Candidates}); err != nil {
		return nil, err
	}
	return rep, nil
}
