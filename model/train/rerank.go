package train

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/model/saved"
)

// trainsRanker reports whether tuning learns the second-stage ranker.
func (c Config) trainsRanker() bool { return !c.skips(saved.ModelRanker) }

// trainRanker learns the second-stage ranker over blend (the fused
// ranking of members names, trained on sp.Train, with its tuned weights)
// on sp's validation cases, and reports whether it beat the blend on the
// cases held out to choose. The ranker it returns reads sp.Train's item
// facts; Ranker gives the one to serve over other models.
func trainRanker(ctx context.Context, sp *dataset.Split, blend *rank.Blend, names []string, cfg Config, logger *slog.Logger, tr *Tracker) (*rank.Reranker, rank.RerankReport, error) {
	tr.Start("second-stage ranker on the validation items")
	defer tr.Finish()
	opts := cfg.Ranker
	if opts.PerMember == 0 {
		opts.PerMember = cfg.CandidatesPerModel()
	}
	r, rep, err := rank.TrainReranker(ctx, blend, names, rank.NewSide(sp.Train, cfg.Items), sp.Valid, opts)
	if err != nil {
		return nil, rep, fmt.Errorf("train: %w", err)
	}
	logger.Info("second-stage ranker trained", "trees", rep.Trees, "cases", rep.Cases, "train_groups", rep.TrainGroups,
		"selection_ndcg@10", fmt.Sprintf("%.4f", rep.Ranker), "blend_ndcg@10", fmt.Sprintf("%.4f", rep.Blend), "serves", rep.Better, "seconds", fmt.Sprintf("%.1f", rep.Seconds))
	return r, rep, nil
}

// Ranker returns the tuned second-stage ranker over models trained on d
// (its item facts from d), or nil when tuning chose the blend alone.
func (t *Tuning) Ranker(d *dataset.Dataset, items func(string) rank.ItemInfo) *rank.Reranker {
	if t.Reranker == nil || !(t.RankerReport.Better || t.Config.Ranker.Always) {
		return nil
	}
	r := *t.Reranker
	r.Side = rank.NewSide(d, items)
	return &r
}

// ItemInfos returns the facts of items by id that the second-stage ranker
// reads (Config.Items): leaf category path, brand and price.
func ItemInfos(items []aisle.Item) func(string) rank.ItemInfo {
	infos := make(map[string]rank.ItemInfo, len(items))
	for i := range items {
		it := &items[i]
		in := rank.ItemInfo{Leaf: strings.Join(it.Categories, "\x00"), Brand: strings.ToLower(it.Brand)}
		if it.Price != nil {
			in.Price = *it.Price
		}
		infos[it.ID] = in
	}
	return func(id string) rank.ItemInfo { return infos[id] }
}
