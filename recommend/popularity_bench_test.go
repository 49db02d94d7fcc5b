package recommend

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/synth"
)

// synthEvents returns n events of the scale test's synthetic log over a
// catalog of items (package synth: Zipf-popular product lines, shoppers
// stepping through a line, every tenth event a purchase).
func synthEvents(items, n int) []aisle.Event {
	return slices.Collect(synth.Events(synth.Config{Items: items, Events: n}))
}

// BenchmarkPopularityAdd measures what Observe adds to popularity per
// event, and the memory popularity holds, over 1,000,000 events of the
// scale test's log (1,000,000 items): ns/event, B/pair (bytes per
// distinct shopper–item pair, all of popularity's memory included: ids,
// maps, per-item arrays).
func BenchmarkPopularityAdd(b *testing.B) {
	events := synthEvents(1_000_000, 1_000_000)
	c := DefaultConfig()
	perPair, pairs, shoppers, items := popularityMemory(c, events)
	b.ReportAllocs()
	for b.Loop() {
		p := newPopularity(c, topCacheSize)
		for i := range events {
			p.add(&events[i])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(events)), "ns/event")
	b.ReportMetric(perPair, "B/pair")
	b.ReportMetric(float64(pairs), "pairs")
	b.ReportMetric(float64(shoppers), "shoppers")
	b.ReportMetric(float64(items), "items")
}

// popularityMemory returns the heap a Popularity of events holds per
// shopper–item pair, built from copies of the ids, as events decoded from
// the store or a request are, and its pairs, shoppers and items.
func popularityMemory(c Config, events []aisle.Event) (perPair float64, pairs, shoppers, items int) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	p := newPopularity(c, topCacheSize)
	for i := range events {
		ev := events[i]
		ev.User, ev.Item = strings.Clone(ev.User), strings.Clone(ev.Item)
		p.add(&ev)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	for _, ps := range p.users {
		pairs += len(ps)
	}
	return (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(pairs), pairs, len(p.users), p.live
}

// BenchmarkObserve measures Engine.Observe on batches of 100 events of the
// scale test's log, after 1,000,000 events: popularity, purchases and
// recent items.
func BenchmarkObserve(b *testing.B) {
	events := synthEvents(1_000_000, 2_000_000)
	e := NewEngine(nil, Deps{}, Config{}, nil)
	e.pop, e.mem = newPopularity(e.cfg, topCacheSize), newMemory()
	e.Observe(events[:1_000_000])
	rest := events[1_000_000:]
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		if k+100 > len(rest) {
			k = 0
		}
		e.Observe(rest[k : k+100])
		k += 100
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/event")
}

// BenchmarkForgetUserOffice measures ForgetUser on Office (53,258
// purchases): popularity, memory and a co-occurrence retrain without the
// shopper, one shopper after another.
func BenchmarkForgetUserOffice(b *testing.B) {
	ctx := context.Background()
	_, e := openOffice(b, 0, Config{})
	b.ReportAllocs()
	u := 0
	for b.Loop() {
		if err := e.ForgetUser(ctx, fmt.Sprint(u)); err != nil {
			b.Fatal(err)
		}
		u++
	}
}
