package search

import (
	"context"
	"fmt"
)

// Searcher finds catalog items for a request; *Live and *Index are ones.
type Searcher interface {
	Search(ctx context.Context, req Request) (Result, error)
}

var (
	_ Searcher = (*Live)(nil)
	_ Searcher = (*Index)(nil)
	_ Searcher = TextToImage{}
)

// ImageTextEncoder encodes texts into the space of photos' vectors: the
// text tower of a CLIP-style model (*onnx.CLIP is one).
type ImageTextEncoder interface {
	// Encode returns each text's vector, in order.
	Encode(ctx context.Context, texts []string) ([][]float32, error)
}

// TextToImage adds text-to-image retrieval to a Searcher: a text query's
// vector from Encoder is also matched against the photos' vectors (fused
// with the text ranking by reciprocal rank), as if the query came with a
// photo. A request that has a photo's vector is passed on unchanged. It
// is safe for concurrent use when Searcher and Encoder are.
type TextToImage struct {
	Searcher
	Encoder ImageTextEncoder
}

// Search encodes the query for the photo vectors when no photo is given,
// then searches. An error of the encoder is returned, wrapped.
func (t TextToImage) Search(ctx context.Context, req Request) (Result, error) {
	if req.Image == nil && req.Query != "" {
		vs, err := t.Encoder.Encode(ctx, []string{req.Query})
		if err != nil {
			return Result{}, fmt.Errorf("text to image: %w", err)
		}
		req.Image = vs[0]
	}
	return t.Searcher.Search(ctx, req)
}
