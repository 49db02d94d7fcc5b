package dataset

import (
	"math/rand/v2"
	"slices"
)

// WithItems returns a dataset with d's users and interactions and, after
// d's items, those of ids that d lacks, in order and without
// interactions: catalog items no shopper has touched yet, so that models
// which need no interactions (content) can rank them.
func (d *Dataset) WithItems(ids []string) *Dataset {
	out := &Dataset{Items: slices.Clone(d.Items), Users: d.Users, Seqs: d.Seqs, Times: d.Times, Queries: d.Queries, itemIndex: make(map[string]int32, len(d.Items)+len(ids))}
	for i, id := range d.Items {
		out.itemIndex[id] = int32(i)
	}
	for _, id := range ids {
		out.addItem(id)
	}
	return out
}

// ColdSplit holds out every interaction of a random fraction of the
// items, to measure how well models rank items they have never seen
// interactions of (new arrivals).
type ColdSplit struct {
	// Cold marks the held-out items; Dataset.Without(Cold) trains
	// without them (items keep their numbers, so cold items are in the
	// catalog without interactions).
	Cold []bool
	// Test has one case per interaction with a cold item whose user has
	// a warm item before it: the user's warm items before it are the
	// history, the cold item the target.
	Test []Case
}

// HoldOutItems picks round(frac·n) of d's items at random (seeded) as cold
// and splits d as ColdSplit describes.
func HoldOutItems(d *Dataset, frac float64, seed uint64) *ColdSplit {
	n := d.NumItems()
	rng := rand.New(rand.NewPCG(seed, 0x636f6c64))
	cold := make([]bool, n)
	for _, i := range rng.Perm(n)[:int(frac*float64(n)+0.5)] {
		cold[i] = true
	}
	s := &ColdSplit{Cold: cold}
	for u, seq := range d.Seqs {
		var warm []int32
		for _, i := range seq {
			if !cold[i] {
				warm = append(warm, i)
			} else if len(warm) > 0 {
				s.Test = append(s.Test, Case{User: int32(u), History: slices.Clone(warm), Target: i})
			}
		}
	}
	return s
}

// Without returns d with every interaction with the items drop marks
// removed; items keep their numbers.
func (d *Dataset) Without(drop []bool) *Dataset {
	seqs, times := make([][]int32, len(d.Seqs)), make([][]int64, len(d.Seqs))
	for u, seq := range d.Seqs {
		for k, i := range seq {
			if !drop[i] {
				seqs[u], times[u] = append(seqs[u], i), append(times[u], d.Times[u][k])
			}
		}
	}
	return d.withSeqs(seqs, times)
}
