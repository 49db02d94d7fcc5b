package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// probe is a client of a real server under test.
type probe struct {
	t    *testing.T
	base string
	key  string // sent as a Bearer key when set
}

// do sends a request (a JSON body when body is not "") with extra header
// pairs, and returns the status and body.
func (p *probe) do(method, path, body string, headers ...string) (int, []byte) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.base+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if p.key != "" {
		req.Header.Set("Authorization", "Bearer "+p.key)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// must sends a request and fails unless the status is want; it decodes
// the reply into out when out is not nil.
func (p *probe) must(want int, method, path, body string, out any, headers ...string) {
	p.t.Helper()
	status, b := p.do(method, path, body, headers...)
	if status != want {
		p.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			p.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// item returns the stored item id.
func (p *probe) item(id string) aisle.Item {
	p.t.Helper()
	var it aisle.Item
	p.must(http.StatusOK, "GET", "/v1/items/"+url.PathEscape(id), "", &it)
	return it
}

// TestSecurityProbe replays issue 11's probe of a real server over the
// Office catalog and its 53,258 purchases: each finding, tried as an
// attacker on the same network would, must now fail.
func TestSecurityProbe(t *testing.T) {
	dir := importOffice(t, "imports the Office dataset")
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.Store.Synchronous = "NORMAL"
	cfg.Photos.Model = imageModelNone
	cfg.LogLevel = "error"
	db := openTestStore(t, &cfg)
	base := startServer(t, cfg, db)

	// An internal service the server must never reach for anyone.
	var internalHits atomic.Int32
	internal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		internalHits.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write([]byte("\x89PNG secret"))
	}))
	defer internal.Close()

	t.Run("data and local files", func(t *testing.T) {
		p := &probe{t: t, base: base}
		for _, ref := range []string{
			filepath.Join(dir, "aisle.db"), filepath.Join(dir, "aisle.db-wal"), "file://" + filepath.Join(dir, "aisle.db"),
			"../aisle.db", "aisle.db", "/etc/passwd", "file:///etc/hostname",
		} {
			body, _ := json.Marshal(map[string]any{"title": "Probe", "images": []string{ref}})
			status, b := p.do("PUT", "/v1/items/probe-file", string(body))
			if status != http.StatusBadRequest || !strings.Contains(string(b), "images[0]") {
				t.Errorf("image %q: status %d: %s", ref, status, b)
			}
			if strings.Contains(string(b), dir) || strings.Contains(string(b), "/work") {
				t.Errorf("image %q: the error shows a server path: %s", ref, b)
			}
		}
		p.must(http.StatusNotFound, "GET", "/v1/items/probe-file", "", nil)
	})

	t.Run("internal network", func(t *testing.T) {
		p := &probe{t: t, base: base}
		u, _ := url.Parse(internal.URL)
		refs := map[string]string{
			"probe-ssrf-1": internal.URL + "/photo.png",
			"probe-ssrf-2": "http://localhost:" + u.Port() + "/photo.png",
			"probe-ssrf-3": "http://169.254.169.254/latest/meta-data/iam/",
			"probe-ssrf-4": "http://[::ffff:127.0.0.1]:" + u.Port() + "/x.png",
			"probe-ssrf-5": "http://127.0.0.1:1/closed-port.png",
			"probe-ssrf-6": "http://no-such-host.invalid/x.png",
		}
		for id, ref := range refs {
			body, _ := json.Marshal(map[string]any{"title": "Probe", "images": []string{ref}})
			p.must(http.StatusCreated, "PUT", "/v1/items/"+id, string(body), nil)
		}
		body, _ := json.Marshal(map[string]any{"title": "Probe", "images": []string{"http://admin:pw@" + u.Host + "/x.png"}})
		p.must(http.StatusBadRequest, "PUT", "/v1/items/probe-ssrf-creds", string(body), nil)
		// The photo worker reads them in the background.
		errs := map[string]string{}
		deadline := time.Now().Add(30 * time.Second)
		for len(errs) < len(refs) && time.Now().Before(deadline) {
			for id := range refs {
				if it := p.item(id); it.Visual != nil {
					errs[id] = it.Visual.Error
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(errs) < len(refs) {
			t.Fatalf("photos not read within 30 s: %v", errs)
		}
		if n := internalHits.Load(); n != 0 {
			t.Errorf("the internal service was reached %d times", n)
		}
		var first string
		for id, msg := range errs {
			neutral := strings.Replace(msg, refs[id], "URL", 1)
			if first == "" {
				first = neutral
			}
			if neutral != first || !strings.Contains(msg, "could not fetch the photo") {
				t.Errorf("%s: visual.error %q differs from %q: it tells the internal network apart", id, msg, first)
			}
		}
	})

	t.Run("popularity poisoning", func(t *testing.T) {
		p := &probe{t: t, base: base}
		p.must(http.StatusCreated, "PUT", "/v1/items/probe-new", `{"title":"Brand new gadget"}`, nil)
		p.must(http.StatusOK, "POST", "/v1/events", `{"events":[{"user":"anonymous-1","item":"probe-new","type":"view"}]}`, nil)
		for range 50 { // one shopper hammering it
			p.must(http.StatusOK, "POST", "/v1/events", `{"events":[{"user":"anonymous-2","item":"probe-new","type":"purchase"}]}`, nil)
		}
		var recs recommendations
		p.must(http.StatusOK, "GET", "/v1/recommend/a-new-shopper?n=10", "", &recs)
		for i, r := range recs.Items {
			if r.Item == "probe-new" && i%5 != 4 { // every 5th place is a new arrival's
				t.Errorf("the poisoned item is at #%d for a new shopper: %+v", i+1, recs.Items)
			}
		}
		if len(recs.Items) == 0 || recs.Items[0].Item == "probe-new" {
			t.Fatalf("cold start list %+v", recs.Items)
		}
	})

	t.Run("erasure", func(t *testing.T) {
		p := &probe{t: t, base: base}
		// Two items of a category of their own: one bought by three
		// shoppers, one put in the cart by four.
		p.must(http.StatusOK, "POST", "/v1/items", `{"items":[
			{"id":"probe-a","title":"Probe widget A","categories":["Probe"]},
			{"id":"probe-b","title":"Probe widget B","categories":["Probe"]}]}`, nil)
		var events []string
		for _, u := range []string{"probe-s1", "probe-s2", "probe-s3"} {
			events = append(events, fmt.Sprintf(`{"user":%q,"item":"probe-a","type":"purchase"}`, u))
		}
		for _, u := range []string{"probe-s4", "probe-s5", "probe-s6", "probe-s7"} {
			events = append(events, fmt.Sprintf(`{"user":%q,"item":"probe-b","type":"add_to_cart"}`, u))
		}
		p.must(http.StatusOK, "POST", "/v1/events", `{"events":[`+strings.Join(events, ",")+`]}`, nil)
		first := func() string {
			var recs recommendations
			p.must(http.StatusOK, "GET", "/v1/recommend/probe-nobody?n=2&category=Probe", "", &recs)
			if len(recs.Items) == 0 {
				t.Fatal("no recommendations in category Probe")
			}
			return recs.Items[0].Item
		}
		if got := first(); got != "probe-a" {
			t.Fatalf("before the erasure the first Probe item is %s, want probe-a", got)
		}
		p.must(http.StatusNoContent, "DELETE", "/v1/users/probe-s1", "", nil)
		// At once, not at the next rebuild: probe-a has two shoppers left.
		if got := first(); got != "probe-b" {
			t.Errorf("after erasing a buyer the first Probe item is %s, want probe-b", got)
		}
		p.must(http.StatusNotFound, "GET", "/v1/users/probe-s1/events", "", nil)
		p.do("GET", "/v1/search?q=widget&user=probe-s1", "")
		p.must(http.StatusNotFound, "GET", "/v1/users/probe-s1", "", nil)
		var audit struct{ Items []aisle.AuditEntry }
		p.must(http.StatusOK, "GET", "/v1/audit", "", &audit)
		if len(audit.Items) == 0 || audit.Items[len(audit.Items)-1].Action != aisle.AuditEraseUser || strings.Contains(fmt.Sprint(audit.Items), "probe-s1") {
			t.Errorf("audit log: %+v", audit.Items)
		}
	})

	t.Run("cross-site", func(t *testing.T) {
		p := &probe{t: t, base: base}
		for _, h := range [][]string{{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"}, {"Host", "evil.example"}} {
			if status, _ := p.do("DELETE", "/v1/items/probe-a", "", h...); status != http.StatusForbidden {
				t.Errorf("DELETE with %v: status %d, want 403", h, status)
			}
		}
		if status, _ := p.do("POST", "/v1/events", ""); status != http.StatusUnsupportedMediaType {
			t.Errorf("POST /v1/events without a Content-Type: %d, want 415", status)
		}
		p.item("probe-a")
	})

	t.Run("stale engine copy", func(t *testing.T) {
		p := &probe{t: t, base: base}
		var recs recommendations
		p.must(http.StatusOK, "GET", "/v1/recommend/probe-nobody-2?n=1", "", &recs)
		hot := recs.Items[0].Item
		it := p.item(hot)
		for round := range 25 {
			var wg sync.WaitGroup
			for w := range 8 {
				wg.Go(func() {
					body, _ := json.Marshal(map[string]any{"title": fmt.Sprintf("Round %d writer %d", round, w), "brand": it.Brand, "categories": it.Categories})
					req, _ := http.NewRequest("PUT", base+"/v1/items/"+url.PathEscape(hot), bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					resp.Body.Close()
				})
			}
			wg.Wait()
			stored := p.item(hot).Title
			p.must(http.StatusOK, "GET", "/v1/recommend/probe-nobody-2?n=1", "", &recs)
			if recs.Items[0].Item != hot || recs.Items[0].Title != stored {
				t.Fatalf("round %d: the engine serves %q for %s, the store has %q", round, recs.Items[0].Title, hot, stored)
			}
		}
	})

	t.Run("keys", func(t *testing.T) {
		p := &probe{t: t, base: base}
		var admin struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		}
		p.must(http.StatusCreated, "POST", "/v1/keys", `{"role":"admin","name":"probe"}`, &admin)
		var reader struct{ Key string }
		p.must(http.StatusUnauthorized, "POST", "/v1/keys", `{"role":"read"}`, nil)
		p.key = admin.Key
		p.must(http.StatusCreated, "POST", "/v1/keys", `{"role":"read","name":"storefront"}`, &reader)
		anon := &probe{t: t, base: base}
		for _, path := range []string{"/v1/items/probe-a", "/v1/recommend/x", "/v1/search?q=pen", "/metrics"} {
			if status, _ := anon.do("GET", path, ""); status != http.StatusUnauthorized {
				t.Errorf("GET %s without a key: %d, want 401", path, status)
			}
		}
		if status, _ := anon.do("DELETE", "/v1/items/probe-a", ""); status != http.StatusUnauthorized {
			t.Errorf("DELETE without a key: %d", status)
		}
		ro := &probe{t: t, base: base, key: reader.Key}
		ro.must(http.StatusOK, "GET", "/v1/items/probe-a", "", nil)
		ro.must(http.StatusForbidden, "DELETE", "/v1/items/probe-a", "", nil)
		ro.must(http.StatusForbidden, "DELETE", "/v1/users/probe-s2", "", nil)
		p.must(http.StatusOK, "GET", "/metrics", "", nil)
		p.must(http.StatusNoContent, "DELETE", "/v1/items/probe-a", "", nil)
	})
}
