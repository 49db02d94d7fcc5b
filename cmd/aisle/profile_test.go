package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/bench"
	"github.com/aislehq/aisle/profile"
)

// servedProfile is the body of GET /v1/users/{id}/profile.
type servedProfile struct {
	profile.View
	Summary string `json:"summary"`
	Centers []struct {
		Weight   float64 `json:"weight"`
		Examples []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"examples"`
	} `json:"centers"`
}

// tag returns the profile's tag id, or nil.
func (p *servedProfile) tag(id string) *profile.TagView {
	for i := range p.Tags {
		if p.Tags[i].ID == id {
			return &p.Tags[i]
		}
	}
	return nil
}

// TestProfileServed drives shoppers' profiles on a real server over
// Office trained by the CLI: a new shopper's purchases of Brother label
// tapes and labelers show in their profile (tags with the events behind
// them, a summary in English and Chinese); removing brand:Brother takes it
// out of the profile and the next recommendations, and both stay so after
// a restart; bad parameters are 400 naming the field; another shopper's
// key may neither read nor change the profile; erasing the shopper erases
// it.
func TestProfileServed(t *testing.T) {
	dir := importOffice(t, "trains every model on real data")
	if code, _, stderr := runCLI(t, "train", "-data-dir", dir, "-log-level", "warn", "-background=false", "-content-vectors", "text"); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Store.Synchronous = "NORMAL"
	cfg.Photos.Model = imageModelNone
	cfg.LogLevel = "error"
	db := openTestStore(t, &cfg)
	logger, err := cfg.logger(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := bench.StartServer(context.Background(), func(ctx context.Context, started func(string)) error {
		return serve(ctx, &env{stdout: io.Discard, stderr: io.Discard}, cfg, db, logger, started)
	})
	if err != nil {
		t.Fatal(err)
	}
	stop = sync.OnceFunc(stop)
	t.Cleanup(stop)
	p := &probe{t: t, base: base}
	const user = "label-shopper"
	// 879 and 1551 are Brother label tapes, 652 a Brother labeler; 740
	// and 636 Brother label printers.
	p.must(http.StatusOK, "POST", "/v1/events", `{"events":[
		{"user":"label-shopper","item":"879","type":"purchase"},
		{"user":"label-shopper","item":"1551","type":"purchase"},
		{"user":"label-shopper","item":"652","type":"purchase"},
		{"user":"label-shopper","item":"740","type":"view"},
		{"user":"label-shopper","item":"636","type":"click"}]}`, nil)

	var en, zh servedProfile
	p.must(http.StatusOK, "GET", "/v1/users/"+user+"/profile?lang=en", "", &en)
	p.must(http.StatusOK, "GET", "/v1/users/"+user+"/profile?lang=zh", "", &zh)
	brand, leaf := en.tag("brand:Brother"), en.tag("category:Desktop Label Printers")
	if brand == nil || leaf == nil || !leaf.Leaf || en.Tags[0].ID != "brand:Brother" {
		t.Fatalf("profile lacks brand:Brother first and the leaf category Desktop Label Printers: %+v", en.Tags)
	}
	if len(brand.Support) != 5 || !slices.ContainsFunc(brand.Support, func(s profile.Support) bool { return s.Type == aisle.EventPurchase && s.Item == "879" }) {
		t.Errorf("brand:Brother is supported by %+v, want the five events, the purchase of 879 among them", brand.Support)
	}
	if en.tag("category:Labels & Stickers") == nil || en.Events != 5 {
		t.Errorf("profile %+v lacks Labels & Stickers or counts %d events", en.Tags, en.Events)
	}
	if !strings.Contains(en.Summary, "Desktop Label Printers") || !strings.Contains(en.Summary, "brand Brother") {
		t.Errorf("English summary %q", en.Summary)
	}
	if !strings.Contains(zh.Summary, "常选品牌Brother") || !strings.Contains(zh.Summary, "主要购买Desktop Label Printers") {
		t.Errorf("Chinese summary %q", zh.Summary)
	}
	if len(en.Centers) == 0 || len(en.Centers[0].Examples) == 0 || en.Centers[0].Examples[0].Title == "" {
		t.Errorf("interest centres %+v, want examples with titles", en.Centers)
	}

	brother := func(recs []aisle.Recommendation) (n int, reasons []string) {
		for _, r := range recs {
			if p.item(r.Item).Brand == "Brother" {
				n++
			}
			reasons = append(reasons, r.Reasons...)
		}
		return n, reasons
	}
	var before recommendations
	p.must(http.StatusOK, "GET", "/v1/recommend/"+user+"?n=10", "", &before)
	if n, reasons := brother(before.Items); n == 0 || !slices.ContainsFunc(reasons, func(r string) bool { return strings.HasPrefix(r, "because you buy Brother") }) {
		t.Errorf("before removing Brother: %d Brother items, reasons %q; want some, and a reason from the profile", n, reasons)
	}

	p.must(http.StatusNoContent, "DELETE", "/v1/users/"+user+"/profile/interests/brand%3ABrother", "", nil)
	check := func(when string) {
		t.Helper()
		var got servedProfile
		p.must(http.StatusOK, "GET", "/v1/users/"+user+"/profile", "", &got)
		if got.tag("brand:Brother") != nil || !slices.Contains(got.Excluded, profile.Tag{Kind: profile.KindBrand, Value: "Brother"}) || got.tag("category:Desktop Label Printers") == nil {
			t.Errorf("%s: profile %+v (excluded %v), want brand:Brother removed and kept out, the rest kept", when, got.Tags, got.Excluded)
		}
		var after recommendations
		p.must(http.StatusOK, "GET", "/v1/recommend/"+user+"?n=10", "", &after)
		n, reasons := brother(after.Items)
		if len(after.Items) != 10 || n != 0 || slices.Equal(ids(after.Items), ids(before.Items)) {
			t.Errorf("%s: %d items, %d of Brother (%v); want 10 others", when, len(after.Items), n, ids(after.Items))
		}
		if slices.ContainsFunc(reasons, func(r string) bool { return strings.Contains(r, "Brother") }) {
			t.Errorf("%s: reasons still name Brother: %q", when, reasons)
		}
	}
	check("after DELETE")
	stop()
	p.base = startServer(t, cfg, db)
	check("after a restart")

	for _, c := range []struct{ path, field string }{
		{"/v1/users/" + user + "/profile?lang=fr", "lang"},
		{"/v1/users/" + user + "/profile/interests/Brother", "tag"},
		{"/v1/users/" + user + "/profile/interests/size%3AXL", "tag"},
	} {
		method := "GET"
		if strings.Contains(c.path, "interests") {
			method = "DELETE"
		}
		status, b := p.do(method, c.path, "")
		if status != http.StatusBadRequest || !strings.Contains(string(b), `"field":"`+c.field+`"`) {
			t.Errorf("%s %s: %d %s, want 400 naming %s", method, c.path, status, b, c.field)
		}
	}
	p.must(http.StatusNotFound, "GET", "/v1/users/nobody-at-all/profile", "", nil)

	// Keys: the shopper's own reads and changes it, another shopper's
	// neither; admin erases the shopper, profile included.
	key := func(body string) string {
		var k struct {
			Key string `json:"key"`
		}
		p.must(http.StatusCreated, "POST", "/v1/keys", body, &k)
		return k.Key
	}
	admin := key(`{"role":"admin","name":"ops"}`)
	p.key = admin
	own, other := key(`{"role":"read","user":"label-shopper"}`), key(`{"role":"read","user":"someone-else"}`)
	as := func(k string) *probe { return &probe{t: t, base: p.base, key: k} }
	as(other).must(http.StatusForbidden, "GET", "/v1/users/"+user+"/profile", "", nil)
	as(other).must(http.StatusForbidden, "DELETE", "/v1/users/"+user+"/profile/interests/category%3AOffice%20Electronics", "", nil)
	as(own).must(http.StatusOK, "GET", "/v1/users/"+user+"/profile", "", nil)
	as(own).must(http.StatusNoContent, "DELETE", "/v1/users/"+user+"/profile/interests/category%3AOffice%20Electronics", "", nil)
	p.must(http.StatusNoContent, "DELETE", "/v1/users/"+url.PathEscape(user), "", nil)
	p.must(http.StatusNotFound, "GET", "/v1/users/"+user+"/profile", "", nil)
	as(own).must(http.StatusNotFound, "GET", "/v1/users/"+user+"/profile", "", nil)
}

// ids returns the recommended items' ids.
func ids(recs []aisle.Recommendation) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Item
	}
	return out
}
