package openai

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// embeddingResponse is the body returned by POST /embeddings.
type embeddingResponse struct {
	Data []struct {
		Index     *int            `json:"index"`
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
}

// decodeEmbeddings parses an embeddings response for want inputs and
// returns the vectors ordered by their "index" (by position when a server
// omits it). It checks the count, that each index is in range and unique,
// and that all vectors share one non-zero dimension.
func decodeEmbeddings(body []byte, want int) ([][]float32, error) {
	var resp embeddingResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decode response: %w", err)
	}
	if len(resp.Data) != want {
		return nil, fmt.Errorf("decode response: got %d embeddings for %d inputs", len(resp.Data), want)
	}
	out := make([][]float32, want)
	dim := -1
	for pos, item := range resp.Data {
		idx := pos
		if item.Index != nil {
			idx = *item.Index
		}
		if idx < 0 || idx >= want {
			return nil, fmt.Errorf("decode response: item %d: index %d out of range [0,%d)", pos, idx, want)
		}
		if out[idx] != nil {
			return nil, fmt.Errorf("decode response: item %d: duplicate index %d", pos, idx)
		}
		vec, err := decodeVector(item.Embedding)
		if err != nil {
			return nil, fmt.Errorf("decode response: item %d: %w", pos, err)
		}
		if len(vec) == 0 {
			return nil, fmt.Errorf("decode response: item %d: empty embedding", pos)
		}
		if dim < 0 {
			dim = len(vec)
		} else if len(vec) != dim {
			return nil, fmt.Errorf("decode response: item %d: dimension %d, want %d", pos, len(vec), dim)
		}
		out[idx] = vec
	}
	return out, nil
}

// decodeVector decodes an "embedding" value: a JSON array of numbers, or a
// base64 string of little-endian float32s (encoding_format "base64").
func decodeVector(raw json.RawMessage) ([]float32, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, errors.New("missing embedding")
	}
	if raw[0] != '"' {
		var vec []float32
		if err := json.Unmarshal(raw, &vec); err != nil {
			return nil, fmt.Errorf("embedding: %w", err)
		}
		return vec, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("embedding: %w", err)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64 embedding: %w", err)
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("base64 embedding: %d bytes is not a whole number of float32s", len(b))
	}
	vec := make([]float32, len(b)/4)
	for i := range vec {
		v := math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("base64 embedding: value %d is %v", i, v)
		}
		vec[i] = v
	}
	return vec, nil
}
