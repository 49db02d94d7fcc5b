// Package fusion learns one vector per item from several of its vectors —
// text, image and behaviour embeddings — with gates (attention weights
// that depend on the item) over the ones an item has, so items missing a
// modality (a new item has no behaviour, most have no photo) still get a
// vector in the same space, and are not favoured for it.
//
// # Model
//
// Each modality m keeps its own vectors: an item's input x_m is scaled to
// unit length (a zero or absent vector is a missing modality), less the
// modality's centre c_m (the mean of the training items' unit vectors),
// scaled to unit length again, and becomes block m of the fused vector,
// times the gate
//
//	g_m(n) = softplus(a_m + b_m·log(1+n)) / sqrt(Σ_k softplus(a_k + b_k·log(1+n))²)
//
// where n is the item's number of interactions and the sum runs over
// every modality of the model, present or not. Centring makes a block's
// inner product with another item's about zero on average (Office's text
// vectors have cosines of 0.6–0.8 between random items, ALS factors share
// a popularity direction), so the zero block of a missing modality is the
// uninformative one. Nothing is renormalised over the present modalities,
// so the
// fused vector of an item with every modality has unit length and one
// lacking some is shorter: the inner product of two items is
// Σ_m g_m(n_i)·g_m(n_j)·cos_m(i, j) over the modalities both have, and a
// shopper's profile (a weighted sum of item vectors) scores an item by a
// learned linear combination of its per-modality cosines. Behaviour's
// reliability grows with interactions; b_m lets its gate follow.
//
// A modality may have a predictor (WithPredictor): an item lacking it but
// having the predictor's source gets the block a linear map makes of the
// source's block, gated alike. Aisle predicts behaviour from text, so a
// new item is placed where items described alike are bought.
//
// # Training
//
// Tune fits the 2·M scalars a and b by coordinate ascent on a score the
// caller computes (Aisle's train package: the content candidate
// generator's NDCG@10 on held-out interactions). Nothing the modalities'
// own vectors know is lost: they are not re-projected.
package fusion

import (
	"fmt"
	"math"
	"slices"

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

// Limits on a model's shape, checked by New and UnmarshalBinary.
const (
	maxInputDim   = 1 << 16
	maxModalities = 16
	maxNameLen    = 64
	// maxParam bounds |a_m| and |b_m|: beyond it softplus saturates.
	maxParam = 30
)

// Model fuses an item's vectors into one vector, the concatenation of
// its modalities' gated unit vectors. It is immutable once made, tuned or
// decoded and safe for concurrent use, except that UnmarshalBinary must
// not run concurrently with any other method. The zero Model is only an
// UnmarshalBinary target.
type Model struct {
	mods []Modality
	off  []int     // block m starts at off[m]
	dim  int       // Σ mods[m].Dim
	a, b []float64 // gate parameters, one per modality
	// centre[m] is modality m's centre, mods[m].Dim long.
	centre [][]float32
	// pred[m], when not nil, predicts modality m's block from modality
	// src[m]'s when an item lacks m.
	pred [][]float32 // mods[m].Dim × mods[src[m]].Dim, row-major
	src  []int
}

// New returns a model over mods with centres[m] the centre of modality m
// (nil, or no centres at all, for the origin) and equal gates (a_m =
// softplus⁻¹(1), b_m = 0: each block weighs 1/√M whatever the
// interactions), or an error naming a modality out of the limits or named
// twice, or a centre of the wrong length or not finite.
func New(mods []Modality, centres [][]float32) (*Model, error) {
	a := make([]float64, len(mods))
	for k := range a {
		a[k] = math.Log(math.E - 1)
	}
	return newModel(mods, a, make([]float64, len(mods)), centres)
}

// Recentred returns a copy of m, its gates included, with other centres
// (as New takes them) and no predictors. Errors are New's.
func (m *Model) Recentred(centres [][]float32) (*Model, error) {
	return newModel(m.mods, slices.Clone(m.a), slices.Clone(m.b), centres)
}

// WithPredictor returns a copy of m in which an item lacking the modality
// to but having from gets the block w·x for to, x its centred unit block
// of from, scaled to unit length and gated as to's (w is to's Dim ×
// from's Dim, row-major): a cold item's behaviour predicted from its
// text. It returns an error for an unknown modality, to = from, or w of
// the wrong length or not finite.
func (m *Model) WithPredictor(to, from string, w []float32) (*Model, error) {
	t, f := m.index(to), m.index(from)
	switch {
	case t < 0 || f < 0 || t == f:
		return nil, fmt.Errorf("fusion: predictor of %q from %q: want two of the model's modalities", to, from)
	case len(w) != m.mods[t].Dim*m.mods[f].Dim:
		return nil, fmt.Errorf("fusion: predictor of %q from %q: %d weights, want %d", to, from, len(w), m.mods[t].Dim*m.mods[f].Dim)
	}
	for _, x := range w {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("fusion: predictor of %q from %q: weight not finite", to, from)
		}
	}
	c := *m
	c.pred, c.src = slices.Clone(m.pred), slices.Clone(m.src)
	c.pred[t], c.src[t] = slices.Clone(w), f
	return &c, nil
}

// newModel returns a model of the given shape, gate parameters and
// centres.
func newModel(mods []Modality, a, b []float64, centres [][]float32) (*Model, error) {
	if len(mods) < 1 || len(mods) > maxModalities {
		return nil, fmt.Errorf("%d modalities: want 1 to %d", len(mods), maxModalities)
	}
	if len(centres) != 0 && len(centres) != len(mods) {
		return nil, fmt.Errorf("%d centres for %d modalities", len(centres), len(mods))
	}
	m := &Model{mods: append([]Modality(nil), mods...), off: make([]int, len(mods)), a: a, b: b, centre: make([][]float32, len(mods)), pred: make([][]float32, len(mods)), src: make([]int, len(mods))}
	for k, md := range mods {
		switch {
		case md.Name == "" || len(md.Name) > maxNameLen:
			return nil, fmt.Errorf("modality %d: name %q: want 1 to %d bytes", k, md.Name, maxNameLen)
		case md.Dim < 1 || md.Dim > maxInputDim:
			return nil, fmt.Errorf("modality %q: dim %d: want 1 to %d", md.Name, md.Dim, maxInputDim)
		case m.index(md.Name) < k:
			return nil, fmt.Errorf("modality %q named twice", md.Name)
		case !(math.Abs(a[k]) <= maxParam) || !(math.Abs(b[k]) <= maxParam):
			return nil, fmt.Errorf("modality %q: gate parameters %g, %g: want within ±%d", md.Name, a[k], b[k], maxParam)
		}
		m.off[k] = m.dim
		m.dim += md.Dim
		m.centre[k] = make([]float32, md.Dim)
		if len(centres) == 0 || centres[k] == nil {
			continue
		}
		if len(centres[k]) != md.Dim {
			return nil, fmt.Errorf("modality %q: centre of %d dimensions, want %d", md.Name, len(centres[k]), md.Dim)
		}
		for _, x := range centres[k] {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("modality %q: centre not finite", md.Name)
			}
		}
		copy(m.centre[k], centres[k])
	}
	return m, nil
}

// Centred returns the block the modality called name gives an item with
// the vector v, before its gate: the unit vector along v/|v| − c_m; nil
// when v is nil, zero or at the centre. It returns an error for a
// modality the model does not know, or a vector of the wrong length or
// not finite.
func (m *Model) Centred(name string, v []float32) ([]float32, error) {
	k := m.index(name)
	if k < 0 {
		return nil, fmt.Errorf("fusion: unknown modality %q", name)
	}
	if len(v) == 0 {
		return nil, nil
	}
	if len(v) != m.mods[k].Dim {
		return nil, fmt.Errorf("fusion: %s vector has %d dimensions, want %d", name, len(v), m.mods[k].Dim)
	}
	x := slices.Clone(v)
	n := vector.Normalize(x)
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return nil, fmt.Errorf("fusion: %s vector has a non-finite entry", name)
	}
	if n == 0 {
		return nil, nil
	}
	for d, c := range m.centre[k] {
		x[d] -= c
	}
	if vector.Normalize(x) == 0 {
		return nil, nil
	}
	return x, nil
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

// Dim returns the length of the fused vectors: the sum of the
// modalities' lengths.
func (m *Model) Dim() int { return m.dim }

// Modalities returns the modalities the model fuses, in its order (a
// copy).
func (m *Model) Modalities() []Modality { return append([]Modality(nil), m.mods...) }

// Has reports whether the model fuses the modality called name.
func (m *Model) Has(name string) bool { return m.index(name) >= 0 }

// Gates writes into dst (one per modality, in the model's order) the
// gates of an item with interactions interactions (negative counts as
// 0), and returns dst; it allocates when dst is too short. Their squares
// sum to 1.
func (m *Model) Gates(dst []float32, interactions int) []float32 {
	if len(dst) < len(m.mods) {
		dst = make([]float32, len(m.mods))
	}
	dst = dst[:len(m.mods)]
	l := math.Log1p(float64(max(interactions, 0)))
	var ss float64
	g := make([]float64, len(m.mods))
	for k := range m.mods {
		g[k] = softplus(m.a[k] + m.b[k]*l)
		ss += g[k] * g[k]
	}
	norm := math.Sqrt(ss)
	for k := range g {
		dst[k] = float32(g[k] / norm)
	}
	return dst
}

// softplus returns log(1+eˣ), without overflow.
func softplus(x float64) float64 {
	if x > 30 {
		return x
	}
	return math.Log1p(math.Exp(x))
}

// Blocks returns each modality's block of an item with the vectors in,
// in the model's order, before the gates: the centred unit vector of a
// present modality (Centred), the predicted one of a missing modality
// with a predictor whose source is present (WithPredictor), nil for the
// others. Errors are Fuse's.
func (m *Model) Blocks(in Inputs) ([][]float32, error) {
	for name := range in {
		if m.index(name) < 0 {
			return nil, fmt.Errorf("fusion: unknown modality %q", name)
		}
	}
	out := make([][]float32, len(m.mods))
	for k, md := range m.mods {
		x, err := m.Centred(md.Name, in[md.Name])
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	for k, w := range m.pred {
		x := out[m.src[k]]
		if w == nil || out[k] != nil || x == nil {
			continue
		}
		y := make([]float32, m.mods[k].Dim)
		for r := range y {
			y[r] = vector.Dot(w[r*len(x):(r+1)*len(x)], x)
		}
		if vector.Normalize(y) > 0 {
			out[k] = y
		}
	}
	return out, nil
}

// Fuse returns the fused vector of an item with the vectors in and
// interactions interactions (0 for an item no shopper has touched), or
// nil when it has none of the model's modalities. It returns an error for
// a modality the model does not know, or a vector of the wrong length or
// not finite.
func (m *Model) Fuse(in Inputs, interactions int) ([]float32, error) {
	blocks, err := m.Blocks(in)
	if err != nil {
		return nil, err
	}
	gates := m.Gates(nil, interactions)
	var out []float32
	for k, x := range blocks {
		if x == nil {
			continue
		}
		if out == nil {
			out = make([]float32, m.dim)
		}
		for d, v := range x {
			out[m.off[k]+d] = v * gates[k]
		}
	}
	if vector.Norm(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Attention returns the weight each of the item's present modalities has
// in its fused vector (its squared gate: the share of the inner product
// of two items with every modality that the modality contributes when
// their cosines are equal), for explanations: nil when it has none. The
// weights sum to 1 for an item with every modality, less for one missing
// some. Errors are Fuse's.
func (m *Model) Attention(in Inputs, interactions int) (map[string]float32, error) {
	v, err := m.Fuse(in, interactions)
	if err != nil || v == nil {
		return nil, err
	}
	gates := m.Gates(nil, interactions)
	out := make(map[string]float32, len(m.mods))
	for k, md := range m.mods {
		if vector.Norm(v[m.off[k]:m.off[k]+md.Dim]) > 0 {
			out[md.Name] = gates[k] * gates[k]
		}
	}
	return out, nil
}
