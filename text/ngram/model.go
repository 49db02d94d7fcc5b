package ngram

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

var _ aisle.TextEncoder = (*Model)(nil)

// Model is a hashing text encoder: an embedding table of Buckets rows of
// Dim floats. Its methods are safe for concurrent use, except
// UnmarshalBinary, which must not run beside any other method. The zero
// Model has Dim 0 and is meant to be filled by UnmarshalBinary; New and
// Train return ready ones.
type Model struct {
	cfg   Config
	feat  featurizer
	table []float32 // Buckets rows of Dim floats
	pool  sync.Pool // *scratch
}

// New returns an untrained model whose table is random (normal, standard
// deviation 1/√Dim) and deterministic from cfg.Seed: a random projection
// of the bag of features, the baseline that training improves on. It
// panics if cfg has a negative or out-of-range field; Train returns an
// error instead.
func New(cfg Config) *Model {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		panic("ngram: " + err.Error())
	}
	m := newModel(cfg)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6e6772616d)) // "ngram"
	scale := 1 / math.Sqrt(float64(cfg.Dim))
	for i := range m.table {
		m.table[i] = float32(rng.NormFloat64() * scale)
	}
	return m
}

// newModel returns a model with a zero table for cfg, which must be valid.
func newModel(cfg Config) *Model {
	return &Model{
		cfg:   cfg,
		feat:  featurizerFor(cfg),
		table: make([]float32, cfg.Buckets*cfg.Dim),
	}
}

// featurizerFor returns the featurizer of cfg's shape.
func featurizerFor(cfg Config) featurizer {
	return featurizer{buckets: uint64(cfg.Buckets), minN: cfg.MinN, maxN: cfg.MaxN, maxWords: cfg.MaxWords}
}

// Dim returns the length of the vectors.
func (m *Model) Dim() int { return m.cfg.Dim }

// Config returns the model's configuration with its defaults filled in.
func (m *Model) Config() Config { return m.cfg }

// encodeChunk is how many texts one goroutine of Encode takes at a time.
const encodeChunk = 64

// Encode returns one unit-length vector per text (the zero vector for a
// text with no features), in order, spreading the texts over the
// configured Workers. It fails only when ctx is done.
func (m *Model) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	dim := m.cfg.Dim
	flat := make([]float32, len(texts)*dim)
	out := make([][]float32, len(texts))
	for i := range out {
		out[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	chunks := (len(texts) + encodeChunk - 1) / encodeChunk
	workers := min(m.cfg.Workers, chunks)
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int // guarded by mu: the next chunk to encode
	)
	work := func() {
		defer wg.Done()
		for ctx.Err() == nil {
			mu.Lock()
			c := next
			next++
			mu.Unlock()
			if c >= chunks {
				return
			}
			for i := c * encodeChunk; i < min((c+1)*encodeChunk, len(texts)); i++ {
				m.EncodeTo(out[i], texts[i])
			}
		}
	}
	wg.Add(workers)
	for range workers {
		go work()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ngram encode: %w", err)
	}
	return out, nil
}

// EncodeTo writes text's unit-length vector (the zero vector when the text
// has no features) to dst[:Dim()]. It allocates nothing once the model's
// scratch buffers have grown to the text's size. It panics if dst is
// shorter than Dim().
func (m *Model) EncodeTo(dst []float32, text string) {
	dst = dst[:m.cfg.Dim]
	s := m.scratch()
	s.feats = m.feat.appendFeatures(s.feats[:0], text, s)
	m.sumRows(dst, s.feats)
	vector.Normalize(dst)
	m.pool.Put(s)
}

// scratch returns a scratch from the pool or a new one.
func (m *Model) scratch() *scratch {
	if s, ok := m.pool.Get().(*scratch); ok {
		return s
	}
	return &scratch{}
}

// sumRows sets dst to the sum of the table rows feats. It adds four rows
// at a time, so that their loads from memory overlap.
func (m *Model) sumRows(dst []float32, feats []uint32) {
	clear(dst)
	n := len(dst)
	row := func(f uint32) []float32 { return m.table[int(f)*n:][:n] }
	k := 0
	for ; k+4 <= len(feats); k += 4 {
		add4(dst, row(feats[k]), row(feats[k+1]), row(feats[k+2]), row(feats[k+3]))
	}
	for ; k < len(feats); k++ {
		r := row(feats[k])[:len(dst)]
		for i := range dst {
			dst[i] += r[i]
		}
	}
}

// add4Go adds (r0 + r1) + (r2 + r3) to dst; all have dst's length.
func add4Go(dst, r0, r1, r2, r3 []float32) {
	r0, r1, r2, r3 = r0[:len(dst)], r1[:len(dst)], r2[:len(dst)], r3[:len(dst)]
	for i := range dst {
		dst[i] += (r0[i] + r1[i]) + (r2[i] + r3[i])
	}
}
