// Package recommend turns the event log and the trained models into
// recommendations. It serves the fused ranking of the newest model version
// `aisle train` saved (personal.go), with each shopper's recent items,
// kept current by every event, as its input; popularity (popularity.go:
// distinct shoppers, each counted once per item, decayed on an activity
// clock, items with too few shoppers ranked last; updated with every
// event) for shoppers the models cannot place and to fill short lists;
// and co-occurrence "bought or viewed together" neighbours (rebuilt in
// the background) for similar items the models do not know yet. An
// erased shopper leaves all of them at once (forget.go).
package recommend

import (
	"cmp"
	"context"
	"fmt"
	"iter"
	"log/slog"
	"maps"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/embedding"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/rank"
	interest "github.com/aislehq/aisle/profile"
	"github.com/aislehq/aisle/rules"
)

// Model names reported with each recommendation.
const (
	ModelPopular      = "popular"
	ModelNew          = "new"
	ModelCoOccurrence = "cooccurrence"
)

// Store is what the engine reads.
type Store interface {
	Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error]
	UserEvents(ctx context.Context, user string, q aisle.EventQuery) ([]aisle.Event, error)
	ListItems(ctx context.Context, f aisle.ItemFilter) (aisle.ItemPage, error)
}

// Config tunes the engine. Zero fields take the values of DefaultConfig.
type Config struct {
	// HalfLife is how fast popularity forgets: an event's weight halves
	// every HalfLife of store activity (default 14 days; see MaxGap).
	HalfLife time.Duration
	// MaxGap is the most that a silence between consecutive events counts
	// for in popularity's decay (default 24 hours): years between an
	// imported history and the first live event, or a quiet week, count
	// as MaxGap, so live events blend with the history instead of
	// drowning it, and a pause does not erase popularity. Under traffic
	// with shorter gaps decay follows the wall clock. Negative: the wall
	// clock always.
	MaxGap time.Duration
	// Weights weighs each event type in popularity (default purchase 1,
	// add_to_cart 0.5, rating 1 scaled by value/5, click 0.2, view 0.1).
	// A shopper counts once per item, with the weight of their event on it
	// that weighs most after decay: repeated events add nothing.
	Weights map[aisle.EventType]float64
	// MinShoppers is how many distinct shoppers must have touched an item
	// (with a weighted event) for it to rank among the popular items by
	// score (default 3); when fewer items qualify than a list needs, the
	// rest follow by their number of shoppers, then score. It keeps one
	// client from putting an item on top of the cold-start lists, the
	// top-ups and search's best-seller sort.
	MinShoppers int
	// Window is how many positions apart in a shopper's session two items
	// may be to co-occur (default 10).
	Window int
	// Neighbors is how many co-occurring items are kept per item (default 100).
	Neighbors int
	// Refresh is how often models are rebuilt from the store when new
	// events arrived (default 5 minutes).
	Refresh time.Duration
	// ModelDir holds the versions `aisle train` saves; the newest is
	// loaded at Open and whenever a newer one appears (checked every
	// ModelPoll, default 30s). "" serves popularity and co-occurrence only.
	ModelDir  string
	ModelPoll time.Duration
	// NewArrivals gives cold-start lists every NewArrivals-th place
	// (default 5) to a new arrival: an item added within NewWindow
	// (default 30 days) that fewer than NewMaxEvents distinct shoppers
	// (default 5) have touched, so popularity cannot surface it yet.
	NewArrivals  int
	NewWindow    time.Duration
	NewMaxEvents int
	// ColdEvery gives every ColdEvery-th place (default 10) of a
	// personalised list to an item no shopper had touched when the models
	// were trained, chosen by how alike its text is to the shopper's
	// recent items, so new items get shown; negative turns it off. On
	// Office (aisle eval's cold-start experiment) every 10th place lifts
	// HR@10 on interactions with held-out items from 0.001 to 0.053 and
	// costs 3% of NDCG@10 on the warm test items; every 5th gives 0.101
	// and costs 8%.
	ColdEvery int
	// ColdMinSimilarity is the least cosine between a cold item's vector
	// and the shopper's content profile for it to take such a place
	// (default 0.5); places no cold item earns stay with the fused
	// ranking.
	ColdMinSimilarity float64
	// Profile weighs events in shoppers' interest profiles (profile.go):
	// event types and half-life; zero fields take package profile's
	// defaults.
	Profile interest.Config
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		HalfLife:    14 * 24 * time.Hour,
		MaxGap:      24 * time.Hour,
		MinShoppers: 3,
		Weights: map[aisle.EventType]float64{
			aisle.EventPurchase:  1,
			aisle.EventAddToCart: 0.5,
			aisle.EventRating:    1,
			aisle.EventClick:     0.2,
			aisle.EventView:      0.1,
		},
		Window:    10,
		Neighbors: 100,
		Refresh:   5 * time.Minute,
		ModelPoll: 30 * time.Second,

		NewArrivals:  5,
		NewWindow:    30 * 24 * time.Hour,
		NewMaxEvents: 5,
		ColdEvery:    10,

		ColdMinSimilarity: saved.ColdMinSimilarity,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.HalfLife <= 0 {
		c.HalfLife = d.HalfLife
	}
	if c.MaxGap == 0 {
		c.MaxGap = d.MaxGap
	}
	if c.Weights == nil {
		c.Weights = d.Weights
	}
	if c.MinShoppers <= 0 {
		c.MinShoppers = d.MinShoppers
	}
	if c.Window <= 0 {
		c.Window = d.Window
	}
	if c.Neighbors <= 0 {
		c.Neighbors = d.Neighbors
	}
	if c.Refresh <= 0 {
		c.Refresh = d.Refresh
	}
	if c.ModelPoll <= 0 {
		c.ModelPoll = d.ModelPoll
	}
	if c.NewArrivals <= 0 {
		c.NewArrivals = d.NewArrivals
	}
	if c.NewWindow <= 0 {
		c.NewWindow = d.NewWindow
	}
	if c.NewMaxEvents <= 0 {
		c.NewMaxEvents = d.NewMaxEvents
	}
	if c.ColdEvery == 0 {
		c.ColdEvery = d.ColdEvery
	}
	if c.ColdMinSimilarity == 0 {
		c.ColdMinSimilarity = d.ColdMinSimilarity
	}
	return c
}

// Deps are the collaborators of an Engine besides its store. Every field
// may be zero; each documents what zero means.
type Deps struct {
	// Encoder, when set, makes the item vectors behind content-based
	// recommendations and similar items (and search's dense retrieval),
	// stored under EncoderName, which must change whenever Encoder's
	// vectors would (another model). Nil uses the built-in text encoder
	// of the version serving (untrained before the first version).
	Encoder     aisle.TextEncoder
	EncoderName string
	// Images, when set, makes the item vectors of items' photos, stored
	// under ImagesName (which must change whenever Images' vectors
	// would), behind similar items by photo (SimilarVisual).
	Images     embedding.Input
	ImagesName string
	// Now is the wall clock: it decides which items are new arrivals
	// (Config.NewWindow) and stamps Stats.BuiltAt. Nil means time.Now.
	// Popularity's decay does not read it; it runs on the events' own
	// times (Config.HalfLife, Config.MaxGap).
	Now func() time.Time
	// Rules are the store's merchandising rules, applied to Recommend,
	// Similar (every mode) and the cart (rules.go); nil applies none.
	Rules *rules.Live
}

// topCacheSize is how many popular items popularity keeps in order.
const topCacheSize = 1000

// Engine serves recommendations from models built over a Store. Create it
// with NewEngine, then Open it. It is safe for concurrent use.
type Engine struct {
	store  Store
	deps   Deps
	cfg    Config
	logger *slog.Logger

	co    atomic.Pointer[CoOccurrence]
	stats atomic.Pointer[Stats]
	model atomic.Pointer[personal] // the trained version serving, if any

	emb     atomic.Pointer[embedding.Catalog] // item vectors (content.go)
	img     atomic.Pointer[embedding.Catalog] // photo vectors, when Deps.Images is set
	fused   atomic.Pointer[embedding.Catalog] // the serving version's fused content vectors (fused.go)
	embSync sync.Mutex                        // serialises syncEmbeddings
	embq    chan []aisle.Item                 // changed items for the refresh loop to encode

	buildMu sync.Mutex // serialises Build
	// coMu serialises the makers of co: Build's training and the
	// retrains that erasures wait for (forget.go).
	coMu sync.Mutex

	// mu guards the popularity model.
	mu      sync.Mutex
	pop     *Popularity
	pending int // events observed since the last build

	// memMu guards mem, building and journal.
	memMu    sync.RWMutex
	mem      *memory
	building bool     // a Build is reading the store
	journal  []change // changes applied to mem since the build began

	// forgetMu guards the erasures' bookkeeping (forget.go) and the
	// swaps of co. It is taken last, after any other lock.
	forgetMu  sync.Mutex
	forgetGen uint64        // erasures so far
	erasures  []erasure     // erasures some model may still hold
	scanGen   uint64        // forgetGen when the running Build began reading the store
	scanning  bool          // a Build is running
	next      *pass         // the retrain new erasures wait for, not started yet
	looping   bool          // forgetLoop runs passes
	kick      chan struct{} // wakes forgetLoop
	retrains  atomic.Int64  // co-occurrence retrains for erasures, for tests

	prof profiles // shoppers' interest profiles (profile.go)

	cancel context.CancelFunc // stops the background loops
	loops  sync.WaitGroup     // the refresh loop and forgetLoop
	once   sync.Once
}

// NewEngine returns an engine over store, configured by cfg, that calls
// deps (see Deps for what a zero field means). It does no I/O; a nil
// logger discards logs.
func NewEngine(store Store, deps Deps, cfg Config, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Engine{store: store, deps: deps, cfg: cfg.withDefaults(), logger: logger, embq: make(chan []aisle.Item, 64), kick: make(chan struct{}, 1)}
}

// Open builds the models from the store and starts the background refresh
// and the retrains erasures wait for, which run until Close.
func (e *Engine) Open(ctx context.Context) error {
	// The version and the item vectors first: the build replays the log
	// into the shoppers' profiles, whose interest centres need vectors.
	if _, err := e.loadLatest(); err != nil {
		return err
	}
	if err := e.syncEmbeddings(ctx); err != nil {
		// Content-based results wait for the next rebuild; the rest serves.
		e.logger.Error("item vectors", "err", err)
	}
	if err := e.Build(ctx); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel = cancel
	e.forgetMu.Lock()
	e.looping = true
	e.forgetMu.Unlock()
	e.loops.Add(2)
	go e.refreshLoop(runCtx)
	go e.forgetLoop(runCtx)
	return nil
}

// Close stops the background loops and waits for them; an erasure still
// waiting for its retrain gets an error. Safe to call twice.
func (e *Engine) Close() error {
	e.once.Do(func() {
		if e.cancel != nil {
			e.cancel()
			e.loops.Wait()
		}
	})
	return nil
}

func (e *Engine) refreshLoop(ctx context.Context) {
	defer e.loops.Done()
	t := time.NewTicker(e.cfg.Refresh)
	defer t.Stop()
	poll := time.NewTicker(e.cfg.ModelPoll)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
			loaded, err := e.loadLatest()
			if err != nil {
				e.logger.Error("load model version", "err", err)
			}
			if loaded {
				e.logSync(ctx)
			}
		case items := <-e.embq:
			for _, cat := range []*embedding.Catalog{e.emb.Load(), e.img.Load(), e.fused.Load()} {
				if cat == nil {
					continue
				}
				if err := cat.Upsert(ctx, items); err != nil && ctx.Err() == nil {
					e.logger.Error("item vectors", "err", err)
				}
			}
		case <-t.C:
			e.mu.Lock()
			pending := e.pending
			e.mu.Unlock()
			if pending == 0 {
				continue
			}
			if err := e.Build(ctx); err != nil && ctx.Err() == nil {
				e.logger.Error("rebuild models", "err", err)
			}
			e.logSync(ctx)
		}
	}
}

// logSync syncs the item vectors, logging a failure.
func (e *Engine) logSync(ctx context.Context) {
	if err := e.syncEmbeddings(ctx); err != nil && ctx.Err() == nil {
		e.logger.Error("item vectors", "err", err)
	}
}

// Build rebuilds every model and the in-memory catalog from the store and
// swaps them in. Events and catalog changes observed while it runs are
// kept, and users erased while it runs stay erased. Builds run one at a
// time.
func (e *Engine) Build(ctx context.Context) error {
	e.buildMu.Lock()
	defer e.buildMu.Unlock()
	start := time.Now()
	e.mu.Lock()
	e.pending = 0
	e.mu.Unlock()
	e.memMu.Lock()
	e.building, e.journal = true, nil
	e.memMu.Unlock()
	// Erasures from here on may or may not be in what the scan reads:
	// they are taken out of the new models before the swap.
	e.forgetMu.Lock()
	startGen := e.forgetGen
	e.scanGen, e.scanning = startGen, true
	e.forgetMu.Unlock()
	defer func() {
		e.memMu.Lock()
		e.building, e.journal = false, nil
		e.memMu.Unlock()
		e.forgetMu.Lock()
		e.scanning = false
		e.pruneErasuresLocked()
		e.forgetMu.Unlock()
	}()

	mem := newMemory()
	if err := mem.loadItems(ctx, e.store); err != nil {
		return err
	}
	pop := newPopularity(e.cfg, topCacheSize)
	rp, err := e.startReplay(ctx, mem) // the first build only
	if err != nil {
		return fmt.Errorf("build models: %w", err)
	}
	var n int
	var last int64
	// One pass over the log: popularity and memory see each event as
	// package dataset groups them into per-user sequences for co-occurrence.
	d, err := dataset.FromEvents(func(yield func(aisle.Event, error) bool) {
		for ev, err := range e.store.Events(ctx, 0) {
			if err == nil {
				pop.add(&ev)
				mem.addEvent(&ev)
				rp.add(&ev)
				last = ev.Seq
				n++
			}
			if !yield(ev, err) {
				return
			}
		}
	}, dataset.Options{})
	if err != nil {
		return fmt.Errorf("build models: %w", err)
	}
	e.coMu.Lock()
	defer e.coMu.Unlock()
	gone, clean := e.erasedSince(startGen)
	co, err := buildCoOccurrence(ctx, withoutUsers(d, gone), e.cfg.Window, e.cfg.Neighbors)
	if err != nil {
		return fmt.Errorf("build models: %w", err)
	}
	co.clean = clean
	e.mu.Lock()
	gone, _ = e.erasedSince(startGen)
	for u := range gone {
		pop.forget(u)
	}
	// Events that arrived during the scan are in the store after last;
	// fold them in so the swap loses nothing.
	for ev, err := range e.store.Events(ctx, last) {
		if err != nil {
			e.mu.Unlock()
			return fmt.Errorf("build models: %w", err)
		}
		pop.add(&ev)
		mem.addEvent(&ev)
		rp.add(&ev)
	}
	e.pop = pop
	e.memMu.Lock()
	for _, c := range e.journal {
		c(mem)
	}
	e.mem = mem
	e.memMu.Unlock()
	rp.finish(startGen)
	e.mu.Unlock()
	e.install(co)
	st := &Stats{Events: n, Items: len(mem.items), PopularItems: pop.live, ItemsWithNeighbors: co.m.WithNeighbors(), BuiltAt: e.deps.Now(), Took: time.Since(start)}
	e.stats.Store(st)
	e.logger.Info("models built", "events", st.Events, "items", st.Items, "popular_items", st.PopularItems, "items_with_neighbors", st.ItemsWithNeighbors, "took", st.Took.Round(time.Millisecond))
	return nil
}

// Stats describes the last build.
type Stats struct {
	Events             int           // events read
	Items              int           // items in the catalog
	PopularItems       int           // items with a popularity score
	ItemsWithNeighbors int           // items with co-occurrence neighbours
	BuiltAt            time.Time     // when the build finished
	Took               time.Duration // how long it took
}

// Stats returns the statistics of the last build; zero before the first.
func (e *Engine) Stats() Stats {
	if st := e.stats.Load(); st != nil {
		return *st
	}
	return Stats{}
}

// Ready reports whether models have been built.
func (e *Engine) Ready() bool { return e.co.Load() != nil }

// Observe folds newly stored events into the real-time models.
func (e *Engine) Observe(events []aisle.Event) {
	defer e.observeProfiles(events) // after the locks are released
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pop == nil {
		return
	}
	for i := range events {
		e.pop.add(&events[i])
	}
	e.pending += len(events)
	// Not journaled: a running build reads these events from the store
	// (they were stored before this call, and it reads what came after
	// its scan under e.mu), so replaying them would count them twice.
	e.memMu.Lock()
	defer e.memMu.Unlock()
	for i := range events {
		e.mem.addEvent(&events[i])
	}
}

// popular returns the k most popular items.
func (e *Engine) popular(k int) []scored {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pop == nil {
		return nil
	}
	return e.pop.top(k)
}

// Recommend returns up to req.N items for user: the most popular items
// right now, without items the user bought (unless req.IncludeBought),
// without req.Exclude, and only items in the catalog that can be bought.
// Unknown users get the same popular items.
func (e *Engine) Recommend(ctx context.Context, user string, req aisle.RecommendRequest) (recs []aisle.Recommendation, err error) {
	if !e.Ready() {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "models are not built yet")
	}
	if recs, ok, err := e.recommendWithRules(ctx, user, req); ok { // rules.go
		return recs, err
	}
	if recs, ok, err := e.recommendWithProfile(ctx, user, req); ok {
		return recs, err
	}
	if req.Diversity > 0 {
		pool := req
		pool.N, pool.Diversity = diversityPool*req.N, 0
		recs, err := e.Recommend(ctx, user, pool)
		if err != nil {
			return nil, err
		}
		return e.diversify(recs, req.Diversity, req.N), nil
	}
	skip := e.skipped(user, req)
	f := newFilter(req)
	if f.category != "" && !e.hasCategory(f.category) {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "category", "no item in the catalog has category %q", req.Category)
	}
	f.variants = e.variantsFor(user, req.IncludeBought) // variants.go: one item per product line
	defer func() { e.attachVariants(f.variants, recs) }()
	e.memMu.RLock()
	recent := slices.Clone(e.mem.recent[user])
	e.memMu.RUnlock()
	recent = e.avoidHistory(ctx, f, recent) // interests the shopper removed (profile.go)
	recs = e.recommendPersonal(recent, skip, f, req.N)
	if len(recs) == req.N {
		return recs, nil
	}
	if len(recs) == 0 {
		return e.coldStart(skip, f, req.N), nil
	}
	// Top up with popularity, leaving out what the models already chose
	// and, as they do, the shopper's recent items.
	for _, r := range recs {
		skip[r.Item] = true
	}
	for _, id := range recent {
		skip[id] = true
	}
	return append(recs, e.recommendPopular(skip, f, req.N-len(recs))...), nil
}

// skipped returns the items a request for user must not return:
// req.Exclude and, unless req.IncludeBought, what user bought.
func (e *Engine) skipped(user string, req aisle.RecommendRequest) map[string]bool {
	skip := make(map[string]bool, len(req.Exclude))
	for _, id := range req.Exclude {
		skip[id] = true
	}
	if !req.IncludeBought {
		e.memMu.RLock()
		for _, id := range e.mem.bought[user] {
			skip[id] = true
		}
		e.memMu.RUnlock()
	}
	return skip
}

// coldStart returns up to n items for a shopper the models cannot place:
// the most popular items, with every cfg.NewArrivals-th place given to a
// new arrival while there are any.
func (e *Engine) coldStart(skip map[string]bool, f *filter, n int) []aisle.Recommendation {
	pop := e.recommendPopular(skip, f, n)
	shown := maps.Clone(skip)
	for _, r := range pop {
		shown[r.Item] = true
	}
	fresh := e.newArrivals(shown, f, n/e.cfg.NewArrivals)
	return rank.Interleave(pop, fresh, e.cfg.NewArrivals, n)
}

// newArrivals returns up to n new arrivals (see Config.NewArrivals), newest
// first, that are not in skip and that f keeps.
func (e *Engine) newArrivals(skip map[string]bool, f *filter, n int) []aisle.Recommendation {
	if n <= 0 {
		return nil
	}
	now := e.deps.Now()
	var out []aisle.Recommendation
	e.memMu.RLock()
	for _, id := range e.mem.newest {
		b := e.mem.items[id]
		age := now.Sub(b.added)
		if age > e.cfg.NewWindow {
			break // the rest are older
		}
		if skip[id] || !b.buyable || !f.keeps(b) {
			continue
		}
		out = append(out, aisle.Recommendation{
			Item: id, Title: b.title, Score: 1 / (1 + age.Hours()/24), Models: []string{ModelNew},
			Reasons: []string{"new in the catalog, added " + ago(age)},
		})
	}
	e.memMu.RUnlock()
	e.mu.Lock()
	out = slices.DeleteFunc(out, func(r aisle.Recommendation) bool { return e.pop.shoppers(r.Item) >= e.cfg.NewMaxEvents })
	e.mu.Unlock()
	if f.narrows() {
		e.memMu.RLock()
		out = slices.DeleteFunc(out, func(r aisle.Recommendation) bool { return !f.take(e.mem.items[r.Item]) })
		e.memMu.RUnlock()
	}
	return out[:min(n, len(out))]
}

// ago says how long ago an age is, roughly.
func ago(age time.Duration) string {
	switch days := int(age.Hours() / 24); {
	case days < 1:
		return "today"
	case days == 1:
		return "yesterday"
	default:
		return fmt.Sprintf("%d days ago", days)
	}
}

// recommendPopular returns up to n of the most popular items right now
// that are not in skip and that f keeps.
func (e *Engine) recommendPopular(skip map[string]bool, f *filter, n int) []aisle.Recommendation {
	want := n + len(skip) + 16
	if f.narrows() {
		want = max(want, topCacheSize) // the kept top first: cheap
	}
	before := f.counts()
	recs := e.pickPopular(e.popular(want), skip, f, n)
	if len(recs) < n && f.narrows() && want <= topCacheSize {
		// Items the filter keeps are rare among the best sellers: rank
		// every item.
		f.restore(before)
		recs = e.pickPopular(e.popular(math.MaxInt), skip, f, n)
	}
	return recs
}

// pickPopular picks up to n of cands as recommendPopular describes.
func (e *Engine) pickPopular(cands []scored, skip map[string]bool, f *filter, n int) []aisle.Recommendation {
	recs := e.pick(cands, skip, f, n, func(c scored) aisle.Recommendation {
		return aisle.Recommendation{Item: c.id, Score: c.score, Models: []string{ModelPopular}}
	})
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range recs {
		recs[i].Reasons = []string{fmt.Sprintf("popular with shoppers lately (%s)", plural(e.pop.shoppers(recs[i].Item), "shopper"))}
	}
	return recs
}

// Similar returns up to n items shoppers take together with item: from the
// trained item-to-item models (collaborative and sequential) when they know
// it, topped up with the item-to-item CF rebuilt from the log at the last
// build, which also covers items newer than the models. ENOTFOUND if the item is not
// in the catalog and has no history.
func (e *Engine) Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	if recs, ok, err := e.similarWithRules(ctx, item, n, e.Similar); ok { // rules.go
		return recs, err
	}
	co := e.co.Load()
	if co == nil {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "models are not built yet")
	}
	recs := e.similarTrained(item, n)
	nb := co.neighbors(item)
	if len(nb) == 0 && recs == nil {
		e.memMu.RLock()
		_, ok := e.mem.items[item]
		e.memMu.RUnlock()
		if !ok {
			return nil, aisle.Errorf(aisle.ENOTFOUND, "item %q not found", item)
		}
		return []aisle.Recommendation{}, nil
	}
	if len(recs) == n {
		return recs, nil
	}
	skip := map[string]bool{item: true}
	for _, r := range recs {
		skip[r.Item] = true
	}
	e.memMu.RLock()
	title := cmp.Or(e.mem.items[item].title, item)
	e.memMu.RUnlock()
	return append(recs, e.pick(nb, skip, nil, n-len(recs), func(c scored) aisle.Recommendation {
		return aisle.Recommendation{
			Item: c.id, Score: c.score, Models: []string{ModelCoOccurrence},
			Reasons: []string{fmt.Sprintf("often bought together with %q", title)},
		}
	})...), nil
}

// hasCategory reports whether any catalog item has category c (lower-cased).
func (e *Engine) hasCategory(c string) bool {
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	return e.mem.categories[c] > 0
}

// pick walks candidates in order and keeps the first n that are not
// skipped, are in the catalog, can be bought, and that f keeps and has room
// for (f counts them).
func (e *Engine) pick(cands []scored, skip map[string]bool, f *filter, n int, explain func(scored) aisle.Recommendation) []aisle.Recommendation {
	out := make([]aisle.Recommendation, 0, max(n, 0))
	if n <= 0 {
		return out
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	for _, c := range cands {
		b, ok := e.mem.items[c.id]
		if skip[c.id] || !ok || !b.buyable || !f.keeps(b) || !f.admit(c.id, b) {
			continue
		}
		rec := explain(c)
		rec.Title = b.title
		out = append(out, rec)
		if len(out) == n {
			break
		}
	}
	return out
}

// plural formats "1 shopper", "2 shoppers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
