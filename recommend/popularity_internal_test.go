package recommend

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

const day = 24 * time.Hour

// history is when the imported Office history happened (as the importer
// dates LC-Rec sequences), live a day years later.
var (
	history = time.Date(2014, 1, 1, 0, 0, 0, 0, time.UTC)
	live    = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// pe is a popularity test event: user, item, type, time.
func pe(user, item string, typ aisle.EventType, at time.Time) aisle.Event {
	return aisle.Event{User: user, Item: item, Type: typ, Time: at}
}

// testPopularity returns a Popularity with a one-day half-life, maxGap,
// the default weights and MinShoppers (3), keeping 10 best items, after
// events.
func testPopularity(maxGap time.Duration, events []aisle.Event) *Popularity {
	c := DefaultConfig()
	c.HalfLife, c.MaxGap = day, maxGap
	p := newPopularity(c, 10)
	for i := range events {
		p.add(&events[i])
	}
	return p
}

// absolute returns item's score as Σ w·2^(t/halfLife), t the activity time
// of each counted event (0 at the first event).
func absolute(p *Popularity, item string) float64 {
	i, ok := p.index[item]
	if !ok {
		return 0
	}
	return p.scores[i] * math.Exp2(p.ref)
}

// TestPopularityScore checks score(i) = Σ over shoppers of their best
// decayed weight on i, on the activity clock, with a one-day half-life.
func TestPopularityScore(t *testing.T) {
	four := 4.0
	rating := pe("a", "x", aisle.EventRating, history)
	rating.Value = &four
	views := make([]aisle.Event, 1000)
	for k := range views {
		views[k] = pe("a", "x", aisle.EventView, history.Add(time.Duration(k)*time.Second))
	}
	tests := []struct {
		name    string
		maxGap  time.Duration
		events  []aisle.Event
		score   float64 // of item x
		support int
	}{
		{"one purchase at the origin", day, []aisle.Event{pe("a", "x", aisle.EventPurchase, history)}, 1, 1},
		{"a thousand views by one shopper count as one view", day, views, 0.1 * math.Exp2(999.0/86400), 1},
		{"a shopper counts their strongest event once", day, []aisle.Event{
			pe("a", "x", aisle.EventView, history), pe("a", "x", aisle.EventAddToCart, history), pe("a", "x", aisle.EventPurchase, history), pe("a", "x", aisle.EventPurchase, history),
		}, 1, 1},
		{"a later, weaker event does not lower a purchase", day, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("a", "x", aisle.EventView, history.Add(12*time.Hour)),
		}, 1, 1},
		{"a late view outweighs a purchase decayed below it", -1, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("a", "x", aisle.EventView, history.Add(5*day)),
		}, 0.1 * 32, 1},
		{"distinct shoppers add up", day, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("b", "x", aisle.EventPurchase, history), pe("c", "x", aisle.EventView, history),
		}, 2.1, 3},
		{"ratings weigh by value", day, []aisle.Event{rating}, 0.8, 1},
		{"unweighted events do not count", day, []aisle.Event{pe("a", "x", aisle.EventSearch, history), pe("a", "x", aisle.EventCustom, history)}, 0, 0},
		{"years between history and a live event count as MaxGap", day, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("b", "x", aisle.EventPurchase, live),
		}, 1 + 2, 2},
		{"a quiet week counts as MaxGap", 2 * day, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("b", "x", aisle.EventPurchase, history.Add(7*day)),
		}, 1 + 4, 2},
		{"gaps within MaxGap count in full", day, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("b", "y", aisle.EventView, history.Add(20*time.Hour)), pe("c", "x", aisle.EventPurchase, history.Add(40*time.Hour)),
		}, 1 + math.Exp2(40.0/24), 2},
		{"without MaxGap, wall time", -1, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, history), pe("b", "x", aisle.EventPurchase, history.Add(10*day)),
		}, 1 + 1024, 2},
		{"history imported after live events lies MaxGap before them", day, []aisle.Event{
			pe("a", "x", aisle.EventPurchase, live), pe("b", "x", aisle.EventPurchase, history),
		}, 1 + 0.5, 2},
		{"a late event inside a compressed gap is placed in proportion", day, []aisle.Event{
			pe("a", "y", aisle.EventPurchase, history), pe("b", "y", aisle.EventPurchase, history.Add(10*day)), pe("c", "x", aisle.EventPurchase, history.Add(5*day)),
		}, math.Exp2(0.5), 1},
		{"a zero time counts as the latest event's", day, []aisle.Event{
			pe("a", "y", aisle.EventPurchase, history), pe("b", "y", aisle.EventPurchase, history.Add(12*time.Hour)), pe("c", "x", aisle.EventPurchase, time.Time{}),
		}, math.Exp2(0.5), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPopularity(tt.maxGap, tt.events)
			if got := absolute(p, "x"); math.Abs(got-tt.score) > 1e-5*tt.score {
				t.Errorf("score %v, want %v", got, tt.score)
			}
			if got := p.shoppers("x"); got != tt.support {
				t.Errorf("%d shoppers, want %d", got, tt.support)
			}
		})
	}
}

// TestPopularityRanking checks the order of the popular list: items with
// MinShoppers shoppers by score, then the rest by shoppers and score.
func TestPopularityRanking(t *testing.T) {
	buyers := func(item string, n int, at time.Time) []aisle.Event {
		var out []aisle.Event
		for u := range n {
			out = append(out, pe(fmt.Sprint(item, "-buyer", u), item, aisle.EventPurchase, at))
		}
		return out
	}
	many := func(user, item string, typ aisle.EventType, n int, at time.Time) []aisle.Event {
		var out []aisle.Event
		for k := range n {
			out = append(out, pe(user, item, typ, at.Add(time.Duration(k)*time.Second)))
		}
		return out
	}
	tests := []struct {
		name   string
		events []aisle.Event
		want   []string
	}{
		{"one fresh view does not beat an old best seller", slices.Concat(
			buyers("old", 300, history), buyers("mid", 3, history), []aisle.Event{pe("anon", "new", aisle.EventView, live)},
		), []string{"old", "mid", "new"}},
		{"one shopper's 1000 purchases do not beat three buyers", slices.Concat(
			buyers("three", 3, history), many("bot", "spam", aisle.EventPurchase, 1000, live),
		), []string{"three", "spam"}},
		{"one shopper's 1000 views do not beat two buyers either", slices.Concat(
			buyers("two", 2, history), many("bot", "spam", aisle.EventView, 1000, live),
		), []string{"two", "spam"}},
		{"qualified items rank by score", slices.Concat(
			buyers("a", 3, history), buyers("b", 4, history), buyers("c", 3, live),
		), []string{"c", "b", "a"}},
		{"below MinShoppers: by shoppers, then score", slices.Concat(
			buyers("q", 3, history), buyers("two-old", 2, history), buyers("one-fresh", 1, live), buyers("two-fresh", 2, live),
		), []string{"q", "two-fresh", "two-old", "one-fresh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPopularity(day, tt.events)
			var got []string
			for _, s := range p.top(10) {
				got = append(got, s.id)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
			// search's order agrees.
			for k := 1; k < len(got); k++ {
				if p.value(got[k-1]) <= p.value(got[k]) {
					t.Errorf("value(%s) = %v ≤ value(%s) = %v", got[k-1], p.value(got[k-1]), got[k], p.value(got[k]))
				}
			}
		})
	}
}

// TestPopularityForget checks that forgetting a shopper takes back
// exactly their contribution, however many events they sent.
func TestPopularityForget(t *testing.T) {
	events := []aisle.Event{
		pe("a", "x", aisle.EventPurchase, history), pe("b", "x", aisle.EventView, history),
		pe("a", "y", aisle.EventView, history.Add(time.Hour)), pe("a", "y", aisle.EventView, history.Add(2*time.Hour)),
		pe("b", "y", aisle.EventAddToCart, history.Add(3*time.Hour)), pe("c", "x", aisle.EventPurchase, live),
	}
	p := testPopularity(day, events)
	before := map[string]float64{"x": absolute(p, "x"), "y": absolute(p, "y")}
	if !p.forget("a") {
		t.Fatal("a not known")
	}
	if p.forget("a") {
		t.Error("a forgotten twice")
	}
	want := map[string]float64{"x": before["x"] - 1, "y": before["y"] - 0.1*math.Exp2(2.0/24)}
	for id, w := range want {
		if got := absolute(p, id); math.Abs(got-w) > 1e-9 {
			t.Errorf("%s: score %v after forgetting a, want %v", id, got, w)
		}
	}
	if p.shoppers("x") != 2 || p.shoppers("y") != 1 {
		t.Errorf("shoppers x %d, y %d; want 2, 1", p.shoppers("x"), p.shoppers("y"))
	}
	p.forget("b")
	if absolute(p, "y") != 0 || p.shoppers("y") != 0 || p.live != 1 {
		t.Errorf("y: score %v, %d shoppers, %d items live; want 0, 0, 1", absolute(p, "y"), p.shoppers("y"), p.live)
	}
	if got := p.top(10); len(got) != 1 || got[0].id != "x" {
		t.Errorf("top %v, want x alone", got)
	}
}

// TestPopularityBestStaysExact feeds random events, with rebases and
// forgotten shoppers, and checks that the incrementally kept best list
// equals a full sort.
func TestPopularityBestStaysExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := DefaultConfig()
	c.HalfLife = time.Hour
	p := newPopularity(c, 20)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	types := []aisle.EventType{aisle.EventView, aisle.EventPurchase, aisle.EventAddToCart}
	for k := range 20000 {
		e := aisle.Event{User: fmt.Sprint("u", rng.IntN(300)), Item: fmt.Sprint("i", int(rng.ExpFloat64()*30)), Type: types[rng.IntN(len(types))], Time: t0.Add(time.Duration(k) * time.Minute)}
		p.add(&e)
		if k%97 == 0 {
			p.forget(fmt.Sprint("u", rng.IntN(300)))
		}
		if k%500 != 499 {
			continue
		}
		var all []int32
		for i, s := range p.support {
			if s > 0 {
				all = append(all, int32(i))
			}
		}
		slices.SortFunc(all, p.byRank)
		if len(p.best) != min(20, len(all)) || len(all) != p.live {
			t.Fatalf("after %d events: best has %d of %d items (live %d)", k+1, len(p.best), len(all), p.live)
		}
		for i := range p.best {
			if p.best[i] != all[i] {
				t.Fatalf("after %d events, place %d: %s, want %s", k+1, i, p.ids[p.best[i]], p.ids[all[i]])
			}
		}
		for i, in := range p.inBest {
			if in != slices.Contains(p.best, int32(i)) {
				t.Fatalf("after %d events: inBest[%s] = %v", k+1, p.ids[i], in)
			}
		}
	}
}
