package profile

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/aislehq/aisle"
)

// Items looks up an item's attributes. Implementations must be safe for
// concurrent use; ok is false for an unknown item.
type Items interface {
	Item(id string) (it aisle.Item, ok bool)
}

// Vectors looks up an item's vector; nil for an item without one.
// Implementations must be safe for concurrent use. The Builder never
// changes a returned slice.
type Vectors interface {
	Vector(id string) []float32
}

// Builder keeps every shopper's profile in memory and updates it with each
// event. It is safe for concurrent use: Observe from event handlers,
// Profile from requests.
type Builder struct {
	cfg     Config
	items   Items
	vectors Vectors
	log     *slog.Logger
	// halfLife is cfg.HalfLife in nanoseconds.
	halfLife float64

	// mu guards shoppers.
	mu       sync.RWMutex
	shoppers map[string]*shopper
}

// New returns a Builder configured by cfg (zero fields take their
// defaults) that reads items' attributes from items and their vectors from
// vectors. A nil items sees only search words; a nil vectors gives no
// interest centres. A nil logger discards. New does no I/O.
func New(cfg Config, items Items, vectors Vectors, logger *slog.Logger) *Builder {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	return &Builder{
		cfg:      cfg,
		items:    items,
		vectors:  vectors,
		log:      logger,
		halfLife: float64(cfg.HalfLife),
		shoppers: make(map[string]*shopper),
	}
}

// decayed is a weight as of a time (Unix nanoseconds): adding a weight at
// another time decays one of the two to the later time, so an update is
// O(1) whatever the number of weights.
type decayed struct {
	w  float64
	at int64
}

// factor returns 2^(−dt/halfLife).
func factor(dt int64, halfLife float64) float64 {
	if dt <= 0 {
		return 1
	}
	return math.Exp2(-float64(dt) / halfLife)
}

// add adds w, given at time at.
func (d *decayed) add(w float64, at int64, halfLife float64) {
	if at >= d.at {
		d.w = d.w*factor(at-d.at, halfLife) + w
		d.at = at
		return
	}
	d.w += w * factor(d.at-at, halfLife)
}

// value returns the weight as of time at (never more than the stored one:
// a weight is not grown back to an earlier time).
func (d decayed) value(at int64, halfLife float64) float64 {
	return d.w * factor(at-d.at, halfLife)
}

// shopper is one shopper's state.
type shopper struct {
	// last is the time of the latest event (Unix nanoseconds), events
	// the number observed.
	last   int64
	events int64
	tags   map[Tag]tagState // nil until the first tag
	// excluded are the tags the shopper removed.
	excluded map[Tag]struct{}
	// items are the items the shopper touched, by weight.
	items map[string]decayed
	// prices is a ring of the latest priced interactions; nextPrice is
	// where the next one goes once it is full.
	prices    []priceSample
	nextPrice int
	centers   []*center
}

// maxPrices bounds a shopper's price samples.
const maxPrices = 64

// maxPurchases is how many purchase times a category tag keeps to tell a
// regular purchase.
const maxPurchases = 6

// tagState is one tag of a shopper.
type tagState struct {
	weight decayed
	// leaf is set for a category that ended an item's path.
	leaf bool
	// support are the most recent supporting events, newest first.
	support []evref
	// purchases are the latest purchase times (Unix nanoseconds) of a
	// category tag, oldest first.
	purchases []int64
}

// priceSample is one priced interaction.
type priceSample struct {
	price  float64
	weight decayed
}

// center is one interest centre: the weighted mean of item vectors.
type center struct {
	mean   []float32
	weight decayed
}

// evref is a supporting event as a tag keeps it: Support, smaller.
type evref struct {
	id   string
	item string
	seq  int64
	at   int64
	// typ is the index of the event's type in aisle.EventTypes.
	typ uint8
}

// typeIndex returns t's index in aisle.EventTypes; t is valid.
func typeIndex(t aisle.EventType) uint8 {
	for i, v := range aisle.EventTypes {
		if v == t {
			return uint8(i)
		}
	}
	return 0
}

// support returns r as a View shows it.
func (r evref) support() Support {
	return Support{ID: r.id, Seq: r.seq, Type: aisle.EventTypes[r.typ], Item: r.item, Time: time.Unix(0, r.at).UTC()}
}

// Support is one event that supports a tag.
type Support struct {
	// ID and Seq identify the event (either may be empty or 0).
	ID   string          `json:"id,omitempty"`
	Seq  int64           `json:"seq,omitempty"`
	Type aisle.EventType `json:"type"`
	Item string          `json:"item,omitempty"`
	Time time.Time       `json:"time"`
}

// observation is what one event brings, looked up before the lock is
// taken.
type observation struct {
	ev     *aisle.Event
	weight float64
	item   aisle.Item
	found  bool
	vector []float32
	tags   []weightedTag
}

// weightedTag is a tag and the share of the event's weight it gets.
type weightedTag struct {
	tag   Tag
	share float64
	leaf  bool
}

// Observe updates the profiles of the events' shoppers at once, in
// order; one event costs about 11 µs on the Office data
// (docs/BENCHMARKS.md). Custom events, events of unknown type, ratings of
// 0 or less, events without a user and events whose user or item is
// longer than aisle.MaxIDBytes (the store rejects those) change nothing;
// an event whose item is unknown still counts its search words. A zero
// Time is taken as the shopper's latest event time. Observing the same
// event twice counts it twice: replay the log once.
func (b *Builder) Observe(events []aisle.Event) {
	ob := observation{tags: make([]weightedTag, 0, 16)}
	for i := range events {
		e := &events[i]
		w := b.cfg.eventWeight(e)
		if w <= 0 || e.User == "" || len(e.User) > aisle.MaxIDBytes || len(e.Item) > aisle.MaxIDBytes {
			continue
		}
		ob = observation{ev: e, weight: w, tags: ob.tags[:0]}
		if e.Item != "" && b.items != nil {
			ob.item, ob.found = b.items.Item(e.Item)
		}
		if ob.found {
			ob.tags = itemTags(ob.tags, &ob.item)
			if b.vectors != nil {
				ob.vector = b.vectors.Vector(e.Item)
			}
		}
		if e.Type == aisle.EventSearch {
			ob.tags = queryTags(ob.tags, e.Query)
		}
		b.mu.Lock()
		b.observeLocked(&ob)
		b.mu.Unlock()
	}
}

// observeLocked applies one observation. b.mu must be held.
func (b *Builder) observeLocked(ob *observation) {
	e := ob.ev
	s := b.shoppers[e.User]
	if s == nil {
		s = &shopper{items: make(map[string]decayed)}
		b.shoppers[e.User] = s
	}
	at := s.last
	if !e.Time.IsZero() {
		at = e.Time.UnixNano()
	}
	if at > s.last || s.events == 0 {
		s.last = at
	}
	s.events++
	id := e.ID
	if len(id) > aisle.MaxIDBytes {
		id = ""
	}
	item := e.Item
	if ob.found && ob.item.ID == item {
		// The catalog's copy of the id: one string for every shopper
		// and event that names the item, not one per event.
		item = ob.item.ID
	}
	sup := evref{id: id, item: item, seq: e.Seq, at: at, typ: typeIndex(e.Type)}
	for _, wt := range ob.tags {
		if _, ok := s.excluded[wt.tag]; ok {
			continue
		}
		ts, ok := s.tags[wt.tag]
		if !ok {
			if s.tags == nil {
				s.tags = make(map[Tag]tagState)
			}
			if len(s.tags) >= b.cfg.MaxTags {
				b.evictTagLocked(s, at)
			}
		}
		ts.weight.add(ob.weight*wt.share, at, b.halfLife)
		ts.leaf = ts.leaf || wt.leaf
		ts.support = addSupport(ts.support, sup, b.cfg.MaxSupport)
		if wt.leaf && wt.tag.Kind == KindCategory && e.Type == aisle.EventPurchase {
			ts.purchases = addTime(ts.purchases, at)
		}
		s.tags[wt.tag] = ts
	}
	if !ob.found {
		return
	}
	d, ok := s.items[item]
	if !ok && len(s.items) >= b.cfg.MaxItems {
		evictLightest(s.items, at, b.halfLife)
	}
	d.add(ob.weight, at, b.halfLife)
	s.items[item] = d
	if p := ob.item.Price; p != nil && !math.IsNaN(*p) && !math.IsInf(*p, 0) && *p >= 0 {
		ps := priceSample{price: *p, weight: decayed{w: ob.weight, at: at}}
		if len(s.prices) < maxPrices {
			s.prices = append(s.prices, ps)
		} else {
			s.prices[s.nextPrice] = ps
			s.nextPrice = (s.nextPrice + 1) % maxPrices
		}
	}
	if len(ob.vector) > 0 {
		s.centers = b.updateCenters(s.centers, ob.vector, ob.weight, at)
	}
}

// evictTagLocked drops s's lightest tag as of at.
func (b *Builder) evictTagLocked(s *shopper, at int64) {
	var worst Tag
	min := math.Inf(1)
	for t, ts := range s.tags {
		v := ts.weight.value(at, b.halfLife)
		if v < min || v == min && t.String() < worst.String() {
			worst, min = t, v
		}
	}
	delete(s.tags, worst)
}

// evictLightest drops the lightest item of m as of at.
func evictLightest(m map[string]decayed, at int64, halfLife float64) {
	var worst string
	min := math.Inf(1)
	for id, d := range m {
		v := d.value(at, halfLife)
		if v < min || v == min && id < worst {
			worst, min = id, v
		}
	}
	delete(m, worst)
}

// addSupport inserts sup into the newest-first list, keeping at most max
// and growing the list by no more than it needs.
func addSupport(list []evref, sup evref, max int) []evref {
	i := len(list)
	for i > 0 && list[i-1].at < sup.at {
		i--
	}
	if i >= max {
		return list
	}
	if len(list) < max {
		if len(list) == cap(list) {
			grown := make([]evref, len(list), min(max, 2*len(list)+1))
			copy(grown, list)
			list = grown
		}
		list = list[:len(list)+1]
	}
	copy(list[i+1:], list[i:])
	list[i] = sup
	return list
}

// addTime inserts t into the oldest-first list, keeping the latest
// maxPurchases.
func addTime(list []int64, t int64) []int64 {
	i, _ := slices.BinarySearch(list, t)
	list = slices.Insert(list, i, t)
	if len(list) > maxPurchases {
		list = slices.Delete(list, 0, len(list)-maxPurchases)
	}
	return list
}

// Exclude removes tag from user's profile and keeps it from coming back
// with later events; the exclusion is kept until Forget. It returns an
// error for a malformed tag (see ParseTag) or a user that is empty or
// longer than aisle.MaxIDBytes.
func (b *Builder) Exclude(user, tag string) error {
	if user == "" || len(user) > aisle.MaxIDBytes {
		return fmt.Errorf("exclude: user must be 1 to %d bytes", aisle.MaxIDBytes)
	}
	t, err := ParseTag(tag)
	if err != nil {
		return fmt.Errorf("exclude: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.shoppers[user]
	if s == nil {
		s = &shopper{items: make(map[string]decayed)}
		b.shoppers[user] = s
	}
	if s.excluded == nil {
		s.excluded = make(map[Tag]struct{})
	}
	s.excluded[t] = struct{}{}
	delete(s.tags, t)
	return nil
}

// Excluded returns the tags user excluded, sorted by their string form;
// nil when there are none.
func (b *Builder) Excluded(user string) []Tag {
	b.mu.RLock()
	defer b.mu.RUnlock()
	s := b.shoppers[user]
	if s == nil || len(s.excluded) == 0 {
		return nil
	}
	out := make([]Tag, 0, len(s.excluded))
	for t := range s.excluded {
		out = append(out, t)
	}
	slices.SortFunc(out, compareTags)
	return out
}

// compareTags orders tags by kind, then value.
func compareTags(a, b Tag) int {
	if a.Kind != b.Kind {
		if a.Kind < b.Kind {
			return -1
		}
		return 1
	}
	switch {
	case a.Value < b.Value:
		return -1
	case a.Value > b.Value:
		return 1
	}
	return 0
}

// Forget erases everything the Builder holds about user, exclusions too.
func (b *Builder) Forget(user string) {
	b.mu.Lock()
	delete(b.shoppers, user)
	b.mu.Unlock()
}

// Len returns the number of shoppers held.
func (b *Builder) Len() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.shoppers)
}
