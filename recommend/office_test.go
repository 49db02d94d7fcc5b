package recommend

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"iter"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/store/sqlite"
)

// officeDir is the real Amazon Office dataset (LC-Rec), beside the checkout.
var officeDir = filepath.Join("..", "..", "shared", "data", "amazon-office")

// openOffice imports Office into a fresh store (officeStore) and opens
// an engine over it.
func openOffice(t testing.TB, users int, cfg Config) (*sqlite.DB, *Engine) {
	t.Helper()
	db := officeStore(t, users)
	e := NewEngine(db, Deps{}, cfg, nil)
	if err := e.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return db, e
}

// officeStore imports Office into a fresh store, as `aisle import` does;
// users > 0 keeps only the shoppers numbered below users (a real slice,
// where some items have one buyer). It skips under -short and when the
// data is absent.
func officeStore(t testing.TB, users int) *sqlite.DB {
	t.Helper()
	if testing.Short() {
		t.Skip("imports a real dataset")
	}
	if _, err := os.Stat(officeDir); err != nil {
		t.Skip("shared data not present")
	}
	ctx := context.Background()
	src := officeDir
	if users > 0 {
		src = officeSlice(t, users)
	}
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	sum, err := importer.Run(ctx, db, src, importer.Options{Format: "lcrec"}, importer.Deps{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.RejectedTotal > 0 || sum.Events.Imported == 0 {
		t.Fatalf("import: %s", sum)
	}
	return db
}

// officeSlice writes Office with only the shoppers numbered below users
// into a temporary LC-Rec folder.
func officeSlice(t testing.TB, users int) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(officeDir, "Office.inter.json"))
	if err != nil {
		t.Fatal(err)
	}
	var inter map[string][]int
	if err := json.Unmarshal(b, &inter); err != nil {
		t.Fatal(err)
	}
	for u := range inter {
		if n, err := strconv.Atoi(u); err != nil || n >= users {
			delete(inter, u)
		}
	}
	dir := t.TempDir()
	if b, err = json.Marshal(inter); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Office.inter.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := os.ReadFile(filepath.Join(officeDir, "Office.item.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Office.item.json"), items, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// buyers returns each item's distinct shoppers in the store.
func buyers(t testing.TB, db *sqlite.DB) map[string]map[string]bool {
	t.Helper()
	out := make(map[string]map[string]bool)
	for ev, err := range db.Events(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if out[ev.Item] == nil {
			out[ev.Item] = make(map[string]bool)
		}
		out[ev.Item][ev.User] = true
	}
	return out
}

// mostBought returns the items by descending number of distinct buyers.
func mostBought(by map[string]map[string]bool) []string {
	var ids []string
	for id := range by {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int { return len(by[b]) - len(by[a]) })
	return ids
}

// TestOneViewDoesNotLeadColdStart is the regression test of popularity
// poisoning: on Office (history dated 2014), a new item viewed once, now,
// by an anonymous shopper, came first for every new shopper (its score 1
// against 8.5e-99 for the item 311 shoppers bought). It must not: the
// list is led by the items most shoppers bought, and the new item only
// takes a new-arrival place.
func TestOneViewDoesNotLeadColdStart(t *testing.T) {
	ctx := context.Background()
	db, e := openOffice(t, 0, Config{})
	by := buyers(t, db)
	top := mostBought(by)
	if len(by[top[0]]) != 311 {
		t.Fatalf("most bought item has %d buyers, want Office's 311", len(by[top[0]]))
	}

	fresh := aisle.Item{ID: "brand-new-gadget", Title: "Brand new desk gadget", Categories: []string{"Office Products"}}
	if _, err := db.UpsertItems(ctx, []aisle.Item{fresh}); err != nil {
		t.Fatal(err)
	}
	fresh = must(db.Item(ctx, fresh.ID))
	e.ObserveItems([]aisle.Item{fresh})
	view := []aisle.Event{{User: "anonymous-visitor", Item: fresh.ID, Type: aisle.EventView, Time: time.Now()}}
	if _, err := db.AppendEvents(ctx, view); err != nil {
		t.Fatal(err)
	}
	e.Observe(view)

	got := must(e.Recommend(ctx, "new-shopper", aisle.RecommendRequest{N: 10}))
	if len(got) != 10 {
		t.Fatalf("%d recommendations, want 10", len(got))
	}
	if got[0].Item != top[0] || got[0].Models[0] != ModelPopular {
		t.Errorf("first: %s (%v), want %s, bought by 311 shoppers", got[0].Item, got[0].Models, top[0])
	}
	// The popular places go to items at least as bought as Office's 20th
	// most bought; the new item only to a new-arrival place (every 5th).
	for k, r := range got {
		switch {
		case r.Item == fresh.ID && (k%5 != 4 || r.Models[0] != ModelNew):
			t.Errorf("place %d: the new item as %v", k+1, r.Models)
		case r.Item != fresh.ID && len(by[r.Item]) < len(by[top[19]]):
			t.Errorf("place %d: %s, bought by %d shoppers, fewer than the 20th most bought (%d)", k+1, r.Item, len(by[r.Item]), len(by[top[19]]))
		}
	}
	// Nor does it lead search's best-seller order: below every Office item.
	pop := must(e.Popularity(ctx, append([]string{fresh.ID}, top...)))
	for j, v := range pop[1:] {
		if v <= pop[0] {
			t.Fatalf("best-seller value of %s (%d buyers) %v ≤ the new item's %v", top[j], len(by[top[j]]), v, pop[0])
		}
	}
	// A rebuild from the store agrees.
	if err := e.Build(ctx); err != nil {
		t.Fatal(err)
	}
	if again := must(e.Recommend(ctx, "new-shopper", aisle.RecommendRequest{N: 10})); again[0].Item != top[0] {
		t.Errorf("after rebuild, first: %s, want %s", again[0].Item, top[0])
	}
}

// TestOneShopperCannotLiftAnItem sends 1,000 views and 1,000 purchases of
// an Office item bought by 5 shoppers from one shopper, now, and checks
// it stays below an item that many shoppers bought years ago, in the
// cold-start list and search's best-seller order, live and after a
// rebuild.
func TestOneShopperCannotLiftAnItem(t *testing.T) {
	ctx := context.Background()
	db, e := openOffice(t, 0, Config{})
	by := buyers(t, db)
	top := mostBought(by)
	lifted, many := top[len(top)-1], top[50] // 5 buyers; many buyers
	var burst []aisle.Event
	now := time.Now()
	for k := range 1000 {
		at := now.Add(time.Duration(k) * time.Millisecond)
		burst = append(burst,
			aisle.Event{User: "one-client", Item: lifted, Type: aisle.EventView, Time: at},
			aisle.Event{User: "one-client", Item: lifted, Type: aisle.EventPurchase, Time: at})
	}
	for b := range slices.Chunk(burst, 1000) {
		if _, err := db.AppendEvents(ctx, b); err != nil {
			t.Fatal(err)
		}
		e.Observe(b)
	}
	check := func(when string) {
		t.Helper()
		place := func(id string) int {
			for k, s := range e.popular(len(top)) {
				if s.id == id {
					return k
				}
			}
			return -1
		}
		if pl, pm := place(lifted), place(many); pl < pm {
			t.Errorf("%s: %s (%d buyers + one client's 2,000 events) at %d, above %s (%d buyers) at %d", when, lifted, len(by[lifted]), pl, many, len(by[many]), pm)
		}
		e.mu.Lock()
		shoppers := e.pop.shoppers(lifted)
		e.mu.Unlock()
		if shoppers != len(by[lifted])+1 {
			t.Errorf("%s: %d shoppers of %s, want %d", when, shoppers, lifted, len(by[lifted])+1)
		}
		pop := must(e.Popularity(ctx, []string{lifted, many}))
		if pop[0] >= pop[1] {
			t.Errorf("%s: best-seller value %v ≥ %v", when, pop[0], pop[1])
		}
	}
	check("live")
	if err := e.Build(ctx); err != nil {
		t.Fatal(err)
	}
	check("after rebuild")
}

// soleBuyer returns the shopper who alone bought the most items (ties by
// id), among those who alone bought an item with co-occurrence
// neighbours: neighbours only they made. It returns that item (the first
// such by id) and how many items they alone bought.
func soleBuyer(t testing.TB, e *Engine, by map[string]map[string]bool) (user, only string, n int) {
	t.Helper()
	sole := make(map[string][]string) // shopper → items only they bought
	for id, us := range by {
		if len(us) == 1 {
			for u := range us {
				sole[u] = append(sole[u], id)
			}
		}
	}
	users := slices.Collect(maps.Keys(sole))
	slices.SortFunc(users, func(a, b string) int { return cmp.Or(len(sole[b])-len(sole[a]), strings.Compare(a, b)) })
	for _, u := range users {
		items := slices.Sorted(slices.Values(sole[u]))
		for _, id := range items {
			if len(must(e.Similar(context.Background(), id, 100))) > 0 {
				return u, id, len(items)
			}
		}
	}
	t.Fatal("no shopper is the only buyer of an item with neighbours")
	return "", "", 0
}

// TestForgetUserOffice erases a shopper of a real Office slice (its first
// 1,000 shoppers, so some items have one buyer) who is the only buyer of
// some items and the only source of some co-occurrence neighbours, and
// checks at once, without waiting for any refresh, that popularity lost
// exactly their contribution, the neighbours only they made are gone,
// their memory is gone, and they are served as an unknown shopper.
func TestForgetUserOffice(t *testing.T) {
	ctx := context.Background()
	db, e := openOffice(t, 1000, Config{})
	by := buyers(t, db)
	user, only, nSole := soleBuyer(t, e, by)
	mine := must(db.UserEvents(ctx, user, aisle.EventQuery{Limit: 1000}))
	t.Logf("erasing %s: %d events, only buyer of %d items", user, len(mine), nSole)
	// Items of theirs that have only them as a neighbour source with only:
	// only's neighbours, all of which the user made.
	neighbours := must(e.Similar(ctx, only, 100))
	other := neighbours[0].Item
	if !slices.ContainsFunc(must(e.Similar(ctx, other, 100)), func(r aisle.Recommendation) bool { return r.Item == only }) {
		t.Fatalf("%s not among %s's neighbours", only, other)
	}

	// Their contribution, by the formula: one purchase each, on the
	// activity clock the 2014 history's seconds, relative to the same
	// reference.
	halfLife := e.cfg.HalfLife.Seconds()
	e.mu.Lock()
	before := make(map[string]float64)
	support := make(map[string]int)
	contrib := make(map[string]float64)
	for _, ev := range mine {
		i := e.pop.index[ev.Item]
		before[ev.Item], support[ev.Item] = e.pop.scores[i], int(e.pop.support[i])
		act := ev.Time.Sub(history).Seconds()
		contrib[ev.Item] = math.Exp2(act/halfLife - e.pop.ref)
	}
	e.mu.Unlock()
	if len(contrib) != len(mine) {
		t.Fatalf("%d events on %d items: Office has one purchase per item and shopper", len(mine), len(contrib))
	}
	unknown := must(e.Recommend(ctx, "never-seen", aisle.RecommendRequest{N: 20}))
	if mineBefore := must(e.Recommend(ctx, user, aisle.RecommendRequest{N: 20})); slicesEqual(mineBefore, unknown) {
		t.Fatalf("%s is served as an unknown shopper before the erasure", user)
	}

	if _, err := db.DeleteUser(ctx, user); err != nil {
		t.Fatal(err)
	}
	if err := e.ForgetUser(ctx, user); err != nil {
		t.Fatal(err)
	}

	e.mu.Lock()
	for id, c := range contrib {
		i := e.pop.index[id]
		if got, want := e.pop.scores[i], before[id]-c; math.Abs(got-want) > 1e-9*before[id] {
			t.Errorf("%s: score %v, want %v − %v = %v", id, got, before[id], c, want)
		}
		if got := int(e.pop.support[i]); got != support[id]-1 {
			t.Errorf("%s: %d shoppers, want %d", id, got, support[id]-1)
		}
	}
	_, kept := e.pop.users[user]
	e.mu.Unlock()
	if kept {
		t.Errorf("popularity still holds %s's pairs", user)
	}
	if got := must(e.Similar(ctx, only, 100)); len(got) != 0 {
		t.Errorf("%s, bought by %s alone, still has neighbours %v", only, user, ids(got))
	}
	if slices.ContainsFunc(must(e.Similar(ctx, other, 100)), func(r aisle.Recommendation) bool { return r.Item == only }) {
		t.Errorf("%s still among %s's neighbours", only, other)
	}
	e.memMu.RLock()
	_, hasRecent := e.mem.recent[user]
	_, hasBought := e.mem.bought[user]
	e.memMu.RUnlock()
	if hasRecent || hasBought {
		t.Errorf("memory keeps %s: recent %v, purchases %v", user, hasRecent, hasBought)
	}
	if got := must(e.Recommend(ctx, user, aisle.RecommendRequest{N: 20})); !slicesEqual(got, unknown) {
		t.Errorf("%s gets %v, an unknown shopper %v", user, ids(got), ids(unknown))
	}
	if aff := must(e.Affinity(ctx, user, []string{other})); aff[0] != 0 {
		t.Errorf("affinity %v for an erased shopper", aff)
	}
	// A shopper the last build did not see costs no retrain.
	before2 := e.retrains.Load()
	if err := e.ForgetUser(ctx, "never-seen"); err != nil || e.retrains.Load() != before2 {
		t.Errorf("erasing an unknown shopper: %v, %d retrains", err, e.retrains.Load()-before2)
	}
	// The retrain, not the hiding, removed the pair: the served
	// co-occurrence hides nothing, and a rebuild from the store agrees.
	if co := e.co.Load(); len(co.hidden) != 0 || co.clean < 1 {
		t.Errorf("co-occurrence hides %d pairs, clean %d", len(co.hidden), co.clean)
	}
	retrained := must(e.Similar(ctx, other, 100))
	if err := e.Build(ctx); err != nil {
		t.Fatal(err)
	}
	if rebuilt := must(e.Similar(ctx, other, 100)); !slicesEqual(retrained, rebuilt) {
		t.Errorf("neighbours of %s after the retrain %v, after a rebuild %v", other, ids(retrained), ids(rebuilt))
	}
}

// TestForgetUsersCoalesce erases 40 Office shoppers at once, while a build
// runs, and checks that each is gone from every model and that the
// retrains were few.
func TestForgetUsersCoalesce(t *testing.T) {
	ctx := context.Background()
	db, e := openOffice(t, 1000, Config{})
	var users []string
	for u := range 40 {
		users = append(users, strconv.Itoa(u*7))
	}
	for _, u := range users {
		if _, err := db.DeleteUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	start := e.retrains.Load()
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := e.Build(ctx); err != nil {
			t.Error(err)
		}
	})
	errs := make([]error, len(users))
	for k, u := range users {
		wg.Go(func() { errs[k] = e.ForgetUser(ctx, u) })
	}
	wg.Wait()
	for k, err := range errs {
		if err != nil {
			t.Errorf("forget %s: %v", users[k], err)
		}
	}
	if n := e.retrains.Load() - start; n > 5 {
		t.Errorf("%d retrains for %d erasures", n, len(users))
	}
	co := e.co.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, u := range users {
		if _, ok := e.pop.users[u]; ok {
			t.Errorf("popularity keeps %s", u)
		}
		if k := slices.Index(co.d.Users, u); k >= 0 && len(co.d.Seqs[k]) > 0 {
			t.Errorf("co-occurrence trained on %s's %d items", u, len(co.d.Seqs[k]))
		}
	}
	t.Logf("%d erasures during a build: %d retrains", len(users), e.retrains.Load()-start)
}

// TestForgetUserCancelled erases an Office shopper with a context that
// has ended: ForgetUser says so, yet what the engine serves has already
// forgotten them (the pairs they had are hidden until the retrain, which
// completes in the background).
func TestForgetUserCancelled(t *testing.T) {
	db, e := openOffice(t, 1000, Config{})
	bg := context.Background()
	user, only, _ := soleBuyer(t, e, buyers(t, db))
	var others []string
	for _, ev := range must(db.UserEvents(bg, user, aisle.EventQuery{Limit: 1000})) {
		if ev.Item != only {
			others = append(others, ev.Item)
		}
	}
	if _, err := db.DeleteUser(bg, user); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if err := e.ForgetUser(ctx, user); !errors.Is(err, context.Canceled) || !errors.Is(err, ErrRetrainPending) {
		t.Errorf("ForgetUser with an ended context: %v", err)
	}
	e.mu.Lock()
	_, kept := e.pop.users[user]
	shoppers := e.pop.shoppers(only)
	e.mu.Unlock()
	if kept || shoppers != 0 {
		t.Errorf("popularity keeps %s (%v) and %d shoppers of %s", user, kept, shoppers, only)
	}
	if got := must(e.Similar(bg, only, 100)); len(got) != 0 {
		t.Errorf("%s still has neighbours %v", only, ids(got))
	}
	for _, id := range others {
		if slices.ContainsFunc(must(e.Similar(bg, id, 100)), func(r aisle.Recommendation) bool { return r.Item == only }) {
			t.Errorf("%s still a neighbour of %s", only, id)
		}
	}
}

// slicesEqual reports whether two lists name the same items in order.
func slicesEqual(a, b []aisle.Recommendation) bool { return slices.Equal(ids(a), ids(b)) }

func ids(recs []aisle.Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Item
	}
	return out
}

// pausingStore pauses the first full scan of the log after its first
// event until resume is closed, and says when it paused.
type pausingStore struct {
	*sqlite.DB
	paused, resume chan struct{}
	once           sync.Once
}

func (s *pausingStore) Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error] {
	return func(yield func(aisle.Event, error) bool) {
		first := true
		for ev, err := range s.DB.Events(ctx, afterSeq) {
			if !yield(ev, err) {
				return
			}
			if first && afterSeq == 0 {
				s.once.Do(func() { close(s.paused); <-s.resume })
			}
			first = false
		}
	}
}

// TestEventsDuringBuildCountOnce observes an event while a build scans
// the log, and an erasure too, and checks that after the swap the event
// is in its shopper's recent items once and the erased shopper is gone.
func TestEventsDuringBuildCountOnce(t *testing.T) {
	ctx := context.Background()
	db := officeStore(t, 200)
	s := &pausingStore{DB: db, paused: make(chan struct{}), resume: make(chan struct{})}
	e := NewEngine(s, Deps{}, Config{}, nil)
	s.once.Do(func() {}) // the first build is not paused
	if err := e.Build(ctx); err != nil {
		t.Fatal(err)
	}
	s.once = sync.Once{}
	done := make(chan error)
	go func() { done <- e.Build(ctx) }()
	<-s.paused
	ev := []aisle.Event{{User: "during-build", Item: "10", Type: aisle.EventView, Time: time.Now()}}
	if _, err := db.AppendEvents(ctx, ev); err != nil {
		t.Fatal(err)
	}
	e.Observe(ev)
	if _, err := db.DeleteUser(ctx, "5"); err != nil {
		t.Fatal(err)
	}
	forgot := make(chan error)
	go func() { forgot <- e.ForgetUser(ctx, "5") }()
	close(s.resume)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := <-forgot; err != nil {
		t.Fatal(err)
	}
	e.memMu.RLock()
	recent := e.mem.recent["during-build"]
	_, erased := e.mem.recent["5"]
	e.memMu.RUnlock()
	if !slices.Equal(recent, []string{"10"}) || erased {
		t.Errorf("recent items of during-build %v, want [10]; erased shopper kept: %v", recent, erased)
	}
	e.mu.Lock()
	_, kept := e.pop.users["5"]
	shoppers := e.pop.shoppers("10")
	e.mu.Unlock()
	if kept {
		t.Error("popularity keeps the shopper erased during the build")
	}
	if want := len(buyers(t, db)["10"]); shoppers != want {
		t.Errorf("item 10 has %d shoppers, want %d", shoppers, want)
	}
}
