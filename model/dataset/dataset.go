// Package dataset turns the event log into what models train on: users and
// items numbered 0..n-1 and each user's items in time order. It also splits
// a dataset leave-one-out for evaluation.
package dataset

import (
	"cmp"
	"iter"
	"slices"
	"time"

	"github.com/aislehq/aisle"
)

// Dataset holds interaction sequences over integer-indexed users and items.
// It is not modified after it is built and is safe for concurrent reads.
type Dataset struct {
	// Items maps an item index to its id; Users a user index to its id.
	Items []string
	Users []string
	// Seqs holds, per user index, the item indices the user interacted
	// with, oldest first.
	Seqs [][]int32
	// Times holds the Unix second of each interaction, parallel to Seqs.
	Times [][]int64
	// Queries are the searches that led to an interaction: each search
	// event paired with the item it names or, when it names none, with
	// the user's first interaction within Options.QueryWindow after it.
	// The text encoder learns from them to put queries near the items
	// they find.
	Queries []Query

	itemIndex map[string]int32
}

// NumItems returns the number of items.
func (d *Dataset) NumItems() int { return len(d.Items) }

// Interactions returns the total number of interactions.
func (d *Dataset) Interactions() int {
	n := 0
	for _, s := range d.Seqs {
		n += len(s)
	}
	return n
}

// ItemIndex returns the index of item id.
func (d *Dataset) ItemIndex(id string) (int32, bool) {
	i, ok := d.itemIndex[id]
	return i, ok
}

// Query is a search query and an item it led to.
type Query struct {
	Text string
	Item int32
}

// Options choose which events become interactions.
type Options struct {
	// Types are the event types that count as interactions; nil means
	// view, click, add_to_cart, purchase and rating.
	Types []aisle.EventType
	// QueryWindow is how soon after a search an interaction must come
	// to count as the search's result (default 30 minutes).
	QueryWindow time.Duration
}

// DefaultTypes are the event types that count as interactions by default.
var DefaultTypes = []aisle.EventType{aisle.EventView, aisle.EventClick, aisle.EventAddToCart, aisle.EventPurchase, aisle.EventRating}

// FromEvents builds a dataset from events in any order. Each user's items
// are ordered by time, then by the store's sequence number. Users and items
// are numbered in order of first appearance in the event stream.
func FromEvents(events iter.Seq2[aisle.Event, error], opts Options) (*Dataset, error) {
	types := opts.Types
	if types == nil {
		types = DefaultTypes
	}
	keep := make(map[aisle.EventType]bool, len(types))
	for _, t := range types {
		keep[t] = true
	}
	type touch struct {
		item int32
		t    int64
		seq  int64
	}
	type search struct {
		user, query string
		t           int64
	}
	var searches []search
	d := &Dataset{itemIndex: make(map[string]int32)}
	userIndex := make(map[string]int32)
	var touches [][]touch
	for e, err := range events {
		if err != nil {
			return nil, err
		}
		if e.Type == aisle.EventSearch && e.Query != "" {
			if e.Item != "" {
				d.Queries = append(d.Queries, Query{e.Query, d.addItem(e.Item)})
			} else {
				searches = append(searches, search{e.User, e.Query, e.Time.Unix()})
			}
		}
		if e.Item == "" || !keep[e.Type] {
			continue
		}
		u, ok := userIndex[e.User]
		if !ok {
			u = int32(len(d.Users))
			userIndex[e.User] = u
			d.Users = append(d.Users, e.User)
			touches = append(touches, nil)
		}
		touches[u] = append(touches[u], touch{d.addItem(e.Item), e.Time.Unix(), e.Seq})
	}
	d.Seqs = make([][]int32, len(touches))
	d.Times = make([][]int64, len(touches))
	for u, ts := range touches {
		slices.SortStableFunc(ts, func(a, b touch) int {
			if c := cmp.Compare(a.t, b.t); c != 0 {
				return c
			}
			return cmp.Compare(a.seq, b.seq)
		})
		d.Seqs[u] = make([]int32, len(ts))
		d.Times[u] = make([]int64, len(ts))
		for i, x := range ts {
			d.Seqs[u][i], d.Times[u][i] = x.item, x.t
		}
	}
	window := int64(cmp.Or(opts.QueryWindow, 30*time.Minute) / time.Second)
	for _, s := range searches {
		u, ok := userIndex[s.user]
		if !ok {
			continue
		}
		times := d.Times[u]
		if k, _ := slices.BinarySearch(times, s.t); k < len(times) && times[k]-s.t <= window {
			d.Queries = append(d.Queries, Query{s.query, d.Seqs[u][k]})
		}
	}
	return d, nil
}

func (d *Dataset) addItem(id string) int32 {
	i, ok := d.itemIndex[id]
	if !ok {
		i = int32(len(d.Items))
		d.itemIndex[id] = i
		d.Items = append(d.Items, id)
	}
	return i
}

// Catalog returns a dataset sharing d's users and items (and their id
// lookups) without any interaction: what outlives the sequences when only
// ids are needed.
func (d *Dataset) Catalog() *Dataset { return d.withSeqs(nil, nil) }

// withSeqs returns a dataset sharing d's users and items with other sequences.
func (d *Dataset) withSeqs(seqs [][]int32, times [][]int64) *Dataset {
	return &Dataset{Items: d.Items, Users: d.Users, Seqs: seqs, Times: times, Queries: d.Queries, itemIndex: d.itemIndex}
}

// FromSlice builds a dataset from events held in memory, as FromEvents
// does; events without a Seq are ordered as given.
func FromSlice(events []aisle.Event, opts Options) (*Dataset, error) {
	return FromEvents(func(yield func(aisle.Event, error) bool) {
		for i, e := range events {
			if e.Seq == 0 {
				e.Seq = int64(i + 1)
			}
			if !yield(e, nil) {
				return
			}
		}
	}, opts)
}
