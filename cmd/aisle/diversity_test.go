package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
)

// checkServedDiversity serves the data directory dir (imported and
// trained by the CLI) and checks, over the HTTP API, that diversity=1
// lowers the intra-list similarity of shoppers' lists (more pairs of
// items from different leaf categories than diversity=0), that some item
// says it was moved up for variety, and that max_per_category=1 gives
// every item its own leaf category.
func checkServedDiversity(t *testing.T, dir string) {
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	db := openTestStore(t, &cfg)
	base := startServer(t, cfg, db)
	leaves := map[string]string{}
	leaf := func(id string) string {
		t.Helper()
		if l, ok := leaves[id]; ok {
			return l
		}
		var it aisle.Item
		call(t, "GET", base+"/v1/items/"+url.PathEscape(id), "", http.StatusOK, &it)
		leaves[id] = strings.Join(it.Categories, "/")
		return leaves[id]
	}
	ild := func(rs []aisle.Recommendation) float64 {
		pairs, apart := 0, 0
		for a := range rs {
			for b := a + 1; b < len(rs); b++ {
				pairs++
				if leaf(rs[a].Item) != leaf(rs[b].Item) {
					apart++
				}
			}
		}
		return float64(apart) / float64(max(pairs, 1))
	}
	var plain, diverse float64
	moved := false
	for u := range 20 {
		user := fmt.Sprint(u * 37)
		var r0, r1, capped recommendations
		call(t, "GET", base+"/v1/recommend/"+user+"?n=10", "", http.StatusOK, &r0)
		call(t, "GET", base+"/v1/recommend/"+user+"?n=10&diversity=1", "", http.StatusOK, &r1)
		call(t, "GET", base+"/v1/recommend/"+user+"?n=10&max_per_category=1", "", http.StatusOK, &capped)
		if len(r0.Items) != 10 || len(r1.Items) != 10 {
			t.Fatalf("shopper %s: %d and %d items", user, len(r0.Items), len(r1.Items))
		}
		plain, diverse = plain+ild(r0.Items), diverse+ild(r1.Items)
		for _, r := range r1.Items {
			moved = moved || slices.Contains(r.Reasons, "moved up for variety")
		}
		seen := map[string]bool{}
		for _, r := range capped.Items {
			if seen[leaf(r.Item)] {
				t.Errorf("shopper %s, max_per_category=1: two items of %s", user, leaf(r.Item))
			}
			seen[leaf(r.Item)] = true
		}
	}
	plain, diverse = plain/20, diverse/20
	t.Logf("intra-list diversity by leaf category over 20 shoppers: %.3f plain, %.3f with diversity=1", plain, diverse)
	if diverse <= plain {
		t.Errorf("diversity=1 gives intra-list diversity %.3f, no more than the plain lists' %.3f", diverse, plain)
	}
	if !moved {
		t.Error("no item says it was moved up for variety")
	}
}
