// Package storetest is the contract every aisle.Store backend must meet.
// A backend's tests call Run with a function that opens a fresh, empty store.
package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Opener opens a fresh, empty store and arranges for it to be closed when
// the test ends. The store must extract item attributes with Extract.
type Opener func(t *testing.T) aisle.Store

// Run runs the whole contract suite against stores from open.
func Run(t *testing.T, open Opener) {
	t.Run("Items", func(t *testing.T) { testItems(t, open) })
	t.Run("ItemList", func(t *testing.T) { testItemList(t, open) })
	t.Run("Users", func(t *testing.T) { testUsers(t, open) })
	t.Run("Events", func(t *testing.T) { testEvents(t, open) })
	t.Run("EventsAtomic", func(t *testing.T) { testEventsAtomic(t, open) })
	t.Run("EventsConcurrent", func(t *testing.T) { testEventsConcurrent(t, open) })
	t.Run("Questions", func(t *testing.T) { testQuestions(t, open) })
	t.Run("DeletesSeenByLaterBatches", func(t *testing.T) { testDeletesSeenByLaterBatches(t, open) })
	t.Run("Extracted", func(t *testing.T) { testExtracted(t, open) })
	t.Run("ItemVectors", func(t *testing.T) { testItemVectors(t, open) })
	t.Run("Visual", func(t *testing.T) { testVisual(t, open) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open) })
	t.Run("UserEventsPaging", func(t *testing.T) { testUserEventsPaging(t, open) })
	t.Run("Interests", func(t *testing.T) { testInterests(t, open) })
	t.Run("Rules", func(t *testing.T) { testRules(t, open) })
	t.Run("ChatSessions", func(t *testing.T) { testChatSessions(t, open) })
}

var ignoreTimes = cmpopts.IgnoreFields(aisle.Item{}, "CreatedAt", "UpdatedAt")

func ptr[T any](v T) *T { return &v }

func mustCounts(t *testing.T, s aisle.Store) aisle.Counts {
	t.Helper()
	c, err := s.Counts(context.Background())
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

func wantCode(t *testing.T, err error, code, field string) {
	t.Helper()
	if got := aisle.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
	if field != "" && aisle.ErrorField(err) != field {
		t.Fatalf("error field = %q (%v), want %q", aisle.ErrorField(err), err, field)
	}
}

func sampleItems() []aisle.Item {
	return []aisle.Item{
		{ID: "p1", Title: "Blue ballpoint pen", Brand: "Pilot", Categories: []string{"Office", "Writing", "Pens"},
			Attributes: map[string]string{"color": "blue"}, Price: ptr(2.5), Currency: "USD", Images: []string{"/img/p1.jpg"}},
		{ID: "p2", Title: "Red gel pen", Brand: "Pilot", Categories: []string{"Office", "Writing", "Pens"}},
		{ID: "s1", Title: "Stapler", Brand: "Swingline", Categories: []string{"Office", "Staplers"}, Availability: aisle.AvailabilityOutOfStock},
		{ID: "中文-1", Title: "钢笔", Description: "黑色墨水", Categories: []string{"文具"}},
	}
}

func testItems(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	items := sampleItems()
	st, err := s.UpsertItems(ctx, items)
	if err != nil {
		t.Fatalf("UpsertItems: %v", err)
	}
	if diff := cmp.Diff(aisle.UpsertStats{Inserted: 4}, st); diff != "" {
		t.Errorf("first upsert stats (-want +got):\n%s", diff)
	}
	got, err := s.Item(ctx, "p1")
	if err != nil {
		t.Fatalf("Item: %v", err)
	}
	want := sampleItems()[0]
	want.Availability = aisle.AvailabilityInStock
	want.Extracted = Extract(&want)
	if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
		t.Errorf("Item(p1) (-want +got):\n%s", diff)
	}
	if got.CreatedAt.IsZero() || got.UpdatedAt.IsZero() {
		t.Errorf("timestamps not set: %+v", got)
	}

	// Idempotent: the same batch again changes nothing.
	st, err = s.UpsertItems(ctx, sampleItems())
	if err != nil {
		t.Fatalf("UpsertItems again: %v", err)
	}
	if diff := cmp.Diff(aisle.UpsertStats{Unchanged: 4}, st); diff != "" {
		t.Errorf("repeat upsert stats (-want +got):\n%s", diff)
	}
	again, _ := s.Item(ctx, "p1")
	if !again.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("unchanged upsert moved updated_at: %v → %v", got.UpdatedAt, again.UpdatedAt)
	}

	// An update changes fields and category membership.
	changed := sampleItems()[1]
	changed.Title = "Red gel pen, 0.7 mm"
	changed.Categories = []string{"Office", "Markers"}
	st, err = s.UpsertItems(ctx, []aisle.Item{changed})
	if err != nil || st.Updated != 1 {
		t.Fatalf("update: stats %+v err %v", st, err)
	}
	if got, _ := s.Item(ctx, "p2"); got.Title != changed.Title {
		t.Errorf("title after update = %q", got.Title)
	}
	page, err := s.ListItems(ctx, aisle.ItemFilter{Category: "Pens"})
	if err != nil {
		t.Fatalf("ListItems: %v", err)
	}
	if len(page.Items) != 1 || page.Items[0].ID != "p1" {
		t.Errorf("Pens after p2 moved: %v", ids(page.Items))
	}

	// Unicode ids round-trip.
	if got, err := s.Item(ctx, "中文-1"); err != nil || got.Title != "钢笔" {
		t.Errorf("Item(中文-1) = %+v, %v", got, err)
	}
	m, err := s.Items(ctx, []string{"p1", "nope", "s1"})
	if err != nil || len(m) != 2 || m["s1"].Availability != aisle.AvailabilityOutOfStock {
		t.Errorf("Items = %v, %v", m, err)
	}

	// Not found.
	_, err = s.Item(ctx, "nope")
	wantCode(t, err, aisle.ENOTFOUND, "")
	wantCode(t, s.DeleteItem(ctx, "nope"), aisle.ENOTFOUND, "")

	// A batch with one invalid item writes nothing and names the field.
	before := mustCounts(t, s)
	bad := []aisle.Item{{ID: "ok-1", Title: "fine"}, {ID: "bad", Price: ptr(-1.0)}}
	_, err = s.UpsertItems(ctx, bad)
	wantCode(t, err, aisle.EINVALID, "items[1].price")
	if after := mustCounts(t, s); after != before {
		t.Errorf("invalid batch changed counts: %+v → %+v", before, after)
	}

	// Delete.
	if err := s.DeleteItem(ctx, "s1"); err != nil {
		t.Fatalf("DeleteItem: %v", err)
	}
	_, err = s.Item(ctx, "s1")
	wantCode(t, err, aisle.ENOTFOUND, "")
	page, _ = s.ListItems(ctx, aisle.ItemFilter{Category: "Staplers"})
	if len(page.Items) != 0 {
		t.Errorf("deleted item still listed: %v", ids(page.Items))
	}
}

func ids(items []aisle.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func testItemList(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	var items []aisle.Item
	for i := range 25 {
		brand := "Acme"
		if i%5 == 0 {
			brand = "Other"
		}
		it := aisle.Item{ID: fmt.Sprintf("i%02d", i), Title: fmt.Sprintf("item %d", i), Brand: brand, Categories: []string{"All", fmt.Sprintf("C%d", i%3)}, Attributes: map[string]string{}}
		if i%4 == 0 {
			it.Attributes["color"] = "Navy Blue"
		}
		if i%6 == 0 {
			it.Attributes["material"] = "steel"
		}
		items = append(items, it)
	}
	if _, err := s.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		filter aisle.ItemFilter
		want   int
	}{
		{"all", aisle.ItemFilter{}, 25},
		{"category root", aisle.ItemFilter{Category: "All"}, 25},
		{"category leaf", aisle.ItemFilter{Category: "C1"}, 8},
		{"category case-insensitive", aisle.ItemFilter{Category: "c1"}, 8},
		{"brand", aisle.ItemFilter{Brand: "Other"}, 5},
		{"brand and category", aisle.ItemFilter{Brand: "Other", Category: "C0"}, 2},
		{"unknown category", aisle.ItemFilter{Category: "None"}, 0},
		{"color", aisle.ItemFilter{Color: "navy blue"}, 7},
		{"color case-insensitive", aisle.ItemFilter{Color: "Navy Blue"}, 7},
		{"material", aisle.ItemFilter{Material: "steel"}, 5},
		{"color and material", aisle.ItemFilter{Color: "navy blue", Material: "steel"}, 3},
		{"color and brand", aisle.ItemFilter{Color: "navy blue", Brand: "Other"}, 2},
		{"unknown color", aisle.ItemFilter{Color: "red"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.filter
			f.Limit = 4
			var all []string
			for pages := 0; ; pages++ {
				if pages > 10 {
					t.Fatal("paging does not end")
				}
				page, err := s.ListItems(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Items) > 4 {
					t.Fatalf("page of %d > limit", len(page.Items))
				}
				all = append(all, ids(page.Items)...)
				if page.NextCursor == "" {
					break
				}
				f.Cursor = page.NextCursor
			}
			if len(all) != tt.want {
				t.Errorf("got %d items %v, want %d", len(all), all, tt.want)
			}
			for i := 1; i < len(all); i++ {
				if all[i-1] >= all[i] {
					t.Errorf("not in id order or repeated: %v", all)
				}
			}
		})
	}
	_, err := s.ListItems(ctx, aisle.ItemFilter{Cursor: "%%%"})
	wantCode(t, err, aisle.EINVALID, "cursor")
}

func testUsers(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	st, err := s.UpsertUsers(ctx, []aisle.User{{ID: "u1", Attributes: map[string]string{"tier": "gold"}}, {ID: "u2"}})
	if err != nil || st.Inserted != 2 {
		t.Fatalf("UpsertUsers: %+v %v", st, err)
	}
	st, _ = s.UpsertUsers(ctx, []aisle.User{{ID: "u1", Attributes: map[string]string{"tier": "gold"}}, {ID: "u2", Attributes: map[string]string{"a": "b"}}})
	if diff := cmp.Diff(aisle.UpsertStats{Updated: 1, Unchanged: 1}, st); diff != "" {
		t.Errorf("second upsert (-want +got):\n%s", diff)
	}
	u, err := s.User(ctx, "u1")
	if err != nil || u.Attributes["tier"] != "gold" {
		t.Errorf("User(u1) = %+v, %v", u, err)
	}
	_, err = s.User(ctx, "zz")
	wantCode(t, err, aisle.ENOTFOUND, "")
	_, err = s.UpsertUsers(ctx, []aisle.User{{ID: ""}})
	wantCode(t, err, aisle.EINVALID, "users[0].id")

	// Deleting a user erases their events and only theirs.
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	evs := []aisle.Event{
		{User: "u1", Item: "p1", Type: aisle.EventView},
		{User: "u1", Item: "p2", Type: aisle.EventPurchase},
		{User: "u2", Item: "p1", Type: aisle.EventView},
	}
	if _, err := s.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteUser(ctx, "u1"); err != nil || n != 2 {
		t.Fatalf("DeleteUser = %d, %v; want 2 events erased", n, err)
	}
	if got, _ := s.UserEvents(ctx, "u1", aisle.EventQuery{}); len(got) != 0 {
		t.Errorf("events of deleted user remain: %v", got)
	}
	if got, _ := s.UserEvents(ctx, "u2", aisle.EventQuery{}); len(got) != 1 {
		t.Errorf("other user's events = %d, want 1", len(got))
	}
	if c := mustCounts(t, s); c.Events != 1 || c.Users != 1 {
		t.Errorf("counts after delete = %+v", c)
	}
	_, err = s.DeleteUser(ctx, "u1")
	wantCode(t, err, aisle.ENOTFOUND, "")
}

func testEvents(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	evs := []aisle.Event{
		{ID: "e1", User: "u1", Item: "p1", Type: aisle.EventView, Time: t0},
		{ID: "e2", User: "u1", Type: aisle.EventSearch, Query: "blue pen", Time: t0.Add(time.Minute)},
		{ID: "e3", User: "u1", Item: "p1", Type: aisle.EventRating, Value: ptr(4.5), Time: t0.Add(2 * time.Minute), Context: map[string]string{"page": "pdp"}},
		{ID: "e4", User: "u1", Item: "p2", Type: aisle.EventPurchase, Time: t0.Add(3 * time.Minute), Session: "s-9"},
		{User: "u2", Item: "p2", Type: aisle.EventAddToCart}, // no id, no time: both assigned
	}
	st, err := s.AppendEvents(ctx, evs)
	if err != nil {
		t.Fatalf("AppendEvents: %v", err)
	}
	if st.Accepted != 5 || st.Duplicates != 0 {
		t.Errorf("stats = %+v", st)
	}
	if evs[4].ID == "" || evs[4].Time.IsZero() {
		t.Errorf("id/time not assigned: %+v", evs[4])
	}
	for i, e := range evs {
		if e.Seq <= 0 || (i > 0 && e.Seq <= evs[i-1].Seq) {
			t.Errorf("events[%d].Seq = %d, want increasing positive seqs", i, e.Seq)
		}
	}
	if _, err := s.User(ctx, "u2"); err != nil {
		t.Errorf("user not created by event: %v", err)
	}

	// Same ids again: duplicates, nothing new.
	st, err = s.AppendEvents(ctx, evs[:4])
	if err != nil || st.Duplicates != 4 || st.Accepted != 0 {
		t.Errorf("re-append = %+v, %v", st, err)
	}
	for i, e := range evs[:4] {
		if e.Seq != 0 {
			t.Errorf("duplicate events[%d].Seq = %d, want 0", i, e.Seq)
		}
	}
	// A repeated id within one batch: the first copy is written.
	twice := []aisle.Event{
		{ID: "e9", User: "u3", Item: "p1", Type: aisle.EventView, Time: t0},
		{ID: "e9", User: "u3", Item: "p2", Type: aisle.EventView, Time: t0},
	}
	st, err = s.AppendEvents(ctx, twice)
	if err != nil || st.Accepted != 1 || st.Duplicates != 1 || twice[0].Seq == 0 || twice[1].Seq != 0 {
		t.Errorf("repeated id in batch: stats %+v seqs %d,%d err %v", st, twice[0].Seq, twice[1].Seq, err)
	}
	if got, _ := s.UserEvents(ctx, "u3", aisle.EventQuery{}); len(got) != 1 || got[0].Item != "p1" {
		t.Errorf("repeated id in batch stored %+v, want only the first copy", got)
	}

	got, err := s.UserEvents(ctx, "u1", aisle.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs []string
	for _, e := range got {
		gotIDs = append(gotIDs, e.ID)
	}
	if diff := cmp.Diff([]string{"e4", "e3", "e2", "e1"}, gotIDs); diff != "" {
		t.Errorf("UserEvents order (-want +got):\n%s", diff)
	}
	if *got[1].Value != 4.5 || got[1].Context["page"] != "pdp" || !got[1].Time.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("rating event round trip = %+v", got[1])
	}
	if got[0].Session != "s-9" || got[2].Query != "blue pen" || got[2].Item != "" {
		t.Errorf("round trip lost fields: %+v %+v", got[0], got[2])
	}
	bought, _ := s.UserEvents(ctx, "u1", aisle.EventQuery{Types: []aisle.EventType{aisle.EventPurchase}})
	if len(bought) != 1 || bought[0].Item != "p2" {
		t.Errorf("purchases = %+v", bought)
	}
	limited, _ := s.UserEvents(ctx, "u1", aisle.EventQuery{Limit: 2})
	if len(limited) != 2 || limited[0].ID != "e4" {
		t.Errorf("limit 2 = %+v", limited)
	}

	// Events streams in insertion order and resumes after a seq.
	var seqs []int64
	var all []string
	for e, err := range s.Events(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, e.Seq)
		all = append(all, e.ID)
	}
	if len(all) != 6 || all[0] != "e1" || all[3] != "e4" {
		t.Errorf("Events = %v", all)
	}
	var rest []string
	for e, err := range s.Events(ctx, seqs[2]) {
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, e.ID)
	}
	if diff := cmp.Diff(all[3:], rest); diff != "" {
		t.Errorf("Events after seq (-want +got):\n%s", diff)
	}
}

func testEventsAtomic(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name  string
		batch []aisle.Event
		code  string
		field string
	}{
		{"unknown item", []aisle.Event{{User: "u", Item: "p1", Type: aisle.EventView}, {User: "u", Item: "ghost", Type: aisle.EventView}}, aisle.EUNPROCESSABLE, "events[1].item"},
		{"bad type", []aisle.Event{{User: "u", Item: "p1", Type: "like"}}, aisle.EINVALID, "events[0].type"},
		{"rating without value", []aisle.Event{{User: "u", Item: "p1", Type: aisle.EventView}, {User: "u", Item: "p1", Type: aisle.EventRating}}, aisle.EUNPROCESSABLE, "events[1].value"},
		{"value on a view", []aisle.Event{{User: "u", Item: "p1", Type: aisle.EventView, Value: ptr(1.0)}}, aisle.EUNPROCESSABLE, "events[0].value"},
		{"search without query", []aisle.Event{{User: "u", Type: aisle.EventSearch}}, aisle.EUNPROCESSABLE, "events[0].query"},
		{"view without item", []aisle.Event{{User: "u", Type: aisle.EventView}}, aisle.EUNPROCESSABLE, "events[0].item"},
		{"future", []aisle.Event{{User: "u", Item: "p1", Type: aisle.EventView, Time: now.Add(72 * time.Hour)}}, aisle.EUNPROCESSABLE, "events[0].timestamp"},
		{"empty user", []aisle.Event{{Item: "p1", Type: aisle.EventView}}, aisle.EINVALID, "events[0].user"},
		{"bad utf8", []aisle.Event{{User: "u\xff", Item: "p1", Type: aisle.EventView}}, aisle.EINVALID, "events[0].user"},
		{"custom without name", []aisle.Event{{User: "u", Type: aisle.EventCustom}}, aisle.EUNPROCESSABLE, "events[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := mustCounts(t, s)
			_, err := s.AppendEvents(ctx, tt.batch)
			wantCode(t, err, tt.code, tt.field)
			if after := mustCounts(t, s); after != before {
				t.Errorf("failed batch changed counts: %+v → %+v", before, after)
			}
		})
	}
}

func testEventsConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	const writers, batches, size = 4, 10, 50
	var wg sync.WaitGroup
	errs := make(chan error, writers*batches)
	for w := range writers {
		wg.Go(func() {
			for b := range batches {
				batch := make([]aisle.Event, size)
				for i := range batch {
					batch[i] = aisle.Event{ID: fmt.Sprintf("w%d-b%d-%d", w, b, i), User: fmt.Sprintf("u%d", i%7), Item: "p1", Type: aisle.EventClick}
				}
				if _, err := s.AppendEvents(ctx, batch); err != nil {
					errs <- err
				}
				// A bad batch beside the good ones writes nothing, and
				// costs the good ones nothing.
				bad := append([]aisle.Event(nil), batch[:5]...)
				for i := range bad {
					bad[i].ID = fmt.Sprintf("bad-w%d-b%d-%d", w, b, i)
				}
				bad[4].Item = "ghost"
				if _, err := s.AppendEvents(ctx, bad); aisle.ErrorCode(err) != aisle.EUNPROCESSABLE {
					errs <- fmt.Errorf("bad batch: err %v, want unprocessable", err)
				}
				// Readers run beside the writers.
				if _, err := s.UserEvents(ctx, "u1", aisle.EventQuery{Limit: 5}); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c := mustCounts(t, s); c.Events != writers*batches*size || c.Users != 7 {
		t.Errorf("counts = %+v, want %d events and 7 users", c, writers*batches*size)
	}
}

func testQuestions(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	qs := []aisle.Question{
		{ID: "A1/1", Item: "A1", Type: "yes/no", Question: "Does it fit?", Answer: "Yes", AnswerType: "Y", AnsweredAt: time.Date(2014, 6, 27, 0, 0, 0, 0, time.UTC)},
		{ID: "A1/2", Item: "A1", Type: "open-ended", Question: "Model number?", Answer: "X-100", AnsweredAt: time.Date(2015, 1, 2, 0, 0, 0, 0, time.UTC)},
		{ID: "B2/1", Item: "B2", Question: "Colour?"},
	}
	st, err := s.UpsertQuestions(ctx, qs)
	if err != nil || st.Inserted != 3 {
		t.Fatalf("UpsertQuestions = %+v, %v", st, err)
	}
	st, _ = s.UpsertQuestions(ctx, qs)
	if st.Unchanged != 3 {
		t.Errorf("re-upsert = %+v", st)
	}
	got, err := s.Questions(ctx, "A1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]aisle.Question{qs[1], qs[0]}, got); diff != "" {
		t.Errorf("Questions(A1) (-want +got):\n%s", diff)
	}
	if got, _ := s.Questions(ctx, "A1", 1); len(got) != 1 {
		t.Errorf("limit 1 gave %d", len(got))
	}
	if got, _ := s.Questions(ctx, "none", 0); len(got) != 0 {
		t.Errorf("unknown item has questions: %v", got)
	}
	_, err = s.UpsertQuestions(ctx, []aisle.Question{{ID: "x", Item: "A1"}})
	wantCode(t, err, aisle.EINVALID, "questions[0].question")
	if c := mustCounts(t, s); c.Questions != 3 {
		t.Errorf("questions count = %d", c.Questions)
	}
}

// testDeletesSeenByLaterBatches checks that a backend remembering which
// items and users exist forgets them when they are deleted.
func testDeletesSeenByLaterBatches(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	view := func(user, item string) error {
		_, err := s.AppendEvents(ctx, []aisle.Event{{User: user, Item: item, Type: aisle.EventView}})
		return err
	}
	if err := view("u1", "p1"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteItem(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, view("u1", "p1"), aisle.EUNPROCESSABLE, "events[0].item")
	if _, err := s.DeleteUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if err := view("u1", "p2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, "u1"); err != nil {
		t.Errorf("user not created again after deletion: %v", err)
	}
}
