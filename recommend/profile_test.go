package recommend

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aislehq/aisle"
	interest "github.com/aislehq/aisle/profile"
	"github.com/aislehq/aisle/store/sqlite"
)

// shelfItems is a small catalog of four brands in two leaf categories.
func shelfItems() []aisle.Item {
	var items []aisle.Item
	for i := range 24 {
		brand := []string{"Brother", "Dymo", "Swingline", "Bostitch"}[i%4]
		leaf := "Label Tapes"
		if i%4 >= 2 {
			leaf = "Staplers"
		}
		items = append(items, aisle.Item{ID: fmt.Sprintf("it-%02d", i), Title: fmt.Sprintf("%s %s no. %d", brand, strings.ToLower(leaf), i), Brand: brand, Categories: []string{"Office Products", leaf}, Price: ptrTo(float64(5 + i))})
	}
	return items
}

func ptrTo[T any](v T) *T { return &v }

// shelfEvents are the events of twelve shoppers over shelfItems, in time
// order: each favours one brand, buys some, looks at others, searches.
func shelfEvents() []aisle.Event {
	t0 := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	types := []aisle.EventType{aisle.EventView, aisle.EventClick, aisle.EventAddToCart, aisle.EventPurchase}
	var evs []aisle.Event
	for k := range 60 {
		u := k % 12
		item := fmt.Sprintf("it-%02d", (u%4+4*(k%6))%24)
		e := aisle.Event{ID: fmt.Sprintf("e%d", k), User: fmt.Sprintf("s%d", u), Item: item, Type: types[k%4], Time: t0.Add(time.Duration(k) * 7 * time.Hour)}
		if k%9 == 0 {
			e.Type, e.Item, e.Query = aisle.EventSearch, "", "label tape 12mm"
		}
		evs = append(evs, e)
	}
	return evs
}

// shelfStore returns a store holding shelfItems, and events when given.
func shelfStore(t *testing.T, events []aisle.Event) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.UpsertItems(ctx, shelfItems()); err != nil {
		t.Fatal(err)
	}
	if len(events) > 0 {
		if _, err := db.AppendEvents(ctx, events); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// openEngine opens an engine over db until the test ends.
func openEngine(t *testing.T, db Store) *Engine {
	t.Helper()
	e := NewEngine(db, Deps{}, Config{}, nil)
	if err := e.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// ignoreSeq leaves out the events' log numbers, which the log gives the
// replay and live batches do not carry.
var ignoreSeq = cmpopts.IgnoreFields(interest.Support{}, "Seq")

// TestProfileReplayEqualsLive checks that the profiles the first build
// replays from the log are those the same events give when observed live,
// one batch at a time, and that a removed interest is stored and applied
// again at the next open.
func TestProfileReplayEqualsLive(t *testing.T) {
	ctx := context.Background()
	events := shelfEvents()
	replayed := openEngine(t, shelfStore(t, events))
	liveDB := shelfStore(t, nil)
	live := openEngine(t, liveDB)
	for i := 0; i < len(events); i += 7 {
		batch := slices.Clone(events[i:min(i+7, len(events))])
		if _, err := liveDB.AppendEvents(ctx, batch); err != nil {
			t.Fatal(err)
		}
		live.Observe(batch)
	}
	for u := range 12 {
		user := fmt.Sprintf("s%d", u)
		want, wantSum, err := live.Profile(ctx, user, "en")
		if err != nil {
			t.Fatal(err)
		}
		got, gotSum, err := replayed.Profile(ctx, user, "en")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, ignoreSeq); d != "" || gotSum != wantSum {
			t.Errorf("%s: replayed profile differs from the live one (-live +replayed):\n%s%q vs %q", user, d, wantSum, gotSum)
		}
		if len(got.Tags) == 0 || len(got.Centers) == 0 {
			t.Errorf("%s: profile without tags or centres: %+v", user, got)
		}
	}

	// Removed on the live engine: stored, and applied by the next open.
	if err := live.ExcludeInterest(ctx, "s0", "brand:Brother"); err != nil {
		t.Fatal(err)
	}
	before, _, _ := live.Profile(ctx, "s0", "")
	reopened := openEngine(t, liveDB)
	after, _, err := reopened.Profile(ctx, "s0", "")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, after, ignoreSeq); d != "" {
		t.Errorf("after a restart (-before +after):\n%s", d)
	}
	if slices.ContainsFunc(after.Tags, func(tv interest.TagView) bool { return tv.ID == "brand:Brother" }) || len(after.Excluded) != 1 {
		t.Errorf("brand:Brother still in the profile after a restart: %+v", after)
	}

	// Erased: no profile, removals gone.
	if err := reopened.ForgetUser(ctx, "s0"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := reopened.Profile(ctx, "s0", ""); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("profile after ForgetUser: %v, want ENOTFOUND", err)
	}
}

// TestProfileBadInput checks the field named for a bad lang or tag.
func TestProfileBadInput(t *testing.T) {
	ctx := context.Background()
	e := openEngine(t, shelfStore(t, shelfEvents()))
	tests := []struct {
		name  string
		err   error
		field string
	}{
		{"lang", second(e.Profile(ctx, "s0", "fr")), "lang"},
		{"no kind", e.ExcludeInterest(ctx, "s0", "Brother"), "tag"},
		{"unknown kind", e.ExcludeInterest(ctx, "s0", "size:XL"), "tag"},
		{"empty value", e.ExcludeInterest(ctx, "s0", "brand:"), "tag"},
		{"empty", e.ExcludeInterest(ctx, "s0", ""), "tag"},
		{"control", e.ExcludeInterest(ctx, "s0", "brand:a\x00b"), "tag"},
	}
	for _, tt := range tests {
		if aisle.ErrorCode(tt.err) != aisle.EINVALID || aisle.ErrorField(tt.err) != tt.field {
			t.Errorf("%s: %v, want EINVALID naming %s", tt.name, tt.err, tt.field)
		}
	}
	if _, _, err := e.Profile(ctx, "nobody", "zh"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("unknown shopper: %v", err)
	}
}

func second[A, B any](_ A, _ B, err error) error { return err }

// TestRemovedInterestLeavesRecommendations checks that items of a removed
// brand leave a shopper's recommendations and search boost while others
// remain, and come last when nothing else does; and that recommended items
// of the shopper's heaviest brand or category say so.
func TestRemovedInterestLeavesRecommendations(t *testing.T) {
	ctx := context.Background()
	db := shelfStore(t, shelfEvents())
	e := openEngine(t, db)
	evs := []aisle.Event{
		{User: "ana", Item: "it-00", Type: aisle.EventPurchase},
		{User: "ana", Item: "it-04", Type: aisle.EventPurchase},
		{User: "ana", Item: "it-06", Type: aisle.EventView},
	}
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	e.Observe(evs)
	recs := must(e.Recommend(ctx, "ana", aisle.RecommendRequest{N: 10}))
	var reasons []string
	for _, r := range recs {
		reasons = append(reasons, r.Reasons...)
	}
	if !slices.Contains(reasons, "because you buy Brother Label Tapes") {
		t.Errorf("no profile reason among %q", reasons)
	}
	brand := func(id string) string { return shelfItems()[idNum(id)].Brand }
	if err := e.ExcludeInterest(ctx, "ana", "brand:Brother"); err != nil {
		t.Fatal(err)
	}
	recs = must(e.Recommend(ctx, "ana", aisle.RecommendRequest{N: 10}))
	if len(recs) != 10 {
		t.Fatalf("%d items, want 10", len(recs))
	}
	for _, r := range recs {
		if brand(r.Item) == "Brother" {
			t.Errorf("Brother item %s recommended after brand:Brother was removed: %v", r.Item, ids(recs))
		}
	}
	all := []string{"it-00", "it-01", "it-02", "it-03"}
	aff := must(e.Affinity(ctx, "ana", all))
	if aff[0] != 0 {
		t.Errorf("affinity of a Brother item %v, want 0", aff)
	}
	// Every item is in Office Products: removing it leaves them all last,
	// so the list stays full.
	if err := e.ExcludeInterest(ctx, "ana", "category:Office Products"); err != nil {
		t.Fatal(err)
	}
	if recs = must(e.Recommend(ctx, "ana", aisle.RecommendRequest{N: 10})); len(recs) != 10 {
		t.Errorf("%d items when every item carries a removed interest, want 10", len(recs))
	}
}

// idNum returns the number of an "it-NN" id.
func idNum(id string) int {
	var n int
	fmt.Sscanf(id, "it-%d", &n)
	return n
}

// BenchmarkObserveProfile measures the cost of one event through
// Engine.Observe on Office, profiles included; the profile's part alone
// (Builder.Observe over the engine's items and vectors); and Engine.Observe
// with profiles turned off. The events are Office's, in log order, for
// new shoppers ("bench-" + the shopper).
func BenchmarkObserveProfile(b *testing.B) {
	db, e := openOffice(b, 0, Config{})
	var events []aisle.Event
	for ev, err := range db.Events(context.Background(), 0) {
		if err != nil {
			b.Fatal(err)
		}
		ev.User = "bench-" + ev.User
		events = append(events, ev)
	}
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e.Observe(events[i%len(events) : i%len(events)+1])
			i++
		}
	})
	pb := e.builder()
	b.Run("profile-only", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			pb.Observe(events[i%len(events) : i%len(events)+1])
			i++
		}
	})
	b.Run("engine-without-profiles", func(b *testing.B) {
		e.prof.b.Store(nil)
		defer e.prof.b.Store(pb)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			e.Observe(events[i%len(events) : i%len(events)+1])
			i++
		}
	})
}

// BenchmarkRecommendProfile measures what the profile adds to one
// Recommend call on Office (no trained version: popularity serves): the
// removed interests looked up, the reasons from the heaviest brands and
// leaf categories; and with a removed interest, which filters the list.
func BenchmarkRecommendProfile(b *testing.B) {
	_, e := openOffice(b, 0, Config{})
	ctx := context.Background()
	req := aisle.RecommendRequest{N: 10}
	pb := e.builder()
	run := func(name, user string, on bool) {
		b.Run(name, func(b *testing.B) {
			if !on {
				e.prof.b.Store(nil)
				defer e.prof.b.Store(pb)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Recommend(ctx, user, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("without-profiles", "0", false)
	run("with-profiles", "0", true)
	v, _ := pb.Profile("1")
	if err := pb.Exclude("1", v.Tags[0].ID); err != nil {
		b.Fatal(err)
	}
	run("with-a-removed-interest", "1", true)
}
