package aisle

import (
	"context"
	"hash/fnv"
	"iter"
)

// MaxVectorDim bounds the length of a stored item vector.
const MaxVectorDim = 1 << 16

// ItemVector is an item's vector from one encoder, with a hash of the text
// it was computed from (TextHash of Item.Text), so a vector is recomputed
// only when the item's text changes.
type ItemVector struct {
	Item     string
	TextHash uint64
	Vector   []float32
}

// VectorStore keeps item vectors per encoder name ("ngram:<version>",
// "onnx:<model-dir-hash>", "openai:<model>"): vectors of different
// encoders never mix. Implementations are safe for concurrent use.
type VectorStore interface {
	// PutItemVectors inserts or replaces vectors atomically: all or none.
	// Every vector must name an existing item (ENOTFOUND otherwise) and
	// hold 1 to MaxVectorDim finite floats (EINVALID otherwise, naming
	// "vectors[i]"); the encoder name must not be empty. Deleting an item
	// deletes its vectors.
	PutItemVectors(ctx context.Context, encoder string, vs []ItemVector) error
	// ItemVectors yields an encoder's vectors in item id order, from a
	// consistent snapshot. An error is yielded once, last.
	ItemVectors(ctx context.Context, encoder string) iter.Seq2[ItemVector, error]
	// DeleteItemVectors drops all of an encoder's vectors; dropping an
	// encoder with none is not an error.
	DeleteItemVectors(ctx context.Context, encoder string) error
}

// TextHash returns the 64-bit FNV-1a hash of s's UTF-8 bytes. It is
// stable across versions and machines: stored vectors rely on it.
func TextHash(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}
