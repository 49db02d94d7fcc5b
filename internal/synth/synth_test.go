package synth_test

import (
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/synth"
)

func TestEventsAreValidDeterministicAndLongTailed(t *testing.T) {
	cfg := synth.Config{Items: 5000, Events: 40000, Seed: 3}
	items := map[string]bool{}
	for it := range synth.Items(cfg) {
		if err := it.Validate(); err != nil {
			t.Fatalf("item %s: %v", it.ID, err)
		}
		items[it.ID] = true
	}
	if len(items) != cfg.Items {
		t.Fatalf("%d items, want %d", len(items), cfg.Items)
	}
	collect := func() []aisle.Event {
		var evs []aisle.Event
		for e := range synth.Events(cfg) {
			evs = append(evs, e)
		}
		return evs
	}
	a, b := collect(), collect()
	if len(a) != cfg.Events {
		t.Fatalf("%d events, want %d", len(a), cfg.Events)
	}
	counts := map[string]int{}
	for i, e := range a {
		if e.ID != b[i].ID || e.User != b[i].User || e.Item != b[i].Item || e.Type != b[i].Type || !e.Time.Equal(b[i].Time) {
			t.Fatalf("event %d differs between runs: %+v vs %+v", i, e, b[i])
		}
		if err := e.Validate(synth.Start.AddDate(1, 0, 0)); err != nil || !items[e.Item] {
			t.Fatalf("event %d %+v: %v (item known: %v)", i, e, err, items[e.Item])
		}
		if i > 0 && a[i-1].User == e.User && !a[i-1].Time.Before(e.Time) {
			t.Fatalf("events %d, %d of %s out of order", i-1, i, e.User)
		}
		counts[e.Item]++
	}
	// A long tail: the busiest item draws far more than the mean.
	max1 := 0
	for _, c := range counts {
		max1 = max(max1, c)
	}
	if max1 < 10*cfg.Events/cfg.Items {
		t.Errorf("busiest item has %d events, the mean is %d: no long tail", max1, cfg.Events/cfg.Items)
	}
}
