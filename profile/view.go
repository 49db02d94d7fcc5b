package profile

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// View is a read-only picture of one shopper's profile, as of their latest
// event, ready to be encoded as JSON. It shares nothing with the Builder.
type View struct {
	User string `json:"user"`
	// AsOf is the time of the shopper's latest event: weights are decayed
	// to it.
	AsOf time.Time `json:"as_of"`
	// Events is the number of events observed.
	Events int64 `json:"events"`
	// Tags are the interests, heaviest first (ties by kind and value).
	// Weights, here and in Centers, are rounded to four decimals: a
	// purchase at AsOf weighs 1 by default.
	Tags []TagView `json:"tags"`
	// Centers are the interest centres in item-vector space, heaviest
	// first; empty without vectors.
	Centers []CenterView `json:"centers,omitempty"`
	// Price is the price band of the items the shopper interacted with;
	// nil when none had a price.
	Price *PriceBand `json:"price,omitempty"`
	// Excluded are the tags the shopper removed.
	Excluded []Tag `json:"excluded,omitempty"`
}

// TagView is one interest of a View.
type TagView struct {
	// ID is the tag's string form, "kind:value", as Exclude takes it.
	ID string `json:"id"`
	Tag
	Weight float64 `json:"weight"`
	// Leaf is set for a category that ended an item's path (not only an
	// ancestor).
	Leaf bool `json:"leaf,omitempty"`
	// PurchaseEveryDays, for a leaf category bought at least three times
	// at regular intervals, is the mean interval in days; 0 otherwise.
	PurchaseEveryDays float64 `json:"purchase_every_days,omitempty"`
	// Support are the most recent events behind the tag, newest first.
	Support []Support `json:"support"`
}

// CenterView is one interest centre of a View.
type CenterView struct {
	Weight float64 `json:"weight"`
	// Items are the shopper's items nearest the centre, nearest first
	// (each item counts for its nearest centre only).
	Items []string `json:"items"`
	// Vector is the centre's mean item vector (unit-length items
	// averaged), for ranking; not encoded.
	Vector []float32 `json:"-"`
}

// PriceBand is the weighted 10th percentile, median and 90th percentile
// of the prices of the items a shopper interacted with.
type PriceBand struct {
	Low    float64 `json:"low"`
	Median float64 `json:"median"`
	High   float64 `json:"high"`
}

// Profile returns user's profile and whether the Builder has one.
func (b *Builder) Profile(user string) (View, bool) {
	b.mu.RLock()
	s := b.shoppers[user]
	if s == nil {
		b.mu.RUnlock()
		return View{}, false
	}
	at := s.last
	v := View{User: user, AsOf: time.Unix(0, at).UTC(), Events: s.events, Tags: make([]TagView, 0, len(s.tags))}
	nsup := 0
	for _, ts := range s.tags {
		nsup += len(ts.support)
	}
	all := make([]Support, nsup)
	for t, ts := range s.tags {
		sup := all[:len(ts.support):len(ts.support)]
		all = all[len(ts.support):]
		for i, r := range ts.support {
			sup[i] = r.support()
		}
		v.Tags = append(v.Tags, TagView{
			ID:                t.String(),
			Tag:               t,
			Weight:            round4(ts.weight.value(at, b.halfLife)),
			Leaf:              ts.leaf,
			PurchaseEveryDays: regularDays(ts.purchases),
			Support:           sup,
		})
	}
	for t := range s.excluded {
		v.Excluded = append(v.Excluded, t)
	}
	v.Price = priceBand(s.prices, at, b.halfLife)
	centers := make([]CenterView, len(s.centers))
	for i, c := range s.centers {
		centers[i] = CenterView{Weight: round4(c.weight.value(at, b.halfLife)), Vector: slices.Clone(c.mean)}
	}
	var items []string
	if len(centers) > 0 && b.vectors != nil {
		items = make([]string, 0, len(s.items))
		for id := range s.items {
			items = append(items, id)
		}
	}
	b.mu.RUnlock()

	slices.SortFunc(v.Tags, func(x, y TagView) int {
		if c := cmp.Compare(y.Weight, x.Weight); c != 0 {
			return c
		}
		return compareTags(x.Tag, y.Tag)
	})
	slices.SortFunc(v.Excluded, compareTags)
	if len(centers) > 0 {
		// Assign each item to its nearest centre, outside the lock.
		type near struct {
			id  string
			sim float64
		}
		nearest := make([][]near, len(centers))
		for _, id := range items {
			vec := b.vectors.Vector(id)
			if len(vec) != len(centers[0].Vector) {
				continue
			}
			best, bestSim := -1, math.Inf(-1)
			for i, c := range centers {
				if s := cosine(c.Vector, vec); s > bestSim {
					best, bestSim = i, s
				}
			}
			if best < 0 {
				continue
			}
			nearest[best] = append(nearest[best], near{id, bestSim})
		}
		for i := range centers {
			ns := nearest[i]
			slices.SortFunc(ns, func(x, y near) int {
				if c := cmp.Compare(y.sim, x.sim); c != 0 {
					return c
				}
				return cmp.Compare(x.id, y.id)
			})
			centers[i].Items = []string{}
			for k := 0; k < len(ns) && k < b.cfg.Examples; k++ {
				centers[i].Items = append(centers[i].Items, ns[k].id)
			}
		}
		slices.SortStableFunc(centers, func(x, y CenterView) int { return cmp.Compare(y.Weight, x.Weight) })
		v.Centers = centers
	}
	return v, true
}

// round4 rounds w to four decimals, the precision a View shows.
func round4(w float64) float64 { return math.Round(w*1e4) / 1e4 }

// priceBand returns the weighted percentiles of the samples as of at, nil
// when there are none.
func priceBand(samples []priceSample, at int64, halfLife float64) *PriceBand {
	if len(samples) == 0 {
		return nil
	}
	type pw struct{ p, w float64 }
	ps := make([]pw, len(samples))
	var total float64
	for i, s := range samples {
		ps[i] = pw{s.price, s.weight.value(at, halfLife)}
		total += ps[i].w
	}
	slices.SortFunc(ps, func(x, y pw) int { return cmp.Compare(x.p, y.p) })
	quantile := func(q float64) float64 {
		if total <= 0 {
			return ps[len(ps)/2].p
		}
		var acc float64
		for _, x := range ps {
			acc += x.w
			if acc >= q*total {
				return x.p
			}
		}
		return ps[len(ps)-1].p
	}
	return &PriceBand{Low: quantile(0.1), Median: quantile(0.5), High: quantile(0.9)}
}

// Regular purchases: at least minRegular purchases, every interval at
// least a day and within regularSpread of their mean.
const (
	minRegular    = 3
	regularSpread = 0.35
	day           = float64(24 * time.Hour)
)

// regularDays returns the mean interval in days between the purchase
// times (oldest first) when they are regular, else 0.
func regularDays(times []int64) float64 {
	if len(times) < minRegular {
		return 0
	}
	mean := float64(times[len(times)-1]-times[0]) / float64(len(times)-1)
	if mean < day {
		return 0
	}
	for i := 1; i < len(times); i++ {
		d := float64(times[i] - times[i-1])
		if d < day || math.Abs(d-mean) > regularSpread*mean {
			return 0
		}
	}
	return math.Round(mean/day*10) / 10
}
