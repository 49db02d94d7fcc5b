package fusion_test

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aislehq/aisle/fusion"
	"github.com/aislehq/aisle/vector"
)

// classes generates items of 8 invented classes, every modality a noisy
// random projection of the item's class (no real dataset has photos and
// behaviour together; these vectors are made up): the items, the class of
// each, and pairs of items of the same class. Every third item lacks its
// image, every fifth its behaviour.
func classes(n int, seed uint64) (fusion.Corpus, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	mods := []fusion.Modality{{Name: fusion.Text, Dim: 24}, {Name: fusion.Image, Dim: 40}, {Name: fusion.Behaviour, Dim: 16}}
	const k = 8
	cls := make([]int, n)
	c := fusion.Corpus{Modalities: mods, Vectors: make([][][]float32, len(mods))}
	centres := make([][][]float64, len(mods))
	for m, md := range mods {
		centres[m] = make([][]float64, k)
		for j := range k {
			centres[m][j] = make([]float64, md.Dim)
			for d := range md.Dim {
				centres[m][j][d] = rng.NormFloat64()
			}
		}
		c.Vectors[m] = make([][]float32, n)
	}
	byClass := make([][]int32, k)
	for i := range n {
		cls[i] = rng.IntN(k)
		byClass[cls[i]] = append(byClass[cls[i]], int32(i))
		for m, md := range mods {
			if (m == 1 && i%3 == 0) || (m == 2 && i%5 == 0) {
				continue
			}
			v := make([]float32, md.Dim)
			for d := range v {
				v[d] = float32(centres[m][cls[i]][d] + 0.8*rng.NormFloat64())
			}
			c.Vectors[m][i] = v
		}
	}
	for i := range n {
		same := byClass[cls[i]]
		c.Pairs = append(c.Pairs, [2]int32{int32(i), same[rng.IntN(len(same))]})
	}
	return c, cls
}

// inputs returns item i's vectors of c as Inputs, keeping only the named
// modalities (all when none are named).
func inputs(c fusion.Corpus, i int, only ...string) fusion.Inputs {
	in := fusion.Inputs{}
	for m, md := range c.Modalities {
		keep := len(only) == 0
		for _, o := range only {
			keep = keep || o == md.Name
		}
		if keep && c.Vectors[m][i] != nil {
			in[md.Name] = c.Vectors[m][i]
		}
	}
	return in
}

func train(t testing.TB, c fusion.Corpus, cfg fusion.Config) *fusion.Model {
	t.Helper()
	m, err := fusion.Train(context.Background(), c, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMissingModalitiesShareTheSpace trains on the generated classes and
// checks that an item seen through one modality alone lands next to items
// of its class seen through another modality alone (text-only query,
// image-only catalog, and so on) far more often than chance (1/8): the
// projections of different modalities start unrelated, so only training
// aligns them.
func TestMissingModalitiesShareTheSpace(t *testing.T) {
	c, cls := classes(600, 1)
	m := train(t, c, fusion.Config{Dim: 16, Epochs: 8, BatchSize: 64, SelfPairs: 2, Seed: 2})
	through := func(i int, only string) []float32 {
		in := inputs(c, i, only)
		if len(in) == 0 {
			return nil
		}
		v, err := m.Fuse(in)
		if err != nil {
			t.Fatal(err)
		}
		if n := vector.Norm(v); math.Abs(float64(n)-1) > 1e-4 {
			t.Fatalf("item %d through %s: |v| = %v", i, only, n)
		}
		return v
	}
	names := []string{fusion.Text, fusion.Image, fusion.Behaviour}
	for _, qm := range names {
		for _, gm := range names {
			if qm == gm {
				continue
			}
			gallery := make([][]float32, len(cls))
			for j := range gallery {
				gallery[j] = through(j, gm)
			}
			hits, cases := 0, 0
			for i := range cls {
				q := through(i, qm)
				if q == nil {
					continue
				}
				best, bestS := -1, float32(-2)
				for j, g := range gallery {
					if g == nil || j == i {
						continue
					}
					if s := vector.Dot(q, g); s > bestS {
						best, bestS = j, s
					}
				}
				cases++
				if cls[best] == cls[i] {
					hits++
				}
			}
			acc := float64(hits) / float64(cases)
			t.Logf("%s-only query, %s-only catalog: nearest in its class for %.3f of %d items", qm, gm, acc, cases)
			if acc < 0.7 {
				t.Errorf("%s-only query, %s-only catalog: %.3f next to their class, want ≥ 0.7", qm, gm, acc)
			}
		}
	}
}

func TestAttention(t *testing.T) {
	c, _ := classes(200, 3)
	m := train(t, c, fusion.Config{Dim: 8, Epochs: 1, BatchSize: 32, SelfPairs: 1})
	a, err := m.Attention(inputs(c, 1))
	if err != nil {
		t.Fatal(err)
	}
	var sum float32
	for _, w := range a {
		sum += w
	}
	if len(a) != 3 || math.Abs(float64(sum)-1) > 1e-5 {
		t.Errorf("attention over all three: %v", a)
	}
	a, _ = m.Attention(inputs(c, 1, fusion.Image))
	if len(a) != 1 || a[fusion.Image] != 1 {
		t.Errorf("attention with only an image: %v", a)
	}
	if v, err := m.Fuse(fusion.Inputs{fusion.Text: nil, fusion.Image: make([]float32, 40)}); v != nil || err != nil {
		t.Errorf("nothing present: %v, %v", v, err)
	}
	for name, in := range map[string]fusion.Inputs{
		"unknown":    {"audio": {1}},
		"wrong dim":  {fusion.Text: {1, 2}},
		"not finite": {fusion.Behaviour: append(make([]float32, 15), float32(math.NaN()))},
	} {
		if _, err := m.Fuse(in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestTrainDeterministic checks that the same seed gives the same bytes
// whatever the number of workers, and another seed other bytes.
func TestTrainDeterministic(t *testing.T) {
	c, _ := classes(300, 4)
	cfg := fusion.Config{Dim: 16, Epochs: 2, BatchSize: 32, SelfPairs: 1, Seed: 9, Workers: 1}
	one, _ := train(t, c, cfg).MarshalBinary()
	cfg.Workers = 3
	three, _ := train(t, c, cfg).MarshalBinary()
	if !bytes.Equal(one, three) {
		t.Error("1 and 3 workers trained different models")
	}
	cfg.Seed = 10
	other, _ := train(t, c, cfg).MarshalBinary()
	if bytes.Equal(one, other) {
		t.Error("seeds 9 and 10 trained the same model")
	}
}

func TestTrainErrors(t *testing.T) {
	c, _ := classes(50, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fusion.Train(ctx, c, fusion.Config{}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("done ctx: %v", err)
	}
	bad := c
	bad.Pairs = [][2]int32{{0, 50}}
	if _, err := fusion.Train(context.Background(), bad, fusion.Config{}, nil); err == nil {
		t.Error("pair out of range: no error")
	}
	if _, err := fusion.Train(context.Background(), c, fusion.Config{Dropout: 1}, nil); err == nil {
		t.Error("dropout 1: no error")
	}
	short := c
	short.Vectors = c.Vectors[:2]
	if _, err := fusion.Train(context.Background(), short, fusion.Config{}, nil); err == nil {
		t.Error("missing vector list: no error")
	}
}

func BenchmarkFuse(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	mods := []fusion.Modality{{Name: fusion.Text, Dim: 128}, {Name: fusion.Image, Dim: 768}, {Name: fusion.Behaviour, Dim: 192}}
	c := fusion.Corpus{Modalities: mods, Pairs: [][2]int32{{0, 1}, {1, 0}}}
	for _, md := range mods {
		vs := make([][]float32, 2)
		for i := range vs {
			vs[i] = make([]float32, md.Dim)
			for d := range vs[i] {
				vs[i][d] = float32(rng.NormFloat64())
			}
		}
		c.Vectors = append(c.Vectors, vs)
	}
	m := train(b, c, fusion.Config{Epochs: 1})
	for _, tc := range []struct {
		name string
		in   fusion.Inputs
	}{{"text+image", inputs(c, 0, fusion.Text, fusion.Image)}, {"all", inputs(c, 0)}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Fuse(tc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
