package candidate

import (
	"errors"
	"fmt"
	"sync"

	"github.com/aislehq/aisle/internal/modelfile"
	"github.com/aislehq/aisle/vector"
)

// ContentConfig configures a Content model. Zero fields take the defaults.
type ContentConfig struct {
	// Window is how many of the shopper's latest items make their
	// profile (default 10).
	Window int
	// Decay weighs the item k places before the latest by Decay^k
	// (default 0.8), so the profile leans toward what they did last.
	Decay float64
}

func (c ContentConfig) withDefaults() ContentConfig {
	if c.Window <= 0 {
		c.Window = 10
	}
	if c.Decay <= 0 || c.Decay > 1 {
		c.Decay = 0.8
	}
	return c
}

// Content scores items by how alike their texts are to the texts of the
// shopper's latest items: each item has a unit vector from a text encoder
// (aisle.TextEncoder), a shopper's profile is the decayed sum of their
// latest items' vectors, and an item scores its cosine with the profile
// (negative cosines score 0). It needs no interactions at all, so it is the
// candidate generator that reaches items no shopper has touched yet. Top
// scans every item; it is safe for concurrent use.
type Content struct {
	n, dim int
	cfg    ContentConfig
	vecs   []float32 // n×dim, row-major; a zero row is an item without text
	bufs   sync.Pool // *[]float32 of n scores
}

// NewContent returns a content model over vecs[i], item i's vector (nil
// or all zeros for an item without text). Every non-nil vector must have
// the same length.
func NewContent(vecs [][]float32, cfg ContentConfig) (*Content, error) {
	dim := 0
	for _, v := range vecs {
		if len(v) > 0 {
			dim = len(v)
			break
		}
	}
	flat := make([]float32, len(vecs)*dim)
	for i, v := range vecs {
		if len(v) == 0 {
			continue
		}
		if len(v) != dim {
			return nil, fmt.Errorf("recall: content vector %d has %d dimensions, want %d", i, len(v), dim)
		}
		copy(flat[i*dim:], v)
	}
	return newContent(len(vecs), dim, cfg.withDefaults(), flat), nil
}

func newContent(n, dim int, cfg ContentConfig, flat []float32) *Content {
	c := &Content{n: n, dim: dim, cfg: cfg, vecs: flat}
	c.bufs.New = func() any { s := make([]float32, n); return &s }
	return c
}

// NumItems returns the number of items the model scores.
func (c *Content) NumItems() int { return c.n }

// Dim returns the length of the item vectors.
func (c *Content) Dim() int { return c.dim }

// Vector returns item i's vector (shared; do not modify), or nil when i is
// out of range.
func (c *Content) Vector(i int32) []float32 {
	if i < 0 || int(i) >= c.n || c.dim == 0 {
		return nil
	}
	return c.vecs[int(i)*c.dim : (int(i)+1)*c.dim]
}

// profile returns the decayed sum of the latest history items' vectors,
// or nil when none of them has one.
func (c *Content) profile(history []int32) []float32 {
	if c.dim == 0 {
		return nil
	}
	start := max(0, len(history)-c.cfg.Window)
	vecs := make([][]float32, 0, len(history)-start)
	for _, i := range history[start:] {
		vecs = append(vecs, c.Vector(i))
	}
	return c.cfg.Profile(vecs)
}

// Profile returns a shopper's profile from the vectors of their items,
// oldest first (nil for an item without one): the sum of the latest
// Window of them, the one k places before the latest weighed Decay^k. It
// returns nil when none has a vector. Zero fields take their defaults.
func (c ContentConfig) Profile(vecs [][]float32) []float32 {
	c = c.withDefaults()
	var p []float32
	w := float32(1)
	for k := len(vecs) - 1; k >= 0 && k >= len(vecs)-c.Window; k-- {
		if v := vecs[k]; len(v) > 0 {
			if p == nil {
				p = make([]float32, len(v))
			}
			for d, x := range v[:len(p)] {
				p[d] += w * x
			}
		}
		w *= float32(c.Decay)
	}
	return p
}

// profileNorm returns |p|, or 1 for the zero vector.
func profileNorm(p []float32) float32 {
	if n := vector.Norm(p); n > 0 {
		return n
	}
	return 1
}

// cosine returns max(0, p·v) / |p| (v is unit length or zero).
func cosine(p, v []float32, norm float32) float32 {
	var s float32
	for d, x := range v {
		s += p[d] * x
	}
	if s <= 0 {
		return 0
	}
	return s / norm
}

// Score writes every item's score for history into scores.
func (c *Content) Score(history []int32, scores []float32) {
	clear(scores[:c.n])
	p := c.profile(history)
	if p == nil {
		return
	}
	nrm := profileNorm(p)
	for i := 0; i < c.n; i++ {
		scores[i] = cosine(p, c.vecs[i*c.dim:(i+1)*c.dim], nrm)
	}
}

// ScoreItems writes the score of items[j] into out[j], as Score would.
func (c *Content) ScoreItems(history, items []int32, out []float32) {
	p := c.profile(history)
	var nrm float32
	if p != nil {
		nrm = profileNorm(p)
	}
	for j, i := range items {
		out[j] = 0
		if v := c.Vector(i); p != nil && v != nil {
			out[j] = cosine(p, v, nrm)
		}
	}
}

// Top returns the k items most like history, best first, with their
// scores; items scoring 0 are left out.
func (c *Content) Top(history []int32, k int) ([]int32, []float32) {
	bp := c.bufs.Get().(*[]float32)
	defer c.bufs.Put(bp)
	s := *bp
	c.Score(history, s)
	top := topRow(s, -1, k)
	items, scores := make([]int32, len(top)), make([]float32, len(top))
	for j, x := range top {
		items[j], scores[j] = x.item, x.w
	}
	return items, scores
}

// The content model's binary format (modelfile, CRC-32C): magic
// "AISLECNT", version 2, then n, dim and window uint32, decay float64 and
// the n×dim vectors, float32 row-major. Version 1 (magic "AISLECT1", no
// version word, CRC-32 IEEE) is still read.
var (
	contentFormat   = modelfile.Format{Magic: "AISLECNT", Version: 2, Err: ErrContentFormat}
	contentFormatV1 = modelfile.Format{Magic: "AISLECT1", Checksum: modelfile.CRC32IEEE, Err: ErrContentFormat}
)

// maxContentItemsNoVectors is the most items UnmarshalBinary accepts in a
// model without vectors.
const maxContentItemsNoVectors = 1 << 24

// ErrContentFormat is wrapped by Content.UnmarshalBinary's errors.
var ErrContentFormat = errors.New("recall: not a content model")

// MarshalBinary encodes the model. It never fails.
func (c *Content) MarshalBinary() ([]byte, error) {
	e := contentFormat.NewEncoder(20 + 4*len(c.vecs))
	e.Uint32(uint32(c.n))
	e.Uint32(uint32(c.dim))
	e.Uint32(uint32(c.cfg.Window))
	e.Float64(c.cfg.Decay)
	e.Float32s(c.vecs)
	return e.Finish()
}

// UnmarshalBinary decodes what MarshalBinary wrote, or version 1. Corrupt
// or truncated input gives an error wrapping ErrContentFormat and leaves c
// unchanged.
func (c *Content) UnmarshalBinary(data []byte) error {
	d, err := openVersioned(data, contentFormat, contentFormatV1)
	if err != nil {
		return err
	}
	n, dim, window := uint64(d.Uint32()), uint64(d.Uint32()), d.Uint32()
	decay := d.Float64()
	// Without vectors (dim 0) no data bounds n, so a limit does.
	if d.Err() == nil && (window == 0 || !(decay > 0 && decay <= 1) || (dim == 0 && n > maxContentItemsNoVectors)) {
		return d.Errorf("bad dimensions")
	}
	flat := d.FiniteFloat32s(n * dim)
	if err := d.Finish(); err != nil {
		return err
	}
	*c = Content{}
	nc := newContent(int(n), int(dim), ContentConfig{Window: int(window), Decay: decay}, flat)
	c.n, c.dim, c.cfg, c.vecs = nc.n, nc.dim, nc.cfg, nc.vecs
	c.bufs.New = nc.bufs.New
	return nil
}

// Config returns the model's configuration, defaults filled in.
func (c *Content) Config() ContentConfig { return c.cfg }
