package recommend

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/embedding"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/fusion"
)

// ModelMultimodal names recommendations made from items' fused vectors:
// text, photo and behaviour, weighed by the version's learned fusion.
const ModelMultimodal = "multimodal"

// fusedInput is the embedding.Input of a version's content vectors when
// its content model runs over fused vectors: an item the version was
// trained with keeps its trained vector (behaviour included); a newer one
// gets its text's and its photo's fused (saved.Set.ItemVector).
type fusedInput struct {
	p       *personal
	content *candidate.Content
	images  *embedding.Catalog // nil without photo vectors
}

// Dim returns the fused vectors' length.
func (f fusedInput) Dim() int { return f.p.set.Fusion.Dim() }

// Key hashes an item's text and photo.
func (f fusedInput) Key(it *aisle.Item) (uint64, bool) {
	text := it.Text()
	k := aisle.TextHash(text)
	photo := it.Visual != nil && it.Visual.Image != ""
	if photo {
		k ^= aisle.TextHash(it.Visual.Image) * 0x9e3779b97f4a7c15
	}
	return k, text != "" || photo
}

// Encode returns each item's fused vector; an item with nothing the
// fusion can use gets a zero vector, which is nobody's neighbour.
func (f fusedInput) Encode(ctx context.Context, items []aisle.Item) ([][]float32, error) {
	out := make([][]float32, len(items))
	for i := range items {
		it := &items[i]
		if k, ok := f.p.index[it.ID]; ok {
			if v := f.content.Vector(k); v != nil {
				out[i] = v
				continue
			}
		}
		var img []float32
		if f.images != nil {
			img = f.images.Vector(it.ID)
		}
		v, err := f.p.set.ItemVector(it.Text(), img)
		if err != nil {
			return nil, fmt.Errorf("fused vector of %s: %w", it.ID, err)
		}
		if v == nil {
			v = make([]float32, f.Dim())
		}
		out[i] = v
	}
	return out, nil
}

// fusedOf returns the fused input of p, or false when p's content model
// is not over fused vectors.
func (e *Engine) fusedOf(p *personal) (fusedInput, bool) {
	if p == nil || p.set.Fusion == nil {
		return fusedInput{}, false
	}
	m := p.set.Member(saved.ModelContent)
	if m == nil {
		return fusedInput{}, false
	}
	c, ok := m.Scorer.(*candidate.Content)
	if !ok || c.Dim() != p.set.Fusion.Dim() {
		return fusedInput{}, false
	}
	in := fusedInput{p: p, content: c}
	// Photo vectors join only when they are of the model the fusion was
	// trained with (of its length); otherwise new items fuse text alone.
	if img := e.img.Load(); img != nil {
		for _, mod := range p.set.Fusion.Modalities() {
			if mod.Name == fusion.Image && mod.Dim == img.Dim() {
				in.images = img
			}
		}
	}
	return in, true
}

// syncFused brings the serving version's fused vectors up to date with
// the catalog: a new version gets a new catalog (kept in memory: trained
// vectors are read from the version, new items' are cheap to fuse), which
// replaces the old one once filled; a version without fusion drops it.
func (e *Engine) syncFused(ctx context.Context, items []aisle.Item) error {
	in, ok := e.fusedOf(e.model.Load())
	if !ok {
		e.fused.Store(nil)
		return nil
	}
	cat := e.fused.Load()
	if name := "fused:" + in.p.meta.Version; cat == nil || cat.Name() != name {
		cat = embedding.New(in, name, nil, e.logger)
	}
	if err := cat.Sync(ctx, items); err != nil {
		return fmt.Errorf("fused vectors: %w", err)
	}
	e.fused.Store(cat)
	return nil
}

// contentVectors returns the vectors a shopper's affinity to items is
// measured with: the fused ones when the serving version fuses, else the
// text ones.
func (e *Engine) contentVectors() *embedding.Catalog {
	if c := e.fused.Load(); c != nil {
		return c
	}
	return e.emb.Load()
}

// SimilarFused returns up to n items most like item by everything known
// of both: the serving version's fused vectors (text, photo and
// behaviour) when it has them; else the text vectors when item has text;
// else the photo vectors. ENOTFOUND if the item is not in the catalog.
func (e *Engine) SimilarFused(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	if recs, ok, err := e.similarWithRules(ctx, item, n, e.SimilarFused); ok { // rules.go
		return recs, err
	}
	if c := e.fused.Load(); c != nil && c.Vector(item) != nil {
		return e.similarBy(c, "fused vectors", item, n, ModelMultimodal, "like %q by text, photo and shoppers, fused")
	}
	if c := e.emb.Load(); c != nil && c.Vector(item) != nil {
		return e.SimilarContent(ctx, item, n)
	}
	if c := e.img.Load(); c != nil && c.Vector(item) != nil {
		return e.SimilarVisual(ctx, item, n)
	}
	return e.SimilarContent(ctx, item, n)
}
