package clip

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// fakeEncoder maps each prompt to a unit vector along the axis of the
// first of its words it knows, tilted by the template's word "close-up".
type fakeEncoder struct {
	axes  map[string]int
	dim   int
	calls [][]string
	err   error
}

func (f *fakeEncoder) Encode(_ context.Context, texts []string) ([][]float32, error) {
	f.calls = append(f.calls, texts)
	if f.err != nil {
		return nil, f.err
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, f.dim)
		for _, w := range strings.Fields(t) {
			if a, ok := f.axes[w]; ok {
				v[a] = 1
				break
			}
		}
		if strings.Contains(t, "close-up") {
			v[f.dim-1] = 1
		}
		vector.Normalize(v)
		out[i] = v
	}
	return out, nil
}

func TestClassifier(t *testing.T) {
	enc := &fakeEncoder{axes: map[string]int{"red": 0, "blue": 1, "green": 2, "dress": 3, "shoe": 4}, dim: 6}
	sets := []LabelSet{
		{Name: "colour", Labels: []string{"red", "blue", "green"}},
		{Name: "category", Labels: []string{"dress", "shoe"}},
	}
	c, err := NewClassifier(context.Background(), enc, sets, ZeroShotConfig{
		Templates: []string{"a photo of a {} product", "a close-up photo of a {}"},
		TopLabels: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(enc.calls) != 1 || len(enc.calls[0]) != 10 || enc.calls[0][1] != "a close-up photo of a red" {
		t.Fatalf("prompts encoded = %q, want every label in both templates in one call", enc.calls)
	}
	// An image mostly "blue", a little "red", and a "shoe".
	img := []float32{0.3, 0.9, 0, 0, 0.6, 0}
	vector.Normalize(img)
	got := c.Classify(img)
	if len(got) != 2 || got[0].Set != "colour" || got[1].Set != "category" {
		t.Fatalf("Classify = %+v, want colour then category", got)
	}
	colour := got[0].Labels
	if len(colour) != 2 || colour[0].Label != "blue" || colour[1].Label != "red" {
		t.Fatalf("colour = %+v, want blue then red", colour)
	}
	// A label's vector is the mean of its two prompts: (e_i + (e_i+e_5)/√2)
	// normalised; its cosine with img follows.
	lv := []float32{1 + 1/math.Sqrt2, 1 / math.Sqrt2}
	n := math.Hypot(float64(lv[0]), float64(lv[1]))
	cos := func(x float32) float64 { return float64(x) * float64(lv[0]) / n }
	simBlue, simRed, simGreen := cos(img[1]), cos(img[0]), 0.0
	if math.Abs(float64(colour[0].Similarity)-simBlue) > 1e-5 || math.Abs(float64(colour[1].Similarity)-simRed) > 1e-5 {
		t.Errorf("similarities %v, %v, want %v, %v", colour[0].Similarity, colour[1].Similarity, simBlue, simRed)
	}
	z := math.Exp(100*simBlue) + math.Exp(100*simRed) + math.Exp(100*simGreen)
	if want := math.Exp(100*simBlue) / z; math.Abs(float64(colour[0].Prob)-want) > 1e-5 {
		t.Errorf("P(blue) = %v, want %v", colour[0].Prob, want)
	}
	if got[1].Labels[0].Label != "shoe" || got[1].Labels[0].Prob < 0.99 {
		t.Errorf("category = %+v, want shoe, near certain", got[1].Labels)
	}

	// A lower logit scale flattens the probabilities.
	flat, err := NewClassifier(context.Background(), enc, sets, ZeroShotConfig{LogitScale: 1, TopLabels: 10})
	if err != nil {
		t.Fatal(err)
	}
	fc := flat.Classify(img)[0].Labels
	if len(fc) != 3 || fc[0].Prob > 0.5 || math.Abs(float64(fc[0].Prob+fc[1].Prob+fc[2].Prob)-1) > 1e-6 {
		t.Errorf("scale 1: %+v, want three labels, flat, summing to 1", fc)
	}
}

func TestClassifierErrors(t *testing.T) {
	enc := &fakeEncoder{axes: map[string]int{}, dim: 2}
	ok := []LabelSet{{Name: "colour", Labels: []string{"red"}}}
	tests := []struct {
		name  string
		sets  []LabelSet
		cfg   ZeroShotConfig
		field string
	}{
		{"no sets", nil, ZeroShotConfig{}, "sets"},
		{"no labels", []LabelSet{{Name: "colour"}}, ZeroShotConfig{}, "sets[0].labels"},
		{"empty label", []LabelSet{{Name: "colour", Labels: []string{"red", " "}}}, ZeroShotConfig{}, "sets[0].labels[1]"},
		{"repeated label", []LabelSet{{Name: "colour", Labels: []string{"red", "red"}}}, ZeroShotConfig{}, "sets[0].labels[1]"},
		{"repeated set", []LabelSet{ok[0], ok[0]}, ZeroShotConfig{}, "sets[1].name"},
		{"no placeholder", ok, ZeroShotConfig{Templates: []string{"a {} photo", "a photo"}}, "templates[1]"},
		{"two placeholders", ok, ZeroShotConfig{Templates: []string{"{} and {}"}}, "templates[0]"},
		{"negative scale", ok, ZeroShotConfig{LogitScale: -1}, "logit_scale"},
		{"negative top", ok, ZeroShotConfig{TopLabels: -1}, "top_labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClassifier(context.Background(), enc, tt.sets, tt.cfg)
			if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != tt.field {
				t.Fatalf("error %v, want EINVALID on %s", err, tt.field)
			}
		})
	}
	boom := errors.New("boom")
	if _, err := NewClassifier(context.Background(), &fakeEncoder{err: boom}, ok, ZeroShotConfig{}); !errors.Is(err, boom) {
		t.Errorf("encoder failure: %v, want it wrapped", err)
	}
}
