package fusion_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/vector"
)

// mods are the modalities the tests fuse (the lengths of Aisle's text
// encoder, the shipped CNN and matrix factorisation's default factors).
var mods = []fusion.Modality{{Name: fusion.Text, Dim: 128}, {Name: fusion.Image, Dim: 768}, {Name: fusion.Behaviour, Dim: 192}}

// randomInputs returns random vectors (invented) of every modality of
// mods, not unit length.
func randomInputs(rng *rand.Rand) fusion.Inputs {
	in := fusion.Inputs{}
	for _, md := range mods {
		v := make([]float32, md.Dim)
		for d := range v {
			v[d] = float32(3 * rng.NormFloat64())
		}
		in[md.Name] = v
	}
	return in
}

// without returns in less the named modalities.
func without(in fusion.Inputs, names ...string) fusion.Inputs {
	out := fusion.Inputs{}
	for k, v := range in {
		out[k] = v
	}
	for _, n := range names {
		delete(out, n)
	}
	return out
}

// cos returns the cosine of a and b.
func cos(a, b []float32) float64 {
	return float64(vector.Dot(a, b)) / float64(vector.Norm(a)*vector.Norm(b))
}

// tuned returns a model with random centres (invented), tuned so
// behaviour's gate is 0.2 at no interactions and 0.9 at 100.
func tuned(t testing.TB) *fusion.Model {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	var centres [][]float32
	for _, md := range mods {
		c := make([]float32, md.Dim)
		for d := range c {
			c[d] = float32(0.5 * rng.NormFloat64() / math.Sqrt(float64(md.Dim)))
		}
		centres = append(centres, c)
	}
	start, err := fusion.New(mods, centres)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := fusion.Tune(context.Background(), start, func(_ context.Context, m *fusion.Model) (float64, error) {
		g0, g100 := m.Gates(nil, 0)[2], m.Gates(nil, 100)[2]
		return -math.Abs(float64(g0)-0.2) - math.Abs(float64(g100)-0.9), nil
	}, fusion.Config{MinStep: 1.0 / 64})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFuseKeepsEachModality checks the fused vector's layout: each
// present modality's centred unit vector times its gate, in its own
// block, so the inner product of two items is the gated sum of their
// per-modality centred cosines, an item with every modality has unit length, and one missing
// a modality is shorter (not renormalised over the present ones).
func TestFuseKeepsEachModality(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	m := tuned(t)
	if m.Dim() != 128+768+192 || len(m.Modalities()) != 3 || !m.Has(fusion.Image) || m.Has("audio") {
		t.Fatalf("shape: %d, %v", m.Dim(), m.Modalities())
	}
	x, y := randomInputs(rng), randomInputs(rng)
	const nx, ny = 40, 3
	fx, err := m.Fuse(x, nx)
	if err != nil {
		t.Fatal(err)
	}
	fy, _ := m.Fuse(y, ny)
	if n := vector.Norm(fx); math.Abs(float64(n)-1) > 1e-5 {
		t.Errorf("|fused| = %v with every modality, want 1", n)
	}
	gx, gy := m.Gates(nil, nx), m.Gates(nil, ny)
	centred := func(in fusion.Inputs, name string) []float32 {
		v, err := m.Centred(name, in[name])
		if err != nil || v == nil {
			t.Fatalf("%s: %v, %v", name, v, err)
		}
		return v
	}
	var want float64
	for k, md := range mods {
		want += float64(gx[k]*gy[k]) * cos(centred(x, md.Name), centred(y, md.Name))
	}
	if got := float64(vector.Dot(fx, fy)); math.Abs(got-want) > 1e-5 {
		t.Errorf("fx·fy = %.6f, want the gated sum of cosines %.6f", got, want)
	}
	// A new item: text only, no interactions.
	cold, _ := m.Fuse(without(y, fusion.Image, fusion.Behaviour), 0)
	g0 := m.Gates(nil, 0)
	if n, want := vector.Norm(cold), g0[0]; math.Abs(float64(n-want)) > 1e-6 || n >= 1 {
		t.Errorf("|text-only item| = %v, want its text gate %v < 1", n, want)
	}
	if got, want := float64(vector.Dot(fx, cold)), float64(gx[0]*g0[0])*cos(centred(x, fusion.Text), centred(y, fusion.Text)); math.Abs(got-want) > 1e-5 {
		t.Errorf("full·text-only = %.6f, want %.6f", got, want)
	}
	if v, err := m.Fuse(fusion.Inputs{fusion.Text: nil, fusion.Image: make([]float32, 768)}, 0); v != nil || err != nil {
		t.Errorf("nothing present: %v, %v", v, err)
	}
	for name, in := range map[string]fusion.Inputs{
		"unknown":    {"audio": {1}},
		"wrong dim":  {fusion.Text: {1, 2}},
		"not finite": {fusion.Behaviour: append(make([]float32, 191), float32(math.NaN()))},
	} {
		if _, err := m.Fuse(in, 0); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestGatesFollowInteractions checks that Tune reaches the behaviour
// gates asked for (0.2 without interactions, 0.9 at 100) and that the
// gates' squares sum to 1 at every count.
func TestGatesFollowInteractions(t *testing.T) {
	m := tuned(t)
	g0, g100 := m.Gates(nil, 0)[2], m.Gates(nil, 100)[2]
	if math.Abs(float64(g0)-0.2) > 0.02 || math.Abs(float64(g100)-0.9) > 0.02 {
		t.Errorf("behaviour gate %.3f at 0 interactions (want 0.2), %.3f at 100 (want 0.9)", g0, g100)
	}
	prev := float32(0)
	for _, n := range []int{-1, 0, 1, 5, 20, 100, 1000} {
		g := m.Gates(make([]float32, 1), n)
		var ss float32
		for _, x := range g {
			ss += x * x
		}
		if math.Abs(float64(ss)-1) > 1e-5 || g[2] < prev {
			t.Errorf("%d interactions: gates %v", n, g)
		}
		prev = g[2]
	}
	a, err := m.Attention(fusion.Inputs{fusion.Text: {1, 0}}, 0)
	if err == nil {
		t.Errorf("text of the wrong length: %v", a)
	}
	in := randomInputs(rand.New(rand.NewPCG(3, 4)))
	a, _ = m.Attention(in, 100)
	if s := a[fusion.Text] + a[fusion.Image] + a[fusion.Behaviour]; len(a) != 3 || math.Abs(float64(s)-1) > 1e-5 {
		t.Errorf("attention with every modality: %v", a)
	}
	a, _ = m.Attention(without(in, fusion.Behaviour), 0)
	if _, ok := a[fusion.Behaviour]; len(a) != 2 || ok {
		t.Errorf("attention without behaviour: %v", a)
	}
}

// TestPredictorFillsAMissingModality checks that an item without
// behaviour gets the block the predictor makes from its text, gated as
// behaviour, and that an item with behaviour keeps its own.
func TestPredictorFillsAMissingModality(t *testing.T) {
	m, err := predicted(t)
	if err != nil {
		t.Fatal(err)
	}
	in := randomInputs(rand.New(rand.NewPCG(9, 9)))
	cold := without(in, fusion.Behaviour, fusion.Image)
	bl, err := m.Blocks(cold)
	if err != nil || bl[1] != nil || bl[2] == nil {
		t.Fatalf("blocks of a text-only item: %v, %v", bl, err)
	}
	x, _ := m.Centred(fusion.Text, cold[fusion.Text])
	// The invented predictor copies the text block into the first 128
	// behaviour dimensions.
	if c := cos(bl[2][:128], x); math.Abs(c-1) > 1e-5 {
		t.Errorf("predicted block: cosine %.4f with the text block, want 1", c)
	}
	own, _ := m.Blocks(in)
	if want, _ := m.Centred(fusion.Behaviour, in[fusion.Behaviour]); cos(own[2], want) < 1-1e-5 {
		t.Error("an item with behaviour does not keep its own block")
	}
	if _, err := m.WithPredictor(fusion.Behaviour, fusion.Behaviour, nil); err == nil {
		t.Error("predictor from itself: no error")
	}
	if _, err := m.WithPredictor(fusion.Behaviour, fusion.Text, make([]float32, 3)); err == nil {
		t.Error("predictor of the wrong size: no error")
	}
}

// predicted returns tuned's model with an invented predictor of
// behaviour from text: the identity on the first 128 dimensions.
func predicted(t testing.TB) (*fusion.Model, error) {
	w := make([]float32, 192*128)
	for d := range 128 {
		w[d*128+d] = 1
	}
	return tuned(t).WithPredictor(fusion.Behaviour, fusion.Text, w)
}

func TestTuneErrors(t *testing.T) {
	start, _ := fusion.New(mods, nil)
	ok := func(context.Context, *fusion.Model) (float64, error) { return 0, nil }
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := fusion.Tune(ctx, start, ok, fusion.Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("done ctx: %v", err)
	}
	boom := errors.New("boom")
	if _, _, err := fusion.Tune(context.Background(), start, func(context.Context, *fusion.Model) (float64, error) { return 0, boom }, fusion.Config{}); !errors.Is(err, boom) {
		t.Errorf("score error: %v", err)
	}
	for name, cfg := range map[string]fusion.Config{"step": {Step: -1}, "min step": {Step: 1, MinStep: 2}, "rounds": {Rounds: -1}} {
		if _, _, err := fusion.Tune(context.Background(), start, ok, cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := fusion.New([]fusion.Modality{{Name: fusion.Text, Dim: 4}, {Name: fusion.Text, Dim: 4}}, nil); err == nil {
		t.Error("a modality named twice: no error")
	}
	if _, err := fusion.New(nil, nil); err == nil {
		t.Error("no modality: no error")
	}
	if _, err := fusion.New(mods[:1], [][]float32{{1, 2}}); err == nil {
		t.Error("centre of the wrong length: no error")
	}
}

func BenchmarkFuse(b *testing.B) {
	m := tuned(b)
	in := randomInputs(rand.New(rand.NewPCG(1, 1)))
	for _, tc := range []struct {
		name string
		in   fusion.Inputs
	}{{"text+image", without(in, fusion.Behaviour)}, {"all", in}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Fuse(tc.in, 7); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
