package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/onnx"
)

// Real files beside the repository that aisle eval -task image reads.
var (
	clothingImages = filepath.Join("..", "..", "..", "shared", "data", "clothing-images")
	mobileNet      = filepath.Join("..", "..", "..", "shared", "models", "mobilenet-v1-0.75-224")
)

// TestEvalImage runs aisle eval -task image on the real clothing photos
// (test/ and validation/ only: no train split, so the old protocol) and
// checks, in both directions between the test and validation splits,
// that the softmax heads beat the nearest photo (1-NN) and the majority
// class, and their measured accuracy: 77.1% test → validation, 79.0–79.3%
// the reverse on the centre crop (less a point for another ONNX Runtime
// build's rounding); 77.4% and 80.6% on the crop and letterboxed views.
// It does not reach the 85%: trained on one 350-photo split, no
// penalty does (see docs/BENCHMARKS.md; the dataset's own protocol, train/
// to validation/ and test/, does: eval's TestImageProtocolClothing). It
// also checks precision@10 of visual search.
func TestEvalImage(t *testing.T) {
	if testing.Short() {
		t.Skip("embeds all 713 photos twice and trains six heads (about 20 s)")
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
		var r eval.ImageResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		score[r.Task+"/"+r.Method+"/"+r.Train+"/"+r.Eval] = r.Score
	}
	tests := []struct {
		method, train, eval string
		floor               float64
	}{
		{eval.MethodSoftmax, "test", "validation", 0.76},
		{eval.MethodSoftmax, "validation", "test", 0.78},
		{eval.MethodSoftmaxLetterbox, "test", "validation", 0.76},
		{eval.MethodSoftmaxLetterbox, "validation", "test", 0.79},
	}
	for _, tt := range tests {
		key := func(method string) string { return "category/" + method + "/" + tt.train + "/" + tt.eval }
		head, nn, majority := score[key(tt.method)], score[key("1-NN")], score[key("majority")]
		t.Logf("%s → %s: %s %.4f, 1-NN %.4f, majority %.4f", tt.train, tt.eval, tt.method, head, nn, majority)
		if head <= nn || head <= majority || head < tt.floor {
			t.Errorf("%s → %s: %s accuracy %.4f, want above 1-NN %.4f and majority %.4f, and ≥ %.2f", tt.train, tt.eval, tt.method, head, nn, majority, tt.floor)
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
	if code != 2 || !strings.Contains(stderr, "want recommend, search, image, fusion") {
		t.Errorf("exit %d, stderr %q; want 2 and the tasks listed", code, stderr)
	}
}

// TestEvalImageNoSplits checks that a photo folder whose labels.csv has no
// split column is a usage error (exit 2) naming the format, before any
// model is opened.
func TestEvalImageNoSplits(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hat.jpg"), []byte("not read"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "labels.csv"), []byte("path,label\nhat.jpg,hat\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "eval", "-task", "image", "-data", dir, "-image-model", filepath.Join(dir, "no-model"))
	if code != 2 || !strings.Contains(stderr, "labels.csv: path,split,label") {
		t.Errorf("exit %d, stderr %q; want 2 and the labels.csv format", code, stderr)
	}
}
