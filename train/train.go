// Package train trains Aisle's whole model set on a dataset — every
// candidate generator and the fusion weights over them — and runs the
// offline experiment that compares them with simple baselines.
package train

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/fusion"
	"github.com/aislehq/aisle/ngram"
	"github.com/aislehq/aisle/rank"
	"github.com/aislehq/aisle/recall"
)

// Model names.
const (
	ModelPopular    = "popular"
	ModelTransition = "transition"
	ModelItemCF     = "itemcf"
	ModelEASE       = "ease"
	ModelSLIST      = "slist"
	ModelMF         = "mf"
)

// Config configures the model set. Zero fields take each model's defaults.
type Config struct {
	EASE       recall.EASEConfig
	SLIST      recall.SLISTConfig
	Transition recall.TransitionConfig
	ItemCF     recall.ItemCFConfig
	MF         recall.MFConfig
	Content    ContentConfig
	Fusion     rank.TuneOptions
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
	// Progress, if not nil, receives each step of Train and Experiment.
	Progress Progress
}

// modelOrder is every model of the set, in the order Models trains them.
var modelOrder = []string{ModelPopular, ModelTransition, ModelItemCF, ModelEASE, ModelSLIST, ModelMF, ModelContent}

// neighbors returns c.Neighbors or its default.
func (c Config) neighbors() int {
	if c.Neighbors <= 0 {
		return 200
	}
	return c.Neighbors
}

// candidates returns c.Candidates or its default.
func (c Config) candidates() int {
	if c.Candidates <= 0 {
		return 100
	}
	return c.Candidates
}

// skips reports whether name is not to be trained: it is in Skip, or it
// is the content model and there is no item text.
func (c Config) skips(name string) bool {
	if name == ModelContent && c.Content.Text == nil {
		return true
	}
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
	// Encoder is the text encoder the content model's item vectors come
	// from; nil when no content model was trained.
	Encoder *ngram.Model
	// Fusion fuses the text vectors with the image and behaviour ones
	// into the content model's item vectors; nil when they are the text
	// vectors alone (ItemVector gives a new item's vector either way).
	Fusion *fusion.Model
	// textContent is the content model over text vectors alone, kept
	// beside the fused one until chooseVectors decides.
	textContent *recall.Content
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

// Models trains every model of cfg on d. Above their size limit the dense
// models train on the catalog's head (see onHead), and above LargeCatalog
// items matrix factorisation uses fewer factors, so any catalog trains.
func Models(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*Set, error) {
	return models(ctx, d, cfg, logger, &tracker{fn: cfg.Progress, total: cfg.modelSteps()}, "")
}

// models is Models reporting each model to tr as a step, its name
// followed by on (what it trains on).
func models(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger, tr *tracker, on string) (*Set, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	set := &Set{N: d.NumItems()}
	neighbors := cfg.neighbors()
	add := func(name string, fit func() (rank.Scorer, error)) error {
		if cfg.skips(name) {
			return nil
		}
		tr.start(name + on)
		start := time.Now()
		s, err := fit()
		secs := time.Since(start).Seconds()
		tr.finish()
		switch {
		case err == nil && s == nil:
			logger.Info("model skipped: nothing to learn from", "model", name)
		case err == nil:
			set.Members = append(set.Members, Member{name, s, secs})
			logger.Info("model trained", "model", name, "seconds", fmt.Sprintf("%.1f", secs))
		case ctx.Err() != nil:
			return ctx.Err()
		default:
			return fmt.Errorf("train %s: %w", name, err)
		}
		return nil
	}
	fits := map[string]func() (rank.Scorer, error){
		ModelPopular:    func() (rank.Scorer, error) { return recall.TrainPopular(d), nil },
		ModelTransition: func() (rank.Scorer, error) { return recall.TrainTransition(ctx, d, cfg.Transition) },
		ModelItemCF:     func() (rank.Scorer, error) { return recall.TrainItemCF(ctx, d, cfg.ItemCF) },
		ModelEASE: func() (rank.Scorer, error) {
			return onHead(d, cfg.EASE.MaxItems, logger, ModelEASE, func(h *dataset.Dataset) (*recall.ItemItem, error) {
				m, err := recall.TrainEASE(ctx, h, cfg.EASE)
				if err != nil {
					return nil, err
				}
				defer releaseDense()
				return m.Sparsify(neighbors), nil
			})
		},
		ModelSLIST: func() (rank.Scorer, error) {
			return onHead(d, cfg.SLIST.MaxItems, logger, ModelSLIST, func(h *dataset.Dataset) (*recall.ItemItem, error) {
				m, err := recall.TrainSLIST(ctx, h, cfg.SLIST)
				if err != nil {
					return nil, err
				}
				defer releaseDense()
				return m.Sparsify(neighbors), nil
			})
		},
		ModelMF: func() (rank.Scorer, error) {
			mc := cfg.mf(d.NumItems())
			return recall.TrainMF(ctx, d, mc, tr.mfProgress(ModelMF+on, cmp.Or(mc.Iterations, recall.MFDefaultIterations)))
		},
		ModelContent: func() (rank.Scorer, error) {
			var mf *recall.MF
			if m := set.Member(ModelMF); m != nil {
				mf, _ = m.Scorer.(*recall.MF)
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
func (c Config) mf(n int) recall.MFConfig {
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
// to the catalog's head above their own limit, recall.DefaultMaxDenseItems
// unless configured; see onHead.)
const LargeCatalog = 100_000

// largeCatalogFactors is matrix factorisation's default vector size above
// LargeCatalog: an ALS sweep costs O(rows·k²), so 64 factors train 9×
// faster than the default 192.
const largeCatalogFactors = 64

// onHead fits a dense item-to-item model on d or, when d has more than
// limit items (0: recall.DefaultMaxDenseItems), on its limit most
// interacted-with items, served over all of d's items: tail items then get
// no weights from this model, and the sparse models cover them.
func onHead(d *dataset.Dataset, limit int, logger *slog.Logger, name string, fit func(*dataset.Dataset) (*recall.ItemItem, error)) (*recall.ItemItem, error) {
	h, orig := d.Head(cmp.Or(limit, recall.DefaultMaxDenseItems))
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
