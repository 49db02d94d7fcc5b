package visual

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/classify"
	"github.com/aislehq/aisle/internal/durable"
)

// MinClassifierPhotos is the fewest labelled photos TrainClassifier
// trains a photo classifier on.
const MinClassifierPhotos = 20

// DefaultClassifierPoll is how often a ClassifierLoader looks at its
// file when told no interval.
const DefaultClassifierPoll = 30 * time.Second

// ClassifierPath is where the photo classifier of the image model whose
// vectors are stored under name is kept in modelDir: one file per model,
// so a model change never applies a classifier to vectors it was not
// trained on.
func ClassifierPath(modelDir, name string) string {
	h := sha256.Sum256([]byte(name))
	return filepath.Join(modelDir, "photo-classifier-"+hex.EncodeToString(h[:6])+".bin")
}

// VectorStore reads stored item vectors; *sqlite.DB is one.
type VectorStore interface {
	// ItemVectors returns the vectors stored under encoder.
	ItemVectors(ctx context.Context, encoder string) iter.Seq2[aisle.ItemVector, error]
}

// StoredVectors reads the image vectors s keeps under name, by item id.
func StoredVectors(ctx context.Context, s VectorStore, name string) (map[string][]float32, error) {
	vecs := map[string][]float32{}
	for v, err := range s.ItemVectors(ctx, name) {
		if err != nil {
			return nil, fmt.Errorf("read photo vectors: %w", err)
		}
		vecs[v.Item] = v.Vector
	}
	return vecs, nil
}

// TrainClassifier trains the photo classifier on the items that have a
// category and a photo read by r (vecs, by item id), saves it in modelDir
// (ClassifierPath), makes r use it and predicts the category of every
// item's photo with it. It says what it did on out (nil discards). A nil
// r, or one without an image model, trains nothing; so do fewer than
// MinClassifierPhotos labelled photos, or a single category.
func TrainClassifier(ctx context.Context, r *Reader, items []aisle.Item, vecs map[string][]float32, modelDir string, out io.Writer) error {
	if r == nil || !r.HasModel() {
		return nil
	}
	if out == nil {
		out = io.Discard
	}
	xs, labels, classes := labelled(items, vecs)
	if len(xs) < MinClassifierPhotos || classes < 2 {
		if len(vecs) > 0 {
			fmt.Fprintf(out, "Photo classifier not trained: %d photos with a category in %d categories (it needs %d in 2).\n", len(xs), classes, MinClassifierPhotos)
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
	path := ClassifierPath(modelDir, r.Name())
	if err := durable.WriteFile(path, data); err != nil {
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
	fmt.Fprintf(out, "Trained the photo classifier on %d photos in %d categories in %s (cross-validated accuracy %.3f); %d items' predicted categories changed. Saved %s.\n",
		len(xs), classes, time.Since(start).Round(time.Millisecond), best, n, path)
	return nil
}

// labelled returns the vectors and labels of the items with a category
// and a read photo, and the number of distinct labels.
func labelled(items []aisle.Item, vecs map[string][]float32) (xs [][]float32, labels []string, classes int) {
	seen := map[string]bool{}
	for i := range items {
		it := &items[i]
		if v := vecs[it.ID]; v != nil && len(it.Categories) > 0 && !Pending(it) {
			xs, labels = append(xs, v), append(labels, Label(it))
			seen[labels[len(labels)-1]] = true
		}
	}
	return xs, labels, len(seen)
}

// ClassifierLoader keeps a Reader's photo classifier current with the
// file TrainClassifier saves: it loads it at Open and again whenever the
// file changes, until Close. It is safe for concurrent use.
type ClassifierLoader struct {
	path     string
	r        *Reader
	interval time.Duration
	logger   *slog.Logger

	// mu guards modTime, the loaded file's modification time.
	mu      sync.Mutex
	modTime time.Time

	// life guards cancel and done, set by Open.
	life   sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// NewClassifierLoader returns a loader that sets r's classifier from the
// file at path, looking at it every interval (DefaultClassifierPoll when
// not positive). It does no I/O; a nil logger discards logs.
func NewClassifierLoader(path string, r *Reader, interval time.Duration, logger *slog.Logger) *ClassifierLoader {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = DefaultClassifierPoll
	}
	return &ClassifierLoader{path: path, r: r, interval: interval, logger: logger}
}

// Load sets the Reader's classifier from the file when it changed since
// the last load, and reports whether it did. A missing file is no error;
// a file that does not decode, or takes vectors of another length than
// the Reader's image model makes, is.
func (l *ClassifierLoader) Load() (bool, error) {
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

// Open loads the classifier, then starts looking at the file every
// interval until ctx ends or Close is called. A file that fails to load
// is logged, not returned: the Reader goes on without it (or with the
// classifier it had). Open after Open does nothing.
func (l *ClassifierLoader) Open(ctx context.Context) error {
	l.life.Lock()
	defer l.life.Unlock()
	if l.done != nil {
		return nil
	}
	if _, err := l.Load(); err != nil {
		l.logger.Error("load photo classifier", "err", err)
	}
	ctx, l.cancel = context.WithCancel(ctx)
	l.done = make(chan struct{})
	go l.poll(ctx, l.done)
	return nil
}

// Close stops looking at the file and waits for the loader's goroutine to
// return. It is safe to call more than once, and without Open.
func (l *ClassifierLoader) Close() error {
	l.life.Lock()
	defer l.life.Unlock()
	if l.done != nil {
		l.cancel()
		<-l.done
	}
	return nil
}

// poll loads the classifier every interval until ctx ends, then closes
// done.
func (l *ClassifierLoader) poll(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(l.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := l.Load(); err != nil {
				l.logger.Error("load photo classifier", "err", err)
			}
		}
	}
}
