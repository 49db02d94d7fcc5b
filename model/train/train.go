// Package train trains Aisle's whole model set on a dataset: every
// candidate generator, the content model's item vectors and the blend
// weights over them, each choice made on validation items. The offline
// experiments that compare them are in package eval, built on the steps
// exported here (Tune, ModelsTracked, TrainItemVectors).
package train

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
)

// Config configures the model set. Zero fields take each model's defaults.
type Config struct {
	EASE       candidate.EASEConfig
	SLIST      candidate.SLISTConfig
	Transition candidate.TransitionConfig
	ItemCF     candidate.ItemCFConfig
	MF         candidate.MFConfig
	Content    ContentConfig
	Fusion     rank.TuneOptions
	// Ranker configures the second-stage ranker (rank.TrainReranker),
	// learned over the fused blend unless Skip names saved.ModelRanker.
	Ranker rank.RerankOptions
	// Items gives the item facts the second-stage ranker reads (leaf
	// category, brand, price); nil leaves them unknown.
	Items func(id string) rank.ItemInfo
	// Neighbors is how many item-to-item weights per item the dense
	// models (EASE, SLIST) keep once trained (default 200): their n×n
	// matrices are freed, and on Beauty the top 200 rank as well as the
	// full rows (validation NDCG@10 0.0694 vs 0.0693 for SLIST).
	Neighbors int
	// Candidates is how many of its best items each proposing model
	// (item-to-item models, popularity) adds to the candidates the fused
	// ranking scores when serving (default 100, as rank.TuneOptions'
	// PerMember).
	Candidates int
	// Seed makes training deterministic.
	Seed uint64
	// Skip names models not to train.
	Skip []string
	// Progress, if not nil, receives each step of Train and Models (and
	// of the experiments of package eval).
	Progress Progress
}

// modelOrder is every model of the set, in the order Models trains them.
var modelOrder = []string{saved.ModelPopular, saved.ModelTransition, saved.ModelItemCF, saved.ModelEASE, saved.ModelSLIST, saved.ModelMF, saved.ModelContent}

// neighbors returns c.Neighbors or its default.
func (c Config) neighbors() int {
	if c.Neighbors <= 0 {
		return 200
	}
	return c.Neighbors
}

// CandidatesPerModel returns c.Candidates or its default: how many of its
// best items each proposing model adds to the candidates the fused
// ranking scores (rank.CandidateScorer's PerMember).
func (c Config) CandidatesPerModel() int {
	if c.Candidates <= 0 {
		return 100
	}
	return c.Candidates
}

// skips reports whether name is not to be trained: it is in Skip, or it
// is the content model and there is no item text.
func (c Config) skips(name string) bool {
	if name == saved.ModelContent && c.Content.Text == nil {
		return true
	}
	for _, s := range c.Skip {
		if s == name {
			return true
		}
	}
	return false
}

// Models trains every model of cfg on d. Above their size limit the dense
// models train on the catalog's head (see onHead), and above LargeCatalog
// items matrix factorisation uses fewer factors, so any catalog trains.
func Models(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*saved.Set, error) {
	return ModelsTracked(ctx, d, cfg, logger, NewTracker(cfg.Progress, cfg.ModelSteps()), "")
}

// ModelsTracked is Models reporting each model to tr as a step (cfg.ModelSteps
// of them), named after the model followed by on, what it trains on (as
// " on train+validation"); cfg.Progress is not used.
func ModelsTracked(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger, tr *Tracker, on string) (*saved.Set, error) {
	f, err := models(ctx, d, cfg, logger, tr, on)
	if err != nil {
		return nil, err
	}
	return f.Set, nil
}

// fitted is a trained set with what training alone needs beside it.
type fitted struct {
	*saved.Set
	// textContent is the content model over text vectors alone, kept
	// beside the fused one until chooseVectors decides.
	textContent *candidate.Content
}

// models is Models reporting each model to tr as a step, its name
// followed by on (what it trains on).
func models(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger, tr *Tracker, on string) (*fitted, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	set := &fitted{Set: &saved.Set{N: d.NumItems()}}
	neighbors := cfg.neighbors()
	add := func(name string, fit func() (rank.Scorer, error)) error {
		if cfg.skips(name) {
			return nil
		}
		tr.Start(name + on)
		start := time.Now()
		s, err := fit()
		secs := time.Since(start).Seconds()
		tr.Finish()
		switch {
		case err == nil && s == nil:
			logger.Info("model skipped: nothing to learn from", "model", name)
		case err == nil:
			set.Members = append(set.Members, saved.Member{Name: name, Scorer: s, TrainSeconds: secs})
			logger.Info("model trained", "model", name, "seconds", fmt.Sprintf("%.1f", secs))
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			return fmt.Errorf("train %s: %w", name, err)
		}
		return nil
	}
	fits := map[string]func() (rank.Scorer, error){
		saved.ModelPopular:    func() (rank.Scorer, error) { return candidate.TrainPopular(d), nil },
		saved.ModelTransition: func() (rank.Scorer, error) { return candidate.TrainTransition(ctx, d, cfg.Transition) },
		saved.ModelItemCF:     func() (rank.Scorer, error) { return candidate.TrainItemCF(ctx, d, cfg.ItemCF) },
		saved.ModelEASE: func() (rank.Scorer, error) {
			return onHead(d, cfg.EASE.MaxItems, logger, saved.ModelEASE, func(h *dataset.Dataset) (*candidate.ItemItem, error) {
				m, err := candidate.TrainEASE(ctx, h, cfg.EASE)
				if err != nil {
					return nil, err
				}
				defer releaseDense()
				return m.Sparsify(neighbors), nil
			})
		},
		saved.ModelSLIST: func() (rank.Scorer, error) {
			return onHead(d, cfg.SLIST.MaxItems, logger, saved.ModelSLIST, func(h *dataset.Dataset) (*candidate.ItemItem, error) {
				m, err := candidate.TrainSLIST(ctx, h, cfg.SLIST)
				if err != nil {
					return nil, err
				}
				defer releaseDense()
				return m.Sparsify(neighbors), nil
			})
		},
		saved.ModelMF: func() (rank.Scorer, error) {
			mc := cfg.mf(d.NumItems())
			return candidate.TrainMF(ctx, d, mc, tr.mfProgress(saved.ModelMF+on, cmp.Or(mc.Iterations, candidate.MFDefaultIterations)))
		},
		saved.ModelContent: func() (rank.Scorer, error) {
			var mf *candidate.MF
			if m := set.Member(saved.ModelMF); m != nil {
				mf, _ = m.Scorer.(*candidate.MF)
			}
			c, err := trainContent(ctx, d, cfg, mf)
			if err != nil || c == nil {
				return nil, err
			}
			set.Encoder, set.Fusion, set.textContent = c.enc, c.fusion, c.text
			return c.model, nil
		},
	}
	for _, name := range modelOrder {
		if err := add(name, fits[name]); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// mf returns matrix factorisation's configuration on a catalog of n
// items: c.MF with the seed and, above LargeCatalog, the factors defaulted.
func (c Config) mf(n int) candidate.MFConfig {
	mc := c.MF
	if mc.Seed == 0 {
		mc.Seed = c.Seed
	}
	if mc.Factors == 0 && n > LargeCatalog {
		mc.Factors = largeCatalogFactors
	}
	return mc
}

// LargeCatalog is the catalog size above which matrix factorisation uses
// largeCatalogFactors factors unless configured. (The dense models switch
// to the catalog's head above their own limit, candidate.DefaultMaxDenseItems
// unless configured; see onHead.)
const LargeCatalog = 100_000

// largeCatalogFactors is matrix factorisation's default vector size above
// LargeCatalog: an ALS sweep costs O(rows·k²), so 64 factors train 9×
// faster than the default 192.
const largeCatalogFactors = 64

// onHead fits a dense item-to-item model on d or, when d has more than
// limit items (0: candidate.DefaultMaxDenseItems), on its limit most
// interacted-with items, served over all of d's items: tail items then get
// no weights from this model, and the sparse models cover them.
func onHead(d *dataset.Dataset, limit int, logger *slog.Logger, name string, fit func(*dataset.Dataset) (*candidate.ItemItem, error)) (*candidate.ItemItem, error) {
	h, orig := d.Head(cmp.Or(limit, candidate.DefaultMaxDenseItems))
	if h == d {
		return fit(d)
	}
	logger.Info("dense model trains on the catalog's head", "model", name, "items", d.NumItems(), "head", h.NumItems())
	m, err := fit(h)
	if err != nil {
		return nil, err
	}
	return m.Remap(d.NumItems(), orig), nil
}

// releaseDense returns a dense model's freed matrices to the operating
// system at once. Left to the garbage collector's pacing, the heap may grow
// to twice the live 1.75 GB a SLIST training holds before collecting, and
// the next model's matrices would come on top (peak RSS 4.2 GB on Beauty).
func releaseDense() { debug.FreeOSMemory() }
