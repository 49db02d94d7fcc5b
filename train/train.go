// Package train trains Aisle's whole model set on a dataset — every
// candidate generator and the fusion weights over them — and runs the
// offline experiment that compares them with simple baselines.
package train

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/rank"
	"github.com/aislehq/aisle/recall"
)

// Model names.
const (
	ModelPopular    = "popular"
	ModelTransition = "transition"
	ModelEASE       = "ease"
	ModelSLIST      = "slist"
	ModelMF         = "mf"
)

// Config configures the model set. Zero fields take each model's defaults.
type Config struct {
	EASE       recall.EASEConfig
	SLIST      recall.SLISTConfig
	Transition recall.TransitionConfig
	MF         recall.MFConfig
	Fusion     rank.TuneOptions
	// Neighbors is how many item-to-item weights per item the dense
	// models (EASE, SLIST) keep once trained (default 200): their n×n
	// matrices are freed, and on Beauty the top 200 rank as well as the
	// full rows (validation NDCG@10 0.0694 vs 0.0693 for SLIST).
	Neighbors int
	// Seed makes training deterministic.
	Seed uint64
	// Skip names models not to train.
	Skip []string
}

func (c Config) skips(name string) bool {
	for _, s := range c.Skip {
		if s == name {
			return true
		}
	}
	return false
}

// Member is one trained candidate generator.
type Member struct {
	Name         string
	Scorer       rank.Scorer
	TrainSeconds float64
}

// Set is a trained model set over one dataset's items.
type Set struct {
	Members []Member
	N       int // items
}

// Member returns the member called name, or nil.
func (s *Set) Member(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// Fuse returns the fusion of the named members with weights.
func (s *Set) Fuse(names []string, weights []float64) (*rank.Fusion, error) {
	var ms []rank.Scorer
	for _, n := range names {
		m := s.Member(n)
		if m == nil {
			return nil, fmt.Errorf("train: no model %q in the set", n)
		}
		ms = append(ms, m.Scorer)
	}
	return rank.NewFusion(ms, weights, s.N), nil
}

// Models trains every model of cfg on d. Models that cannot train on d
// (dense models over a catalog above their size limit) are left out with a
// log line; any other failure is an error.
func Models(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*Set, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	set := &Set{N: d.NumItems()}
	neighbors := cfg.Neighbors
	if neighbors <= 0 {
		neighbors = 200
	}
	add := func(name string, fit func() (rank.Scorer, error)) error {
		if cfg.skips(name) {
			return nil
		}
		start := time.Now()
		s, err := fit()
		secs := time.Since(start).Seconds()
		switch {
		case err == nil:
			set.Members = append(set.Members, Member{name, s, secs})
			logger.Info("model trained", "model", name, "seconds", fmt.Sprintf("%.1f", secs))
		case ctx.Err() != nil:
			return ctx.Err()
		case recall.IsTooLarge(err):
			logger.Warn("model skipped", "model", name, "reason", err)
		default:
			return fmt.Errorf("train %s: %w", name, err)
		}
		return nil
	}
	steps := []struct {
		name string
		fit  func() (rank.Scorer, error)
	}{
		{ModelPopular, func() (rank.Scorer, error) { return recall.TrainPopular(d), nil }},
		{ModelTransition, func() (rank.Scorer, error) { return recall.TrainTransition(ctx, d, cfg.Transition) }},
		{ModelEASE, func() (rank.Scorer, error) {
			m, err := recall.TrainEASE(ctx, d, cfg.EASE)
			if err != nil {
				return nil, err
			}
			defer releaseDense()
			return m.Sparsify(neighbors), nil
		}},
		{ModelSLIST, func() (rank.Scorer, error) {
			m, err := recall.TrainSLIST(ctx, d, cfg.SLIST)
			if err != nil {
				return nil, err
			}
			defer releaseDense()
			return m.Sparsify(neighbors), nil
		}},
		{ModelMF, func() (rank.Scorer, error) {
			mc := cfg.MF
			if mc.Seed == 0 {
				mc.Seed = cfg.Seed
			}
			return recall.TrainMF(ctx, d, mc, nil)
		}},
	}
	for _, st := range steps {
		if err := add(st.name, st.fit); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// releaseDense returns a dense model's freed matrices to the operating
// system at once. Left to the garbage collector's pacing, the heap may grow
// to twice the live 1.75 GB a SLIST training holds before collecting, and
// the next model's matrices would come on top (peak RSS 4.2 GB on Beauty).
func releaseDense() { debug.FreeOSMemory() }
