package visual

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/classify"
)

// labelledPhotos returns n items in two categories whose photo vectors
// (by item id) point towards red or blue.
func labelledPhotos(n int) ([]aisle.Item, map[string][]float32) {
	var items []aisle.Item
	vecs := map[string][]float32{}
	for i := range n {
		id := fmt.Sprintf("item-%d", i)
		cat, v := []string{"Clothing", "Red things"}, []float32{0.9, 0.1, 0.1 + float32(i)/100}
		if i%2 == 1 {
			cat, v = []string{"Clothing", "Blue things"}, []float32{0.1 + float32(i)/100, 0.1, 0.9}
		}
		items = append(items, aisle.Item{ID: id, Categories: cat})
		vecs[id] = v
	}
	return items, vecs
}

func TestClassifierPath(t *testing.T) {
	a, b := ClassifierPath("models", "image:a"), ClassifierPath("models", "image:b")
	if a == b || a != ClassifierPath("models", "image:a") {
		t.Errorf("paths %s and %s: want one per model name, the same each time", a, b)
	}
	if filepath.Dir(a) != "models" || !strings.HasPrefix(filepath.Base(a), "photo-classifier-") || filepath.Ext(a) != ".bin" {
		t.Errorf("path %s", a)
	}
}

func TestTrainClassifier(t *testing.T) {
	ctx := context.Background()
	_, _, r := setup(t)
	dir := t.TempDir()
	tests := []struct {
		name   string
		r      *Reader
		photos int
		saved  bool
		out    string // part of what it says; "" for nothing
	}{
		{"no reader", nil, 40, false, ""},
		{"no image model", New(nil, "", Deps{}, Config{}, nil), 40, false, ""},
		{"too few photos", r, MinClassifierPhotos - 1, false, "Photo classifier not trained: 19 photos with a category in 2 categories (it needs 20 in 2)."},
		{"enough photos", r, 40, true, "Trained the photo classifier on 40 photos in 2 categories"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, vecs := labelledPhotos(tt.photos)
			var out bytes.Buffer
			if err := TrainClassifier(ctx, tt.r, items, vecs, dir, &out); err != nil {
				t.Fatal(err)
			}
			if tt.out == "" && out.Len() > 0 || !strings.Contains(out.String(), tt.out) {
				t.Errorf("said %q, want %q", out.String(), tt.out)
			}
			_, err := os.Stat(ClassifierPath(dir, r.Name()))
			if saved := err == nil; saved != tt.saved {
				t.Errorf("saved %v, want %v", saved, tt.saved)
			}
		})
	}
	if r.classifier() == nil {
		t.Fatal("the reader does not use the classifier trained")
	}
	if label, _ := r.classifier().Predict([]float32{0.1, 0.1, 0.9}); label != "Clothing > Blue things" {
		t.Errorf("blue photo predicted %q", label)
	}
}

// vectorList is a VectorStore of one encoder's vectors.
type vectorList struct {
	encoder string
	vs      []aisle.ItemVector
	err     error
}

func (l vectorList) ItemVectors(ctx context.Context, encoder string) iter.Seq2[aisle.ItemVector, error] {
	return func(yield func(aisle.ItemVector, error) bool) {
		if l.err != nil {
			yield(aisle.ItemVector{}, l.err)
			return
		}
		for _, v := range l.vs {
			if encoder == l.encoder && !yield(v, nil) {
				return
			}
		}
	}
}

func TestStoredVectors(t *testing.T) {
	ctx := context.Background()
	s := vectorList{encoder: "image:test", vs: []aisle.ItemVector{{Item: "a", Vector: []float32{1, 0, 0}}, {Item: "b", Vector: []float32{0, 1, 0}}}}
	vecs, err := StoredVectors(ctx, s, "image:test")
	if err != nil || len(vecs) != 2 || vecs["a"][0] != 1 || vecs["b"][1] != 1 {
		t.Errorf("StoredVectors = %v, %v", vecs, err)
	}
	if vecs, err := StoredVectors(ctx, s, "image:other"); err != nil || len(vecs) != 0 {
		t.Errorf("another encoder: %v, %v", vecs, err)
	}
	if _, err := StoredVectors(ctx, vectorList{err: errors.New("disk gone")}, "image:test"); err == nil || !strings.Contains(err.Error(), "disk gone") {
		t.Errorf("store error: %v", err)
	}
}

func TestClassifierLoader(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	_, _, trained := setup(t)
	dir := t.TempDir()
	path := ClassifierPath(dir, trained.Name())

	_, _, r := setup(t)
	l := NewClassifierLoader(path, r, time.Millisecond, nil)
	if ok, err := l.Load(); ok || err != nil {
		t.Fatalf("missing file: Load = %v, %v; want false, nil", ok, err)
	}
	items, vecs := labelledPhotos(40)
	if err := TrainClassifier(ctx, trained, items, vecs, dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := l.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if r.classifier() == nil {
		t.Fatal("Open did not load the classifier")
	}
	if ok, err := l.Load(); ok || err != nil {
		t.Errorf("unchanged file: Load = %v, %v; want false, nil", ok, err)
	}
	l.Close()
	l.Close()

	// A classifier of 2-d vectors does not fit 3-d photo vectors.
	m, err := classify.Train(ctx, [][]float32{{1, 0}, {0, 1}, {1, 0.1}, {0.1, 1}}, []string{"a", "b", "a", "b"}, classify.Config{Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := m.MarshalBinary()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := NewClassifierLoader(path, r, 0, nil).Load(); ok || err == nil || !strings.Contains(err.Error(), "takes 2-d vectors") {
		t.Errorf("wrong length: Load = %v, %v", ok, err)
	}
	os.WriteFile(path, []byte("junk"), 0o644)
	if _, err := NewClassifierLoader(path, r, 0, nil).Load(); err == nil {
		t.Error("junk file loaded")
	}
}

func TestClassifierLoaderPicksUpNewFile(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	ctx := context.Background()
	dir := t.TempDir()
	_, _, r := setup(t)
	l := NewClassifierLoader(ClassifierPath(dir, r.Name()), r, time.Millisecond, nil)
	if err := l.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, _, trained := setup(t)
	items, vecs := labelledPhotos(40)
	if err := TrainClassifier(ctx, trained, items, vecs, dir, nil); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); r.classifier() == nil; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the loader did not pick up the new file")
		}
	}
}
