package main

import (
	"cmp"
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
	"strconv"
	"strings"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/onnx"
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
	fs.Var((*hostList)(&c.Photos.AllowHosts), "image-allow-hosts", "comma-separated `hosts` (names, IP addresses, CIDR networks) photo URLs may reach although they are not public; loopback, private and link-local addresses are refused otherwise")
	fs.Var((*byteSize)(&c.Photos.Memory), "photo-memory", "`bytes` of decoded photos in memory at once (KiB, MiB, GiB suffixes allowed); more photos wait for their turn")
	fs.Int64Var(&c.Photos.MaxPixels, "photo-max-pixels", c.Photos.MaxPixels, "largest photo accepted, in `pixels` (width × height)")
	fs.DurationVar(&c.Photos.Timeout, "image-timeout", c.Photos.Timeout, "time limit for fetching one photo by URL")
	fs.StringVar(&c.Photos.CLIP, "clip-model", c.Photos.CLIP, "CLIP-style model `directory` (visual.onnx and textual.onnx, or vision_model.onnx and text_model.onnx, with the CLIP tokenizer files) to use instead of -image-model: text-to-image search and zero-shot colour and category tags")
}

// hostList is a comma-separated flag of host names and networks, checked
// as it is set.
type hostList []string

func (h *hostList) String() string { return (*listFlag)(h).String() }

func (h *hostList) Set(s string) error {
	if err := (*listFlag)(h).Set(s); err != nil {
		return err
	}
	return photo.ValidateAllowHosts(*h)
}

// byteSize is a flag of bytes, with an optional KiB, MiB or GiB suffix.
type byteSize int64

func (b *byteSize) String() string {
	switch n := int64(*b); {
	case n > 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

func (b *byteSize) Set(s string) error {
	num, unit := s, int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, unit = n, u.size
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > 1<<50/unit {
		return fmt.Errorf("%q is not a size in bytes (e.g. 268435456, 256MiB or 1GiB)", s)
	}
	*b = byteSize(n * unit)
	return nil
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
	fi, err := os.Stat(root)
	if err != nil || !fi.IsDir() {
		return "", usageError{fmt.Sprintf("-image-root %s: not a folder", root)}
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", fmt.Errorf("-image-root: %w", err)
	}
	if data, err := filepath.EvalSymlinks(c.DataDir); err == nil {
		if rel, err := filepath.Rel(data, real); err == nil && filepath.IsLocal(rel) || real == data {
			return "", usageError{fmt.Sprintf("-image-root %s is inside the data directory %s, whose files are never read", root, c.DataDir)}
		}
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

// photos is what reads items' photos: the reader, where originals are
// kept, the image folder file paths are read in, the CLIP-style model
// when there is one, and what closes the image model.
type photos struct {
	reader    *visual.Reader
	originals *imagestore.Store
	root      string // the image folder; "" when no file path is read
	dual      dualEncoder
	close     func() error
}

// openPhotos opens the image model (when there is one) and returns the
// photo reader over store, keeping originals in DATA-DIR/images.
func (c *Config) openPhotos(ctx context.Context, store *sqlite.DB, logger *slog.Logger) (*photos, error) {
	originals := imagestore.New(filepath.Join(c.DataDir, "images"))
	fetch, err := c.fetcher(originals, logger)
	if err != nil {
		return nil, err
	}
	// One budget for every photo decoded in this process.
	vcfg := visual.Config{Limits: c.photoLimits(), Budget: photo.NewBudget(c.Photos.Memory)}
	p := &photos{originals: originals, root: fetch.Root, close: func() error { return nil }}
	if c.Photos.CLIP != "" {
		return p, c.openCLIP(ctx, p, fetch, store, vcfg, logger)
	}
	dir := c.Photos.Model
	if dir == imageModelNone {
		p.reader = visual.New(nil, "", fetch, originals, store, vcfg, logger)
		return p, nil
	}
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); errors.Is(err, fs.ErrNotExist) && dir == defaultImageModel {
		logger.Warn("no image model: photos get colours only (no similar items or search by photo)", "image-model", dir)
		p.reader = visual.New(nil, "", fetch, originals, store, vcfg, logger)
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
	vcfg.BatchSize = sessions * onnx.DefaultImageBatchSize
	p.reader = visual.New(enc, "image:"+name, fetch, originals, store, vcfg, logger)
	p.close = enc.Close
	return p, nil
}

// openCLIP opens the CLIP-style model as p's image model.
func (c *Config) openCLIP(ctx context.Context, p *photos, fetch *photo.Fetcher, store *sqlite.DB, vcfg visual.Config, logger *slog.Logger) error {
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
	p.reader = visual.New(enc, "clip:"+name, fetch, p.originals, store, vcfg, logger)
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
