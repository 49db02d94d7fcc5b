package visual

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
)

// DualEncoder is a CLIP-style model: photos and texts in one space;
// *onnx.CLIP is one.
type DualEncoder interface {
	// EncodeImages returns each photo's unit vector.
	EncodeImages(ctx context.Context, imgs []image.Image) ([][]float32, error)
	// Encode returns each text's unit vector, in the photos' space.
	Encode(ctx context.Context, texts []string) ([][]float32, error)
	// Dim is the vectors' length.
	Dim() int
}

// CLIPEncoder is a DualEncoder as a Reader's image model (an Encoder):
// each photo's vector, and as its labels the zero-shot tags of every
// label set (the best colour, the best category, ...), most probable
// first. It is safe for concurrent use when its DualEncoder is.
type CLIPEncoder struct {
	enc  DualEncoder
	tags *clip.Classifier
}

var _ Encoder = (*CLIPEncoder)(nil)

// NewCLIPEncoder returns enc as an image model that tags photos with the
// label sets of items (CLIPLabelSets). It encodes the labels' texts with
// enc.
func NewCLIPEncoder(ctx context.Context, enc DualEncoder, items []aisle.Item) (*CLIPEncoder, error) {
	tags, err := clip.NewClassifier(ctx, enc, CLIPLabelSets(items), clip.ZeroShotConfig{Templates: []string{"a photo of a {} product", "a product photo of {}"}, TopLabels: 1})
	if err != nil {
		return nil, fmt.Errorf("clip tags: %w", err)
	}
	return &CLIPEncoder{enc: enc, tags: tags}, nil
}

// Dim returns the vectors' length.
func (c *CLIPEncoder) Dim() int { return c.enc.Dim() }

// Encode returns each photo's vector and zero-shot tags.
func (c *CLIPEncoder) Encode(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error) {
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

// CLIPLabelSets are what a CLIPEncoder tags photos with: the canonical
// colours and, when there are two or more, the catalog's leaf categories.
func CLIPLabelSets(items []aisle.Item) []clip.LabelSet {
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
