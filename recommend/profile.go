package recommend

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle"
	interest "github.com/aislehq/aisle/profile"
)

// Shoppers' interest profiles (package profile), served live: the first
// Build replays the log into a interest.Builder in the same scan that
// builds the other models, with the interests shoppers removed applied;
// every event Observe sees updates it at once; ForgetUser erases the
// shopper. Removed interests stop influencing Recommend and Affinity from
// the next request on, and recommended items that match a shopper's
// heaviest interests say so.

// InterestStore keeps the interests shoppers removed from their profiles
// (aisle.InterestStore; *sqlite.DB is one). Without it, the Engine's store
// cannot keep a removal, and ExcludeInterest is EUNAVAILABLE.
type InterestStore interface {
	ExcludeInterest(ctx context.Context, user, tag string, at time.Time) error
	ExcludedInterests(ctx context.Context) (map[string][]string, error)
}

// profiles holds the Builder the Engine serves; nil until the first Build
// has replayed the log into it.
type profiles struct {
	b atomic.Pointer[interest.Builder]
}

// builder returns the profiles served, or nil before the first build.
func (e *Engine) builder() *interest.Builder { return e.prof.b.Load() }

// profileSource is what a Builder reads items and vectors from: the
// catalog the replay reads the log against while it runs, then the
// Engine's, and the Engine's item vectors.
type profileSource struct {
	e *Engine
	// replay is the memory the first Build fills, until it is served.
	replay atomic.Pointer[memory]
}

// Item returns the profile's view of item id (see profileItem).
func (s *profileSource) Item(id string) (aisle.Item, bool) {
	if m := s.replay.Load(); m != nil {
		// Only the building goroutine reads it, and the catalog part is
		// complete before the log is read.
		b, ok := m.items[id]
		if !ok || b.item == nil {
			return aisle.Item{}, false
		}
		return *b.item, true
	}
	s.e.memMu.RLock()
	defer s.e.memMu.RUnlock()
	if s.e.mem == nil {
		return aisle.Item{}, false
	}
	b, ok := s.e.mem.items[id]
	if !ok || b.item == nil {
		return aisle.Item{}, false
	}
	return *b.item, true
}

// Vector returns item id's text vector, nil when it has none yet.
func (s *profileSource) Vector(id string) []float32 {
	if c := s.e.emb.Load(); c != nil {
		return c.Vector(id)
	}
	return nil
}

// profileItem returns the attributes of it that profiles read (package
// profile's tags and price band), which the engine's memory keeps beside
// each brief. Slices are shared with it, never changed.
func profileItem(it *aisle.Item) *aisle.Item {
	p := &aisle.Item{ID: it.ID, Brand: it.Brand, Categories: it.Categories, Price: it.Price}
	if x := it.Extracted; x != nil {
		p.Extracted = &aisle.Extracted{Category: x.Category, Brand: x.Brand, Colors: x.Colors, Materials: x.Materials, Tags: x.Tags}
	}
	if v := it.Visual; v != nil {
		p.Visual = &aisle.Visual{Error: v.Error, Colors: v.Colors, Category: v.Category, CategoryScore: v.CategoryScore}
	}
	return p
}

// replayBatch is how many events the replay hands the Builder at once.
const replayBatch = 512

// replay feeds the log to a new Builder during the first Build; a nil
// replay (later builds) does nothing.
type replay struct {
	e   *Engine
	src *profileSource
	b   *interest.Builder
	buf []aisle.Event
}

// startReplay returns the replay of the first Build, whose catalog is
// mem, over a Builder that already holds the stored removed interests;
// nil once profiles are served.
func (e *Engine) startReplay(ctx context.Context, mem *memory) (*replay, error) {
	if e.builder() != nil {
		return nil, nil
	}
	src := &profileSource{e: e}
	src.replay.Store(mem)
	r := &replay{e: e, src: src, b: interest.New(e.cfg.Profile, src, src, e.logger), buf: make([]aisle.Event, 0, replayBatch)}
	st, ok := e.store.(InterestStore)
	if !ok {
		return r, nil
	}
	removed, err := st.ExcludedInterests(ctx)
	if err != nil {
		return nil, fmt.Errorf("removed interests: %w", err)
	}
	for user, tags := range removed {
		for _, t := range tags {
			if err := r.b.Exclude(user, t); err != nil {
				e.logger.Warn("profile: a stored removed interest is not a tag", "err", err)
			}
		}
	}
	return r, nil
}

// add replays one event.
func (r *replay) add(ev *aisle.Event) {
	if r == nil {
		return
	}
	r.buf = append(r.buf, *ev)
	if len(r.buf) == cap(r.buf) {
		r.b.Observe(r.buf)
		r.buf = r.buf[:0]
	}
}

// finish replays what is left and serves the profiles from now on, less
// the users erased since the build's generation gen. Build calls it with
// e.mu held, as it swaps the new memory in, so no event is missed.
func (r *replay) finish(gen uint64) {
	if r == nil {
		return
	}
	r.b.Observe(r.buf)
	r.buf = nil
	r.src.replay.Store(nil)
	r.e.prof.b.Store(r.b)
	// Erasures registered from here on find the Builder served.
	gone, _ := r.e.erasedSince(gen)
	for u := range gone {
		r.b.Forget(u)
	}
	r.e.logger.Info("shopper profiles built", "shoppers", r.b.Len())
}

// observeProfiles folds stored events into the profiles (Observe).
func (e *Engine) observeProfiles(events []aisle.Event) {
	if b := e.builder(); b != nil {
		b.Observe(events)
	}
}

// forgetProfile erases user's profile and removed interests (ForgetUser).
func (e *Engine) forgetProfile(user string) {
	if b := e.builder(); b != nil {
		b.Forget(user)
	}
}

// Profile returns user's interest profile (package profile) and a one-line
// summary of it in lang: "en" (also "") or "zh", else EINVALID naming
// lang. ENOTFOUND when no event of theirs said anything about interest
// and they removed no interest; EUNAVAILABLE before the first build.
func (e *Engine) Profile(ctx context.Context, user, lang string) (interest.View, string, error) {
	if lang != "" && lang != "en" && lang != "zh" {
		return interest.View{}, "", aisle.FieldErrorf(aisle.EINVALID, "lang", "must be en or zh, not %q", clip(lang))
	}
	b := e.builder()
	if b == nil {
		return interest.View{}, "", aisle.Errorf(aisle.EUNAVAILABLE, "profiles are not built yet")
	}
	v, ok := b.Profile(user)
	if !ok {
		return interest.View{}, "", aisle.Errorf(aisle.ENOTFOUND, "no profile for user %q", clip(user))
	}
	return v, interest.Summary(v, lang), nil
}

// ExcludeInterest removes the interest tag ("brand:Brother", see
// interest.ParseTag) from user's profile and keeps it out: stored first
// (EUNAVAILABLE when the store cannot keep it), then applied, so from
// the next request on it no longer shapes their recommendations (items
// carrying it go last, or go when enough others remain), nor search's
// personal order. Their events stay. EINVALID naming tag for a malformed
// one; removing a tag twice changes nothing.
func (e *Engine) ExcludeInterest(ctx context.Context, user, tag string) error {
	if err := aisle.ValidateInterest("tag", tag); err != nil {
		return err
	}
	if _, err := interest.ParseTag(tag); err != nil {
		return aisle.FieldErrorf(aisle.EINVALID, "tag", "%v; kinds: category, brand, color, material, keyword, photo_color, photo_category, query", err)
	}
	b := e.builder()
	if b == nil {
		return aisle.Errorf(aisle.EUNAVAILABLE, "profiles are not built yet")
	}
	st, ok := e.store.(InterestStore)
	if !ok {
		return aisle.Errorf(aisle.EUNAVAILABLE, "this store cannot keep removed interests")
	}
	if err := st.ExcludeInterest(ctx, user, tag, e.deps.Now()); err != nil {
		return fmt.Errorf("remove interest: %w", err)
	}
	return b.Exclude(user, tag)
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}

// avoid is the interests one shopper removed, for one request.
type avoid struct {
	tags []interest.Tag
}

// avoided returns the interests user removed, nil when none (a map
// lookup, the common case).
func (e *Engine) avoided(user string) *avoid {
	b := e.builder()
	if b == nil {
		return nil
	}
	if tags := b.Excluded(user); len(tags) > 0 {
		return &avoid{tags: tags}
	}
	return nil
}

// carries reports whether b's item carries one of a's tags; false for a
// nil a.
func (a *avoid) carries(b brief) bool {
	if a == nil || b.item == nil {
		return false
	}
	for _, t := range interest.ItemTags(b.item) {
		if slices.Contains(a.tags, t) {
			return true
		}
	}
	return false
}

// withoutAvoided returns ids without the items carrying an interest a
// holds, reusing ids' array.
func (e *Engine) withoutAvoided(a *avoid, ids []string) []string {
	if a == nil {
		return ids
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	return slices.DeleteFunc(ids, func(id string) bool { return a.carries(e.mem.items[id]) })
}

// avoidedHistory returns the interests user removed and their history
// recent (a copy the caller owns) without the items carrying one, for
// Affinity.
func (e *Engine) avoidedHistory(user string, recent []string) (*avoid, []string) {
	a := e.avoided(user)
	return a, e.withoutAvoided(a, recent)
}

// unboost sets the affinity of items carrying an interest a holds to 0.
func (e *Engine) unboost(a *avoid, items []string, aff []float64) {
	if a == nil {
		return
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	for j, id := range items {
		if a.carries(e.mem.items[id]) {
			aff[j] = 0
		}
	}
}

// avoidKey keys the interests removed in the context of the Recommend
// call that applies them (see recommendWithProfile).
type avoidKey struct{}

// avoidValue is the value under avoidKey; a nil a applies none.
type avoidValue struct{ a *avoid }

// recommendWithProfile is Recommend with user's profile applied, which
// Recommend calls first: items carrying an interest they removed leave
// their history and the list, unless too few others remain, when they
// follow the others; items matching their heaviest brands or leaf
// categories get a reason saying so. ok is false for the inner Recommend
// call it makes, which then runs as it would without profiles.
func (e *Engine) recommendWithProfile(ctx context.Context, user string, req aisle.RecommendRequest) (recs []aisle.Recommendation, ok bool, err error) {
	b := e.builder()
	if b == nil || ctx.Value(avoidKey{}) != nil {
		return nil, false, nil
	}
	a := e.avoided(user)
	recs, err = e.Recommend(context.WithValue(ctx, avoidKey{}, avoidValue{a}), user, req)
	if err != nil {
		return nil, true, err
	}
	if a != nil && len(recs) < req.N {
		// Too few items without the removed interests: the rest follow.
		rest, err := e.Recommend(context.WithValue(ctx, avoidKey{}, avoidValue{}), user, req)
		if err != nil {
			return nil, true, err
		}
		for _, r := range rest {
			if len(recs) == req.N {
				break
			}
			if !slices.ContainsFunc(recs, func(x aisle.Recommendation) bool { return x.Item == r.Item }) {
				recs = append(recs, r)
			}
		}
	}
	e.profileReasons(b, user, recs)
	return recs, true, nil
}

// avoidHistory makes f leave out the items carrying an interest the
// shopper removed, when ctx says to (recommendWithProfile), and returns
// recent (a copy the caller owns) without them.
func (e *Engine) avoidHistory(ctx context.Context, f *filter, recent []string) []string {
	v, _ := ctx.Value(avoidKey{}).(avoidValue)
	if v.a == nil {
		return recent
	}
	f.avoid = v.a
	return e.withoutAvoided(v.a, recent)
}

// reasonTags is how many of a shopper's heaviest brands, and of their
// heaviest leaf categories, recommendations are explained by.
const reasonTags = 3

// profileReasons adds to each of recs whose brand or leaf category is one
// of user's heaviest a reason naming it, worded by the events behind it
// ("because you buy Brother Labels", "because you often look at
// Staplers").
func (e *Engine) profileReasons(b *interest.Builder, user string, recs []aisle.Recommendation) {
	if len(recs) == 0 {
		return
	}
	brands := b.Top(user, reasonTags, func(t interest.Tag, _ bool) bool { return t.Kind == interest.KindBrand })
	leaves := b.Top(user, reasonTags, func(t interest.Tag, leaf bool) bool { return t.Kind == interest.KindCategory && leaf })
	if len(brands) == 0 && len(leaves) == 0 {
		return
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	for i := range recs {
		bf, ok := e.mem.items[recs[i].Item]
		if !ok || bf.item == nil {
			continue
		}
		it := bf.item
		brand := it.Brand
		if it.Extracted != nil && it.Extracted.Brand != "" {
			brand = it.Extracted.Brand
		}
		var ex []string
		if it.Extracted != nil {
			ex = it.Extracted.Category
		}
		br := findTag(brands, func(v string) bool { return v == strings.TrimSpace(brand) })
		leaf := findTag(leaves, func(v string) bool { return v == last(it.Categories) || v == last(ex) })
		if r := interestReason(br, leaf); r != "" {
			recs[i].Reasons = append(recs[i].Reasons, r)
		}
	}
}

// findTag returns the first of tags whose value match accepts, or nil.
func findTag(tags []interest.TagView, match func(string) bool) *interest.TagView {
	for i := range tags {
		if match(tags[i].Value) {
			return &tags[i]
		}
	}
	return nil
}

// last returns the last of path, "" when it is empty.
func last(path []string) string {
	if len(path) == 0 {
		return ""
	}
	return path[len(path)-1]
}

// interestReason words why an item matching the brand and leaf category
// tags (either may be nil) suits the shopper, from the strongest kind of
// event behind them: purchases, then carts, searches, then looks.
func interestReason(brand, leaf *interest.TagView) string {
	var subject string
	var support []interest.Support
	switch {
	case brand != nil && leaf != nil:
		subject = brand.Value + " " + leaf.Value
		support = append(slices.Clone(brand.Support), leaf.Support...)
	case brand != nil:
		subject, support = brand.Value+" items", brand.Support
	case leaf != nil:
		subject, support = leaf.Value, leaf.Support
	default:
		return ""
	}
	has := func(t aisle.EventType) bool {
		return slices.ContainsFunc(support, func(s interest.Support) bool { return s.Type == t })
	}
	switch {
	case has(aisle.EventPurchase) || has(aisle.EventRating):
		return "because you buy " + subject
	case has(aisle.EventAddToCart):
		return "because you often put " + subject + " in your cart"
	case has(aisle.EventSearch):
		return "because you search for " + subject
	}
	return "because you often look at " + subject
}
