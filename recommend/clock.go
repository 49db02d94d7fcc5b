package recommend

import (
	"slices"
	"time"
)

// activityClock measures time by the store's activity, for popularity's
// decay: time between events counts in full up to maxGap, and a longer
// silence counts as maxGap. Years between an imported history and the
// first live event count as one maxGap, as does a quiet week, so neither
// erases what came before; under steady traffic it runs with the wall
// clock, and a half-life means what it says.
//
// The clock is fixed by the events in the order they arrive: the first
// event is its origin (activity time 0), and a gap is compressed when an
// event lands more than maxGap after the latest event seen (or before the
// earliest: history imported after live traffic). An event that arrives
// out of order inside a compressed gap is placed proportionally within
// it, so the map from wall time to activity time is continuous and never
// decreasing. Replaying the log in its insertion order (Engine.Build)
// rebuilds the same clock.
//
// The zero value is not usable; see newActivityClock. It is not safe for
// concurrent use.
type activityClock struct {
	maxGap  int64 // µs; <= 0: no compression (wall time)
	started bool
	origin  int64 // Unix µs of the first event
	lo, hi  int64 // earliest and latest event times seen, Unix µs
	// fwd are the compressed gaps after the origin, oldest first; back
	// those before it, mirrored (negated times), so that both grow
	// outward from the origin and share one lookup.
	fwd, back []clockGap
}

// clockGap is a silence longer than the clock's maxGap, from one event to
// the next, in µs measured outward from the origin. cut is the total
// compression (length − maxGap) of this gap and every gap between it and
// the origin.
type clockGap struct {
	from, to, cut int64
}

func newActivityClock(maxGap time.Duration) activityClock {
	return activityClock{maxGap: maxGap.Microseconds()}
}

// observe records an event at t and returns its activity time in
// seconds since the origin. A zero t counts as the latest event's time.
func (c *activityClock) observe(t time.Time) float64 {
	if t.IsZero() {
		if !c.started {
			return 0
		}
		return c.at(c.hi)
	}
	us := t.UnixMicro()
	if !c.started {
		c.started, c.origin, c.lo, c.hi = true, us, us, us
		return 0
	}
	if us > c.hi {
		if c.maxGap > 0 && us-c.hi > c.maxGap {
			c.fwd = addGap(c.fwd, c.hi-c.origin, us-c.origin, c.maxGap)
		}
		c.hi = us
	}
	if us < c.lo {
		if c.maxGap > 0 && c.lo-us > c.maxGap {
			c.back = addGap(c.back, c.origin-c.lo, c.origin-us, c.maxGap)
		}
		c.lo = us
	}
	return c.at(us)
}

// addGap appends the gap [from, to] (µs outward from the origin, beyond
// every gap of gaps) to gaps.
func addGap(gaps []clockGap, from, to, maxGap int64) []clockGap {
	var cut int64
	if len(gaps) > 0 {
		cut = gaps[len(gaps)-1].cut
	}
	return append(gaps, clockGap{from: from, to: to, cut: cut + (to - from - maxGap)})
}

// at returns the activity time of Unix µs us, in seconds since the origin.
func (c *activityClock) at(us int64) float64 {
	if us >= c.origin {
		return outward(c.fwd, us-c.origin, c.maxGap)
	}
	return -outward(c.back, c.origin-us, c.maxGap)
}

// outward returns the activity time, in seconds, of the instant d µs
// outward from the origin, given the compressed gaps on that side.
func outward(gaps []clockGap, d, maxGap int64) float64 {
	// k gaps start before d.
	k, _ := slices.BinarySearchFunc(gaps, d, func(g clockGap, d int64) int {
		if g.from < d {
			return -1
		}
		return 1
	})
	if k == 0 {
		return float64(d) / 1e6
	}
	g := gaps[k-1]
	if d >= g.to {
		return float64(d-g.cut) / 1e6
	}
	// Inside a compressed gap: time runs slower, uniformly.
	var before int64
	if k > 1 {
		before = gaps[k-2].cut
	}
	start := float64(g.from - before)
	return (start + float64(d-g.from)*float64(maxGap)/float64(g.to-g.from)) / 1e6
}
