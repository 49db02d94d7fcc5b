package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
)

// TestServedRulesOffice imports Office (no training: popularity and
// co-occurrence serve) and checks the merchandising rules against the
// server (checkServedRules). TestImportTrainServe runs the same checks
// on the trained models.
func TestServedRulesOffice(t *testing.T) {
	dir := importOffice(t, "imports a real dataset")
	checkServedRules(t, dir)
}

// ruleClient calls the server under test with an API key.
type ruleClient struct {
	t    *testing.T
	base string
	key  string
}

// call sends a request with a JSON body (none when "") and decodes the
// reply into out (when not nil), failing unless the status is want.
func (c ruleClient) call(method, path, body string, want int, out any) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader([]byte(body)))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

func (c ruleClient) rec(user, query string) []aisle.Recommendation {
	c.t.Helper()
	var r recommendations
	c.call("GET", "/v1/recommend/"+url.PathEscape(user)+"?"+query, "", http.StatusOK, &r)
	return r.Items
}

func (c ruleClient) similar(item string) []aisle.Recommendation {
	c.t.Helper()
	var r recommendations
	c.call("GET", "/v1/items/"+url.PathEscape(item)+"/similar?n=10", "", http.StatusOK, &r)
	return r.Items
}

// searchHit is one item of GET /v1/search.
type searchHit struct {
	ID      string   `json:"id"`
	Reasons []string `json:"reasons"`
}

func (c ruleClient) search(q string) []searchHit {
	c.t.Helper()
	var r struct{ Items []searchHit }
	c.call("GET", "/v1/search?n=20&q="+url.QueryEscape(q), "", http.StatusOK, &r)
	return r.Items
}

func (c ruleClient) put(name, body string) {
	c.t.Helper()
	c.call("PUT", "/v1/rules/"+name, body, http.StatusCreated, nil)
}

func (c ruleClient) del(name string) {
	c.t.Helper()
	c.call("DELETE", "/v1/rules/"+name, "", http.StatusNoContent, nil)
}

func (c ruleClient) item(id string) aisle.Item {
	c.t.Helper()
	var it aisle.Item
	c.call("GET", "/v1/items/"+url.PathEscape(id), "", http.StatusOK, &it)
	return it
}

func recIDs(rs []aisle.Recommendation) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Item)
	}
	return out
}

// moved re-ranks pool as a boost (shift > 0) or bury (shift < 0) of the
// items shift names is documented to (package rules): each by its place
// less its shift, ties to the one moved up more, then the better ranked;
// the first n.
func moved(pool []aisle.Recommendation, shift func(string) int, n int) []string {
	type e struct {
		id         string
		key, shift int
	}
	var es []e
	for i, r := range pool {
		es = append(es, e{r.Item, i - shift(r.Item), shift(r.Item)})
	}
	slices.SortStableFunc(es, func(a, b e) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(b.shift, a.shift)) })
	var out []string
	for _, x := range es[:min(n, len(es))] {
		out = append(out, x.id)
	}
	return out
}

// checkServedRules serves dir (Office) with an admin and a read key and
// checks the rules set through the API: a pin puts an item at its place
// (inserting one no model proposed), a boost and a bury of a brand move
// its items as documented, a blocked category leaves recommendations,
// similar items and search, a rule past its end does nothing, each
// moved item says which rule moved it, a bad rule is 400 naming the
// field and a read key may not touch rules.
func checkServedRules(t *testing.T, dir string) {
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	db := openTestStore(t, &cfg)
	ctx := context.Background()
	admin, _, _, err := apikey.Create(ctx, db, aisle.RoleAdmin, "rules-admin", "", aisle.ActorCLI, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reader, _, _, err := apikey.Create(ctx, db, aisle.RoleRead, "rules-reader", "", aisle.ActorCLI, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	base := startServer(t, cfg, db)
	c := ruleClient{t: t, base: base, key: admin}
	user, bought := shopperWithPurchases(t, db)
	baseline := c.rec(user, "n=10")
	if len(baseline) != 10 {
		t.Fatalf("%s gets %d items, want 10", user, len(baseline))
	}
	checkPins(t, c, user, bought, baseline)
	checkBoostBury(t, c, user)
	checkBlock(t, c, user, baseline)
	checkExpiry(t, c, user, baseline)

	// Bad rules name the field; a read key may neither read nor change rules.
	var e struct {
		Error struct{ Field, Message string }
	}
	c.call("PUT", "/v1/rules/bad", `{"action":"pin","match":{"brands":["x"]}}`, http.StatusBadRequest, &e)
	if e.Error.Field != "position" {
		t.Errorf("pin without a position: error %+v, want one naming position", e.Error)
	}
	c.call("PUT", "/v1/rules/bad", `{"action":"block","match":{"brands":"x"}}`, http.StatusBadRequest, &e)
	if e.Error.Field != "match.brands" {
		t.Errorf("brands a string: error %+v, want one naming match.brands", e.Error)
	}
	r := ruleClient{t: t, base: base, key: reader}
	r.call("PUT", "/v1/rules/sneaky", `{"action":"block","match":{"brands":["x"]}}`, http.StatusForbidden, nil)
	r.call("GET", "/v1/rules", "", http.StatusForbidden, nil)
	r.call("DELETE", "/v1/rules/expired", "", http.StatusForbidden, nil)
}

// checkPins pins a candidate from lower down to the first place and an
// item no list of the shopper holds to the third.
func checkPins(t *testing.T, c ruleClient, user string, bought map[string]bool, baseline []aisle.Recommendation) {
	t.Helper()
	wide := c.rec(user, "n=200")
	x := wide[15].Item // among the 22 candidates two pins gather for 10
	var y string
	var page struct{ Items []aisle.Item }
	c.call("GET", "/v1/items?limit=1000", "", http.StatusOK, &page)
	for _, it := range page.Items {
		if !slices.Contains(recIDs(wide), it.ID) && !bought[it.ID] && it.Availability == aisle.AvailabilityInStock {
			y = it.ID
			break
		}
	}
	c.put("pin-x", fmt.Sprintf(`{"action":"pin","position":1,"match":{"items":[%q]}}`, x))
	c.put("pin-y", fmt.Sprintf(`{"action":"pin","position":3,"match":{"items":["no-such-item",%q]}}`, y))
	got := c.rec(user, "n=10")
	want := append([]string{x, baseline[0].Item, y}, recIDs(baseline[1:8])...)
	if diff := cmpIDs(recIDs(got), want); diff != "" {
		t.Errorf("pinned list %s", diff)
	}
	if len(got) == 10 {
		wantReason(t, got[0], `pinned to position 1 by rule "pin-x"`)
		wantReason(t, got[2], `pinned to position 3 by rule "pin-y"`)
		if !slices.Equal(got[2].Models, []string{"rule"}) {
			t.Errorf("inserted pin's models %v, want [rule]", got[2].Models)
		}
	}
	c.del("pin-x")
	c.del("pin-y")
	if got := c.rec(user, "n=10"); !slices.Equal(recIDs(got), recIDs(baseline)) {
		t.Errorf("after deleting the pins: %v, want %v", recIDs(got), recIDs(baseline))
	}
}

// checkBoostBury boosts the brand of an item lower in the shopper's
// candidates, then buries the brand of the first item, and checks the
// places against the documented arithmetic over the same candidates.
func checkBoostBury(t *testing.T, c ruleClient, user string) {
	t.Helper()
	const reach = 2*10 + 5 // rules.Live.Reach(10) with one rule of strength 5
	pool := c.rec(user, fmt.Sprintf("n=%d", reach))
	brands := map[string]string{}
	for _, r := range pool {
		brands[r.Item] = c.item(r.Item).Brand
	}
	// The brand of the first item from place from on that has one.
	brandFrom := func(from int) string {
		for _, r := range pool[from:] {
			if b := brands[r.Item]; b != "" {
				return b
			}
		}
		return ""
	}
	for _, tt := range []struct {
		rule, action, verb string
		brand              string
		shift              int
	}{
		{"boost-brand", "boost", "boosted", brandFrom(12), 5},
		{"bury-brand", "bury", "buried", brandFrom(0), -5},
	} {
		if tt.brand == "" {
			t.Fatalf("%s: no item among %s's candidates has a brand", tt.rule, user)
		}
		c.put(tt.rule, fmt.Sprintf(`{"action":%q,"match":{"brands":[%q]}}`, tt.action, tt.brand))
		got := c.rec(user, "n=10")
		want := moved(pool, func(id string) int {
			if brands[id] == tt.brand {
				return tt.shift
			}
			return 0
		}, 10)
		if diff := cmpIDs(recIDs(got), want); diff != "" {
			t.Errorf("%s of %q %s", tt.action, tt.brand, diff)
		}
		reason := fmt.Sprintf(`%s by rule %q`, tt.verb, tt.rule)
		for _, r := range got {
			has := slices.Contains(r.Reasons, reason)
			if has != (brands[r.Item] == tt.brand) {
				t.Errorf("%s: %s (brand %q) has reasons %q", tt.rule, r.Item, brands[r.Item], r.Reasons)
			}
		}
		c.del(tt.rule)
	}
}

// checkBlock blocks the leaf category of the shopper's first item and
// of a search's best hits: none is recommended, similar or found, and
// the lists stay full.
func checkBlock(t *testing.T, c ruleClient, user string, baseline []aisle.Recommendation) {
	t.Helper()
	first := c.item(baseline[0].Item)
	leaf := first.Categories[len(first.Categories)-1]
	hits := c.search(leaf)
	inLeaf := func(id string) bool {
		return slices.ContainsFunc(c.item(id).Categories, func(s string) bool { return strings.EqualFold(s, leaf) })
	}
	if len(hits) == 0 || !inLeaf(hits[0].ID) {
		t.Fatalf("search %q finds no item of its category: %v", leaf, hits)
	}
	if !slices.ContainsFunc(recIDs(c.similar(first.ID)), inLeaf) {
		t.Logf("no item similar to %s is in %q before the block", first.ID, leaf)
	}
	c.put("block-leaf", fmt.Sprintf(`{"action":"block","match":{"categories":[%q]}}`, strings.ToUpper(leaf)))
	recs := c.rec(user, "n=10")
	sim := c.similar(first.ID)
	found := c.search(leaf)
	if len(recs) != 10 {
		t.Errorf("with %q blocked: %d recommendations, want 10", leaf, len(recs))
	}
	for _, list := range [][]string{recIDs(recs), recIDs(sim), searchIDs(found)} {
		for _, id := range list {
			if inLeaf(id) {
				t.Errorf("blocked category %q: %s returned", leaf, id)
			}
		}
	}
	c.del("block-leaf")
}

// checkExpiry: a rule whose end has passed does nothing but is listed;
// a rule that ends soon applies until it ends.
func checkExpiry(t *testing.T, c ruleClient, user string, baseline []aisle.Recommendation) {
	t.Helper()
	past := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	c.put("expired", fmt.Sprintf(`{"action":"block","match":{"items":[%q]},"ends_at":%q}`, baseline[0].Item, past))
	if got := c.rec(user, "n=10"); !slices.Equal(recIDs(got), recIDs(baseline)) {
		t.Errorf("an expired rule changed the list: %v, want %v", recIDs(got), recIDs(baseline))
	}
	var list struct{ Items []aisle.Rule }
	c.call("GET", "/v1/rules", "", http.StatusOK, &list)
	if len(list.Items) != 1 || list.Items[0].Name != "expired" || list.Items[0].End.IsZero() {
		t.Errorf("rules listed: %+v, want the expired one", list.Items)
	}
	end := time.Now().Add(2 * time.Second)
	c.put("soon-over", fmt.Sprintf(`{"action":"block","match":{"items":[%q]},"ends_at":%q}`, baseline[0].Item, end.UTC().Format(time.RFC3339Nano)))
	if got := c.rec(user, "n=10"); time.Now().Before(end) && slices.Contains(recIDs(got), baseline[0].Item) {
		t.Errorf("a rule within its window did not block %s", baseline[0].Item)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if got := c.rec(user, "n=10"); slices.Equal(recIDs(got), recIDs(baseline)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the rule past its end still applies")
		}
	}
	c.del("soon-over")
}

func searchIDs(hs []searchHit) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.ID)
	}
	return out
}

func wantReason(t *testing.T, r aisle.Recommendation, reason string) {
	t.Helper()
	if !slices.Contains(r.Reasons, reason) {
		t.Errorf("%s: reasons %q, want %q among them", r.Item, r.Reasons, reason)
	}
}

// cmpIDs returns "" when got equals want, else both.
func cmpIDs(got, want []string) string {
	if slices.Equal(got, want) {
		return ""
	}
	return fmt.Sprintf("\n got %v\nwant %v", got, want)
}
