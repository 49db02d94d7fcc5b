// Package fusion learns one vector per item from several of its vectors —
// text, image and behaviour embeddings — with attention over the ones an
// item has, so items missing a modality (a new item has no behaviour, most
// have no photo) still get a vector in the same space.
//
// # Model
//
// Each modality m has an input dimension and a projection P_m to the
// shared Dim. An item's input x_m is scaled to unit length first (a zero
// or absent vector is a missing modality); h_m = P_m x_m. Every present
// modality gets the score s_m = w·tanh(h_m) + b_m (w shared, b_m per
// modality), the attention weights α are the softmax of the scores over
// the present modalities only, and the item's vector is the unit vector
// along Σ α_m h_m.
//
// # Training
//
// Train fits P, w and b with the symmetric InfoNCE loss over in-batch
// negatives on pairs of items that belong together (bought near each
// other), as the built-in text encoder is trained, with Adam. Each side of
// a pair hides each of its modalities with probability Dropout (always
// keeping one), and every item with two or more modalities also makes
// pairs of itself with its modalities split in two (SelfPairs), so that
// an item seen through only its text lands near where it lands with all
// of them. Each
// step is data-parallel over Workers goroutines, with every sum taken in a
// fixed order: the same Seed gives the same model whatever Workers is.
package fusion

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/aislehq/aisle/vector"
)

// Names of the modalities Aisle fuses.
const (
	Text      = "text"
	Image     = "image"
	Behaviour = "behaviour"
)

// Modality is one kind of input vector: its name and length.
type Modality struct {
	Name string
	Dim  int
}

// Inputs holds one item's vectors by modality name. An absent, nil or
// all-zero vector is a missing modality.
type Inputs map[string][]float32

// Limits on a model's shape, checked by Train and UnmarshalBinary.
const (
	maxDim        = 4096
	maxInputDim   = 1 << 16
	maxModalities = 16
	maxNameLen    = 64
)

// Model fuses an item's vectors into one unit vector. It is immutable once
// trained or decoded and safe for concurrent use, except that
// UnmarshalBinary must not run concurrently with any other method. The
// zero Model is only an UnmarshalBinary target.
type Model struct {
	dim  int
	mods []Modality
	// params holds every weight: modality m's projection (dim×mods[m].Dim,
	// row-major) at off[m], then w (dim) at wOff, then one bias per
	// modality at bOff.
	params     []float32
	off        []int
	wOff, bOff int
}

// newModel returns a model of the given shape with zero weights, or an
// error naming what is out of the limits.
func newModel(dim int, mods []Modality) (*Model, error) {
	if dim < 1 || dim > maxDim {
		return nil, fmt.Errorf("dim %d: want 1 to %d", dim, maxDim)
	}
	if len(mods) < 1 || len(mods) > maxModalities {
		return nil, fmt.Errorf("%d modalities: want 1 to %d", len(mods), maxModalities)
	}
	m := &Model{dim: dim, mods: append([]Modality(nil), mods...), off: make([]int, len(mods))}
	n := 0
	for k, md := range mods {
		switch {
		case md.Name == "" || len(md.Name) > maxNameLen:
			return nil, fmt.Errorf("modality %d: name %q: want 1 to %d bytes", k, md.Name, maxNameLen)
		case md.Dim < 1 || md.Dim > maxInputDim:
			return nil, fmt.Errorf("modality %q: dim %d: want 1 to %d", md.Name, md.Dim, maxInputDim)
		case m.index(md.Name) < k:
			return nil, fmt.Errorf("modality %q named twice", md.Name)
		}
		m.off[k] = n
		n += dim * md.Dim
	}
	m.wOff, m.bOff = n, n+dim
	m.params = make([]float32, n+dim+len(mods))
	return m, nil
}

// init sets the projections to random Gaussian weights of variance
// 1/in_m (so a unit input projects to about unit length); w and b stay 0,
// so attention starts uniform.
func (m *Model) init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x667573696f6e)) // "fusion"
	for k, md := range m.mods {
		p := m.proj(k)
		s := 1 / math.Sqrt(float64(md.Dim))
		for i := range p {
			p[i] = float32(rng.NormFloat64() * s)
		}
	}
}

// proj returns modality k's projection, dim×mods[k].Dim row-major.
func (m *Model) proj(k int) []float32 {
	return m.params[m.off[k] : m.off[k]+m.dim*m.mods[k].Dim]
}

// index returns the position of the modality called name, or -1.
func (m *Model) index(name string) int {
	for k, md := range m.mods {
		if md.Name == name {
			return k
		}
	}
	return -1
}

// Dim returns the length of the fused vectors.
func (m *Model) Dim() int { return m.dim }

// Modalities returns the modalities the model fuses, in its order (a
// copy).
func (m *Model) Modalities() []Modality { return append([]Modality(nil), m.mods...) }

// Has reports whether the model fuses the modality called name.
func (m *Model) Has(name string) bool { return m.index(name) >= 0 }

// pass is one item's forward pass, kept for the backward pass.
type pass struct {
	present []bool    // by modality
	h, t    []float32 // M×dim: projections and their tanh (absent rows unused)
	alpha   []float32 // M: attention weights, 0 for absent modalities
	u       []float32 // dim: the fused unit vector
	norm    float32   // |Σ α_m h_m| before normalising
	gz      []float32 // dim: backward's scratch
}

func newPass(m *Model) *pass {
	nm := len(m.mods)
	return &pass{present: make([]bool, nm), h: make([]float32, nm*m.dim), t: make([]float32, nm*m.dim), alpha: make([]float32, nm), u: make([]float32, m.dim), gz: make([]float32, m.dim)}
}

// forward fuses xs[k], modality k's unit input, for the modalities that
// p.present marks, into p. It returns false (p.u zero) when none is
// present.
func (m *Model) forward(p *pass, xs [][]float32) bool {
	dim := m.dim
	w, b := m.params[m.wOff:m.wOff+dim], m.params[m.bOff:]
	mx := float32(math.Inf(-1))
	any := false
	for k, md := range m.mods {
		if !p.present[k] {
			continue
		}
		any = true
		P, h, t := m.proj(k), p.h[k*dim:(k+1)*dim], p.t[k*dim:(k+1)*dim]
		for r := range dim {
			h[r] = vector.Dot(P[r*md.Dim:(r+1)*md.Dim], xs[k])
			t[r] = float32(math.Tanh(float64(h[r])))
		}
		p.alpha[k] = vector.Dot(w, t) + b[k]
		mx = max(mx, p.alpha[k])
	}
	clear(p.u)
	if !any {
		p.norm = 0
		return false
	}
	var sum float32
	for k := range m.mods {
		if p.present[k] {
			p.alpha[k] = float32(math.Exp(float64(p.alpha[k] - mx)))
			sum += p.alpha[k]
		} else {
			p.alpha[k] = 0
		}
	}
	for k := range m.mods {
		if !p.present[k] {
			continue
		}
		p.alpha[k] /= sum
		a, h := p.alpha[k], p.h[k*dim:(k+1)*dim]
		for r, x := range h {
			p.u[r] += a * x
		}
	}
	p.norm = vector.Normalize(p.u)
	return true
}

// backward turns g, the loss gradient with respect to p.u, into gh (M×dim,
// the gradient with respect to each present h_m; absent rows zeroed) and
// gs (M, the gradient with respect to each score s_m).
func (m *Model) backward(p *pass, g, gh, gs []float32) {
	dim := m.dim
	clear(gh)
	clear(gs)
	if p.norm == 0 {
		return
	}
	w := m.params[m.wOff : m.wOff+dim]
	// Through the normalisation: g_z = (g − (g·u)u)/|z|; z = |z|·u.
	gu := vector.Dot(g, p.u)
	gz := p.gz
	for r := range gz {
		gz[r] = (g[r] - gu*p.u[r]) / p.norm
	}
	gzz := vector.Dot(gz, p.u) * p.norm
	for k := range m.mods {
		if !p.present[k] {
			continue
		}
		h, t, out := p.h[k*dim:(k+1)*dim], p.t[k*dim:(k+1)*dim], gh[k*dim:(k+1)*dim]
		a := p.alpha[k]
		gs[k] = a * (vector.Dot(gz, h) - gzz)
		for r := range out {
			out[r] = a*gz[r] + gs[k]*w[r]*(1-t[r]*t[r])
		}
	}
}

// inputs returns in's vectors in the model's order, each a unit-length
// copy (nil for a missing one), and marks the present ones. It returns an
// error for a vector of the wrong length or with a non-finite entry, or
// for a name the model does not know.
func (m *Model) inputs(in Inputs, present []bool) ([][]float32, error) {
	for name := range in {
		if m.index(name) < 0 {
			return nil, fmt.Errorf("fusion: unknown modality %q", name)
		}
	}
	xs := make([][]float32, len(m.mods))
	for k, md := range m.mods {
		v := in[md.Name]
		present[k] = false
		if len(v) == 0 {
			continue
		}
		if len(v) != md.Dim {
			return nil, fmt.Errorf("fusion: %s vector has %d dimensions, want %d", md.Name, len(v), md.Dim)
		}
		x := append([]float32(nil), v...)
		n := vector.Normalize(x)
		if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
			return nil, fmt.Errorf("fusion: %s vector has a non-finite entry", md.Name)
		}
		if n > 0 {
			xs[k], present[k] = x, true
		}
	}
	return xs, nil
}

// Fuse returns the item's fused unit vector, or nil when it has none of
// the model's modalities. It returns an error for a modality the model
// does not know, or a vector of the wrong length or not finite.
func (m *Model) Fuse(in Inputs) ([]float32, error) {
	p := newPass(m)
	xs, err := m.inputs(in, p.present)
	if err != nil {
		return nil, err
	}
	if !m.forward(p, xs) {
		return nil, nil
	}
	return p.u, nil
}

// Attention returns the weight each of the item's present modalities has
// in its fused vector (they sum to 1; missing modalities are absent), for
// explanations: nil when it has none. Errors are Fuse's.
func (m *Model) Attention(in Inputs) (map[string]float32, error) {
	p := newPass(m)
	xs, err := m.inputs(in, p.present)
	if err != nil {
		return nil, err
	}
	if !m.forward(p, xs) {
		return nil, nil
	}
	out := make(map[string]float32, len(m.mods))
	for k, md := range m.mods {
		if p.present[k] {
			out[md.Name] = p.alpha[k]
		}
	}
	return out, nil
}
