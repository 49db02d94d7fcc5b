package recommend

import (
	"context"
	"maps"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
)

// CoOccurrence is item-to-item collaborative filtering rebuilt from the
// whole log in the background (candidate.TrainItemCF over the engine's last
// build), keyed by item id: it gives similar items for items newer than
// the trained model version. It keeps the sequences it was trained on, so
// that an erasure can retrain it without the erased shopper's (about 12
// bytes an interaction). It is immutable and safe for concurrent use.
type CoOccurrence struct {
	m *candidate.ItemItem
	d *dataset.Dataset // the sequences m was trained on, and the item ids
	// clean is the erasure generation up to which d holds no erased
	// shopper's events (forget.go).
	clean uint64
	// hidden are the ordered item pairs (pairKey) that shoppers erased
	// since clean had together: left out of neighbours until a retrain.
	hidden map[uint64]struct{}
}

// isInteraction reports whether an event of type t says a shopper was
// interested in its item: the types package dataset keeps by default.
func isInteraction(t aisle.EventType) bool {
	return slices.Contains(dataset.DefaultTypes, t)
}

// buildCoOccurrence trains item-to-item CF over d's sequences: items
// within window positions of each other in a session co-occur, and each
// item keeps its keep best neighbours.
func buildCoOccurrence(ctx context.Context, d *dataset.Dataset, window, keep int) (*CoOccurrence, error) {
	m, err := candidate.TrainItemCF(ctx, d, candidate.ItemCFConfig{Window: window, Keep: keep})
	if err != nil {
		return nil, err
	}
	kept := *d
	kept.Queries = nil // not needed to retrain
	return &CoOccurrence{m: m, d: &kept}, nil
}

// neighbors returns item's neighbours, best first, with their weights.
func (c *CoOccurrence) neighbors(item string) []scored {
	i, ok := c.d.ItemIndex(item)
	if !ok {
		return nil
	}
	items, weights := c.m.Neighbors(i)
	out := make([]scored, 0, len(items))
	for k, j := range items {
		if _, ok := c.hidden[pairKey(i, j)]; ok {
			continue
		}
		out = append(out, scored{id: c.d.Items[j], score: float64(weights[k])})
	}
	return out
}

// pairKey packs the ordered item pair (i, j).
func pairKey(i, j int32) uint64 { return uint64(uint32(i))<<32 | uint64(uint32(j)) }

// pairsOf returns the ordered pairs of items that user had within window
// positions of each other in c's sequences (sessions aside: a superset of
// what they added to the counts); nil when c has none of theirs.
func (c *CoOccurrence) pairsOf(user string, window int) []uint64 {
	u := slices.Index(c.d.Users, user)
	if u < 0 {
		return nil
	}
	seq := c.d.Seqs[u]
	var out []uint64
	for p, a := range seq {
		for _, b := range seq[p+1 : min(len(seq), p+1+window)] {
			if a != b {
				out = append(out, pairKey(a, b), pairKey(b, a))
			}
		}
	}
	return out
}

// withHidden returns c with pairs hidden too.
func (c *CoOccurrence) withHidden(pairs []uint64) *CoOccurrence {
	if len(pairs) == 0 {
		return c
	}
	out := *c
	out.hidden = maps.Clone(c.hidden)
	out.hide(pairs)
	return &out
}

// hide hides pairs; only for a CoOccurrence not yet served.
func (c *CoOccurrence) hide(pairs []uint64) {
	if len(pairs) > 0 && c.hidden == nil {
		c.hidden = make(map[uint64]struct{}, len(pairs))
	}
	for _, k := range pairs {
		c.hidden[k] = struct{}{}
	}
}

// withoutUsers returns d without the sequences of users (item numbers
// kept), or d itself when it has none of theirs.
func withoutUsers(d *dataset.Dataset, users map[string]bool) *dataset.Dataset {
	if len(users) == 0 {
		return d
	}
	var out *dataset.Dataset
	for u, id := range d.Users {
		if !users[id] {
			continue
		}
		if out == nil {
			c := *d
			c.Users, c.Seqs, c.Times = slices.Clone(d.Users), slices.Clone(d.Seqs), slices.Clone(d.Times)
			out = &c
		}
		// Users, Seqs and Times are parallel (dataset.FromEvents); not
		// even the id is kept.
		out.Users[u], out.Seqs[u], out.Times[u] = "", nil, nil
	}
	if out == nil {
		return d
	}
	return out
}
