package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/renameio/v2"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/classify"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/store/sqlite"
)

// minClassifierPhotos is the fewest labelled photos a photo classifier is
// trained on.
const minClassifierPhotos = 20

// classifierPath is where the photo classifier of the image model whose
// vectors are stored under name is kept: one file per model, so a model
// change never applies a classifier to vectors it was not trained on.
func classifierPath(modelDir, name string) string {
	h := sha256.Sum256([]byte(name))
	return filepath.Join(modelDir, "photo-classifier-"+hex.EncodeToString(h[:6])+".bin")
}

// photoVectors reads the image vectors stored under name, by item id.
func photoVectors(ctx context.Context, db *sqlite.DB, name string) (map[string][]float32, error) {
	vecs := map[string][]float32{}
	for v, err := range db.ItemVectors(ctx, name) {
		if err != nil {
			return nil, fmt.Errorf("read photo vectors: %w", err)
		}
		vecs[v.Item] = v.Vector
	}
	return vecs, nil
}

// trainPhotoClassifier trains the photo classifier on the items that have
// a category and a photo read by r (vecs, by item id), saves it in modelDir and predicts the
// category of every item's photo with it. A nil r (or one without an
// image model) trains nothing. It says what it did; with fewer
// than minClassifierPhotos labelled photos, or a single category, it
// trains nothing.
func trainPhotoClassifier(ctx context.Context, e *env, r *visual.Reader, items []aisle.Item, vecs map[string][]float32, modelDir string) error {
	if r == nil || !r.HasModel() {
		return nil
	}
	var xs [][]float32
	var labels []string
	classes := map[string]bool{}
	for i := range items {
		it := &items[i]
		if v := vecs[it.ID]; v != nil && len(it.Categories) > 0 && !visual.Pending(it) {
			xs, labels = append(xs, v), append(labels, visual.Label(it))
			classes[labels[len(labels)-1]] = true
		}
	}
	if len(xs) < minClassifierPhotos || len(classes) < 2 {
		if len(vecs) > 0 {
			fmt.Fprintf(e.stdout, "Photo classifier not trained: %d photos with a category in %d categories (it needs %d in 2).\n", len(xs), len(classes), minClassifierPhotos)
		}
		return nil
	}
	start := time.Now()
	m, err := classify.Train(ctx, xs, labels, classify.Config{})
	if err != nil {
		return fmt.Errorf("photo classifier: %w", err)
	}
	data, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(modelDir, 0o755); err != nil {
		return err
	}
	path := classifierPath(modelDir, r.Name())
	if err := renameio.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("save photo classifier: %w", err)
	}
	r.SetClassifier(m)
	n, err := r.Reclassify(ctx, items, func(id string) []float32 { return vecs[id] })
	if err != nil {
		return err
	}
	best := 0.0
	for _, s := range m.CV() {
		best = max(best, s.Accuracy)
	}
	fmt.Fprintf(e.stdout, "Trained the photo classifier on %d photos in %d categories in %s (cross-validated accuracy %.3f); %d items' predicted categories changed. Saved %s.\n",
		len(xs), len(classes), time.Since(start).Round(time.Millisecond), best, n, path)
	return nil
}

// classifierLoader loads the photo classifier `aisle train` saves, again
// whenever the file changes.
type classifierLoader struct {
	path   string
	r      *visual.Reader
	logger *slog.Logger

	mu      sync.Mutex
	modTime time.Time
}

// load sets r's classifier from the file when it changed since the last
// load, and reports whether it did.
func (l *classifierLoader) load() (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, err := os.Stat(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil || st.ModTime().Equal(l.modTime) {
		return false, err
	}
	data, err := os.ReadFile(l.path)
	if err != nil {
		return false, err
	}
	m := new(classify.Softmax)
	if err := m.UnmarshalBinary(data); err != nil {
		return false, fmt.Errorf("photo classifier %s: %w", l.path, err)
	}
	if m.Dim() != l.r.Dim() {
		return false, fmt.Errorf("photo classifier %s takes %d-d vectors, the image model makes %d-d", l.path, m.Dim(), l.r.Dim())
	}
	l.r.SetClassifier(m)
	l.modTime = st.ModTime()
	l.logger.Info("photo classifier loaded", "path", l.path, "labels", len(m.Labels()))
	return true, nil
}

// poll loads the classifier every interval until ctx ends.
func (l *classifierLoader) poll(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = 30 * time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.load(); err != nil {
				l.logger.Error("load photo classifier", "err", err)
			}
		}
	}
}
