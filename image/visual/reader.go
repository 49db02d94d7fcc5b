// Package visual reads items' photos: it fetches each item's first image
// (a file, a URL or an upload, as package photo's Fetcher allows),
// decodes it safely within a memory budget shared with uploads and
// search by photo (package photo), keeps the original bytes by content
// hash, runs the image model (its feature vector and weak labels), finds
// the dominant colours (package palette) and the category the store's
// own photo classifier predicts, and stores the result as the item's
// aisle.Visual beside the vector. It also turns a shopper's photo into a
// query vector for search by photo.
package visual

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/palette"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
)

// Encoder is an image model; *onnx.ImageEncoder satisfies it.
type Encoder interface {
	// Encode returns each image's unit feature vector and most probable
	// labels (none when the model has no classes), in order.
	Encode(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error)
	// Dim is the feature vector's length.
	Dim() int
}

// Fetcher returns the bytes an image reference names; *photo.Fetcher
// satisfies it. Its errors are *aisle.Error saying what is wrong.
type Fetcher interface {
	Fetch(ctx context.Context, ref string) ([]byte, error)
}

// Originals keeps photos' original bytes by content hash;
// *imagestore.Store satisfies it.
type Originals interface {
	// Put stores data and returns its hex SHA-256.
	Put(data []byte) (string, error)
	// Get returns the bytes stored under hash (ENOTFOUND when none).
	Get(hash string) ([]byte, error)
}

// Store keeps the items, what was seen in their photos and the vectors;
// *sqlite.DB satisfies it.
type Store interface {
	Item(ctx context.Context, id string) (aisle.Item, error)
	UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error)
	SetItemVisual(ctx context.Context, id string, v *aisle.Visual) error
	SetItemVisuals(ctx context.Context, vs []aisle.ItemVisual) ([]error, error)
	PutItemVectors(ctx context.Context, encoder string, vs []aisle.ItemVector) error
}

// Classifier predicts an item's category from its photo's feature
// vector; *classify.Softmax satisfies it.
type Classifier interface {
	// Predict returns the most probable label and its probability.
	Predict(x []float32) (label string, prob float64)
}

// CategorySep joins a category path into one classifier label.
const CategorySep = " > "

// Config tunes a Reader. Zero fields take their defaults.
type Config struct {
	// Limits bound the photos accepted (photo's defaults when zero).
	Limits photo.Limits
	// Workers is how many photos are fetched and decoded at once
	// (default GOMAXPROCS, at least 2). With BatchSize it bounds the
	// decoded photos held in memory.
	Workers int
	// BatchSize is how many photos go to the image model at once
	// (default 16).
	BatchSize int
	// MaxSide is the longer side photos larger than it are reduced to
	// as soon as they are decoded (photo.Options.Fit), before they are
	// turned upright and the model and the palette see them (default
	// 1024, 4.5 times the CNN's input), so the memory a photo holds after
	// decoding is bounded whatever its size.
	MaxSide int
	// Labels is how many of the model's labels are kept as weak tags
	// (default 3), each with a probability of at least MinLabelProb
	// (default 0.05).
	Labels       int
	MinLabelProb float64
	// Colors is how many dominant colours are kept (default 3), each
	// covering at least Palette.MinShare of the photo's foreground
	// (default here 0.1, twice palette's, so that the color filter
	// matches a product's main colours, not its trim).
	Colors int
	// Palette configures the dominant colours.
	Palette palette.Config
}

// Deps are the collaborators of a Reader besides its image model. Fetch,
// Originals and Store are required; Budget and Now may be nil.
type Deps struct {
	// Fetch reads the photo an item's image reference names.
	Fetch Fetcher
	// Originals keeps the photos' original bytes.
	Originals Originals
	// Store keeps the items, their Visuals and their vectors.
	Store Store
	// Budget bounds the memory of decoding photos: the Reader's
	// background reads, uploads, search by photo and re-encoding of
	// originals all reserve from it. Share one Budget among everything
	// that decodes photos in the process; nil gives the Reader one of its
	// own, of photo.DefaultBudget bytes.
	Budget *photo.Budget
	// Now returns the time photos are read at; nil means time.Now.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Workers <= 0 {
		c.Workers = max(2, runtime.GOMAXPROCS(0))
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 16
	}
	if c.MaxSide <= 0 {
		c.MaxSide = 1024
	}
	if c.Labels <= 0 {
		c.Labels = 3
	}
	if c.Colors <= 0 {
		c.Colors = 3
	}
	if c.Palette.MinShare == 0 {
		c.Palette.MinShare = 0.1
	}
	if c.MinLabelProb <= 0 {
		c.MinLabelProb = 0.05
	}
	return c
}

// decodeOptions are the options every photo the Reader decodes is
// decoded with.
func (r *Reader) decodeOptions() photo.Options {
	return photo.Options{Limits: r.cfg.Limits, Budget: r.budget, Fit: r.cfg.MaxSide}
}

// Reader reads items' photos with one image model. It is safe for
// concurrent use. Every photo it decodes reserves its memory from
// Deps.Budget first.
type Reader struct {
	enc       Encoder
	name      string
	fetch     Fetcher
	originals Originals
	store     Store
	budget    *photo.Budget
	now       func() time.Time
	cfg       Config
	logger    *slog.Logger

	mu  sync.RWMutex
	cls Classifier // nil until one is trained
}

// New returns a Reader running enc, whose vectors are stored under name
// (it must change whenever enc's vectors would), with the collaborators
// deps; a nil enc reads colours only. New does no I/O; a nil logger
// discards logs.
func New(enc Encoder, name string, deps Deps, cfg Config, logger *slog.Logger) *Reader {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if deps.Budget == nil {
		deps.Budget = photo.NewBudget(photo.DefaultBudget)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Reader{
		enc: enc, name: name,
		fetch: deps.Fetch, originals: deps.Originals, store: deps.Store, budget: deps.Budget, now: deps.Now,
		cfg: cfg.withDefaults(), logger: logger,
	}
}

// Name returns the name the image vectors are stored under.
func (r *Reader) Name() string { return r.name }

// Dim returns the image vectors' length, 0 without an image model.
func (r *Reader) Dim() int {
	if r.enc == nil {
		return 0
	}
	return r.enc.Dim()
}

// HasModel reports whether the Reader runs an image model; without one it
// finds photos' colours only (no vectors, labels or categories).
func (r *Reader) HasModel() bool { return r.enc != nil }

// SetClassifier makes photos read from now on get the category c
// predicts; nil stops predicting.
func (r *Reader) SetClassifier(c Classifier) {
	r.mu.Lock()
	r.cls = c
	r.mu.Unlock()
}

func (r *Reader) classifier() Classifier {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cls
}

// Pending reports whether it's first photo is unread: it has images and
// no Visual for the first.
func Pending(it *aisle.Item) bool {
	return len(it.Images) > 0 && (it.Visual == nil || it.Visual.Ref != it.Images[0])
}

// Report counts what Read did.
type Report struct {
	// Read photos got features; Failed got a Visual saying why not (a
	// missing file, an unreachable URL, a corrupt photo); Stale items
	// changed their first image while it was read (the new one is read
	// later).
	Read, Failed, Stale int
	// Vectors are the image vectors of the photos read, as stored.
	Vectors []aisle.ItemVector
}

// decoded is one photo on its way through Read.
type decoded struct {
	item   int
	visual aisle.Visual
	img    image.Image // nil when the photo failed
	err    error       // a failure that is not the photo's (keeping it)
	cause  error       // the photo's failure, for the log (visual.Error has its message)
	vec    []float32   // the photo's image vector, once encoded
}

// Read reads the first photo of each of items that is Pending, stores
// each one's Visual (ECONFLICT, a photo replaced meanwhile, is counted as
// Stale) and vector, and sets it on the item in items. A photo that cannot
// be fetched or decoded gets a Visual whose Error says why; that is not an
// error of Read, which fails only for ctx, the model or the store.
// Fetching and decoding run on Config.Workers goroutines while the model
// encodes earlier batches.
func (r *Reader) Read(ctx context.Context, items []aisle.Item) (Report, error) {
	var rep Report
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	out := make(chan decoded, r.cfg.BatchSize)
	go func() {
		defer close(jobs)
		for i := range items {
			if !Pending(&items[i]) {
				continue
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range r.cfg.Workers {
		wg.Go(func() {
			for i := range jobs {
				d := r.decode(ctx, items[i].Images[0])
				d.item = i
				select {
				case out <- d:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(out) }()

	batch := make([]decoded, 0, r.cfg.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := r.finish(ctx, items, batch, &rep)
		batch = batch[:0]
		return err
	}
	for d := range out {
		batch = append(batch, d)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, flush()
}

// decode fetches, decodes and keeps one photo; a failure is recorded in
// the Visual.
func (r *Reader) decode(ctx context.Context, ref string) decoded {
	d := decoded{visual: aisle.Visual{Ref: ref, UpdatedAt: r.now().UTC()}}
	p, err := r.load(ctx, ref)
	if err != nil {
		if ctx.Err() != nil || aisle.ErrorCode(err) == aisle.EINTERNAL {
			d.err = err
		} else {
			// The client-safe message is stored; the whole cause (a
			// refused address, a DNS failure) goes to the log only.
			d.visual.Error, d.cause = aisle.ErrorMessage(err), err
		}
		return d
	}
	return r.seen(p, ref)
}

// seen is a decoded photo from ref on its way to the model: its facts,
// its reduced picture and its dominant colours.
func (r *Reader) seen(p *photo.Photo, ref string) decoded {
	d := decoded{visual: aisle.Visual{Ref: ref, UpdatedAt: r.now().UTC()}}
	d.visual.Image, d.visual.Format, d.visual.Width, d.visual.Height = p.Hash, p.Format, p.Width, p.Height
	d.img = p.Image // already at most MaxSide a side
	for _, c := range palette.Dominant(d.img, r.cfg.Palette) {
		if len(d.visual.Colors) == r.cfg.Colors {
			break
		}
		d.visual.Colors = append(d.visual.Colors, c.Name)
	}
	return d
}

// load fetches and decodes the photo ref names and keeps its original.
func (r *Reader) load(ctx context.Context, ref string) (*photo.Photo, error) {
	data, err := r.fetch.Fetch(ctx, ref)
	if err != nil {
		return nil, err
	}
	p, err := photo.DecodeContext(ctx, bytes.NewReader(data), r.decodeOptions())
	if err != nil {
		return nil, err
	}
	if _, err := r.originals.Put(p.Bytes); err != nil {
		return nil, fmt.Errorf("keep original: %w", err)
	}
	return p, nil
}

// finish encodes a batch of decoded photos, then stores their vectors and
// their Visuals (one write each for the whole batch).
func (r *Reader) finish(ctx context.Context, items []aisle.Item, batch []decoded, rep *Report) error {
	var imgs []image.Image
	for _, d := range batch {
		if d.err != nil {
			return fmt.Errorf("visual: %s: %w", items[d.item].ID, d.err)
		}
		if d.img != nil {
			imgs = append(imgs, d.img)
		}
	}
	var feats []onnx.ImageFeatures
	if len(imgs) > 0 && r.enc != nil {
		var err error
		if feats, err = r.enc.Encode(ctx, imgs); err != nil {
			return fmt.Errorf("visual: encode photos: %w", err)
		}
	}
	cls := r.classifier()
	var vecs []aisle.ItemVector
	for k := range batch {
		d := &batch[k]
		it := &items[d.item]
		if d.img != nil && len(feats) > 0 {
			f := feats[0]
			feats = feats[1:]
			r.describe(&d.visual, f, cls)
			d.vec = f.Embedding
			vecs = append(vecs, aisle.ItemVector{Item: it.ID, TextHash: aisle.TextHash(d.visual.Image), Vector: d.vec})
		}
	}
	if len(vecs) > 0 {
		if err := r.store.PutItemVectors(ctx, r.name, vecs); err != nil && aisle.ErrorCode(err) != aisle.ENOTFOUND {
			return fmt.Errorf("visual: store vectors: %w", err)
		}
	}
	visuals := make([]aisle.ItemVisual, len(batch))
	for k := range batch {
		visuals[k] = aisle.ItemVisual{Item: items[batch[k].item].ID, Visual: &batch[k].visual}
	}
	errs, err := r.store.SetItemVisuals(ctx, visuals)
	if err != nil {
		return fmt.Errorf("visual: store visuals: %w", err)
	}
	for k := range batch {
		d := &batch[k]
		it := &items[d.item]
		err := errs[k]
		switch code := aisle.ErrorCode(err); {
		case code == aisle.ECONFLICT, code == aisle.ENOTFOUND:
			rep.Stale++
			continue
		case err != nil:
			return fmt.Errorf("visual: store %s: %w", it.ID, err)
		case d.visual.Error != "":
			rep.Failed++
			r.logger.Warn("item photo unusable", "item", it.ID, "ref", d.visual.Ref, "error", d.visual.Error, "cause", d.cause)
		default:
			rep.Read++
		}
		if d.vec != nil {
			rep.Vectors = append(rep.Vectors, aisle.ItemVector{Item: it.ID, TextHash: aisle.TextHash(d.visual.Image), Vector: d.vec})
		}
		v := d.visual
		it.Visual = &v
	}
	return nil
}

// describe fills v from the model's features of its photo.
func (r *Reader) describe(v *aisle.Visual, f onnx.ImageFeatures, cls Classifier) {
	for _, l := range f.Labels {
		if len(v.Labels) == r.cfg.Labels || float64(l.Prob) < r.cfg.MinLabelProb {
			break
		}
		v.Labels = append(v.Labels, aisle.VisualLabel{Name: l.Name, Prob: float64(l.Prob)})
	}
	if cls != nil {
		if label, p := cls.Predict(f.Embedding); label != "" {
			v.Category, v.CategoryScore = strings.Split(label, CategorySep), p
		}
	}
}
