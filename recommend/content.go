package recommend

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/embedding"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/text/ngram"
	"github.com/aislehq/aisle/vector"
)

// ModelContent names recommendations made from item texts alone: items
// described like the shopper's recent ones, or like the item at hand.
const ModelContent = "content"

// untrainedEncoder names the built-in encoder before any training: a
// hashing encoder with random features, which still puts texts sharing
// words and word pieces near each other.
const untrainedEncoder = "ngram:untrained"

// encoder names the encoder item vectors come from — the configured one,
// else the built-in encoder of the version serving, else an untrained
// built-in encoder — and returns a function making it (the untrained one,
// a 64 MiB table, is only built when asked for).
func (e *Engine) encoder() (string, func() aisle.TextEncoder) {
	if e.deps.Encoder != nil {
		return e.deps.EncoderName, func() aisle.TextEncoder { return e.deps.Encoder }
	}
	if p := e.model.Load(); p != nil && p.set.Encoder != nil {
		return "ngram:" + p.meta.Version, func() aisle.TextEncoder { return p.set.Encoder }
	}
	return untrainedEncoder, func() aisle.TextEncoder { return ngram.New(ngram.Config{Seed: 1}) }
}

// syncEmbeddings brings the item vectors up to date with the catalog and
// the encoder: a new encoder (a newly loaded version's) gets a new
// embedding.Catalog, filled before it replaces the old one, whose stored
// vectors are then dropped.
func (e *Engine) syncEmbeddings(ctx context.Context) error {
	e.embSync.Lock()
	defer e.embSync.Unlock()
	items, err := aisle.AllItems(ctx, e.store)
	if err != nil {
		return fmt.Errorf("item vectors: %w", err)
	}
	old := e.emb.Load()
	name, enc := e.encoder()
	cat := old
	if cat == nil || cat.Name() != name {
		vs, _ := e.store.(embedding.Store)
		cat = embedding.NewText(enc(), name, vs, e.logger)
	}
	if err := cat.Sync(ctx, items); err != nil {
		return err
	}
	e.emb.Store(cat)
	if old != nil && old != cat {
		if err := old.Drop(ctx); err != nil {
			return err
		}
	}
	if err := e.syncImages(ctx, items); err != nil {
		return err
	}
	return e.syncFused(ctx, items)
}

// syncImages brings the photo vectors up to date with the catalog.
func (e *Engine) syncImages(ctx context.Context, items []aisle.Item) error {
	if e.deps.Images == nil {
		return nil
	}
	cat := e.img.Load()
	if cat == nil {
		vs, _ := e.store.(embedding.Store)
		cat = embedding.New(e.deps.Images, e.deps.ImagesName, vs, e.logger)
	}
	if err := cat.Sync(ctx, items); err != nil {
		return fmt.Errorf("photo vectors: %w", err)
	}
	e.img.Store(cat)
	return nil
}

// Images returns the photo vectors, or nil without Deps.Images or
// before the first build.
func (e *Engine) Images() *embedding.Catalog { return e.img.Load() }

// Embeddings returns the item vectors recommendations and search use, or
// nil before the first build.
func (e *Engine) Embeddings() *embedding.Catalog { return e.emb.Load() }

// observeEmbeddings hands changed items to the refresh loop, which encodes
// them; when it is busy they wait for the next rebuild, which syncs every
// item. It never blocks.
func (e *Engine) observeEmbeddings(items []aisle.Item) {
	select {
	case e.embq <- items:
	default:
		e.mu.Lock()
		e.pending++
		e.mu.Unlock()
	}
}

// contentConfig returns how p's content model makes profiles.
func (p *personal) contentConfig() candidate.ContentConfig {
	if m := p.set.Member(saved.ModelContent); m != nil {
		if c, ok := m.Scorer.(*candidate.Content); ok {
			return c.Config()
		}
	}
	return candidate.ContentConfig{}
}

// profile returns the content profile of a shopper's recent items
// (oldest first), or nil when none has a vector.
func profile(cat *embedding.Catalog, recent []string, cfg candidate.ContentConfig) []float32 {
	vecs := make([][]float32, len(recent))
	for k, id := range recent {
		vecs[k] = cat.Vector(id)
	}
	return cfg.Profile(vecs)
}

// contentCandidates returns up to k items that keep accepts, described
// most like the shopper's recent items (cosine with their content
// profile, at least minCos), best first.
func (e *Engine) contentCandidates(recent []string, cfg candidate.ContentConfig, k int, minCos float32, keep func(string) bool) []scored {
	// Text vectors, even when the version fuses: the cold places go to
	// items without behaviour, which text alone places best (aisle eval
	// -task fusion: 0.0368 NDCG@10 on cold items against the fusion's
	// 0.0183), and the similarity threshold is a text cosine.
	cat := e.emb.Load()
	if cat == nil {
		return nil
	}
	q := profile(cat, recent, cfg)
	if q == nil {
		return nil
	}
	if vector.Normalize(q) == 0 {
		return nil
	}
	hits := cat.Nearest(q, k, keep)
	out := make([]scored, 0, len(hits))
	for _, h := range hits {
		if h.Score >= minCos && h.Score > 0 {
			out = append(out, scored{id: h.ID, score: float64(h.Score)})
		}
	}
	return out
}

// ModelVisual names recommendations made from items' photos alone.
const ModelVisual = "visual"

// SimilarContent returns up to n items whose texts are most like item's,
// best first, from the item vectors. ENOTFOUND if the item is not in the
// catalog; an item without text has no similar items.
func (e *Engine) SimilarContent(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	if recs, ok, err := e.similarWithRules(ctx, item, n, e.SimilarContent); ok { // rules.go
		return recs, err
	}
	return e.similarBy(e.emb.Load(), "item vectors", item, n, ModelContent, "described like %q")
}

// SimilarVisual returns up to n items whose photos look most like item's,
// best first, from the photo vectors. ENOTFOUND if the item is not in the
// catalog; an item without a photo read has no similar items.
func (e *Engine) SimilarVisual(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	if recs, ok, err := e.similarWithRules(ctx, item, n, e.SimilarVisual); ok { // rules.go
		return recs, err
	}
	if e.deps.Images == nil {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "similar items by photo need an image model")
	}
	return e.similarBy(e.img.Load(), "photo vectors", item, n, ModelVisual, "looks like %q")
}

// similarBy returns up to n items nearest to item in cat, named model,
// each with the reason (a format of the item's title).
func (e *Engine) similarBy(cat *embedding.Catalog, what, item string, n int, model, reason string) ([]aisle.Recommendation, error) {
	if cat == nil {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "%s are not built yet", what)
	}
	e.memMu.RLock()
	b, ok := e.mem.items[item]
	e.memMu.RUnlock()
	if !ok {
		return nil, aisle.Errorf(aisle.ENOTFOUND, "item %q not found", item)
	}
	v := cat.Vector(item)
	if v == nil {
		return []aisle.Recommendation{}, nil
	}
	// Ask for a few more than n: pick drops unavailable items.
	hits := cat.Nearest(v, n+16, func(id string) bool { return id != item })
	cands := make([]scored, len(hits))
	for j, h := range hits {
		cands[j] = scored{id: h.ID, score: float64(h.Score)}
	}
	why := fmt.Sprintf(reason, cmp.Or(b.title, item))
	return e.pick(cands, map[string]bool{item: true}, nil, n, func(c scored) aisle.Recommendation {
		return aisle.Recommendation{Item: c.id, Score: c.score, Models: []string{model}, Reasons: []string{why}}
	}), nil
}

// Affinity returns how much each of items suits user's taste, from 0 (no
// evidence) to about 1: the mean of the cosine of the item's vector with
// the shopper's content profile and, when a trained version knows their
// history, the item's fused score scaled by the best candidate's. Users
// without history get zeros. It implements search's Personalizer.
func (e *Engine) Affinity(ctx context.Context, user string, items []string) ([]float64, error) {
	out := make([]float64, len(items))
	e.memMu.RLock()
	recent := slices.Clone(e.mem.recent[user])
	e.memMu.RUnlock()
	a, recent := e.avoidedHistory(user, recent) // interests the shopper removed (profile.go)
	if len(recent) == 0 {
		return out, nil
	}
	cfg := candidate.ContentConfig{}
	fused := map[string]float64{}
	if p := e.model.Load(); p != nil {
		cfg = p.contentConfig()
		if h := p.indices(recent); len(h) > 0 {
			cands := p.rank(h, p.candidates())
			if len(cands) > 0 && cands[0].score > 0 {
				for _, c := range cands {
					fused[c.id] = c.score / cands[0].score
				}
			}
		}
	}
	var q []float32
	var qn float64
	cat := e.contentVectors()
	if cat != nil {
		if q = profile(cat, recent, cfg); q != nil {
			qn = float64(vector.Norm(q))
		}
	}
	for j, id := range items {
		var cos float64
		if q != nil && qn > 0 {
			if v := cat.Vector(id); v != nil {
				cos = max(0, float64(vector.Dot(q, v))/qn)
			}
		}
		out[j] = (cos + fused[id]) / 2
	}
	e.unboost(a, items, out)
	return out, nil
}
