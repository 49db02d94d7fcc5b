package recommend

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
)

// trainedOffice imports Office (officeStore), trains a version on it as
// `aisle train` does, but without MF and the content model (they take
// most of the time and neither feeds the cart or variants), and opens an
// engine serving it.
func trainedOffice(t *testing.T) (*sqlite.DB, *Engine) {
	t.Helper()
	ctx := context.Background()
	db := officeStore(t, 0)
	d, err := dataset.FromEvents(db.Events(ctx, 0), dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	set, meta, err := train.Train(ctx, d, train.Config{Seed: 1, Skip: []string{saved.ModelMF, saved.ModelContent}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "models")
	if _, err := saved.Save(dir, set, meta, time.Now()); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(db, Deps{}, Config{ModelDir: dir}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return db, e
}

// TestCartAndVariantsOffice trains a version on Office once for
// checkVariants and checkCompleteCart.
func TestCartAndVariantsOffice(t *testing.T) {
	db, e := trainedOffice(t)
	t.Run("variants", func(t *testing.T) { checkVariants(t, db, e) })
	t.Run("cart", func(t *testing.T) { checkCompleteCart(t, e) })
}

// checkVariants is the case: Office's shopper 0 bought the AT&T
// 210 corded phone in black (item 2); the white one (779), which the
// models would recommend, must not come back as a new find. A shopper who
// has bought neither gets one of them, with the other as its option.
func checkVariants(t *testing.T, db *sqlite.DB, e *Engine) {
	ctx := context.Background()
	black, white := must(db.Item(ctx, "2")), must(db.Item(ctx, "779"))
	if black.Title != "AT&T 210 Corded Phone, Black, 1 Handset" || white.Title != "AT&T 210 Corded Phone, White, 1 Handset" {
		t.Fatalf("items 2 and 779: %q, %q", black.Title, white.Title)
	}
	// Allowed what they bought, the line comes back: the models do rank it.
	again := must(e.Recommend(ctx, "0", aisle.RecommendRequest{N: 50, IncludeBought: true}))
	if !slices.ContainsFunc(again, func(r aisle.Recommendation) bool { return r.Item == "2" || r.Item == "779" }) {
		t.Fatalf("shopper 0's list with purchases allowed lacks the AT&T 210: %+v", ids(again))
	}
	got := must(e.Recommend(ctx, "0", aisle.RecommendRequest{N: 50}))
	for _, r := range got {
		if r.Item == "779" || slices.ContainsFunc(r.Variants, func(v aisle.Variant) bool { return v.Item == "779" }) {
			t.Errorf("shopper 0 bought the black AT&T 210 and is offered the white one: %+v", r)
		}
	}

	// A newcomer who bought shopper 0's first two phones only.
	evs := []aisle.Event{{User: "newcomer", Item: "0", Type: aisle.EventPurchase, Time: time.Now()}, {User: "newcomer", Item: "1", Type: aisle.EventPurchase, Time: time.Now()}}
	if _, err := db.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	e.Observe(evs)
	got = must(e.Recommend(ctx, "newcomer", aisle.RecommendRequest{N: 50}))
	var phones []aisle.Recommendation
	for _, r := range got {
		if r.Item == "2" || r.Item == "779" {
			phones = append(phones, r)
		}
	}
	if len(phones) != 1 {
		t.Fatalf("the newcomer gets %d of the two AT&T 210 phones, want one: %+v", len(phones), got)
	}
	other := map[string]string{"2": "779", "779": "2"}[phones[0].Item]
	if len(phones[0].Variants) != 1 || phones[0].Variants[0].Item != other {
		t.Errorf("%s's variants = %+v, want %s", phones[0].Item, phones[0].Variants, other)
	}
	t.Logf("newcomer: %s with variants %+v", phones[0].Title, phones[0].Variants)
}

// checkCompleteCart checks complete-the-cart on Office: a label maker's
// and a printer's baskets get items of other kinds (never their own leaf
// category), with reasons; unknown items are refused naming them.
func checkCompleteCart(t *testing.T, e *Engine) {
	ctx := context.Background()
	for _, basket := range [][]string{{"53"}, {"366"}, {"53", "617"}} {
		leaves := map[string]bool{}
		for _, id := range basket {
			leaves[e.kindOf(id)] = true
		}
		got := must(e.CompleteCart(ctx, aisle.CartRequest{Items: basket, N: 10}))
		if len(got) == 0 {
			t.Fatalf("basket %v: nothing", basket)
		}
		for _, r := range got {
			if leaves[e.kindOf(r.Item)] || leaves[e.leafOf(r.Item)] || slices.Contains(basket, r.Item) {
				t.Errorf("basket %v (kinds %v): %s %q of kind %q", basket, leaves, r.Item, r.Title, e.kindOf(r.Item))
			}
			if len(r.Reasons) == 0 || len(r.Models) == 0 || r.Title == "" {
				t.Errorf("basket %v: %+v lacks a reason, models or title", basket, r)
			}
		}
		t.Logf("basket %v: %s (%s), %s (%s)", basket, got[0].Title, got[0].Reasons[0], got[1].Title, got[1].Reasons[0])
	}
	_, err := e.CompleteCart(ctx, aisle.CartRequest{Items: []string{"53", "no-such-item"}, N: 10})
	if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != "items[1]" {
		t.Errorf("unknown basket item: %v, want EINVALID naming items[1]", err)
	}
}

// leafOf returns item id's leaf category, lower-cased; "" for none.
func (e *Engine) leafOf(id string) string {
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	return e.mem.items[id].leaf()
}
