package onnx

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aislehq/aisle/vector"
)

// Real files the image tests read from beside the repository.
var (
	mobileNetDir = filepath.Join("..", "..", "shared", "models", "mobilenet-v1-0.75-224")
	clothingDir  = filepath.Join("..", "..", "shared", "data", "clothing-images")
)

// photo is one row of clothing-images/labels.csv.
type photo struct {
	path, split, label string
}

// clothingPhotos returns the rows of the real clothing-images/labels.csv,
// skipping when it is absent.
func clothingPhotos(tb testing.TB) []photo {
	tb.Helper()
	f, err := os.Open(filepath.Join(clothingDir, "labels.csv"))
	if err != nil {
		tb.Skipf("real clothing photos not found at %s (../shared/data beside the repository): %v", clothingDir, err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("labels.csv: %v", err)
	}
	var photos []photo
	for _, r := range rows[1:] {
		photos = append(photos, photo{path: r[0], split: r[1], label: r[2]})
	}
	return photos
}

// decodePhotos decodes the JPEG files of photos concurrently.
func decodePhotos(tb testing.TB, photos []photo) []image.Image {
	tb.Helper()
	imgs := make([]image.Image, len(photos))
	errs := make([]error, len(photos))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, p := range photos {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f, err := os.Open(filepath.Join(clothingDir, p.path))
			if err != nil {
				errs[i] = err
				return
			}
			defer f.Close()
			imgs[i], errs[i] = jpeg.Decode(f)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("decode %s: %v", photos[i].path, err)
		}
	}
	return imgs
}

// openImageEncoder opens the real MobileNet with cfg, skipping when it is
// absent, and closes it at the end of the test.
func openImageEncoder(tb testing.TB, cfg ImageConfig) *ImageEncoder {
	tb.Helper()
	requireLibrary(tb)
	if _, err := os.Stat(filepath.Join(mobileNetDir, "model.onnx")); err != nil {
		tb.Skipf("real MobileNet not found at %s (../shared/models beside the repository): %v", mobileNetDir, err)
	}
	e, err := OpenImageEncoder(context.Background(), mobileNetDir, cfg, nil)
	if err != nil {
		tb.Fatalf("OpenImageEncoder: %v", err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return e
}

// sandalPhoto is a real photo of children's sandals in the shoes class,
// which MobileNet labels "sandal" (0.998).
const sandalPhoto = "test/shoes/ab3238c6-2607-4850-8a17-3e9027867a6c.jpg"

// TestImageEncoderGolden checks the real model's labels and embedding of
// one real photo.
func TestImageEncoderGolden(t *testing.T) {
	e := openImageEncoder(t, ImageConfig{})
	if e.Dim() != 768 || e.Size() != 224 {
		t.Fatalf("Dim, Size = %d, %d, want 768, 224", e.Dim(), e.Size())
	}
	feats, err := e.Encode(context.Background(), decodePhotos(t, []photo{{path: sandalPhoto}}))
	if err != nil {
		t.Fatal(err)
	}
	f := feats[0]
	if len(f.Labels) != DefaultTopLabels {
		t.Fatalf("%d labels, want %d", len(f.Labels), DefaultTopLabels)
	}
	for i := 1; i < len(f.Labels); i++ {
		if f.Labels[i].Prob > f.Labels[i-1].Prob {
			t.Errorf("labels not most probable first: %v", f.Labels)
		}
	}
	if i := slices.IndexFunc(f.Labels[:3], func(l Label) bool { return l.Name == "sandal" }); i < 0 || f.Labels[i].Prob < 0.9 {
		t.Errorf("top 3 labels of %s = %v, want sandal with probability ≥ 0.9", sandalPhoto, f.Labels[:3])
	}
	if n := norm(f.Embedding); len(f.Embedding) != 768 || math.Abs(n-1) > 1e-5 {
		t.Errorf("embedding has length %d and norm %g, want 768 and 1", len(f.Embedding), n)
	}
}

// TestImageEncoderNearestNeighbour checks that the embeddings of the real
// clothing photos group them by class (the majority class is 19.6%): a
// test photo's nearest validation photo (cosine) is of its class 73.7% of
// the time, as ../shared/models/README.md reports for this model, and a
// validation photo's nearest test photo 66.3%. The floors leave room for
// another ONNX Runtime build's rounding.
func TestImageEncoderNearestNeighbour(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes all 713 photos")
	}
	photos := clothingPhotos(t)
	e := openImageEncoder(t, ImageConfig{})
	feats, err := e.Encode(context.Background(), decodePhotos(t, photos))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query, gallery string
		floor          float64
	}{
		{"test", "validation", 0.70},
		{"validation", "test", 0.62},
	}
	for _, tt := range tests {
		var hits, queries int
		for i, q := range photos {
			if q.split != tt.query {
				continue
			}
			best, bestSim := -1, float32(-2)
			for j, p := range photos {
				if p.split != tt.gallery {
					continue
				}
				if sim := vector.Dot(feats[i].Embedding, feats[j].Embedding); sim > bestSim {
					best, bestSim = j, sim
				}
			}
			queries++
			if photos[best].label == q.label {
				hits++
			}
		}
		acc := float64(hits) / float64(queries)
		t.Logf("%s → %s: nearest photo of the same class for %d of %d (%.1f%%)", tt.query, tt.gallery, hits, queries, 100*acc)
		if acc < tt.floor {
			t.Errorf("%s → %s: nearest-neighbour accuracy %.3f, want ≥ %.2f", tt.query, tt.gallery, acc, tt.floor)
		}
	}
}

// somePhotos returns n real photos spread over the classes.
func somePhotos(tb testing.TB, n int) []image.Image {
	tb.Helper()
	photos := clothingPhotos(tb)
	step := len(photos) / n
	var picked []photo
	for i := range n {
		picked = append(picked, photos[i*step])
	}
	return decodePhotos(tb, picked)
}

// featuresClose fails unless got and want agree within tol, labels
// included.
func featuresClose(tb testing.TB, got, want []ImageFeatures, tol float64) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%d features, want %d", len(got), len(want))
	}
	for i := range got {
		if d := maxDiff(tb, got[i].Embedding, want[i].Embedding); d > tol {
			tb.Errorf("image %d: embeddings differ by %g, want ≤ %g", i, d, tol)
		}
		if len(got[i].Labels) != len(want[i].Labels) {
			tb.Fatalf("image %d: %d labels, want %d", i, len(got[i].Labels), len(want[i].Labels))
		}
		for j, l := range got[i].Labels {
			w := want[i].Labels[j]
			switch {
			case math.Abs(float64(l.Prob-w.Prob)) > tol:
				tb.Errorf("image %d: label %d is %v, want %v", i, j, l, w)
			case l.Name != w.Name && tol == 0: // within tol, near ties may swap
				tb.Errorf("image %d: label %d is %v, want %v", i, j, l, w)
			}
		}
	}
}

// TestImageEncoderBatched checks that batches of any size give the
// features of images encoded one by one, and that encoding is
// deterministic.
func TestImageEncoderBatched(t *testing.T) {
	imgs := somePhotos(t, 20)
	ctx := context.Background()
	one := openImageEncoder(t, ImageConfig{BatchSize: 1})
	want, err := one.Encode(ctx, imgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int{0, 7, 32} {
		t.Run(fmt.Sprintf("batch%d", bs), func(t *testing.T) {
			e := openImageEncoder(t, ImageConfig{BatchSize: bs})
			got, err := e.Encode(ctx, imgs)
			if err != nil {
				t.Fatal(err)
			}
			featuresClose(t, got, want, 1e-4)
			again, err := e.Encode(ctx, imgs)
			if err != nil {
				t.Fatal(err)
			}
			featuresClose(t, again, got, 0)
		})
	}
}

// TestImageEncoderConcurrent runs Encode from several goroutines on two
// sessions (run it with -race), then checks Encode with a cancelled
// context and after Close.
func TestImageEncoderConcurrent(t *testing.T) {
	imgs := somePhotos(t, 6)
	ctx := context.Background()
	e := openImageEncoder(t, ImageConfig{Sessions: 2, Threads: 1, BatchSize: 2})
	want, err := e.Encode(ctx, imgs)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([][]ImageFeatures, 4)
	errs := make([]error, len(got))
	for g := range got {
		wg.Go(func() { got[g], errs[g] = e.Encode(ctx, imgs[g:g+3]) })
	}
	wg.Wait()
	for g := range got {
		if errs[g] != nil {
			t.Fatalf("goroutine %d: %v", g, errs[g])
		}
		featuresClose(t, got[g], want[g:g+3], 1e-4)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := e.Encode(cancelled, imgs); !errors.Is(err, context.Canceled) {
		t.Errorf("Encode with a cancelled context: %v, want context.Canceled", err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Encode(ctx, imgs); !errors.Is(err, ErrClosed) {
		t.Errorf("Encode after Close: %v, want ErrClosed", err)
	}
	if _, err := e.Encode(ctx, []image.Image{image.NewRGBA(image.Rect(0, 0, 0, 5))}); err == nil {
		t.Error("Encode of an empty image: no error")
	}
}

// TestOpenImageEncoderErrors checks that a bad model directory or
// configuration fails with an error naming what is wrong.
func TestOpenImageEncoderErrors(t *testing.T) {
	requireLibrary(t)
	model, err := filepath.Abs(filepath.Join(mobileNetDir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(model); err != nil {
		t.Skipf("real MobileNet not found at %s: %v", model, err)
	}
	tests := []struct {
		name   string
		files  map[string]string // name → contents; "@model" links the real model
		cfg    ImageConfig
		errHas string
	}{
		{"no model", map[string]string{"labels.txt": "a\n"}, ImageConfig{}, "model.onnx"},
		{"corrupt model", map[string]string{"model.onnx": "not a model"}, ImageConfig{}, "model.onnx"},
		{"labels count", map[string]string{"model.onnx": "@model", "labels.txt": "a\nb\n"}, ImageConfig{}, "labels.txt has 2 lines"},
		{"no such output", map[string]string{"model.onnx": "@model"}, ImageConfig{EmbeddingOutput: "features"}, `no output "features"`},
		{"no such probs", map[string]string{"model.onnx": "@model"}, ImageConfig{ProbsOutput: "logits"}, `no output "logits"`},
		{"no such input", map[string]string{"model.onnx": "@model"}, ImageConfig{Input: "pixels"}, `no input "pixels"`},
		{"negative batch", map[string]string{"model.onnx": "@model"}, ImageConfig{BatchSize: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				if data == "@model" {
					if err := os.Symlink(model, filepath.Join(dir, name)); err != nil {
						t.Fatal(err)
					}
					continue
				}
				writeFile(t, dir, name, data)
			}
			e, err := OpenImageEncoder(context.Background(), dir, tt.cfg, nil)
			if err == nil {
				e.Close()
				t.Fatalf("OpenImageEncoder: no error, want one containing %q", tt.errHas)
			}
			if !strings.Contains(err.Error(), tt.errHas) {
				t.Errorf("OpenImageEncoder: %v, want an error containing %q", err, tt.errHas)
			}
		})
	}
}

// TestImageEncoderNoLabels checks a model directory without labels.txt:
// labels are class indices.
func TestImageEncoderNoLabels(t *testing.T) {
	requireLibrary(t)
	model, err := filepath.Abs(filepath.Join(mobileNetDir, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(model, filepath.Join(dir, "model.onnx")); err != nil {
		t.Fatal(err)
	}
	imgs := decodePhotos(t, []photo{{path: sandalPhoto}})
	e, err := OpenImageEncoder(context.Background(), dir, ImageConfig{TopLabels: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	feats, err := e.Encode(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	if got := feats[0].Labels; len(got) != 1 || got[0].Name != "774" { // line 775 of labels.txt, "sandal"
		t.Errorf("labels = %v, want class 774 alone", got)
	}
}
