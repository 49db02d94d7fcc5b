package train

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/model/dataset"
)

// Train fits the model set for serving on all of d: SLIST's configuration
// and the fusion weights are chosen on d's validation items with models
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
	tr := &tracker{fn: cfg.Progress, total: cfg.tuneSteps(d.NumItems(), 1) + cfg.modelSteps()}
	tuned, err := tune(ctx, sp, cfg, []string{Fused}, logger, tr)
	if err != nil {
		return nil, nil, err
	}
	logger.Info("training on all interactions")
	set, err := models(ctx, d, tuned.cfg, logger, tr, " on all interactions")
	if err != nil {
		return nil, nil, err
	}
	meta := &saved.Meta{
		Items: d.Items, Weights: tuned.weights[Fused], ValidNDCG10: tuned.valid[Fused], Candidates: cfg.candidates(),
		Users: len(d.Users), Interactions: d.Interactions(), Seed: cfg.Seed,
	}
	if set.Member(saved.ModelContent) != nil {
		meta.ContentVectors = tuned.cfg.Content.Vectors
	}
	for _, m := range set.Members {
		meta.Members = append(meta.Members, saved.MemberMeta{Name: m.Name, File: m.Name + ".bin", TrainSeconds: m.TrainSeconds})
	}
	return set.Set, meta, nil
}
