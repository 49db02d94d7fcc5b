package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/internal/flagvalue"
	"github.com/aislehq/aisle/store/imagestore"
	"github.com/aislehq/aisle/store/sqlite"
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
	// Root is the image folder: file paths in items are read only inside
	// it (symlinks resolved), relative ones taken against it. aisle serve
	// reads them only with Files; aisle import reads them inside Root, or
	// inside the folder it imports when Root is empty.
	Root string
	// Files lets aisle serve read file paths in items, inside Root only
	// (which it then requires). Off, the server reads no file an item
	// names: photos come from uploads and URLs.
	Files bool
	// AllowHosts are the host names, IP addresses and CIDR networks
	// photo URLs may reach although they are not public (loopback,
	// private, link-local and the like are refused otherwise); see
	// photo.Fetcher.AllowHosts.
	AllowHosts []string
	// Memory is how many bytes of decoded photos may be in memory at
	// once in the whole process (photo.Budget): uploads, searches by
	// photo and the background reader wait for their turn beyond it.
	// Zero means photo.DefaultBudget.
	Memory int64
	// MaxPixels is the largest photo accepted, in pixels; zero means
	// photo.DefaultMaxPixels.
	MaxPixels int64
	// Timeout bounds fetching one photo by URL.
	Timeout time.Duration
	// CLIP, when set, is a CLIP-style model directory (vision and text
	// towers, onnx.OpenCLIP) used instead of Model: photo vectors in the
	// text tower's space, zero-shot colour and category tags, and text
	// queries matched against the photos.
	CLIP string

	// trusted, when set, makes the photo reader read file paths as aisle
	// import does: inside Root, or inside trusted when Root is empty
	// (filesUnder).
	trusted string
}

func bindPhotos(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Photos.Model, "image-model", c.Photos.Model, "image model `directory` (model.onnx with embedding and probs outputs, labels.txt) for photo vectors, labels, similar items by photo and search by photo; \"none\" reads colours only")
	fs.StringVar(&c.Photos.Root, "image-root", c.Photos.Root, "image `folder`: file paths in items are read only inside it, relative ones taken against it (aisle serve reads them only with -image-files; aisle import defaults to the folder it imports)")
	fs.BoolVar(&c.Photos.Files, "image-files", c.Photos.Files, "let aisle serve read file paths in items, inside -image-root only (which must be given); the data directory is never read")
	fs.Var(flagvalue.List(&c.Photos.AllowHosts, photo.ValidateAllowHosts), "image-allow-hosts", "comma-separated `hosts` (names, IP addresses, CIDR networks) photo URLs may reach although they are not public; loopback, private and link-local addresses are refused otherwise")
	fs.Var((*flagvalue.ByteSize)(&c.Photos.Memory), "photo-memory", "`bytes` of decoded photos in memory at once (KiB, MiB, GiB suffixes allowed); more photos wait for their turn")
	fs.Int64Var(&c.Photos.MaxPixels, "photo-max-pixels", c.Photos.MaxPixels, "largest photo accepted, in `pixels` (width × height)")
	fs.DurationVar(&c.Photos.Timeout, "image-timeout", c.Photos.Timeout, "time limit for fetching one photo by URL")
	fs.StringVar(&c.Photos.CLIP, "clip-model", c.Photos.CLIP, "CLIP-style model `directory` (visual.onnx and textual.onnx, or vision_model.onnx and text_model.onnx, with the CLIP tokenizer files) to use instead of -image-model: text-to-image search and zero-shot colour and category tags")
}

// filesUnder returns c with its photo reader reading file paths as aisle
// import does: the store engineer's own files are trusted, inside
// -image-root when it is given, else inside dir (the folder imported),
// and never inside the data directory.
func (c Config) filesUnder(dir string) Config {
	c.Photos.trusted = dir
	return c
}

// imageRoot returns the folder the photo reader reads file paths in, ""
// for none, or a usage error.
func (c *Config) imageRoot(logger *slog.Logger) (string, error) {
	var root string
	switch {
	case c.Photos.trusted != "":
		root = cmp.Or(c.Photos.Root, c.Photos.trusted)
	case c.Photos.Files && c.Photos.Root == "":
		return "", usageError{"-image-files needs -image-root: the folder whose photos the server may read"}
	case c.Photos.Files:
		root = c.Photos.Root
	case c.Photos.Root != "":
		logger.Warn("file paths in items are not read without -image-files; -image-root is ignored", "image-root", c.Photos.Root)
		return "", nil
	default:
		return "", nil
	}
	switch err := photo.CheckRoot(root, c.DataDir); {
	case errors.Is(err, photo.ErrRootNotFolder):
		return "", usageError{fmt.Sprintf("-image-root %s: not a folder", root)}
	case errors.Is(err, photo.ErrRootDenied):
		return "", usageError{fmt.Sprintf("-image-root %s is inside the data directory %s, whose files are never read", root, c.DataDir)}
	case err != nil:
		return "", fmt.Errorf("-image-root: %w", err)
	}
	return root, nil
}

// fetcher returns the photo fetcher the configuration describes:
// uploads from originals, URLs to public addresses and the allowed
// hosts, file paths inside the image folder only, never in the data
// directory.
func (c *Config) fetcher(originals *imagestore.Store, logger *slog.Logger) (*photo.Fetcher, error) {
	root, err := c.imageRoot(logger)
	if err != nil {
		return nil, err
	}
	if err := photo.ValidateAllowHosts(c.Photos.AllowHosts); err != nil {
		return nil, usageError{"-image-allow-hosts: " + err.Error()}
	}
	return &photo.Fetcher{
		Originals:  originals,
		Root:       root,
		Deny:       []string{c.DataDir},
		AllowHosts: c.Photos.AllowHosts,
		Timeout:    c.Photos.Timeout,
		Limits:     c.photoLimits(),
	}, nil
}

// photoLimits are the limits every photo is read within.
func (c *Config) photoLimits() photo.Limits {
	return photo.Limits{MaxPixels: c.Photos.MaxPixels}
}

// photos is what reads items' photos: the reader with its image model
// (which Close closes), where originals are kept, and the image folder
// file paths are read in.
type photos struct {
	*visual.Opened
	originals *imagestore.Store
	root      string // the image folder; "" when no file path is read
}

// openPhotos opens the image model (when there is one) and returns the
// photo reader over store, keeping originals in DATA-DIR/images.
func (c *Config) openPhotos(ctx context.Context, store *sqlite.DB, logger *slog.Logger) (*photos, error) {
	originals := imagestore.New(filepath.Join(c.DataDir, "images"))
	fetch, err := c.fetcher(originals, logger)
	if err != nil {
		return nil, err
	}
	m := visual.Models{Image: c.Photos.Model, Optional: c.Photos.Model == defaultImageModel, CLIP: c.Photos.CLIP, Library: c.Text.ONNXLibrary}
	switch m.Image {
	case imageModelNone:
		m.Image = ""
	case "":
		m.Image = "." // an empty -image-model names the current folder
	}
	// One budget for every photo decoded in this process.
	deps := visual.Deps{Fetch: fetch, Originals: originals, Store: store, Budget: photo.NewBudget(c.Photos.Memory)}
	o, err := visual.Open(ctx, m, deps, visual.Config{Limits: c.photoLimits()}, store, logger)
	if me := (*visual.ModelError)(nil); errors.As(err, &me) {
		return nil, fmt.Errorf("-%s-model: %w", me.Model, me.Err)
	} else if err != nil {
		return nil, err
	}
	return &photos{Opened: o, originals: originals, root: fetch.Root}, nil
}
