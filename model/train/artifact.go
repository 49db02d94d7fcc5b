package train

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/model/dataset"
)

// Train fits the model set for serving on all of d: SLIST's configuration
// and the blend weights are chosen on d's validation items with models
// trained on the train split, then every model is retrained on all of d.
// The returned Meta has no Version until Save gives it one.
func Train(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*saved.Set, *saved.Meta, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sp := dataset.LeaveOneOut(d)
	if len(sp.Valid) == 0 {
		return nil, nil, fmt.Errorf("train: no user has the three interactions validation needs")
	}
	tr := NewTracker(cfg.Progress, cfg.TuneSteps(d.NumItems(), 1)+cfg.ModelSteps())
	tuned, err := Tune(ctx, sp, cfg, []Blend{served()}, logger, tr)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("training on all interactions")
	set, err := models(ctx, d, tuned.Config, logger, tr, " on all interactions")
	if err != nil {
		return nil, nil, err
	}
	meta := &saved.Meta{
		Items: d.Items, Weights: tuned.Weights[Fused], ValidNDCG10: tuned.ValidNDCG10[Fused], Candidates: cfg.CandidatesPerModel(),
		Users: len(d.Users), Interactions: d.Interactions(), Seed: cfg.Seed,
	}
	if set.Member(saved.ModelContent) != nil {
		meta.ContentVectors = tuned.Config.Content.Vectors
	}
	if set.Ranker = tuned.Ranker(d, cfg.Items); set.Ranker != nil {
		meta.RankerValidNDCG10 = tuned.RankerReport.Ranker
		logger.Info("the second-stage ranker serves", "selection_ndcg@10", fmt.Sprintf("%.4f", tuned.RankerReport.Ranker), "blend", fmt.Sprintf("%.4f", tuned.RankerReport.Blend))
	}
	for _, m := range set.Members {
		meta.Members = append(meta.Members, saved.MemberMeta{Name: m.Name, File: m.Name + ".bin", TrainSeconds: m.TrainSeconds})
	}
	return set.Set, meta, nil
}
