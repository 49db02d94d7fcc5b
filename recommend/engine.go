// Package recommend turns the event log into recommendations. For now it
// serves time-decayed popularity (updated with every event) and
// co-occurrence "bought or viewed together" neighbours (rebuilt in the
// background); later models plug in behind the same Engine methods.
package recommend

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle"
)

// Model names reported with each recommendation.
const (
	ModelPopular      = "popular"
	ModelCoOccurrence = "cooccurrence"
)

// Store is what the engine reads.
type Store interface {
	Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error]
	UserEvents(ctx context.Context, user string, q aisle.EventQuery) ([]aisle.Event, error)
	Item(ctx context.Context, id string) (aisle.Item, error)
	Items(ctx context.Context, ids []string) (map[string]aisle.Item, error)
}

// Config tunes the engine. Zero fields take the values of DefaultConfig.
type Config struct {
	// HalfLife is how fast popularity forgets: an event's weight halves
	// every HalfLife (default 14 days).
	HalfLife time.Duration
	// Weights weighs each event type in popularity (default purchase 1,
	// add_to_cart 0.5, rating 1 scaled by value/5, click 0.2, view 0.1).
	Weights map[aisle.EventType]float64
	// Window is how many positions apart in a shopper's history two items
	// may be to co-occur (default 10).
	Window int
	// Neighbors is how many co-occurring items are kept per item (default 100).
	Neighbors int
	// MaxHistory caps the most recent distinct items per shopper used for
	// co-occurrence (default 200).
	MaxHistory int
	// Refresh is how often models are rebuilt from the store when new
	// events arrived (default 5 minutes).
	Refresh time.Duration
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		HalfLife: 14 * 24 * time.Hour,
		Weights: map[aisle.EventType]float64{
			aisle.EventPurchase:  1,
			aisle.EventAddToCart: 0.5,
			aisle.EventRating:    1,
			aisle.EventClick:     0.2,
			aisle.EventView:      0.1,
		},
		Window:     10,
		Neighbors:  100,
		MaxHistory: 200,
		Refresh:    5 * time.Minute,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.HalfLife <= 0 {
		c.HalfLife = d.HalfLife
	}
	if c.Weights == nil {
		c.Weights = d.Weights
	}
	if c.Window <= 0 {
		c.Window = d.Window
	}
	if c.Neighbors <= 0 {
		c.Neighbors = d.Neighbors
	}
	if c.MaxHistory <= 0 {
		c.MaxHistory = d.MaxHistory
	}
	if c.Refresh <= 0 {
		c.Refresh = d.Refresh
	}
	return c
}

// topCacheSize is how many popular items are kept sorted between updates.
const topCacheSize = 1000

// Engine serves recommendations from models built over a Store. Create it
// with NewEngine, then Open it. It is safe for concurrent use.
type Engine struct {
	store  Store
	cfg    Config
	logger *slog.Logger

	co    atomic.Pointer[CoOccurrence]
	stats atomic.Pointer[Stats]

	// mu guards the popularity model and its sorted cache.
	mu       sync.Mutex
	pop      *Popularity
	top      []scored
	topDirty bool
	pending  int // events observed since the last build

	cancel context.CancelFunc // stops the refresh loop
	done   chan struct{}      // closed when the refresh loop has returned
	once   sync.Once
}

// NewEngine returns an engine over store. It does no I/O; a nil logger
// discards logs.
func NewEngine(store Store, cfg Config, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{store: store, cfg: cfg.withDefaults(), logger: logger}
}

// Open builds the models from the store and starts the background refresh,
// which runs until Close.
func (e *Engine) Open(ctx context.Context) error {
	if err := e.Build(ctx); err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.cancel, e.done = cancel, make(chan struct{})
	go e.refreshLoop(runCtx)
	return nil
}

// Close stops the background refresh and waits for it. Safe to call twice.
func (e *Engine) Close() error {
	e.once.Do(func() {
		if e.cancel != nil {
			e.cancel()
			<-e.done
		}
	})
	return nil
}

func (e *Engine) refreshLoop(ctx context.Context) {
	defer close(e.done)
	t := time.NewTicker(e.cfg.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
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
		}
	}
}

// Build rebuilds every model from the whole event log and swaps them in.
// Events observed while it runs are kept.
func (e *Engine) Build(ctx context.Context) error {
	start := time.Now()
	e.mu.Lock()
	e.pending = 0
	e.mu.Unlock()
	pop := newPopularity(e.cfg.HalfLife, e.cfg.Weights)
	cb := newCoBuilder(e.cfg.Window, e.cfg.Neighbors, e.cfg.MaxHistory)
	var n int
	var last int64
	for ev, err := range e.store.Events(ctx, 0) {
		if err != nil {
			return fmt.Errorf("build models: %w", err)
		}
		pop.add(&ev)
		cb.add(&ev)
		last = ev.Seq
		n++
	}
	co := cb.build()
	e.mu.Lock()
	// Events that arrived during the scan are in the store after last;
	// fold them in so the swap loses nothing.
	for ev, err := range e.store.Events(ctx, last) {
		if err != nil {
			e.mu.Unlock()
			return fmt.Errorf("build models: %w", err)
		}
		pop.add(&ev)
	}
	e.pop = pop
	e.topDirty = true
	e.mu.Unlock()
	e.co.Store(co)
	st := &Stats{Events: n, PopularItems: len(pop.scores), ItemsWithNeighbors: len(co.neighbors), BuiltAt: time.Now(), Took: time.Since(start)}
	e.stats.Store(st)
	e.logger.Info("models built", "events", st.Events, "popular_items", st.PopularItems, "items_with_neighbors", st.ItemsWithNeighbors, "took", st.Took.Round(time.Millisecond))
	return nil
}

// Stats describes the last build.
type Stats struct {
	Events             int           // events read
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
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pop == nil {
		return
	}
	for i := range events {
		e.pop.add(&events[i])
	}
	e.pending += len(events)
	e.topDirty = true
}

// popular returns the k most popular items.
func (e *Engine) popular(k int) []scored {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pop == nil {
		return nil
	}
	if k > topCacheSize {
		return e.pop.top(k)
	}
	if e.topDirty || e.top == nil {
		e.top = e.pop.top(topCacheSize)
		e.topDirty = false
	}
	return e.top[:min(k, len(e.top))]
}

// Recommend returns up to req.N items for user: the most popular items
// right now, without items the user bought (unless req.IncludeBought),
// without req.Exclude, and only items in the catalog that can be bought.
// Unknown users get the same popular items.
func (e *Engine) Recommend(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error) {
	if !e.Ready() {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "models are not built yet")
	}
	skip := make(map[string]bool, len(req.Exclude))
	for _, id := range req.Exclude {
		skip[id] = true
	}
	if !req.IncludeBought {
		bought, err := e.store.UserEvents(ctx, user, aisle.EventQuery{Types: []aisle.EventType{aisle.EventPurchase}})
		if err != nil {
			return nil, fmt.Errorf("recommend: %w", err)
		}
		for _, ev := range bought {
			skip[ev.Item] = true
		}
	}
	cands := e.popular(req.N + len(skip) + 16)
	e.mu.Lock()
	counts := make(map[string]int, len(cands))
	for _, c := range cands {
		counts[c.id] = e.pop.counts[c.id]
	}
	e.mu.Unlock()
	return e.pick(ctx, cands, skip, req.N, func(c scored) aisle.Recommendation {
		return aisle.Recommendation{
			Item: c.id, Score: c.score, Models: []string{ModelPopular},
			Reasons: []string{fmt.Sprintf("popular with shoppers lately (%s)", plural(counts[c.id], "interaction"))},
		}
	})
}

// Similar returns up to n items viewed or bought together with item.
// ENOTFOUND if the item is not in the catalog and has no history.
func (e *Engine) Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	co := e.co.Load()
	if co == nil {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "models are not built yet")
	}
	nb := co.neighbors[item]
	if len(nb) == 0 {
		if _, err := e.store.Item(ctx, item); err != nil {
			return nil, err
		}
		return []aisle.Recommendation{}, nil
	}
	cands := make([]scored, len(nb))
	shared := make(map[string]int, len(nb))
	for i, x := range nb {
		cands[i] = scored{x.id, x.score}
		shared[x.id] = x.shared
	}
	return e.pick(ctx, cands, map[string]bool{item: true}, n, func(c scored) aisle.Recommendation {
		return aisle.Recommendation{
			Item: c.id, Score: c.score, Models: []string{ModelCoOccurrence},
			Reasons: []string{fmt.Sprintf("viewed or bought together by %s", plural(shared[c.id], "shopper"))},
		}
	})
}

// pick walks candidates in order and keeps the first n that are not
// skipped, are in the catalog, and can be bought.
func (e *Engine) pick(ctx context.Context, cands []scored, skip map[string]bool, n int, explain func(scored) aisle.Recommendation) ([]aisle.Recommendation, error) {
	// Each pick fetches the candidates' catalog rows once: they say
	// whether the item exists and can be bought, and give its title.
	out := make([]aisle.Recommendation, 0, n)
	for start := 0; start < len(cands) && len(out) < n; {
		var ids []string
		end := start
		for ; end < len(cands) && len(ids) < 2*(n-len(out))+8; end++ {
			if !skip[cands[end].id] {
				ids = append(ids, cands[end].id)
			}
		}
		items, err := e.store.Items(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("recommend: %w", err)
		}
		for _, c := range cands[start:end] {
			it, ok := items[c.id]
			if skip[c.id] || !ok || !buyable(it.Availability) {
				continue
			}
			rec := explain(c)
			rec.Title = it.Title
			out = append(out, rec)
			if len(out) == n {
				break
			}
		}
		start = end
	}
	return out, nil
}

func buyable(a aisle.Availability) bool {
	return a == aisle.AvailabilityInStock || a == aisle.AvailabilityPreorder || a == ""
}

// plural formats "1 shopper", "2 shoppers".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
