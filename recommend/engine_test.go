package recommend_test

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/recommend"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/google/go-cmp/cmp"
)

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var t0 = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func ev(user, item string, typ aisle.EventType, daysAgo float64) aisle.Event {
	return aisle.Event{User: user, Item: item, Type: typ, Time: t0.Add(-time.Duration(daysAgo * 24 * float64(time.Hour)))}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func ids(recs []aisle.Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Item
	}
	return out
}

// fixture: "old" was bought often two months ago, "new" a little this
// week; "oos" is popular but out of stock.
func fixture(t *testing.T) (*sqlite.DB, *recommend.Engine) {
	t.Helper()
	ctx := context.Background()
	db := openStore(t)
	items := []aisle.Item{{ID: "old", Title: "Old hit"}, {ID: "new", Title: "New hit"}, {ID: "mid", Title: "Middling"},
		{ID: "oos", Title: "Sold out", Availability: aisle.AvailabilityOutOfStock}, {ID: "tail", Title: "Tail"}}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	var evs []aisle.Event
	for i := range 4 {
		evs = append(evs, ev(fmt.Sprint("a", i), "old", aisle.EventPurchase, 60))
	}
	for i := range 2 {
		evs = append(evs, ev(fmt.Sprint("b", i), "new", aisle.EventPurchase, 1))
	}
	evs = append(evs,
		ev("c0", "mid", aisle.EventView, 2), ev("c1", "mid", aisle.EventAddToCart, 2),
		ev("c0", "oos", aisle.EventPurchase, 0), ev("c1", "oos", aisle.EventPurchase, 0), ev("c2", "oos", aisle.EventPurchase, 0),
		ev("b0", "tail", aisle.EventView, 0.5), // b0 bought "new", then viewed "tail"
		ev("b1", "tail", aisle.EventView, 0.5),
	)
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return db, e
}

func TestRecommendPopularity(t *testing.T) {
	ctx := context.Background()
	db, e := fixture(t)
	tests := []struct {
		name string
		user string
		req  aisle.RecommendRequest
		want []string
	}{
		// old: 4 buyers, at least MinShoppers (3), so first, though 60
		// days ago (the 59 quiet days after count as MaxGap, one day:
		// 4·2^(-2/14)); then the items with 2 shoppers by score: new (2
		// purchases a day ago) > mid (cart + view) > tail (two views);
		// oos is never offered.
		{"unknown user gets popular", "nobody", aisle.RecommendRequest{N: 10}, []string{"old", "new", "mid", "tail"}},
		{"bought items excluded", "b0", aisle.RecommendRequest{N: 10}, []string{"old", "mid", "tail"}},
		{"bought items on request", "b0", aisle.RecommendRequest{N: 2, IncludeBought: true}, []string{"old", "new"}},
		{"explicit exclude", "nobody", aisle.RecommendRequest{N: 2, Exclude: []string{"old"}}, []string{"new", "mid"}},
		{"n caps", "nobody", aisle.RecommendRequest{N: 1}, []string{"old"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Recommend(ctx, tt.user, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(ids(got), tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
			for _, r := range got {
				if len(r.Models) != 1 || r.Models[0] != recommend.ModelPopular || len(r.Reasons) == 0 || r.Score <= 0 || r.Title == "" {
					t.Errorf("bad explanation: %+v", r)
				}
			}
		})
	}

	// A deleted item disappears at once, as does one that sold out.
	if err := db.DeleteItem(ctx, "new"); err != nil {
		t.Fatal(err)
	}
	e.ForgetItem("new")
	got, _ := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 2})
	if diff := cmp.Diff(ids(got), []string{"old", "mid"}); diff != "" {
		t.Errorf("after delete (-got +want):\n%s", diff)
	}
	e.ObserveItems([]aisle.Item{{ID: "mid", Title: "Middling", Availability: aisle.AvailabilityOutOfStock}})
	got, _ = e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 2})
	if diff := cmp.Diff(ids(got), []string{"old", "tail"}); diff != "" {
		t.Errorf("after sell-out (-got +want):\n%s", diff)
	}
	// A rebuild from the store keeps "new" deleted.
	if err := e.Build(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range must(e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 10})) {
		if r.Item == "new" {
			t.Errorf("deleted item back after rebuild")
		}
	}
	// Erasing a user forgets their purchases at once: b0 bought "new",
	// which is hidden from b0 until b0 is erased.
	e.ObserveItems([]aisle.Item{{ID: "new", Title: "New hit"}})
	has := func(recs []aisle.Recommendation, id string) bool {
		for _, r := range recs {
			if r.Item == id {
				return true
			}
		}
		return false
	}
	if has(must(e.Recommend(ctx, "b0", aisle.RecommendRequest{N: 10})), "new") {
		t.Errorf("b0 is offered an item they bought")
	}
	if err := e.ForgetUser(ctx, "b0"); err != nil {
		t.Fatal(err)
	}
	if !has(must(e.Recommend(ctx, "b0", aisle.RecommendRequest{N: 10})), "new") {
		t.Errorf("erased user b0 still has purchases remembered")
	}
}

// TestForgetUserBeforeOpen checks that an engine not opened yet takes
// erasures, as ForgetUser documents (the retrain runs in the caller),
// instead of failing on the memory it has not built.
func TestForgetUserBeforeOpen(t *testing.T) {
	e := recommend.NewEngine(openStore(t), recommend.Deps{}, recommend.Config{}, nil)
	if err := e.ForgetUser(context.Background(), "u"); err != nil {
		t.Fatal(err)
	}
}

func TestObserveChangesRecommendationsAtOnce(t *testing.T) {
	ctx := context.Background()
	db, e := fixture(t)
	var burst []aisle.Event
	for i := range 5 {
		burst = append(burst, ev(fmt.Sprint("z", i), "tail", aisle.EventPurchase, 0))
	}
	if _, err := db.AppendEvents(ctx, burst); err != nil {
		t.Fatal(err)
	}
	e.Observe(burst)
	got, err := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(got), []string{"tail"}); diff != "" {
		t.Errorf("after burst (-got +want):\n%s", diff)
	}
	// A rebuild from the store agrees with the incremental update.
	if err := e.Build(ctx); err != nil {
		t.Fatal(err)
	}
	again, _ := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 4})
	if again[0].Item != "tail" {
		t.Errorf("after rebuild top = %v", ids(again))
	}
}

func TestSimilar(t *testing.T) {
	ctx := context.Background()
	_, e := fixture(t)
	got, err := e.Similar(ctx, "new", 5)
	if err != nil {
		t.Fatal(err)
	}
	// Both buyers of "new" viewed "tail" next; nobody else touched "new".
	if diff := cmp.Diff(ids(got), []string{"tail"}); diff != "" {
		t.Errorf("Similar(new) (-got +want):\n%s", diff)
	}
	if got[0].Reasons[0] != `often bought together with "New hit"` || got[0].Models[0] != recommend.ModelCoOccurrence {
		t.Errorf("explanation = %+v", got[0])
	}
	if math.Abs(got[0].Score-2/math.Sqrt(2*2)) > 1e-9 {
		t.Errorf("cosine score = %v, want 1", got[0].Score)
	}
	// Out-of-stock neighbours are dropped; an item with no history gets an
	// empty list; an unknown item is not found.
	if got, _ := e.Similar(ctx, "mid", 5); len(got) != 0 {
		t.Errorf("Similar(mid) = %v, want none (its only neighbour is out of stock)", ids(got))
	}
	_, err = e.Similar(ctx, "ghost", 5)
	if aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("Similar(ghost) err = %v", err)
	}
}

func TestPopularityRebaseKeepsOrder(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	if _, err := db.UpsertItems(ctx, []aisle.Item{{ID: "a"}, {ID: "b"}}); err != nil {
		t.Fatal(err)
	}
	// Two years of events with a 1-day half-life on the wall clock forces
	// many rebases: "a" gets a purchase daily from one shopper, "b" from
	// another only in the first year, then from two shoppers one day
	// after a's last one. A shopper counts once, with their latest
	// purchase.
	var evs []aisle.Event
	for d := 0; d < 730; d++ {
		evs = append(evs, ev("u", "a", aisle.EventPurchase, float64(800-d)))
		if d < 365 {
			evs = append(evs, ev("v", "b", aisle.EventPurchase, float64(800-d)))
		}
	}
	evs = append(evs, ev("v", "b", aisle.EventPurchase, float64(800-730)), ev("w", "b", aisle.EventPurchase, float64(800-730)))
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{HalfLife: 24 * time.Hour, MaxGap: -1, MinShoppers: 1}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	got, err := e.Recommend(ctx, "x", aisle.RecommendRequest{N: 2, IncludeBought: true})
	if err != nil {
		t.Fatal(err)
	}
	// a: 2^-1 (its one shopper's latest purchase, a day old); b: 2 (two
	// shoppers, age 0).
	if diff := cmp.Diff(ids(got), []string{"b", "a"}); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if math.Abs(got[1].Score/got[0].Score-0.25) > 1e-6 {
		t.Errorf("score ratio a/b = %v, want 0.25", got[1].Score/got[0].Score)
	}
}

func TestRecommendCategory(t *testing.T) {
	ctx := context.Background()
	db, e := fixture(t)
	items := []aisle.Item{{ID: "old", Title: "Old hit", Categories: []string{"Office", "Pens"}}, {ID: "tail", Title: "Tail", Categories: []string{"Office", "Paper"}}}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	e.ObserveItems(items)
	got, err := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 10, Category: "office"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids(got), []string{"old", "tail"}); diff != "" {
		t.Errorf("category office (-got +want):\n%s", diff)
	}
	got, _ = e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 10, Category: "Paper"})
	if diff := cmp.Diff(ids(got), []string{"tail"}); diff != "" {
		t.Errorf("category Paper (-got +want):\n%s", diff)
	}
	_, err = e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 10, Category: "Garden"})
	if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != "category" {
		t.Errorf("unknown category: err %v, want invalid naming category", err)
	}
}

// TestColdStartShowsNewArrivals checks that a shopper without history sees
// a new item nobody has touched yet in every fifth place, and that an item
// shoppers already found, or one out of the category, is not shown as new.
func TestColdStartShowsNewArrivals(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	var items []aisle.Item
	for i := range 12 {
		items = append(items, aisle.Item{ID: fmt.Sprint("p", i), Title: fmt.Sprint("Popular ", i), Categories: []string{"Pens"}})
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	var evs []aisle.Event
	for i := range 12 {
		for u := range 12 - i { // p0 most popular
			evs = append(evs, ev(fmt.Sprint("u", u), fmt.Sprint("p", i), aisle.EventPurchase, 1))
		}
	}
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	e := recommend.NewEngine(db, recommend.Deps{}, recommend.Config{}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	// Added after the build, as a shop adds products: the API tells the
	// engine.
	fresh := []aisle.Item{{ID: "fresh-pen", Title: "Fresh pen", Categories: []string{"Pens"}}, {ID: "fresh-mug", Title: "Fresh mug", Categories: []string{"Mugs"}}}
	for i := range fresh { // the mug after the pen: the newest
		time.Sleep(time.Millisecond)
		if _, err := db.UpsertItems(ctx, fresh[i:i+1]); err != nil {
			t.Fatal(err)
		}
		fresh[i] = must(db.Item(ctx, fresh[i].ID)) // with its CreatedAt
	}
	e.ObserveItems(fresh)

	got := must(e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 10}))
	if len(got) != 10 {
		t.Fatalf("%d items, want 10", len(got))
	}
	if got[4].Item != "fresh-mug" || got[4].Models[0] != recommend.ModelNew || got[4].Reasons[0] != "new in the catalog, added today" {
		t.Errorf("fifth place = %+v, want the newest arrival, fresh-mug", got[4])
	}
	if got[9].Item != "fresh-pen" || got[0].Item != "p0" {
		t.Errorf("cold start = %v, want p0 first and fresh-pen tenth", ids(got))
	}
	pens := must(e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 5, Category: "pens"}))
	if pens[4].Item != "fresh-pen" {
		t.Errorf("pens = %v, want fresh-pen fifth", ids(pens))
	}

	// Once shoppers find it, popularity takes over.
	var found []aisle.Event
	for u := range 5 {
		found = append(found, aisle.Event{User: fmt.Sprint("f", u), Item: "fresh-mug", Type: aisle.EventView, Time: time.Now()})
	}
	if _, err := db.AppendEvents(ctx, found); err != nil {
		t.Fatal(err)
	}
	e.Observe(found)
	got = must(e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 10}))
	for _, r := range got {
		if r.Item == "fresh-mug" && r.Models[0] == recommend.ModelNew {
			t.Errorf("fresh-mug still shown as new after 5 events: %v", ids(got))
		}
	}

	// The only mug deleted: the category is unknown.
	if _, err := e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 5, Category: "Mugs"}); err != nil {
		t.Fatalf("mugs before deletion: %v", err)
	}
	e.ForgetItem("fresh-mug")
	if _, err := e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 5, Category: "Mugs"}); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("mugs after deleting the only mug: %v, want EINVALID", err)
	}
}

// TestNewArrivalsFollowTheClock checks that the engine's clock (Deps.Now),
// not the wall clock, decides how old an item is: a new arrival is shown
// with its age while within Config.NewWindow and no longer once the clock
// has moved past it, and the build is stamped with the clock's time.
func TestNewArrivalsFollowTheClock(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	db.Now = func() time.Time { return t0 }
	items := []aisle.Item{{ID: "p0", Title: "Popular"}, {ID: "p1", Title: "Also popular"}, {ID: "fresh", Title: "Fresh pen"}}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		t.Fatal(err)
	}
	var evs []aisle.Event
	for u := range 3 {
		evs = append(evs, ev(fmt.Sprint("u", u), "p0", aisle.EventPurchase, 1), ev(fmt.Sprint("u", u), "p1", aisle.EventPurchase, 1))
	}
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var now atomic.Pointer[time.Time]
	at := func(d time.Duration) { n := t0.Add(d); now.Store(&n) }
	at(time.Hour)
	e := recommend.NewEngine(db, recommend.Deps{Now: func() time.Time { return *now.Load() }}, recommend.Config{NewArrivals: 2}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got, want := e.Stats().BuiltAt, t0.Add(time.Hour); !got.Equal(want) {
		t.Errorf("BuiltAt = %v, want the clock's %v", got, want)
	}
	for _, tc := range []struct {
		age    time.Duration
		reason string // "" when fresh is no longer new
	}{
		{time.Hour, "new in the catalog, added today"},
		{36 * time.Hour, "new in the catalog, added yesterday"},
		{10 * 24 * time.Hour, "new in the catalog, added 10 days ago"},
		{31 * 24 * time.Hour, ""},
	} {
		at(tc.age)
		got := must(e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 3}))
		reason := ""
		for _, r := range got {
			if r.Item == "fresh" && r.Models[0] == recommend.ModelNew {
				reason = r.Reasons[0]
			}
		}
		if reason != tc.reason {
			t.Errorf("after %v: fresh shown for %q, want %q (%v)", tc.age, reason, tc.reason, ids(got))
		}
	}
}

func TestRecommendAttributeFilters(t *testing.T) {
	ctx := context.Background()
	_, e := fixture(t)
	price := func(v float64) *float64 { return &v }
	items := []aisle.Item{
		{ID: "old", Title: "Old hit", Brand: "Acme", Categories: []string{"Office", "Pens"}, Price: price(3), Extracted: &aisle.Extracted{Colors: []string{"black"}}},
		{ID: "tail", Title: "Tail", Brand: "Zed", Categories: []string{"Office", "Pens"}, Price: price(12), Visual: &aisle.Visual{Ref: "tail.jpg", Colors: []string{"Blue"}}},
	}
	e.ObserveItems(items) // as stored: the engine reads what the store returns
	tests := []struct {
		name string
		req  aisle.RecommendRequest
		want []string
	}{
		{"no filter", aisle.RecommendRequest{}, []string{"old", "tail"}},
		{"brand, any case", aisle.RecommendRequest{Brand: "acme"}, []string{"old"}},
		{"colour from the text", aisle.RecommendRequest{Color: "Black"}, []string{"old"}},
		{"colour from the photo", aisle.RecommendRequest{Color: "blue"}, []string{"tail"}},
		{"price floor", aisle.RecommendRequest{MinPrice: price(10)}, []string{"tail"}},
		{"price ceiling", aisle.RecommendRequest{MaxPrice: price(10)}, []string{"old"}},
		{"price range with no item", aisle.RecommendRequest{MinPrice: price(4), MaxPrice: price(5)}, nil},
		{"brand and category", aisle.RecommendRequest{Brand: "zed", Category: "pens"}, []string{"tail"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.N = 10
			recs, err := e.Recommend(ctx, "nobody", tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range recs {
				if r.Item == "old" || r.Item == "tail" {
					ids = append(ids, r.Item)
				}
			}
			if diff := cmp.Diff(ids, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
			if tt.req.Brand != "" || tt.req.Color != "" || tt.req.MinPrice != nil || tt.req.MaxPrice != nil {
				if len(recs) != len(ids) {
					t.Errorf("got %v: items outside the filter", recs)
				}
			}
		})
	}
}

// categorise gives the fixture's items two leaf categories: "old" and
// "new" are pens, "mid" and "tail" paper.
func categorise(t *testing.T, db *sqlite.DB, e *recommend.Engine) {
	t.Helper()
	items := []aisle.Item{
		{ID: "old", Title: "Old hit", Categories: []string{"Office", "Pens"}}, {ID: "new", Title: "New hit", Categories: []string{"Office", "Pens"}},
		{ID: "mid", Title: "Middling", Categories: []string{"Office", "Paper"}}, {ID: "tail", Title: "Tail", Categories: []string{"Office", "Paper"}},
	}
	if _, err := db.UpsertItems(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	e.ObserveItems(items)
}

func TestRecommendMaxPerCategory(t *testing.T) {
	ctx := context.Background()
	db, e := fixture(t)
	categorise(t, db, e)
	all, err := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 10})
	if err != nil {
		t.Fatal(err)
	}
	leaves := func(recs []aisle.Recommendation) map[string]int {
		n := map[string]int{}
		for _, r := range recs {
			it, err := db.Item(ctx, r.Item)
			if err != nil {
				t.Fatal(err)
			}
			leaf := ""
			if len(it.Categories) > 0 {
				leaf = strings.ToLower(it.Categories[len(it.Categories)-1])
			}
			n[leaf]++
		}
		return n
	}
	if l := leaves(all); l["pens"] < 2 && l["paper"] < 2 {
		t.Fatalf("the fixture's list %v has no leaf category twice: nothing to cap", ids(all))
	}
	capped, err := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: 10, MaxPerCategory: 1})
	if err != nil {
		t.Fatal(err)
	}
	for leaf, n := range leaves(capped) {
		if n > 1 && leaf != "" {
			t.Errorf("max_per_category=1: %d items of %q in %v", n, leaf, ids(capped))
		}
	}
	if l := leaves(capped); l["pens"] != 1 || l["paper"] != 1 {
		t.Errorf("max_per_category=1: %v, want one pen and one paper", ids(capped))
	}
}

func TestRecommendDiversity(t *testing.T) {
	ctx := context.Background()
	db, e := fixture(t)
	categorise(t, db, e)
	leafOf := func(id string) string {
		it, err := db.Item(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(it.Categories) == 0 {
			return ""
		}
		return strings.ToLower(it.Categories[len(it.Categories)-1])
	}
	// samePairs counts the pairs of a list that share a leaf category.
	samePairs := func(recs []aisle.Recommendation) int {
		n := 0
		for i := range recs {
			for j := i + 1; j < len(recs); j++ {
				if l := leafOf(recs[i].Item); l != "" && l == leafOf(recs[j].Item) {
					n++
				}
			}
		}
		return n
	}
	const n = 2
	plain, err := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: n})
	if err != nil {
		t.Fatal(err)
	}
	varied, err := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: n, Diversity: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(varied) != len(plain) {
		t.Fatalf("diversity 1: %d items, without: %d", len(varied), len(plain))
	}
	if samePairs(plain) == 0 {
		t.Fatalf("the fixture's top %d %v share no leaf category: nothing to diversify", n, ids(plain))
	}
	if got, was := samePairs(varied), samePairs(plain); got >= was {
		t.Errorf("diversity 1: %d pairs of one leaf category in %v, %d without in %v", got, ids(varied), was, ids(plain))
	}
	if varied[0].Item != plain[0].Item {
		t.Errorf("diversity 1 moved the best item: %v vs %v", ids(varied), ids(plain))
	}
	tiny, _ := e.Recommend(ctx, "nobody", aisle.RecommendRequest{N: n, Diversity: 1e-9})
	if diff := cmp.Diff(ids(tiny), ids(plain)); diff != "" {
		t.Errorf("a diversity near 0 reordered the list (-got +want):\n%s", diff)
	}
}
