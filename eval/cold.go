package eval

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

// ColdFraction is the share of items ColdStart holds out.
const ColdFraction = 0.1

// ColdSlotsName names the fused ranking with every every-th place given
// to the item without interactions the content model ranks best, as
// served (rank.ColdSlots).
func ColdSlotsName(every int) string {
	return fmt.Sprintf("fused + every %dth place cold", every)
}

// ColdEveries are the periods of the cold places ColdStart measures; the
// engine serves every 10th by default (recommend.Config.ColdEvery).
var ColdEveries = []int{5, 10}

// ColdReport is what ColdStart measured.
type ColdReport struct {
	// Results has one entry per model and ranking on the interactions
	// with cold items, Warm the fused rankings on the warm test items.
	Results, Warm []metric.Result
	// Weights are the blend weights learned on (warm) validation.
	Weights map[string]float64
	// ColdItems, TestCases, WarmCases count the held-out items and the
	// cases of each kind.
	ColdItems, TestCases, WarmCases int
}

// warmCases returns sp's test cases whose target cs does not hold out,
// with the held-out items removed from their histories (those left with
// none dropped).
func warmCases(sp *dataset.Split, cs *dataset.ColdSplit) []dataset.Case {
	var warm []dataset.Case
	for _, c := range sp.Test {
		if cs.Cold[c.Target] {
			continue
		}
		h := slices.DeleteFunc(slices.Clone(c.History), func(i int32) bool { return cs.Cold[i] })
		if len(h) > 0 {
			warm = append(warm, dataset.Case{User: c.User, History: h, Target: c.Target})
		}
	}
	return warm
}

// ColdStart measures how well new items get recommended, and what giving
// them places costs the rest. The dataset is split leave-one-out; every
// interaction of a random ColdFraction of the items is held out
// (dataset.HoldOutItems); the model set is trained as for serving
// (train.Train: blend weights tuned on validation, then every model
// retrained) on the train and validation items left — the held-out items are in the
// catalog, with their texts, but without interactions. Every model and
// the fused ranking as served, without and with cold places
// (rank.ColdSlots), are then scored on two sets of cases over the whole
// catalog: the interactions with cold items, each asking for the cold
// item given the user's warm items before it (popularity and the
// collaborative models score every cold item 0, so only the content model
// can rank them); and the leave-one-out test items that are warm (their
// histories without cold items), where cold places can only cost.
func ColdStart(ctx context.Context, d *dataset.Dataset, cfg train.Config, logger *slog.Logger) (*ColdReport, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cs := dataset.HoldOutItems(d, ColdFraction, cfg.Seed+1)
	if len(cs.Test) == 0 {
		return nil, fmt.Errorf("cold start: no interaction with a held-out item follows a warm one")
	}
	sp := dataset.LeaveOneOut(d)
	warm := warmCases(sp, cs)
	rep := &ColdReport{TestCases: len(cs.Test), WarmCases: len(warm)}
	for _, c := range cs.Cold {
		if c {
			rep.ColdItems++
		}
	}
	trainOn := sp.Full.Without(cs.Cold)
	// The experiment measures the fusion's cold places; no second stage.
	cfg.Skip = append(slices.Clone(cfg.Skip), saved.ModelRanker)
	set, meta, err := train.Train(ctx, trainOn, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("cold start: %w", err)
	}
	rep.Weights = meta.Weights
	score := func(out *[]metric.Result, cases []dataset.Case, name string, s metric.Scorer) error {
		r, err := metric.Evaluate(ctx, s, cases, d.NumItems(), metric.Options{})
		if err != nil {
			return fmt.Errorf("cold start: %w", err)
		}
		r.Model = name
		*out = append(*out, r)
		logger.Info("evaluated", "model", name, "cases", len(cases), "ndcg@10", fmt.Sprintf("%.4f", r.NDCG[10]), "hr@10", fmt.Sprintf("%.4f", r.HR[10]))
		return nil
	}
	for _, m := range set.Members {
		if err := score(&rep.Results, cs.Test, m.Name, m.Scorer); err != nil {
			return nil, err
		}
	}
	names := meta.BlendMembers()
	w := make([]float64, len(names))
	for i, n := range names {
		w[i] = meta.Weights[n]
	}
	f, err := set.Blend(names, w)
	if err != nil {
		return nil, fmt.Errorf("cold start: %w", err)
	}
	type ranking struct {
		name string
		s    metric.Scorer
	}
	rankings := []ranking{{Fused, rank.CandidateScorer{Blend: f, PerMember: meta.Candidates}}}
	if c := set.Member(saved.ModelContent); c != nil {
		untouched := make([]bool, d.NumItems())
		for i := range untouched {
			untouched[i] = true
		}
		for _, seq := range trainOn.Seqs {
			for _, i := range seq {
				untouched[i] = false
			}
		}
		for _, every := range ColdEveries {
			rankings = append(rankings, ranking{ColdSlotsName(every), rank.ColdSlots{Blend: f, PerMember: meta.Candidates, Content: c.Scorer.(rank.Proposer), Cold: untouched, Every: every, MinScore: saved.ColdMinSimilarity}})
		}
	}
	for _, r := range rankings {
		if err := score(&rep.Results, cs.Test, r.name, r.s); err != nil {
			return nil, err
		}
		if err := score(&rep.Warm, warm, r.name, r.s); err != nil {
			return nil, err
		}
	}
	return rep, nil
}
