package aisle

import (
	"context"
	"strings"
)

// TextEncoder turns texts (item texts, shopper queries) into vectors whose
// dot product measures how alike their meanings are. Aisle has three
// backends: the built-in encoder trained on the store's own catalog and
// behaviour (package ngram), any BERT-family sentence-transformer run by
// ONNX Runtime (package onnx), and any OpenAI-compatible /v1/embeddings
// endpoint (package openai). Implementations must be safe for concurrent use.
type TextEncoder interface {
	// Encode returns one vector of Dim() floats per text, in the order of
	// texts, each of unit L2 length (the zero vector for a text with no
	// known features). It returns an error only for a failure of the
	// backend (a cancelled ctx, an unreachable endpoint), never for odd
	// text: empty, very long or any-language texts all get vectors.
	Encode(ctx context.Context, texts []string) ([][]float32, error)
	// Dim is the length of every vector Encode returns.
	Dim() int
}

// Text returns the text that describes the item to the text encoders and
// the search index: title, brand, category path and description, one per
// line, empty ones left out.
func (it *Item) Text() string {
	var b strings.Builder
	add := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	add(it.Title)
	add(it.Brand)
	add(strings.Join(it.Categories, " > "))
	add(it.Description)
	return b.String()
}
