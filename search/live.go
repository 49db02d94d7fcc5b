package search

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/query"
	"github.com/aislehq/aisle/vector"
)

// Source is what a Live index reads: the catalog and the event log (for
// the query vocabulary's behaviour-learned synonyms). *sqlite.DB
// satisfies it.
type Source interface {
	ListItems(ctx context.Context, f aisle.ItemFilter) (aisle.ItemPage, error)
	Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error]
}

// Embeddings are the item vectors dense retrieval uses, and the encoder
// that made them; *embedding.Catalog satisfies it.
type Embeddings interface {
	// Name changes whenever the vectors would (another encoder).
	Name() string
	Encoder() aisle.TextEncoder
	// Vector returns an item's vector, nil when it has none.
	Vector(id string) []float32
}

// ImageEmbeddings are the item image vectors search by photo uses:
// those of the image encoder that read the items' photos. They must be
// safe for concurrent use.
type ImageEmbeddings interface {
	// Name changes whenever the vectors would (another image model).
	Name() string
	// Vector returns an item's image vector, nil when its photo has not
	// been read (or could not be).
	Vector(id string) []float32
}

// LiveConfig configures a Live index. Zero fields take the defaults.
type LiveConfig struct {
	// Index shapes each index built.
	Index Config
	// Query configures query understanding (synonym file, dictionaries).
	Query query.Config
	// Refresh is how often the index is rebuilt when the catalog or the
	// item vectors changed (default 5 minutes).
	Refresh time.Duration
	// MaxEvents is how many of the latest events query understanding
	// learns from (default 1,000,000).
	MaxEvents int
}

// LiveDeps are the collaborators of a Live index besides its source and
// analyzer. Every field may be nil; each documents what nil means.
type LiveDeps struct {
	// Embeddings returns the current item vectors; nil, or returning nil,
	// means BM25 only.
	Embeddings func() Embeddings
	// Images returns the current item image vectors; nil, or returning
	// nil, means no search by photo (a search by photo finds nothing).
	Images func() ImageEmbeddings
	// Personalizer, Popularity and Rules are given to each index built;
	// see Deps.
	Personalizer Personalizer
	Popularity   Popularity
	Rules        *rules.Live
}

// Live is a search index kept current: built from the whole catalog at
// Open, updated item by item as the API changes the catalog, and rebuilt
// in the background when items changed or the item vectors did (a newly
// trained text encoder, another image model), then swapped in
// atomically. Searches never
// wait for a build. It is safe for concurrent use.
type Live struct {
	src    Source
	an     *analyze.Analyzer
	deps   LiveDeps
	cfg    LiveConfig
	logger *slog.Logger

	idx     atomic.Pointer[Index]
	embName atomic.Pointer[string] // the Embeddings the index was built with
	imgName atomic.Pointer[string] // the ImageEmbeddings it was built with
	dirty   atomic.Bool            // items changed since the last build
	now     chan struct{}          // asks the refresh loop to rebuild at once

	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

// NewLive returns a Live index over src, whose indexes analyse text with
// an (which must have loaded its dictionary) and call deps (see LiveDeps
// for what a nil field means). NewLive does no I/O; a nil logger
// discards logs.
func NewLive(src Source, an *analyze.Analyzer, deps LiveDeps, cfg LiveConfig, logger *slog.Logger) *Live {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = 5 * time.Minute
	}
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 1_000_000
	}
	return &Live{src: src, an: an, deps: deps, cfg: cfg, logger: logger, now: make(chan struct{}, 1)}
}

// Open builds the first index and starts the background refresh, which
// runs until Close.
func (l *Live) Open(ctx context.Context) error {
	if err := l.build(ctx); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.cancel, l.done = cancel, make(chan struct{})
	go l.refreshLoop(runCtx)
	return nil
}

// Close stops the background refresh and waits for it. Safe to call twice.
func (l *Live) Close() error {
	l.once.Do(func() {
		if l.cancel != nil {
			l.cancel()
			<-l.done
		}
	})
	return nil
}

func (l *Live) refreshLoop(ctx context.Context) {
	defer close(l.done)
	t := time.NewTicker(l.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-l.now: // ForgetUser: at once
		case <-t.C:
			if !l.dirty.Load() && l.currentEmbeddings() == loadName(&l.embName) && l.currentImages() == loadName(&l.imgName) {
				continue
			}
		}
		if err := l.build(ctx); err != nil && ctx.Err() == nil {
			l.logger.Error("rebuild search index", "err", err)
		}
	}
}

// embeddings returns the current item vectors, or nil.
func (l *Live) embeddings() Embeddings {
	if l.deps.Embeddings == nil {
		return nil
	}
	return l.deps.Embeddings()
}

// currentEmbeddings names the current item vectors ("" for none).
func (l *Live) currentEmbeddings() string {
	if e := l.embeddings(); e != nil {
		return e.Name()
	}
	return ""
}

// images returns the current item image vectors, or nil.
func (l *Live) images() ImageEmbeddings {
	if l.deps.Images == nil {
		return nil
	}
	return l.deps.Images()
}

// currentImages names the current item image vectors ("" for none).
func (l *Live) currentImages() string {
	if e := l.images(); e != nil {
		return e.Name()
	}
	return ""
}

// loadName returns the name p holds: the vectors the serving index was
// built with ("" for none).
func loadName(p *atomic.Pointer[string]) string {
	if s := p.Load(); s != nil {
		return *s
	}
	return ""
}

// build makes a new index from the whole catalog and the latest events
// and swaps it in.
func (l *Live) build(ctx context.Context) error {
	start := time.Now()
	l.dirty.Store(false)
	items, err := aisle.AllItems(ctx, l.src)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	events, err := l.latestEvents(ctx)
	if err != nil {
		return err
	}
	u, err := query.Learn(items, events, l.an, l.cfg.Query)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	deps := Deps{Analyzer: l.an, Parser: u, Personalizer: l.deps.Personalizer, Popularity: l.deps.Popularity, Rules: l.deps.Rules}
	emb := l.embeddings()
	var vecs [][]float32
	name := ""
	if emb != nil {
		name = emb.Name()
		deps.Encoder = emb.Encoder()
		deps.Vectors = vector.New(deps.Encoder.Dim(), vector.Config{})
		vecs = vectorsOf(emb, items)
	}
	var images [][]float32
	imgName := ""
	if img := l.images(); img != nil {
		imgName = img.Name()
		images = vectorsOf(img, items)
	}
	idx := New(l.cfg.Index, deps, l.logger)
	if err := idx.UpsertVectors(items, vecs, images); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	l.idx.Store(idx)
	l.embName.Store(&name)
	l.imgName.Store(&imgName)
	l.logger.Info("search index built", "items", len(items), "events", len(events), "vectors", name, "image_vectors", imgName, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// latestEvents returns the last cfg.MaxEvents events of the log.
func (l *Live) latestEvents(ctx context.Context) ([]aisle.Event, error) {
	ring := make([]aisle.Event, 0, min(l.cfg.MaxEvents, 1<<16))
	n := 0
	for ev, err := range l.src.Events(ctx, 0) {
		if err != nil {
			return nil, fmt.Errorf("search index: %w", err)
		}
		if len(ring) < l.cfg.MaxEvents {
			ring = append(ring, ev)
		} else {
			ring[n%l.cfg.MaxEvents] = ev
		}
		n++
	}
	if n <= l.cfg.MaxEvents {
		return ring, nil
	}
	k := n % l.cfg.MaxEvents
	return append(ring[k:], ring[:k]...), nil
}

// ForgetUser schedules a rebuild at once, without waiting for it: query
// understanding learns synonyms from the searches and clicks in the log,
// and an erased shopper's are gone from it. The index holds nothing else
// of any shopper. It never blocks.
func (l *Live) ForgetUser(string) {
	select {
	case l.now <- struct{}{}:
	default: // a rebuild is already asked for
	}
}

// Search answers req from the current index; see Index.Search.
func (l *Live) Search(ctx context.Context, req Request) (Result, error) {
	idx := l.idx.Load()
	if idx == nil {
		return Result{}, aisle.Errorf(aisle.EUNAVAILABLE, "the search index is not built yet")
	}
	return idx.Search(ctx, req)
}

// ObserveItems indexes items as they were stored, at once, with the
// vectors and image vectors they have now (an item whose vector is still
// being computed is found by its words until the next rebuild; one whose
// photo is still being read is found by photo once ObserveItems is
// called with it again after the photo was read).
func (l *Live) ObserveItems(items []aisle.Item) {
	idx := l.idx.Load()
	if idx == nil {
		return
	}
	var vecs, images [][]float32
	if emb := l.embeddings(); emb != nil && emb.Name() == loadName(&l.embName) {
		vecs = vectorsOf(emb, items)
	}
	if img := l.images(); img != nil && img.Name() == loadName(&l.imgName) {
		images = vectorsOf(img, items)
	}
	if err := idx.UpsertVectors(items, vecs, images); err != nil {
		l.logger.Error("index items", "err", err)
	}
	l.dirty.Store(true)
}

// ForgetItem drops a deleted item from the index at once.
func (l *Live) ForgetItem(id string) {
	if idx := l.idx.Load(); idx != nil {
		idx.Delete(id)
	}
}

// vectorsOf returns emb's vector of each of items (nil for one without).
func vectorsOf(emb interface{ Vector(id string) []float32 }, items []aisle.Item) [][]float32 {
	vecs := make([][]float32, len(items))
	for i := range items {
		vecs[i] = emb.Vector(items[i].ID)
	}
	return vecs
}
