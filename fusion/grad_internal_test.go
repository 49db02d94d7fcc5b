package fusion

import (
	"math"
	"math/rand/v2"
	"testing"
)

// randVecs returns n random vectors of length dim, every skip-th nil.
func randVecs(rng *rand.Rand, n, dim, skip int) [][]float32 {
	out := make([][]float32, n)
	for i := range out {
		if skip > 0 && i%skip == 0 {
			continue
		}
		out[i] = make([]float32, dim)
		for d := range out[i] {
			out[i][d] = float32(rng.NormFloat64())
		}
	}
	return out
}

// TestGradientMatchesFiniteDifferences checks every weight's hand-written
// gradient against central differences of the loss, with attention
// weights away from uniform and items missing modalities.
func TestGradientMatchesFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	mods := []Modality{{Text, 5}, {Image, 7}, {Behaviour, 4}}
	c := Corpus{Modalities: mods, Vectors: [][][]float32{randVecs(rng, 8, 5, 0), randVecs(rng, 8, 7, 3), randVecs(rng, 8, 4, 2)}}
	cfg := Config{Dim: 6, Temperature: 0.5, Workers: 1}.withDefaults()
	m, err := newModel(cfg.Dim, mods)
	if err != nil {
		t.Fatal(err)
	}
	m.init(3)
	for i := m.wOff; i < len(m.params); i++ {
		m.params[i] = float32(rng.NormFloat64())
	}
	tr := &trainer{m: m, cfg: cfg}
	if err := tr.load(c); err != nil {
		t.Fatal(err)
	}
	batch := []example{{a: 0, b: 1}, {a: 2, b: 3}, {a: 4, b: 5}, {a: 1, b: 1, self: true}, {a: 7, b: 6}}
	tr.grad = make([]float32, len(m.params))
	tr.draw(batch, rand.New(rand.NewPCG(4, 5)))
	tr.lossAndGrad()
	want := append([]float32(nil), tr.grad...)
	const eps = 1e-3
	bad := 0
	for i := range m.params {
		orig := m.params[i]
		m.params[i] = orig + eps
		up := tr.lossAndGrad()
		m.params[i] = orig - eps
		down := tr.lossAndGrad()
		m.params[i] = orig
		num := (up - down) / (2 * eps)
		if d := math.Abs(num - float64(want[i])); d > 2e-3+0.03*math.Abs(num) {
			bad++
			t.Errorf("weight %d: analytic %.5f, numeric %.5f", i, want[i], num)
		}
	}
	if bad == 0 && allZero(want) {
		t.Fatal("gradient is zero everywhere")
	}
}

func allZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}
