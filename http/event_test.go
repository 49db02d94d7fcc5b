package http

import (
	"net/http"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestAppendEvents(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	ctx := t.Context()
	ts := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	batch := []aisle.Event{
		{ID: "n1", User: "u3", Item: "pen-2", Type: aisle.EventView, Time: ts, Session: "s1", Context: map[string]string{"page": "home"}},
		{ID: "n2", User: "u3", Item: "pen-2", Type: aisle.EventRating, Value: ptr(5.0), Time: ts.Add(time.Second)},
		{User: "u3", Type: aisle.EventSearch, Query: "red pen"},
		{User: "u1", Type: aisle.EventCustom, Name: "wishlist", Item: "mug-2"},
	}
	resp := e.expect(http.StatusOK, "POST", "/v1/events", map[string]any{"events": batch})
	if d := cmp.Diff(decodeJSON[aisle.AppendStats](t, resp.body), aisle.AppendStats{Accepted: 4}); d != "" {
		t.Errorf("stats (-got +want):\n%s", d)
	}

	// The unknown user was created, and the events are stored with ids
	// and timestamps filled in.
	if _, err := e.db.User(ctx, "u3"); err != nil {
		t.Errorf("user u3 was not created: %v", err)
	}
	var stored []aisle.Event
	for ev, err := range e.db.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.User == "u3" || ev.Type == aisle.EventCustom {
			stored = append(stored, ev)
		}
	}
	if len(stored) != 4 {
		t.Fatalf("stored %d events, want 4", len(stored))
	}
	for _, ev := range stored {
		if ev.ID == "" || ev.Time.IsZero() {
			t.Errorf("stored event lacks id or time: %+v", ev)
		}
	}

	// The recommender observed exactly what was stored.
	byID := cmpopts.SortSlices(func(a, b aisle.Event) bool { return a.ID < b.ID })
	if d := cmp.Diff(e.rec.Observed(), stored, byID, cmpopts.EquateApproxTime(time.Microsecond)); d != "" {
		t.Errorf("observed events (-got +want):\n%s", d)
	}

	// Retrying a batch with ids is idempotent.
	resp = e.expect(http.StatusOK, "POST", "/v1/events", map[string]any{"events": batch[:2]})
	if d := cmp.Diff(decodeJSON[aisle.AppendStats](t, resp.body), aisle.AppendStats{Duplicates: 2}); d != "" {
		t.Errorf("retry stats (-got +want):\n%s", d)
	}
	if n := len(e.rec.Observed()); n != 4 {
		t.Errorf("a batch of only duplicates was observed: %d events observed, want 4", n)
	}

	// In a batch mixing new and duplicate events only the new are observed.
	mixed := []aisle.Event{batch[0], {ID: "n3", User: "u3", Item: "pen-2", Type: aisle.EventView, Time: ts}}
	resp = e.expect(http.StatusOK, "POST", "/v1/events", map[string]any{"events": mixed})
	if d := cmp.Diff(decodeJSON[aisle.AppendStats](t, resp.body), aisle.AppendStats{Accepted: 1, Duplicates: 1}); d != "" {
		t.Errorf("mixed stats (-got +want):\n%s", d)
	}
	obs := e.rec.Observed()
	if len(obs) != 5 || obs[4].ID != "n3" {
		t.Errorf("after mixed batch observed %d events, last %+v; want 5 ending with n3", len(obs), obs[len(obs)-1])
	}
}
