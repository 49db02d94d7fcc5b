package rank

import "math"

// Interleave returns up to n items: extra's in order at every every-th
// place (places every, 2·every, … counting from 1) and main's in order
// everywhere else; when either runs out the other fills the rest. It is
// how served lists give fixed places to items the main ranking cannot
// place yet (new arrivals, items with no interactions). every < 1 means
// main alone (then extra only fills what main cannot). Items are not
// deduplicated: give disjoint lists.
func Interleave[T any](main, extra []T, every, n int) []T {
	out := make([]T, 0, max(0, min(n, len(main)+len(extra))))
	for len(out) < n && (len(main) > 0 || len(extra) > 0) {
		slot := every >= 1 && (len(out)+1)%every == 0
		if len(extra) > 0 && (slot || len(main) == 0) {
			out, extra = append(out, extra[0]), extra[1:]
			continue
		}
		out, main = append(out, main[0]), main[1:]
	}
	return out
}

// ColdSlots scores the catalog the way serving ranks a shopper's list
// when some items have no interactions yet: the fused ranking of
// Blend.Rank (PerMember candidates per proposer), with every Every-th
// place given to the cold item Content ranks best, so that items no
// shopper has touched yet are shown beside the ones the collaborative
// models are sure of. Offline evaluation measures what it serves: the
// first positions get decreasing scores, every other item −Inf. It ranks
// Places positions.
type ColdSlots struct {
	Blend     *Blend
	PerMember int
	// Content proposes cold items: its best items among those Cold marks.
	Content Proposer
	// Cold marks the items without interactions.
	Cold []bool
	// Every is the period of the cold places (every 5th by default).
	Every int
	// Places is how many positions are ranked (default 100).
	Places int
	// MinScore is the least content score a cold item needs to take a
	// place; places no cold item earns go to the fused ranking.
	MinScore float32
}

// Score implements Scorer.
func (s ColdSlots) Score(history []int32, scores []float32) {
	inf := float32(math.Inf(-1))
	for i := range scores {
		scores[i] = inf
	}
	every, places := s.Every, s.Places
	if every <= 0 {
		every = 5
	}
	if places <= 0 {
		places = 100
	}
	c := s.Blend.Rank(history, s.PerMember)
	var main, cold []int32
	for _, i := range c.Items {
		if !s.Cold[i] {
			main = append(main, i)
		}
	}
	items, sims := s.Content.Top(history, places+len(history))
	for j, i := range items {
		if s.Cold[i] && sims[j] >= s.MinScore {
			cold = append(cold, i)
		}
	}
	for k, i := range Interleave(main, cold, every, places) {
		scores[i] = float32(places - k)
	}
}
