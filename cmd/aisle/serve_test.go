package main

import (
	"bytes"
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
	"github.com/aislehq/aisle/store/sqlite"
)

// recommendations is the body of GET /v1/recommend and /similar.
type recommendations struct {
	Items []aisle.Recommendation `json:"items"`
}

// call sends a request with a JSON body (none when body is "") to the
// server under test and decodes the JSON reply into out (when not nil),
// failing unless the status is want.
func call(t *testing.T, method, u string, body string, want int, out any) {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	send(t, method, u, ct, []byte(body), want, out)
}

// send sends a request with body of the content type ct (none when ct is
// "") and decodes the JSON reply into out (when not nil), failing unless
// the status is want.
func send(t *testing.T, method, u, ct string, body []byte, want int, out any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, u, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, u, err, b)
		}
	}
}

// checkServedRecommendations drives a real server over a store trained on
// Office: the fused models for known shoppers, popularity for unknown
// ones, purchases and exclude lists left out, the category filter,
// recommendations that follow new events at once, and clear 400s for bad
// parameters.
func checkServedRecommendations(t *testing.T, dir string) {
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.LogLevel = "error"
	db := openTestStore(t, &cfg)
	base := startServer(t, cfg, db)
	rec := func(user, query string) []aisle.Recommendation {
		t.Helper()
		var r recommendations
		call(t, "GET", base+"/v1/recommend/"+url.PathEscape(user)+"?"+query, "", http.StatusOK, &r)
		return r.Items
	}
	ids := func(rs []aisle.Recommendation) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Item)
		}
		return out
	}

	// A shopper with purchases: the fused ranking, reasons, no purchases.
	user, bought := shopperWithPurchases(t, db)
	got := rec(user, "n=10")
	if len(got) != 10 || got[0].Models[0] != "fused" || len(got[0].Reasons) == 0 || got[0].Title == "" {
		t.Fatalf("%s gets %+v, want 10 fused recommendations with reasons and titles", user, got)
	}
	for _, r := range got {
		if bought[r.Item] {
			t.Errorf("%s is recommended %s, which they bought", user, r.Item)
		}
	}

	// exclude removes items and the list stays full.
	excluded := ids(got[:3])
	again := rec(user, "n=10&exclude="+strings.Join(excluded, ","))
	if len(again) != 10 {
		t.Errorf("with exclude: %d items, want 10", len(again))
	}
	for _, r := range again {
		if slices.Contains(excluded, r.Item) {
			t.Errorf("excluded %s recommended", r.Item)
		}
	}

	// category keeps only that category's items.
	var item aisle.Item
	call(t, "GET", base+"/v1/items/"+url.PathEscape(got[0].Item), "", http.StatusOK, &item)
	cat := item.Categories[len(item.Categories)-1]
	inCat := rec(user, "n=5&category="+url.QueryEscape(cat))
	if len(inCat) == 0 {
		t.Errorf("category %q: no recommendations", cat)
	}
	for _, r := range inCat {
		var it aisle.Item
		call(t, "GET", base+"/v1/items/"+url.PathEscape(r.Item), "", http.StatusOK, &it)
		if !slices.ContainsFunc(it.Categories, func(c string) bool { return strings.EqualFold(c, cat) }) {
			t.Errorf("category %q: got %s in %v", cat, r.Item, it.Categories)
		}
	}

	// Cold start: popularity, never an error.
	cold := rec("shopper-never-seen", "n=7")
	if len(cold) != 7 || cold[0].Models[0] != "popular" {
		t.Errorf("unknown shopper gets %+v, want 7 popular items", cold)
	}

	// Events change the next recommendations at once: the newcomer's
	// views make the fused models take over from popularity, and their
	// list follows what they viewed.
	viewed := ids(got[:2])
	var evs []string
	for k, it := range viewed {
		evs = append(evs, fmt.Sprintf(`{"user":"newcomer","item":%q,"type":"view","timestamp":"2026-01-01T00:0%d:00Z"}`, it, k))
	}
	call(t, "POST", base+"/v1/events", `{"events":[`+strings.Join(evs, ",")+`]}`, http.StatusOK, nil)
	warm := rec("newcomer", "n=7")
	if len(warm) != 7 || warm[0].Models[0] != "fused" {
		t.Errorf("after two views the newcomer gets %+v, want fused recommendations", warm)
	}
	for _, r := range warm {
		if slices.Contains(viewed, r.Item) {
			t.Errorf("newcomer is recommended %s, which they just viewed", r.Item)
		}
	}
	if slices.Equal(ids(warm), ids(cold)) {
		t.Error("the newcomer's recommendations did not change after their views")
	}

	// Similar items come from the trained item-to-item models.
	var sim recommendations
	call(t, "GET", base+"/v1/items/"+url.PathEscape(got[0].Item)+"/similar?n=5", "", http.StatusOK, &sim)
	if len(sim.Items) == 0 || sim.Items[0].Models[0] != "fused" || sim.Items[0].Item == got[0].Item {
		t.Errorf("similar to %s: %+v", got[0].Item, sim.Items)
	}

	// Similar by text: items described like it, from the content model.
	var byText recommendations
	call(t, "GET", base+"/v1/items/"+url.PathEscape(got[0].Item)+"/similar?n=5&mode=content", "", http.StatusOK, &byText)
	if len(byText.Items) != 5 || byText.Items[0].Models[0] != "content" || byText.Items[0].Item == got[0].Item {
		t.Errorf("similar by text to %s: %+v", got[0].Item, byText.Items)
	}

	// Search: real matches with intent and facets; bad queries are 400s.
	var found struct {
		Items []struct {
			ID, Title string
			Sources   []string
		}
		Intent struct{ Terms []string }
		Facets struct {
			Categories []struct {
				Value string
				Count int
			}
		}
		Total int
	}
	call(t, "GET", base+"/v1/search?q=stapler&n=5&user="+url.QueryEscape(user), "", http.StatusOK, &found)
	if len(found.Items) != 5 || found.Total < 5 || len(found.Facets.Categories) == 0 || len(found.Intent.Terms) == 0 {
		t.Fatalf("search stapler: %+v", found)
	}
	for _, it := range found.Items[:3] {
		if !strings.Contains(strings.ToLower(it.Title), "stapl") {
			t.Errorf("search stapler: top hit %q", it.Title)
		}
	}
	for _, q := range []string{"", "%20%20", strings.Repeat("x", 2000)} {
		call(t, "GET", base+"/v1/search?q="+q, "", http.StatusBadRequest, nil)
	}
	call(t, "GET", base+"/v1/search?q=qqqzzxv", "", http.StatusOK, nil)

	// A new item no shopper has touched gets a place (every 10th) in the
	// list of a shopper who viewed one described the same, from its text.
	var first aisle.Item
	call(t, "GET", base+"/v1/items/"+url.PathEscape(got[0].Item), "", http.StatusOK, &first)
	first.ID, first.CreatedAt, first.UpdatedAt, first.Extracted = "brand-new-twin", time.Time{}, time.Time{}, nil
	body, _ := json.Marshal(first)
	call(t, "PUT", base+"/v1/items/brand-new-twin", string(body), http.StatusCreated, nil)
	call(t, "POST", base+"/v1/events", fmt.Sprintf(`{"events":[{"user":"twin-viewer","item":%q,"type":"view"}]}`, got[0].Item), http.StatusOK, nil)
	deadline := time.Now().Add(20 * time.Second)
	for {
		rs := rec("twin-viewer", "n=10")
		if i := slices.IndexFunc(rs, func(r aisle.Recommendation) bool { return r.Item == "brand-new-twin" }); i >= 0 {
			if rs[i].Models[0] != "content" || i != 9 {
				t.Errorf("new item at place %d with models %v, want place 10 from the content model", i+1, rs[i].Models)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a new twin of %s never reached the list of a shopper who viewed it: %v", got[0].Item, ids(rs))
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Bad parameters: a clear 400 naming the parameter.
	for _, q := range []string{"n=0", "n=-3", "n=100000", "n=ten", "category=no-such-category-anywhere"} {
		var e struct {
			Error struct{ Code, Message, Field string }
		}
		call(t, "GET", base+"/v1/recommend/"+url.PathEscape(user)+"?"+q, "", http.StatusBadRequest, &e)
		if want, _, _ := strings.Cut(q, "="); e.Error.Field != want || e.Error.Message == "" {
			t.Errorf("?%s: error %+v, want one naming %q", q, e.Error, want)
		}
	}
}

// shopperWithPurchases returns a user of db with the most purchases, and
// what they bought.
func shopperWithPurchases(t *testing.T, db *sqlite.DB) (string, map[string]bool) {
	t.Helper()
	byUser := map[string]map[string]bool{}
	best := ""
	for ev, err := range db.Events(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != aisle.EventPurchase {
			continue
		}
		if byUser[ev.User] == nil {
			byUser[ev.User] = map[string]bool{}
		}
		byUser[ev.User][ev.Item] = true
		if best == "" || len(byUser[ev.User]) > len(byUser[best]) {
			best = ev.User
		}
	}
	if best == "" {
		t.Fatal("no purchases in the store")
	}
	return best, byUser[best]
}
