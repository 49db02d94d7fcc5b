package profile

import (
	"cmp"
	"slices"

	"github.com/aislehq/aisle"
)

// ItemTags returns the tags an event on it would give a shopper, in the
// order Observe adds them: every level of its category paths, its brand,
// colours, materials, first keywords, its photo's colours and predicted
// category. Rankers use it to tell which items carry a tag.
func ItemTags(it *aisle.Item) []Tag {
	wts := itemTags(make([]weightedTag, 0, 16), it)
	out := make([]Tag, len(wts))
	for i, wt := range wts {
		out[i] = wt.tag
	}
	return out
}

// Top returns up to n of user's tags that keep accepts (given the tag and
// whether it is a leaf category), heaviest first, each weighing at least
// a quarter of the first (as Summary chooses), with their support. It is
// much cheaper than Profile: no interest centres, no copy of the other
// tags. Nil when user has no such tag.
func (b *Builder) Top(user string, n int, keep func(t Tag, leaf bool) bool) []TagView {
	type cand struct {
		tag Tag
		w   float64
		ts  tagState
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	s := b.shoppers[user]
	if s == nil || n <= 0 {
		return nil
	}
	var cs []cand
	for t, ts := range s.tags {
		if keep(t, ts.leaf) {
			cs = append(cs, cand{t, round4(ts.weight.value(s.last, b.halfLife)), ts})
		}
	}
	slices.SortFunc(cs, func(x, y cand) int {
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		return compareTags(x.tag, y.tag)
	})
	var out []TagView
	for _, c := range cs {
		if len(out) == n || c.w < cs[0].w/4 {
			break
		}
		sup := make([]Support, len(c.ts.support))
		for i, r := range c.ts.support {
			sup[i] = r.support()
		}
		out = append(out, TagView{ID: c.tag.String(), Tag: c.tag, Weight: c.w, Leaf: c.ts.leaf, Support: sup})
	}
	return out
}
