package dataset

import (
	"cmp"
	"slices"
)

// Head returns d restricted to its k most interacted-with items (ties by
// index), numbered 0..k-1 from the most interacted-with, and orig, which
// maps each new index to d's. Every user keeps its index and its
// interactions with those items, in order. Models whose cost grows with
// the square or cube of the catalog train on the head of a large one.
// When d has at most k items, Head returns d and the identity.
func (d *Dataset) Head(k int) (*Dataset, []int32) {
	n := d.NumItems()
	counts := make([]int, n)
	for _, s := range d.Seqs {
		for _, i := range s {
			counts[i]++
		}
	}
	orig := make([]int32, n)
	for i := range orig {
		orig[i] = int32(i)
	}
	if n <= k {
		return d, orig
	}
	slices.SortStableFunc(orig, func(a, b int32) int { return cmp.Compare(counts[b], counts[a]) })
	orig = slices.Clip(orig[:k])
	renum := make([]int32, n)
	for i := range renum {
		renum[i] = -1
	}
	h := &Dataset{Users: d.Users, Items: make([]string, k), itemIndex: make(map[string]int32, k),
		Seqs: make([][]int32, len(d.Seqs)), Times: make([][]int64, len(d.Seqs))}
	for j, i := range orig {
		renum[i] = int32(j)
		h.Items[j] = d.Items[i]
		h.itemIndex[d.Items[i]] = int32(j)
	}
	for u, s := range d.Seqs {
		for p, i := range s {
			if j := renum[i]; j >= 0 {
				h.Seqs[u] = append(h.Seqs[u], j)
				h.Times[u] = append(h.Times[u], d.Times[u][p])
			}
		}
	}
	return h, orig
}
