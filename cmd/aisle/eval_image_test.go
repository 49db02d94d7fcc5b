package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/onnx"
)

// Real files beside the repository that aisle eval -task image reads.
var (
	clothingImages = filepath.Join("..", "..", "..", "shared", "data", "clothing-images")
	mobileNet      = filepath.Join("..", "..", "..", "shared", "models", "mobilenet-v1-0.75-224")
)

// TestEvalImage runs aisle eval -task image on the real clothing photos
// and checks, in both directions between the test and validation splits,
// that the softmax head beats the nearest photo (1-NN) and the majority
// class, and its measured accuracy (77.1% test → validation, 79.0–79.3%
// the reverse, less a point for another ONNX Runtime build's rounding). It
// does not reach the 85%: on this embedding no penalty does (see
// docs/BENCHMARKS.md). It also checks precision@10 of visual search.
func TestEvalImage(t *testing.T) {
	if testing.Short() {
		t.Skip("embeds all 713 photos and trains four heads (about 20 s)")
	}
	if _, err := os.Stat(filepath.Join(clothingImages, "labels.csv")); err != nil {
		t.Skipf("real clothing photos not found at %s: %v", clothingImages, err)
	}
	if _, err := os.Stat(filepath.Join(mobileNet, "model.onnx")); err != nil {
		t.Skipf("real MobileNet not found at %s: %v", mobileNet, err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		t.Skipf("%v", err)
	}
	code, stdout, stderr := runCLI(t, "eval", "-task", "image", "-data", clothingImages, "-image-model", mobileNet, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	score := map[string]float64{} // task/method/train/eval → score
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var r imageResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		score[r.Task+"/"+r.Method+"/"+r.Train+"/"+r.Eval] = r.Score
	}
	tests := []struct {
		train, eval string
		floor       float64
	}{
		{"test", "validation", 0.76},
		{"validation", "test", 0.78},
	}
	for _, tt := range tests {
		key := func(method string) string { return "category/" + method + "/" + tt.train + "/" + tt.eval }
		head, nn, majority := score[key("softmax")], score[key("1-NN")], score[key("majority")]
		t.Logf("%s → %s: softmax %.4f, 1-NN %.4f, majority %.4f", tt.train, tt.eval, head, nn, majority)
		if head <= nn || head <= majority || head < tt.floor {
			t.Errorf("%s → %s: softmax accuracy %.4f, want above 1-NN %.4f and majority %.4f, and ≥ %.2f", tt.train, tt.eval, head, nn, majority, tt.floor)
		}
	}
	for key, floor := range map[string]float64{"visual-search/cosine/all/all": 0.64, "visual-search/cosine/test/validation": 0.53} {
		if got := score[key]; got < floor {
			t.Errorf("%s: precision@10 %.4f, want ≥ %.2f", key, got, floor)
		}
	}
}

func TestEvalImageUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "eval", "-task", "bogus", "-data", "x")
	if code != 2 || !strings.Contains(stderr, "want recommend, search, image or fusion") {
		t.Errorf("exit %d, stderr %q; want 2 and the tasks listed", code, stderr)
	}
}

// TestImageMetrics checks the nearest-photo helpers on four photos whose
// embeddings are known: two hats near (1, 0), two shoes near (0, 1).
func TestImageMetrics(t *testing.T) {
	photos := []labelledPhoto{
		{id: "h1", split: "test", label: "hat", emb: []float32{1, 0}},
		{id: "h2", split: "validation", label: "hat", emb: []float32{0.8, 0.6}},
		{id: "s1", split: "test", label: "shoes", emb: []float32{0, 1}},
		{id: "s2", split: "validation", label: "shoes", emb: []float32{0.6, 0.8}},
	}
	if got := nearest(photos, photos[1].emb, "h2"); got[0].id != "s2" || len(got) != 3 {
		t.Errorf("nearest to h2 = %v, want s2 first of 3", got)
	}
	// Among the 3 other photos, h1's class holds 1: 1/10 with depth 10.
	if r := searchResult(photos, "", ""); r.Queries != 4 || r.Score != 0.1 {
		t.Errorf("all → all: %d queries, precision %v; want 4 and 0.1", r.Queries, r.Score)
	}
	if got := majorityLabel(append(photos, labelledPhoto{label: "shoes"})); got != "shoes" {
		t.Errorf("majority = %q, want shoes", got)
	}
	if got := majorityLabel(photos); got != "hat" {
		t.Errorf("majority on a tie = %q, want hat (first sorted)", got)
	}
}
