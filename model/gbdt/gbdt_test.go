package gbdt

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aislehq/aisle/internal/modelfile"
)

// synthetic returns groups of rows whose relevance is a known nonlinear
// function of two of f features (the rest noise): 2 when x0 > 0.7 and
// x1 < 0.3, 1 when only x0 > 0.7, else 0.
func synthetic(groups, size, f int, seed uint64) *Data {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := &Data{F: f, Groups: []int{0}}
	for range groups {
		for range size {
			row := make([]float32, f)
			for j := range row {
				row[j] = rng.Float32()
			}
			var l float32
			if row[0] > 0.7 {
				l = 1
				if row[1] < 0.3 {
					l = 2
				}
			}
			d.X = append(d.X, row...)
			d.Label = append(d.Label, l)
		}
		d.Groups = append(d.Groups, len(d.Label))
	}
	return d
}

func TestLearnsAKnownRanking(t *testing.T) {
	train, valid, test := synthetic(300, 30, 5, 1), synthetic(100, 30, 5, 2), synthetic(200, 30, 5, 3)
	m, rep, err := Train(context.Background(), train, valid, Config{Trees: 100, MinLeaf: 20})
	if err != nil {
		t.Fatal(err)
	}
	random := (&Model{F: 5, trees: []tree{{value: []float32{0}}}}).NDCG(test, 10)
	got := m.NDCG(test, 10)
	if got < 0.97 || got <= random+0.2 {
		t.Errorf("test NDCG@10 %.3f (constant model %.3f), want ≥ 0.97", got, random)
	}
	if rep.Trees == 0 || rep.Trees > 100 || rep.ValidNDCG != maxOf(rep.Valid) {
		t.Errorf("report %d trees, valid %.4f, best of history %.4f", rep.Trees, rep.ValidNDCG, maxOf(rep.Valid))
	}
}

// TestPredictRowsMatchesPredict checks that predicting rows tree by tree
// gives each row's Predict bit for bit, with and without a base feature.
func TestPredictRowsMatchesPredict(t *testing.T) {
	train, valid, test := synthetic(300, 30, 5, 1), synthetic(100, 30, 5, 2), synthetic(50, 30, 5, 3)
	m, _, err := Train(context.Background(), train, valid, Config{Trees: 60, MinLeaf: 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []bool{false, true} {
		if base {
			m.base.Scale, m.base.Feature = 0.25, 2
		}
		rows := len(test.X) / test.F
		out := make([]float32, rows)
		m.PredictRows(test.X, test.F, out)
		for j := range rows {
			if want := m.Predict(test.X[j*test.F : (j+1)*test.F]); out[j] != want {
				t.Fatalf("base %v: row %d: PredictRows %v, Predict %v", base, j, out[j], want)
			}
		}
	}
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// TestFirstSplitMatchesExactSearch checks the histogram learner against
// a reference: with fewer distinct values than bins, the root split of
// the first tree must be the one an exhaustive search over every feature
// and threshold finds for the same gradients.
func TestFirstSplitMatchesExactSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	d := synthetic(40, 20, 4, 9)
	for i := range d.X {
		d.X[i] = float32(rng.IntN(20)) // 20 distinct values per feature
	}
	for r := range d.Label {
		if d.X[r*4+2] > 12 {
			d.Label[r] = 1
		}
	}
	cfg := Config{Leaves: 2, MinLeaf: 5, Bins: 64}.withDefaults()
	tr := newTrainer(d, cfg)
	got := tr.grow()
	tr2 := newTrainer(d, cfg)
	tr2.gradients()
	bestF, bestT, bestGain := -1, float32(0), 0.0
	var G, H float64
	for r := range d.Rows() {
		G, H = G+tr2.grad[r], H+tr2.hess[r]
	}
	for f := range d.F {
		for v := float32(0); v < 20; v++ {
			var gl, hl float64
			nl := 0
			for r := range d.Rows() {
				if d.X[r*d.F+f] <= v {
					gl, hl, nl = gl+tr2.grad[r], hl+tr2.hess[r], nl+1
				}
			}
			if nl < cfg.MinLeaf || d.Rows()-nl < cfg.MinLeaf {
				continue
			}
			gain := gl*gl/(hl+cfg.L2) + (G-gl)*(G-gl)/(H-hl+cfg.L2) - G*G/(H+cfg.L2)
			if gain > bestGain+1e-9 {
				bestF, bestT, bestGain = f, v, gain
			}
		}
	}
	if len(got.feature) != 1 || int(got.feature[0]) != bestF || got.threshold[0] < bestT || got.threshold[0] >= bestT+1 {
		t.Fatalf("root split %v ≤ %v, exhaustive search: feature %d ≤ %v", got.feature, got.threshold, bestF, bestT)
	}
}

// TestGradientsMatchTheLoss checks the LambdaRank gradients against
// finite differences of the loss they descend, Σ Δ_ij·log(1+e^−(s_i−s_j))
// over the pairs, with each pair's |ΔNDCG| held fixed.
func TestGradientsMatchTheLoss(t *testing.T) {
	d := &Data{F: 1, X: make([]float32, 6), Label: []float32{0, 2, 1, 0, 1, 0}, Groups: []int{0, 6}}
	tr := newTrainer(d, Config{Truncation: 100}.withDefaults())
	copy(tr.score, []float64{0.3, -0.2, 0.9, 0.1, -1, 0.5})
	tr.gradients()
	order := []int32{0, 1, 2, 3, 4, 5}
	byScore(order, tr.score)
	pos := make([]int, 6)
	for i, r := range order {
		pos[r] = i
	}
	loss := func(s []float64) float64 {
		var l float64
		for a := range 6 {
			for b := range 6 {
				if d.Label[a] > d.Label[b] {
					delta := (gain(d.Label[a]) - gain(d.Label[b])) * math.Abs(discount(pos[a])-discount(pos[b])) / tr.idealK[0]
					l += delta * math.Log1p(math.Exp(-(s[a] - s[b])))
				}
			}
		}
		return l
	}
	for r := range 6 {
		s := append([]float64(nil), tr.score...)
		s[r] += 1e-6
		up := loss(s)
		s[r] -= 2e-6
		numeric := (up - loss(s)) / 2e-6
		if math.Abs(numeric-tr.grad[r]) > 1e-5 {
			t.Errorf("row %d: gradient %.6f, finite difference %.6f", r, tr.grad[r], numeric)
		}
		if tr.hess[r] < 0 {
			t.Errorf("row %d: negative hessian %f", r, tr.hess[r])
		}
	}
}

func TestDeterministicAndRoundTrip(t *testing.T) {
	train, valid := synthetic(100, 20, 4, 4), synthetic(30, 20, 4, 5)
	var files [][]byte
	for range 2 {
		m, _, err := Train(context.Background(), train, valid, Config{Trees: 30, MinLeaf: 10})
		if err != nil {
			t.Fatal(err)
		}
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, b)
		var back Model
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		for r := range valid.Rows() {
			x := valid.X[r*4 : (r+1)*4]
			if back.Predict(x) != m.Predict(x) {
				t.Fatalf("row %d: %v after the round trip, %v before", r, back.Predict(x), m.Predict(x))
			}
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("two trainings on the same data differ")
	}
}

func TestRejectsBadData(t *testing.T) {
	good := synthetic(2, 3, 2, 1)
	cases := map[string]func(d *Data){
		"no features":   func(d *Data) { d.F = 0 },
		"short rows":    func(d *Data) { d.X = d.X[:5] },
		"bad groups":    func(d *Data) { d.Groups = []int{0, 2} },
		"not finite":    func(d *Data) { d.X[3] = float32(math.NaN()) },
		"groups shrink": func(d *Data) { d.Groups = []int{0, 4, 2, 6} },
	}
	for name, spoil := range cases {
		d := *good
		d.X, d.Groups = append([]float32(nil), good.X...), append([]int(nil), good.Groups...)
		spoil(&d)
		if _, _, err := Train(context.Background(), &d, nil, Config{}); err == nil {
			t.Errorf("%s: trained", name)
		}
	}
}

func TestRejectsHostileTrees(t *testing.T) {
	bad := map[string]tree{
		"loop":          {feature: []int32{0, 0}, threshold: []float32{0, 0}, left: []int32{1, 0}, right: []int32{^0, ^1}, value: make([]float32, 3)},
		"shared leaf":   {feature: []int32{0}, threshold: []float32{0}, left: []int32{^0}, right: []int32{^0}, value: make([]float32, 2)},
		"feature range": {feature: []int32{5}, threshold: []float32{0}, left: []int32{^0}, right: []int32{^1}, value: make([]float32, 2)},
		"leaf range":    {feature: []int32{0}, threshold: []float32{0}, left: []int32{^0}, right: []int32{^7}, value: make([]float32, 2)},
	}
	for name, tr := range bad {
		b, err := (&Model{F: 2, trees: []tree{tr}}).MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var m Model
		if err := m.UnmarshalBinary(b); !errors.Is(err, ErrFormat) || !errors.Is(err, modelfile.ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	m, _, err := Train(context.Background(), synthetic(20, 10, 3, 1), nil, Config{Trees: 3, MinLeaf: 5})
	if err != nil {
		f.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	f.Add(b)
	f.Add([]byte("AISLGBDT"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if m.UnmarshalBinary(data) != nil {
			return
		}
		x := make([]float32, m.F)
		_ = m.Predict(x)
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("a decoded model does not encode to its bytes: %v", err)
		}
	})
}

func BenchmarkPredict(b *testing.B) {
	m, _, err := Train(context.Background(), synthetic(500, 100, 28, 1), nil, Config{Trees: 200})
	if err != nil {
		b.Fatal(err)
	}
	x := synthetic(1, 100, 28, 2).X
	b.ReportAllocs()
	for b.Loop() {
		for r := range 100 {
			m.Predict(x[r*28 : (r+1)*28])
		}
	}
}
