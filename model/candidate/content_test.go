package candidate_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aislehq/aisle/model/candidate"
)

// randomUnitVectors returns n random unit vectors of dim floats, every
// every-th of them nil (an item without text).
func randomUnitVectors(rng *rand.Rand, n, dim, every int) [][]float32 {
	vecs := make([][]float32, n)
	for i := range vecs {
		if every > 0 && i%every == 0 {
			continue
		}
		v := make([]float32, dim)
		var s float64
		for d := range v {
			v[d] = float32(rng.NormFloat64())
			s += float64(v[d]) * float64(v[d])
		}
		for d := range v {
			v[d] /= float32(math.Sqrt(s))
		}
		vecs[i] = v
	}
	return vecs
}

func TestContent(t *testing.T) {
	// Items 0 and 1 point the same way, 2 is orthogonal, 3 opposite, 4 has no text.
	vecs := [][]float32{{1, 0}, {0.8, 0.6}, {0, 1}, {-1, 0}, nil}
	c, err := candidate.NewContent(vecs, candidate.ContentConfig{})
	if err != nil {
		t.Fatal(err)
	}
	scores := make([]float32, 5)
	c.Score([]int32{0}, scores)
	want := []float32{1, 0.8, 0, 0, 0}
	for i := range want {
		if math.Abs(float64(scores[i]-want[i])) > 1e-6 {
			t.Errorf("Score([0])[%d] = %v, want %v", i, scores[i], want[i])
		}
	}
	items, top := c.Top([]int32{0}, 10)
	if !slices.Equal(items, []int32{0, 1}) || len(top) != 2 {
		t.Errorf("Top([0]) = %v %v, want items [0 1] (zero scores left out)", items, top)
	}
	// A history of only a text-less item scores nothing.
	c.Score([]int32{4}, scores)
	if slices.ContainsFunc(scores, func(x float32) bool { return x != 0 }) {
		t.Errorf("Score([4]) = %v, want all zero", scores)
	}
	// The latest item weighs most: [2, 0] leans to 0, [0, 2] to 2.
	c.Score([]int32{2, 0}, scores)
	if scores[0] <= scores[2] {
		t.Errorf("history [2 0]: item 0 scores %v, item 2 %v; want the latest (0) ahead", scores[0], scores[2])
	}
	if _, err := candidate.NewContent([][]float32{{1, 0}, {1, 0, 0}}, candidate.ContentConfig{}); err == nil {
		t.Error("NewContent with mixed dimensions: no error")
	}
}

func TestContentBinary(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c, err := candidate.NewContent(randomUnitVectors(rng, 50, 8, 5), candidate.ContentConfig{Window: 3, Decay: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got candidate.Content
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	h := []int32{1, 7, 9, 30}
	a, z := make([]float32, 50), make([]float32, 50)
	c.Score(h, a)
	got.Score(h, z)
	if !slices.Equal(a, z) {
		t.Errorf("decoded model scores differently")
	}
	for _, bad := range [][]byte{nil, b[:len(b)-1], append(slices.Clone(b[:20]), b[21:]...)} {
		if err := new(candidate.Content).UnmarshalBinary(bad); !errors.Is(err, candidate.ErrContentFormat) {
			t.Errorf("UnmarshalBinary(%d bytes) = %v, want ErrContentFormat", len(bad), err)
		}
	}
}

func FuzzContentUnmarshal(f *testing.F) {
	c, _ := candidate.NewContent([][]float32{{1, 0}, nil, {0, 1}}, candidate.ContentConfig{})
	b, _ := c.MarshalBinary()
	f.Add(b)
	f.Add(version1(b, "AISLECT1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m candidate.Content
		if err := m.UnmarshalBinary(data); err != nil {
			return
		}
		s := make([]float32, m.NumItems())
		m.Score([]int32{0}, s)
		m.Top([]int32{0}, 3)
	})
}
