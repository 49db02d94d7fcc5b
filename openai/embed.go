package openai

import (
	"context"
	"encoding/json"
	"fmt"
)

// embeddingRequest is the body of POST /embeddings.
type embeddingRequest struct {
	Model          string   `json:"model"`
	Input          []string `json:"input"`
	EncodingFormat string   `json:"encoding_format"`
	Dimensions     int      `json:"dimensions,omitempty"`
}

// Embed returns one vector per text, in the order of texts. It sends
// batches of Config.BatchSize inputs in turn, retrying each as configured,
// and checks that every vector has the same dimension (Config.Dimensions
// when set). Empty input returns nil, nil without a request; an empty
// string among texts is an error, since servers reject it.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	for i, t := range texts {
		if t == "" {
			return nil, fmt.Errorf("openai: embed: text %d is empty", i)
		}
	}
	out := make([][]float32, 0, len(texts))
	dim := c.cfg.Dimensions
	for start := 0; start < len(texts); start += c.cfg.BatchSize {
		end := min(start+c.cfg.BatchSize, len(texts))
		vecs, err := c.embedBatch(ctx, texts[start:end])
		if err != nil {
			return nil, fmt.Errorf("openai: embed texts %d-%d: %w", start, end-1, err)
		}
		if dim == 0 {
			dim = len(vecs[0])
		}
		if got := len(vecs[0]); got != dim {
			return nil, fmt.Errorf("openai: embed texts %d-%d: got dimension %d, want %d", start, end-1, got, dim)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// embedBatch embeds one batch with a single (retried) request. The vectors
// it returns all have the same, non-zero dimension.
func (c *Client) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	payload, err := json.Marshal(embeddingRequest{
		Model:          c.cfg.Model,
		Input:          batch,
		EncodingFormat: "float",
		Dimensions:     c.cfg.Dimensions,
	})
	if err != nil {
		return nil, fmt.Errorf("encode request: %w", err)
	}
	body, err := c.post(ctx, "/embeddings", payload)
	if err != nil {
		return nil, err
	}
	return decodeEmbeddings(body, len(batch))
}
