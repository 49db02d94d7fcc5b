package openai

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

var _ aisle.TextEncoder = (*Encoder)(nil)

// probeText is embedded by OpenEncoder to learn the model's dimension.
const probeText = "dimension probe"

// Encoder is an aisle.TextEncoder backed by a Client's embeddings endpoint.
// It is safe for concurrent use.
type Encoder struct {
	c   *Client
	dim int
}

// NewEncoder returns an Encoder for c whose vectors have dim floats. A dim
// of 0 takes the Client's Config.Dimensions; use OpenEncoder when neither
// is known. It does no I/O.
func NewEncoder(c *Client, dim int) *Encoder {
	if dim <= 0 {
		dim = c.cfg.Dimensions
	}
	return &Encoder{c: c, dim: dim}
}

// OpenEncoder returns an Encoder for c, learning the dimension from
// Config.Dimensions or, when that is unset, by embedding one probe text.
func OpenEncoder(ctx context.Context, c *Client) (*Encoder, error) {
	if c.cfg.Dimensions > 0 {
		return NewEncoder(c, c.cfg.Dimensions), nil
	}
	vecs, err := c.Embed(ctx, []string{probeText})
	if err != nil {
		return nil, fmt.Errorf("openai: probe dimension: %w", err)
	}
	return NewEncoder(c, len(vecs[0])), nil
}

// Dim is the length of every vector Encode returns.
func (e *Encoder) Dim() int { return e.dim }

// Encode returns one unit-length vector per text, in order. Texts that are
// empty or only white space get the zero vector and are not sent (servers
// reject empty inputs). It returns the Client's error when the endpoint
// fails, and an error when the server's vectors do not have Dim floats.
func (e *Encoder) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	if e.dim <= 0 {
		return nil, errors.New("openai: encode: dimension unknown (give NewEncoder a dim, set Config.Dimensions, or use OpenEncoder)")
	}
	out := make([][]float32, len(texts))
	var send []string
	var at []int
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			out[i] = make([]float32, e.dim)
			continue
		}
		send = append(send, t)
		at = append(at, i)
	}
	vecs, err := e.c.Embed(ctx, send)
	if err != nil {
		return nil, err
	}
	for j, v := range vecs {
		if len(v) != e.dim {
			return nil, fmt.Errorf("openai: encode: text %d: got dimension %d, want %d", at[j], len(v), e.dim)
		}
		vector.Normalize(v)
		out[at[j]] = v
	}
	return out, nil
}
