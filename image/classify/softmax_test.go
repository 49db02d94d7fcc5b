package classify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

// blobs returns n points per class around the centres, in dimension dim:
// class c's centre is 1 on axis c (so they are separable after
// normalisation), plus uniform noise of the given spread, in a fixed
// pseudo-random order.
func blobs(classes, perClass, dim int, spread float64, seed uint64) ([][]float32, []string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var xs [][]float32
	var labels []string
	for i := range classes * perClass {
		c := i % classes
		x := make([]float32, dim)
		for j := range x {
			x[j] = float32(spread * (rng.Float64()*2 - 1))
		}
		x[c]++
		xs = append(xs, x)
		labels = append(labels, fmt.Sprintf("class-%d", c))
	}
	return xs, labels
}

// accuracy is the share of xs that m predicts as labelled.
func accuracy(m *Softmax, xs [][]float32, labels []string) float64 {
	hits := 0
	for i, x := range xs {
		if l, _ := m.Predict(x); l == labels[i] {
			hits++
		}
	}
	return float64(hits) / float64(len(xs))
}

func TestTrainSeparable(t *testing.T) {
	tests := []struct {
		name                   string
		classes, perClass, dim int
		spread                 float64
		cfg                    Config
		wantCV                 bool
	}{
		{"two classes in 2-d", 2, 20, 2, 0.3, Config{}, true},
		{"three classes in 8-d", 3, 15, 8, 0.4, Config{}, true},
		{"standardised", 4, 10, 6, 0.4, Config{Standardize: true}, true},
		{"one penalty, no cross-validation", 3, 10, 4, 0.3, Config{Lambdas: []float64{1e-3}}, false},
		{"three folds", 3, 10, 4, 0.3, Config{Folds: 3, Lambdas: []float64{1e-2, 1e-4}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, labels := blobs(tt.classes, tt.perClass, tt.dim, tt.spread, 1)
			m, err := Train(context.Background(), xs, labels, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if m.Dim() != tt.dim || len(m.Labels()) != tt.classes || !slices.IsSorted(m.Labels()) {
				t.Fatalf("Dim %d, Labels %v; want %d and %d sorted classes", m.Dim(), m.Labels(), tt.dim, tt.classes)
			}
			if m.Standardized() != tt.cfg.Standardize {
				t.Errorf("Standardized() = %v, want %v", m.Standardized(), tt.cfg.Standardize)
			}
			if got := accuracy(m, xs, labels); got != 1 {
				t.Errorf("training accuracy %.3f, want 1", got)
			}
			hx, hl := blobs(tt.classes, tt.perClass, tt.dim, tt.spread, 2)
			if got := accuracy(m, hx, hl); got < 0.95 {
				t.Errorf("held-out accuracy %.3f, want ≥ 0.95", got)
			}
			p, err := m.Probs(hx[0])
			if err != nil {
				t.Fatal(err)
			}
			var sum float64
			for _, v := range p {
				sum += v
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("probabilities %v sum to %v, want 1", p, sum)
			}
			if got := len(m.CV()) > 0; got != tt.wantCV {
				t.Fatalf("CV() = %v, want scores: %v", m.CV(), tt.wantCV)
			}
			if tt.wantCV {
				i := slices.IndexFunc(m.CV(), func(s CVScore) bool { return s.Lambda == m.Lambda() })
				if i < 0 || slices.ContainsFunc(m.CV(), func(s CVScore) bool { return s.Accuracy > m.CV()[i].Accuracy }) {
					t.Errorf("Lambda %g is not a best-scoring candidate of %v", m.Lambda(), m.CV())
				}
			}
		})
	}
}

// TestPredictScale checks that an input's length does not matter.
func TestPredictScale(t *testing.T) {
	xs, labels := blobs(3, 10, 4, 0.3, 1)
	m, err := Train(context.Background(), xs, labels, Config{})
	if err != nil {
		t.Fatal(err)
	}
	x := slices.Clone(xs[4])
	l1, p1 := m.Predict(x)
	for j := range x {
		x[j] *= 40
	}
	if l2, p2 := m.Predict(x); l1 != l2 || math.Abs(p1-p2) > 1e-6 {
		t.Errorf("scaled input predicts %s %.6f, want %s %.6f", l2, p2, l1, p1)
	}
}

// TestTrainExtra checks that an extra view trains like an input of the
// same label: with one penalty (no folds) the model matches one trained
// on the views appended to the inputs.
func TestTrainExtra(t *testing.T) {
	xs, labels := blobs(3, 8, 4, 0.3, 1)
	vx, _ := blobs(3, 8, 4, 0.3, 2) // same classes, in the same order
	extra := make([][]float32, len(xs))
	allX, allL := slices.Clone(xs), slices.Clone(labels)
	for i := range xs {
		if i%3 == 0 {
			continue // some inputs have none
		}
		extra[i] = vx[i]
		allX, allL = append(allX, vx[i]), append(allL, labels[i])
	}
	cfg := Config{Lambdas: []float64{1e-2}}
	got, err := Train(context.Background(), xs, labels, Config{Lambdas: cfg.Lambdas, Extra: extra})
	if err != nil {
		t.Fatal(err)
	}
	want, err := Train(context.Background(), allX, allL, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range vx {
		p, _ := got.Probs(x)
		q, _ := want.Probs(x)
		for k := range p {
			if math.Abs(p[k]-q[k]) > 1e-4 {
				t.Fatalf("input %d: probabilities %v with Extra, %v with the views appended", i, p, q)
			}
		}
	}
	cv, err := Train(context.Background(), xs, labels, Config{Extra: extra, Lambdas: []float64{1e-2, 1e-4}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.CV()) != 2 {
		t.Errorf("CV() = %v, want 2 scores", cv.CV())
	}
}

func TestTrainDeterministic(t *testing.T) {
	xs, labels := blobs(4, 12, 16, 0.5, 3)
	var first []byte
	for i := range 3 {
		m, err := Train(context.Background(), xs, labels, Config{Standardize: true, Workers: i + 1})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := m.MarshalBinary()
		if i == 0 {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Fatalf("run %d (Workers %d) gave a different model", i, i+1)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	xs, labels := blobs(2, 5, 3, 0.1, 1)
	nan := slices.Clone(xs)
	nan[3] = []float32{1, float32(math.NaN()), 0}
	short := slices.Clone(xs)
	short[2] = []float32{1, 0}
	tests := []struct {
		name   string
		xs     [][]float32
		labels []string
		cfg    Config
		want   string
	}{
		{"no inputs", nil, nil, Config{}, "no training inputs"},
		{"labels mismatch", xs, labels[:3], Config{}, "3 labels for 10 inputs"},
		{"empty label", xs, append(slices.Clone(labels[:9]), ""), Config{}, "labels[9]: is empty"},
		{"one class", xs, slices.Repeat([]string{"hat"}, 10), Config{}, `every input is labelled "hat"`},
		{"dim mismatch", short, labels, Config{}, "xs[2]: has 2 dimensions, want 3"},
		{"empty input", [][]float32{{}, {}}, []string{"a", "b"}, Config{Folds: 2}, "xs[0]: is empty"},
		{"NaN", nan, labels, Config{}, "xs[3]: value 1 is NaN"},
		{"extra count", xs, labels, Config{Extra: make([][]float32, 2)}, "2 extra views for 10 inputs"},
		{"extra infinite", xs, labels, Config{Extra: append(make([][]float32, 9), []float32{0, float32(math.Inf(1)), 0})}, "Extra[9]: value 1 is +Inf"},
		{"too many folds", xs, labels, Config{Folds: 11}, "11 folds for 10 inputs"},
		{"one fold", xs, labels, Config{Folds: 1}, "1 folds"},
		{"zero penalty", xs, labels, Config{Lambdas: []float64{1e-3, 0}}, "Lambdas[1]: 0"},
		{"NaN penalty", xs, labels, Config{Lambdas: []float64{math.NaN()}}, "Lambdas[0]: NaN"},
		{"negative iterations", xs, labels, Config{MaxIterations: -1}, "MaxIterations: -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Train(context.Background(), tt.xs, tt.labels, tt.cfg)
			if aisle.ErrorCode(err) != aisle.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Train error %v, want EINVALID containing %q", err, tt.want)
			}
		})
	}
}

func TestTrainCanceled(t *testing.T) {
	xs, labels := blobs(3, 10, 4, 0.3, 1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Train(ctx, xs, labels, Config{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Train on a canceled context: %v, want context.Canceled", err)
	}
}

func TestProbsErrors(t *testing.T) {
	xs, labels := blobs(2, 5, 3, 0.1, 1)
	m, err := Train(context.Background(), xs, labels, Config{Lambdas: []float64{1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		x    []float32
		want string
	}{
		{"short", []float32{1, 0}, "x: has 2 dimensions, want 3"},
		{"NaN", []float32{1, float32(math.NaN()), 0}, "x: value 1 is NaN"},
		{"infinite", []float32{float32(math.Inf(-1)), 0, 0}, "x: value 0 is -Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := m.Probs(tt.x); aisle.ErrorCode(err) != aisle.EINVALID || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Probs error %v, want EINVALID containing %q", err, tt.want)
			}
			if l, p := m.Predict(tt.x); l != "" || p != 0 {
				t.Errorf("Predict = %q, %v; want \"\", 0", l, p)
			}
		})
	}
	if _, err := m.Probs(make([]float32, 3)); err != nil {
		t.Errorf("Probs of a zero vector: %v", err)
	}
}

// BenchmarkTrain trains on data of the clothing photos' shape: 372 inputs
// of 768 dimensions in 10 classes, with the default cross-validation.
func BenchmarkTrain(b *testing.B) {
	xs, labels := blobs(10, 37, 768, 1, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Train(context.Background(), xs, labels, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPredict predicts one 768-d input among 10 classes.
func BenchmarkPredict(b *testing.B) {
	xs, labels := blobs(10, 10, 768, 1, 1)
	m, err := Train(context.Background(), xs, labels, Config{Lambdas: []float64{1e-3}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Predict(xs[3])
	}
}
