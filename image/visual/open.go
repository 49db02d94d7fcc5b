package visual

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/onnx"
)

// Models says which image model Open runs. The zero value runs none:
// photos get colours only.
type Models struct {
	// Image is the image model directory (model.onnx, labels.txt) run by
	// ONNX Runtime; "" for none.
	Image string
	// Optional makes a missing Image (no model.onnx in it) no error:
	// photos get colours only, with a warning. It suits a default model
	// that may not be installed.
	Optional bool
	// CLIP, when set, is a CLIP-style model directory (vision and text
	// towers, onnx.OpenCLIP) run instead of Image: photo vectors in the
	// text tower's space and zero-shot colour and category tags
	// (CLIPEncoder).
	CLIP string
	// Library is the ONNX Runtime library; "" finds it.
	Library string
}

// ModelError is an image model Open could not open.
type ModelError struct {
	// Model is "image" (Models.Image) or "clip" (Models.CLIP).
	Model string
	Err   error
}

// Error names the model and says what went wrong.
func (e *ModelError) Error() string { return e.Model + " model: " + e.Err.Error() }

// Unwrap returns the error opening the model.
func (e *ModelError) Unwrap() error { return e.Err }

// Opened is a Reader with the image model it runs, which Close closes.
type Opened struct {
	*Reader
	// Dual is the CLIP-style model when one runs (Models.CLIP), for
	// text-to-image search; nil otherwise.
	Dual  DualEncoder
	close func() error
}

// Close closes the image model. The Reader must not be used after.
func (o *Opened) Close() error {
	if o.close == nil {
		return nil
	}
	return o.close()
}

// Open opens the image model m names and returns a Reader running it,
// with deps and cfg (see New). A CLIP model tags photos with the leaf
// categories of catalog's items. It returns a *ModelError when a model
// cannot be opened, and the catalog's errors as they are. A nil logger
// discards logs.
func Open(ctx context.Context, m Models, deps Deps, cfg Config, catalog aisle.ItemLister, logger *slog.Logger) (*Opened, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if m.CLIP != "" {
		return openCLIP(ctx, m, deps, cfg, catalog, logger)
	}
	if m.Image == "" {
		return &Opened{Reader: New(nil, "", deps, cfg, logger)}, nil
	}
	if _, err := os.Stat(filepath.Join(m.Image, "model.onnx")); errors.Is(err, fs.ErrNotExist) && m.Optional {
		logger.Warn("no image model: photos get colours only (no similar items or search by photo)", "image-model", m.Image)
		return &Opened{Reader: New(nil, "", deps, cfg, logger)}, nil
	}
	// Single-threaded sessions, one a core (at most four), beat one
	// session on all cores by a sixth of the CPU per photo (measured on
	// two cores: 15.9 against 18.9 ms; docs/BENCHMARKS.md), at the cost
	// of one memory arena a session.
	sessions := min(runtime.GOMAXPROCS(0), 4)
	enc, err := onnx.OpenImageEncoder(ctx, m.Image, onnx.ImageConfig{Library: m.Library, Sessions: sessions, Threads: 1}, logger)
	if err != nil {
		return nil, &ModelError{"image", err}
	}
	name, err := onnx.ModelName(m.Image)
	if err != nil {
		enc.Close()
		return nil, err
	}
	cfg.BatchSize = sessions * onnx.DefaultImageBatchSize
	return &Opened{Reader: New(enc, "image:"+name, deps, cfg, logger), close: enc.Close}, nil
}

// openCLIP opens m's CLIP-style model.
func openCLIP(ctx context.Context, m Models, deps Deps, cfg Config, catalog aisle.ItemLister, logger *slog.Logger) (*Opened, error) {
	model, err := onnx.OpenCLIP(ctx, m.CLIP, onnx.CLIPConfig{Library: m.Library}, logger)
	if err != nil {
		return nil, &ModelError{"clip", err}
	}
	enc, name, err := clipEncoder(ctx, model, m.CLIP, catalog)
	if err != nil {
		model.Close()
		return nil, err
	}
	return &Opened{Reader: New(enc, "clip:"+name, deps, cfg, logger), Dual: model, close: model.Close}, nil
}

// clipEncoder returns model, from dir, as an image model tagging photos
// with catalog's categories, and the name of its vectors.
func clipEncoder(ctx context.Context, model DualEncoder, dir string, catalog aisle.ItemLister) (*CLIPEncoder, string, error) {
	items, err := aisle.AllItems(ctx, catalog)
	if err != nil {
		return nil, "", err
	}
	enc, err := NewCLIPEncoder(ctx, model, items)
	if err != nil {
		return nil, "", err
	}
	name, err := onnx.CLIPName(dir)
	if err != nil {
		return nil, "", &ModelError{"clip", err}
	}
	return enc, name, nil
}

// Ensure an ImageEncoder and a CLIP model are what a Reader runs.
var (
	_ Encoder     = (*onnx.ImageEncoder)(nil)
	_ DualEncoder = (*onnx.CLIP)(nil)
)
