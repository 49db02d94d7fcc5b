package main

import (
	"cmp"
	"context"
	"fmt"
	"image"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/clip"
	"github.com/aislehq/aisle/image/palette"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/search"
)

// dualEncoder is a CLIP-style model: photos and texts in one space;
// *onnx.CLIP is one.
type dualEncoder interface {
	EncodeImages(ctx context.Context, imgs []image.Image) ([][]float32, error)
	Encode(ctx context.Context, texts []string) ([][]float32, error)
	Dim() int
}

// clipImages is a dual encoder as the photo reader's image model: each
// photo's vector, and as its labels the zero-shot tags of every label set
// (the best colour, the best category, ...), most probable first.
type clipImages struct {
	enc  dualEncoder
	tags *clip.Classifier
}

// Dim returns the vectors' length.
func (c *clipImages) Dim() int { return c.enc.Dim() }

// Encode returns each photo's vector and zero-shot tags.
func (c *clipImages) Encode(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error) {
	vecs, err := c.enc.EncodeImages(ctx, imgs)
	if err != nil {
		return nil, err
	}
	out := make([]onnx.ImageFeatures, len(vecs))
	for i, v := range vecs {
		out[i].Embedding = v
		for _, p := range c.tags.Classify(v) {
			if len(p.Labels) > 0 {
				out[i].Labels = append(out[i].Labels, onnx.Label{Name: p.Labels[0].Label, Prob: p.Labels[0].Prob})
			}
		}
		slices.SortStableFunc(out[i].Labels, func(a, b onnx.Label) int { return cmp.Compare(b.Prob, a.Prob) })
	}
	return out, nil
}

// clipLabelSets are what CLIP tags photos with: the canonical colours and
// the catalog's leaf categories.
func clipLabelSets(items []aisle.Item) []clip.LabelSet {
	sets := []clip.LabelSet{{Name: "color", Labels: palette.Names()}}
	seen := map[string]bool{}
	var cats []string
	for i := range items {
		if c := items[i].Categories; len(c) > 0 && !seen[c[len(c)-1]] {
			seen[c[len(c)-1]] = true
			cats = append(cats, c[len(c)-1])
		}
	}
	if len(cats) > 1 {
		sets = append(sets, clip.LabelSet{Name: "category", Labels: cats})
	}
	return sets
}

// newClipImages returns enc as an image model that tags photos with the
// label sets of items.
func newClipImages(ctx context.Context, enc dualEncoder, items []aisle.Item) (*clipImages, error) {
	tags, err := clip.NewClassifier(ctx, enc, clipLabelSets(items), clip.ZeroShotConfig{Templates: []string{"a photo of a {} product", "a product photo of {}"}, TopLabels: 1})
	if err != nil {
		return nil, fmt.Errorf("clip tags: %w", err)
	}
	return &clipImages{enc: enc, tags: tags}, nil
}

// searcher is what GET /v1/search and POST /v1/search/image call;
// *search.Live is one.
type searcher interface {
	Search(ctx context.Context, req search.Request) (search.Result, error)
}

// textToImage adds text-to-image retrieval to a searcher: a text query's
// vector from the dual encoder's text tower is also matched against the
// photos' vectors (fused with the text ranking by reciprocal rank).
type textToImage struct {
	searcher
	enc dualEncoder
}

// Search encodes the query for the photo vectors when no photo is given.
func (t textToImage) Search(ctx context.Context, req search.Request) (search.Result, error) {
	if req.Image == nil && req.Query != "" {
		vs, err := t.enc.Encode(ctx, []string{req.Query})
		if err != nil {
			return search.Result{}, fmt.Errorf("text to image: %w", err)
		}
		req.Image = vs[0]
	}
	return t.searcher.Search(ctx, req)
}
