package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/recommend"
)

// TestServedCartOffice imports Office (no training: the co-occurrence
// rebuilt from the log serves) and checks complete-the-cart against the
// server (checkServedCart). TestImportTrainServe runs the same checks on
// the trained models.
func TestServedCartOffice(t *testing.T) {
	dir := importOffice(t, "imports a real dataset")
	checkServedCart(t, dir)
}

// checkServedCart serves dir (Office) and completes baskets: a label
// maker's (item 53), a laser printer's (617) and an inkjet printer's
// (366) get items of neither their leaf category nor their kind, each
// with a reason and not what the shopper bought; bad requests are 400
// naming the field.
func checkServedCart(t *testing.T, dir string) {
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	db := openTestStore(t, &cfg)
	base := startServer(t, cfg, db)
	item := func(id string) aisle.Item {
		t.Helper()
		var it aisle.Item
		call(t, "GET", base+"/v1/items/"+url.PathEscape(id), "", http.StatusOK, &it)
		return it
	}
	leaf := func(it aisle.Item) string { return strings.ToLower(it.Categories[len(it.Categories)-1]) }
	for _, basket := range [][]string{{"53"}, {"617"}, {"366"}, {"53", "617"}} {
		leaves, kinds := map[string]bool{}, map[string]bool{}
		for _, id := range basket {
			it := item(id)
			leaves[leaf(it)], kinds[recommend.CartKind(it.Categories)] = true, true
		}
		var got recommendations
		call(t, "POST", base+"/v1/cart/recommend", fmt.Sprintf(`{"items":["%s"],"user":"0","n":10}`, strings.Join(basket, `","`)), http.StatusOK, &got)
		if len(got.Items) == 0 {
			t.Errorf("basket %v: nothing", basket)
		}
		for _, r := range got.Items {
			it := item(r.Item)
			if leaves[leaf(it)] || kinds[recommend.CartKind(it.Categories)] {
				t.Errorf("basket %v (leaves %v): %s %q in %v", basket, leaves, r.Item, r.Title, it.Categories)
			}
			if len(r.Reasons) == 0 || r.Reasons[0] == "" {
				t.Errorf("basket %v: %s has no reason", basket, r.Item)
			}
			if slices.Contains([]string{"0", "1", "2", "3", "4"}, r.Item) || slices.Contains(basket, r.Item) {
				t.Errorf("basket %v: %s is in the basket or shopper 0 bought it", basket, r.Item)
			}
		}
	}
	for _, bad := range []struct{ body, field string }{
		{`{"items":["53","no-such-item"]}`, "items[1]"},
		{`{"items":[]}`, "items"},
		{`{"items":["53"],"n":0.5}`, "n"},
		{`{"items":["53"],"n":500}`, "n"},
		{`{"items":["53"],"category":"no such category"}`, "category"},
		{`{"items":["53"],"min_price":5,"max_price":1}`, "max_price"},
	} {
		var e struct {
			Error struct{ Field string } `json:"error"`
		}
		call(t, "POST", base+"/v1/cart/recommend", bad.body, http.StatusBadRequest, &e)
		if e.Error.Field != bad.field {
			t.Errorf("%s: field %q, want %q", bad.body, e.Error.Field, bad.field)
		}
	}
}
