package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/imagestore"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/photo"
	"github.com/aislehq/aisle/sqlite"
	"github.com/aislehq/aisle/visual"
)

// defaultImageModel is the CNN -image-model uses unless told otherwise:
// the shipped MobileNet v1 0.75, where make deps' checkout keeps it.
const defaultImageModel = "../shared/models/mobilenet-v1-0.75-224"

// imageModelNone turns the image model off: photos get colours only.
const imageModelNone = "none"

// PhotoConfig configures how items' photos are read.
type PhotoConfig struct {
	// Model is the image model directory (model.onnx, labels.txt) run by
	// ONNX Runtime, or "none". The default, defaultImageModel, is skipped
	// with a warning when absent; any other directory must exist.
	Model string
	// Root is the directory relative image paths are resolved against
	// ("" is the working directory).
	Root string
	// Timeout bounds fetching one photo by URL.
	Timeout time.Duration
	// CLIP, when set, is a CLIP-style model directory (vision and text
	// towers, onnx.OpenCLIP) used instead of Model: photo vectors in the
	// text tower's space, zero-shot colour and category tags, and text
	// queries matched against the photos.
	CLIP string
}

func bindPhotos(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Photos.Model, "image-model", c.Photos.Model, "image model `directory` (model.onnx with embedding and probs outputs, labels.txt) for photo vectors, labels, similar items by photo and search by photo; \"none\" reads colours only")
	fs.StringVar(&c.Photos.Root, "image-root", c.Photos.Root, "`directory` relative image paths in items are resolved against (default: the working directory)")
	fs.DurationVar(&c.Photos.Timeout, "image-timeout", c.Photos.Timeout, "time limit for fetching one photo by URL")
	fs.StringVar(&c.Photos.CLIP, "clip-model", c.Photos.CLIP, "CLIP-style model `directory` (visual.onnx and textual.onnx, or vision_model.onnx and text_model.onnx, with the CLIP tokenizer files) to use instead of -image-model: text-to-image search and zero-shot colour and category tags")
}

// photos is what reads items' photos: the reader, where originals are
// kept, the CLIP-style model when there is one, and what closes the image
// model.
type photos struct {
	reader    *visual.Reader
	originals *imagestore.Store
	dual      dualEncoder
	close     func() error
}

// openPhotos opens the image model (when there is one) and returns the
// photo reader over store, keeping originals in DATA-DIR/images.
func (c *Config) openPhotos(ctx context.Context, store *sqlite.DB, logger *slog.Logger) (*photos, error) {
	originals := imagestore.New(filepath.Join(c.DataDir, "images"))
	fetch := &photo.Fetcher{Originals: originals, Root: c.Photos.Root, Timeout: c.Photos.Timeout}
	p := &photos{originals: originals, close: func() error { return nil }}
	if c.Photos.CLIP != "" {
		return p, c.openCLIP(ctx, p, fetch, store, logger)
	}
	dir := c.Photos.Model
	if dir == imageModelNone {
		p.reader = visual.New(nil, "", fetch, originals, store, visual.Config{}, logger)
		return p, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); errors.Is(err, fs.ErrNotExist) && dir == defaultImageModel {
		logger.Warn("no image model: photos get colours only (no similar items or search by photo)", "image-model", dir)
		p.reader = visual.New(nil, "", fetch, originals, store, visual.Config{}, logger)
		return p, nil
	}
	// Single-threaded sessions, one a core (at most four), beat one
	// session on all cores by a sixth of the CPU per photo (measured on
	// two cores: 15.9 against 18.9 ms; docs/BENCHMARKS.md), at the cost
	// of one memory arena a session.
	sessions := min(runtime.GOMAXPROCS(0), 4)
	enc, err := onnx.OpenImageEncoder(ctx, dir, onnx.ImageConfig{Library: c.Text.ONNXLibrary, Logger: logger, Sessions: sessions, Threads: 1})
	if err != nil {
		return nil, fmt.Errorf("-image-model: %w", err)
	}
	name, err := modelName(dir)
	if err != nil {
		enc.Close()
		return nil, err
	}
	p.reader = visual.New(enc, "image:"+name, fetch, originals, store, visual.Config{BatchSize: sessions * onnx.DefaultImageBatchSize}, logger)
	p.close = enc.Close
	return p, nil
}

// openCLIP opens the CLIP-style model as p's image model.
func (c *Config) openCLIP(ctx context.Context, p *photos, fetch *photo.Fetcher, store *sqlite.DB, logger *slog.Logger) error {
	model, err := onnx.OpenCLIP(ctx, c.Photos.CLIP, onnx.CLIPConfig{Library: c.Text.ONNXLibrary, Logger: logger})
	if err != nil {
		return fmt.Errorf("-clip-model: %w", err)
	}
	items, err := aisle.AllItems(ctx, store)
	if err != nil {
		model.Close()
		return err
	}
	enc, err := newClipImages(ctx, model, items)
	if err != nil {
		model.Close()
		return err
	}
	name, err := clipName(c.Photos.CLIP)
	if err != nil {
		model.Close()
		return err
	}
	p.reader = visual.New(enc, "clip:"+name, fetch, p.originals, store, visual.Config{}, logger)
	p.dual, p.close = model, model.Close
	return nil
}

// clipName names a CLIP directory's vectors by its path and the size and
// time of its files, so replacing the model re-encodes the photos.
func clipName(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return "", fmt.Errorf("-clip-model: %w", err)
	}
	h := sha256.New()
	fmt.Fprint(h, abs)
	for _, e := range ents {
		if info, err := e.Info(); err == nil {
			fmt.Fprintf(h, "\x00%s\x00%d\x00%d", e.Name(), info.Size(), info.ModTime().UnixNano())
		}
	}
	return filepath.Base(abs) + "-" + hex.EncodeToString(h.Sum(nil)[:6]), nil
}

// readPendingPhotos reads the photos of every item in db whose first photo
// is unread, a batch at a time, and says how it went.
func readPendingPhotos(ctx context.Context, e *env, r *visual.Reader, db visual.Pendings) error {
	start := time.Now()
	var shown visual.Report
	total, err := r.ReadPending(ctx, db, 512, func(_ []aisle.Item, rep visual.Report) {
		shown.Read, shown.Failed = shown.Read+rep.Read, shown.Failed+rep.Failed
		fmt.Fprintf(e.stderr, "photos: %d read, %d unusable (%s)\n", shown.Read, shown.Failed, time.Since(start).Round(time.Millisecond))
	})
	if err != nil {
		return err
	}
	if n := total.Read + total.Failed; n > 0 {
		took := time.Since(start)
		fmt.Fprintf(e.stdout, "Read %d photos in %s (%.0f photos/s): %d with features, %d unusable (the items' visual.error says why).\n",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), total.Read, total.Failed)
	}
	return nil
}
