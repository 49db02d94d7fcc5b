package http

import (
	"context"
	"fmt"
	"image/color"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/google/go-cmp/cmp"
)

// newKey stores a new key with role (bound to user when not "") and
// returns the Authorization header pair for it.
func (e *testEnv) newKey(role aisle.Role, user string) (aisle.Key, []string) {
	e.t.Helper()
	token, k, err := apikey.New(role, "test", user, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.CreateKey(e.t.Context(), k); err != nil {
		e.t.Fatal(err)
	}
	e.srv.keys.Invalidate()
	return k, []string{"Authorization", "Bearer " + token}
}

// TestOpenUntilFirstKey checks that a loopback server without keys
// serves everyone, and that the first key ends that for every /v1 route
// but the OpenAPI document (and the health checks).
func TestOpenUntilFirstKey(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	e.expect(http.StatusNoContent, "DELETE", "/v1/items/mug-1", nil)
	_, admin := e.newKey(aisle.RoleAdmin, "")
	for _, rt := range e.srv.routes() {
		method, path, _ := strings.Cut(rt.pattern, " ")
		path = strings.NewReplacer("{id}", "pen-1", "{user}", "u1", "{hash}", strings.Repeat("a", 64)).Replace(path)
		resp := e.do(method, path, nil)
		if rt.access.role == "" {
			if resp.status == http.StatusUnauthorized {
				t.Errorf("%s: public route needs a key", rt.pattern)
			}
			continue
		}
		if resp.status != http.StatusUnauthorized {
			t.Errorf("%s without a key: status %d, want 401", rt.pattern, resp.status)
			continue
		}
		if got := resp.header.Get("WWW-Authenticate"); got != bearerChallenge {
			t.Errorf("%s: WWW-Authenticate %q", rt.pattern, got)
		}
		if d := apiError(t, resp); d.Code != aisle.EUNAUTHORIZED {
			t.Errorf("%s: error %+v", rt.pattern, d)
		}
	}
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil, admin...)
	for _, h := range [][]string{
		{"Authorization", "Bearer aisle_aaaaaaaaaaaaaaaa_" + strings.Repeat("b", 52)}, // unknown
		{"Authorization", "Basic dTpw"},
		{"Authorization", "Bearer"},
		{"Authorization", admin[1] + "x"},
	} {
		resp := e.expect(http.StatusUnauthorized, "GET", "/v1/items/pen-1", nil, h...)
		if strings.Contains(string(resp.body), strings.TrimPrefix(h[1], "Bearer ")) && len(h[1]) > 20 {
			t.Errorf("the 401 repeats the key sent: %s", resp.body)
		}
	}
}

// TestRoles checks what each role may do.
func TestRoles(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	_, read := e.newKey(aisle.RoleRead, "")
	_, write := e.newKey(aisle.RoleWrite, "")
	_, admin := e.newKey(aisle.RoleAdmin, "")
	item := map[string]any{"title": "Green pen"}
	events := map[string]any{"events": []map[string]any{{"user": "u1", "item": "pen-2", "type": "view"}}}
	cases := []struct {
		method, path string
		body         any
		read, write  int // statuses for a read and a write key (admin: as write, or 2xx)
	}{
		{"GET", "/v1/items/pen-1", nil, 200, 200},
		{"GET", "/v1/search?q=pen", nil, 503, 503}, // allowed; this test server has no index
		{"GET", "/v1/recommend/u1", nil, 200, 200},
		{"PUT", "/v1/items/pen-9", item, 403, 201},
		{"POST", "/v1/events", events, 403, 200},
		{"PUT", "/v1/users/u5", map[string]any{}, 403, 201},
		{"GET", "/v1/users/u1", nil, 403, 403},
		{"GET", "/v1/users/u1/events", nil, 403, 403},
		{"DELETE", "/v1/items/pen-3", nil, 403, 403},
		{"DELETE", "/v1/users/u2", nil, 403, 403},
		{"GET", "/v1/keys", nil, 403, 403},
		{"GET", "/v1/audit", nil, 403, 403},
		{"GET", "/metrics", nil, 403, 403},
	}
	for _, c := range cases {
		if got := e.do(c.method, c.path, c.body, read...).status; got != c.read {
			t.Errorf("read key: %s %s = %d, want %d", c.method, c.path, got, c.read)
		}
		if got := e.do(c.method, c.path, c.body, write...).status; got != c.write {
			t.Errorf("write key: %s %s = %d, want %d", c.method, c.path, got, c.write)
		}
		if got := e.do(c.method, c.path, c.body, admin...).status; got >= 400 && got != 503 {
			t.Errorf("admin key: %s %s = %d", c.method, c.path, got)
		}
	}
}

// TestShopperKey checks a key bound to one shopper: it reads the catalog
// and that shopper's own data and events, posts their events, and nothing
// about anyone else.
func TestShopperKey(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	_, own := e.newKey(aisle.RoleRead, "u1")
	_, writer := e.newKey(aisle.RoleWrite, "u1")
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil, own...)
	e.expect(http.StatusOK, "GET", "/v1/recommend/u1", nil, own...)
	e.expect(http.StatusForbidden, "GET", "/v1/recommend/u2", nil, own...)
	e.expect(http.StatusOK, "GET", "/v1/users/u1", nil, own...)
	e.expect(http.StatusOK, "GET", "/v1/users/u1/events", nil, own...)
	e.expect(http.StatusForbidden, "GET", "/v1/users/u2/events", nil, own...)
	e.expect(http.StatusForbidden, "GET", "/v1/search?q=pen&user=u2", nil, own...)
	e.expect(http.StatusForbidden, "DELETE", "/v1/users/u1", nil, own...)
	e.expect(http.StatusForbidden, "PUT", "/v1/items/pen-1", map[string]any{"title": "x"}, writer...)
	e.expect(http.StatusForbidden, "POST", "/v1/events", map[string]any{"events": []map[string]any{{"user": "u1", "item": "pen-2", "type": "view"}}}, own...)
	e.expect(http.StatusOK, "POST", "/v1/events", map[string]any{"events": []map[string]any{{"user": "u1", "item": "pen-2", "type": "view"}}}, writer...)
	resp := e.expect(http.StatusForbidden, "POST", "/v1/events", map[string]any{"events": []map[string]any{
		{"user": "u1", "item": "pen-2", "type": "view"}, {"user": "u2", "item": "pen-2", "type": "purchase"}}}, writer...)
	if d := apiError(t, resp); d.Field != "events[1].user" {
		t.Errorf("error %+v, want field events[1].user", d)
	}
}

// TestRevokedKey checks that a revoked key stops working at once, and
// that revoking every key does not open the server.
func TestRevokedKey(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	k, admin := e.newKey(aisle.RoleAdmin, "")
	e.expect(http.StatusOK, "GET", "/v1/keys", nil, admin...)
	e.expect(http.StatusNoContent, "DELETE", "/v1/keys/"+k.ID, nil, admin...)
	resp := e.expect(http.StatusUnauthorized, "GET", "/v1/items/pen-1", nil, admin...)
	if !strings.Contains(apiError(t, resp).Message, "revoked") {
		t.Errorf("401 for a revoked key: %s", resp.body)
	}
	e.expect(http.StatusUnauthorized, "GET", "/v1/items/pen-1", nil)
}

// TestOpenRefusesExposure checks that a server with no key refuses to
// listen beyond loopback unless told it is insecure.
func TestOpenRefusesExposure(t *testing.T) {
	e := newEnv(t, nil)
	open := func(cfg Config) error {
		srv := NewServer(e.db, e.rec, cfg, nil, nil, nil)
		err := srv.Open()
		srv.Close()
		return err
	}
	if err := open(Config{Addr: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "-insecure") {
		t.Errorf("Open on 0.0.0.0 without keys = %v, want a refusal naming -insecure", err)
	}
	if err := open(Config{Addr: "0.0.0.0:0", Insecure: true}); err != nil {
		t.Errorf("Open on 0.0.0.0 with Insecure = %v", err)
	}
	if err := open(Config{Addr: "[::1]:0"}); err != nil && !strings.Contains(err.Error(), "cannot assign") {
		t.Errorf("Open on ::1 = %v", err)
	}
	e.newKey(aisle.RoleRead, "")
	if err := open(Config{Addr: "0.0.0.0:0"}); err != nil {
		t.Errorf("Open on 0.0.0.0 with a key = %v", err)
	}
	for addr, want := range map[string]bool{"127.0.0.1:80": true, "[::1]:1": true, "localhost:8080": true, ":8080": false, "0.0.0.0:80": false, "10.1.2.3:80": false, "[::]:80": false, "example.com:80": false} {
		if got := isLoopbackAddr(addr); got != want {
			t.Errorf("isLoopbackAddr(%q) = %t", addr, got)
		}
	}
}

// TestHostHeader checks the defence against DNS rebinding: a loopback
// server answers only to loopback names unless told otherwise.
func TestHostHeader(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	for host, want := range map[string]int{"localhost": 200, "127.0.0.1": 200, "[::1]:9": 200, "LOCALHOST.": 200, "evil.example": 403, "127.0.0.1.nip.io": 403} {
		if got := e.do("GET", "/v1/items/pen-1", nil, "Host", host).status; got != want {
			t.Errorf("Host %s: status %d, want %d", host, got, want)
		}
	}
	e.expect(http.StatusOK, "GET", "/healthz", nil, "Host", "10.0.0.7:8080")

	e2 := newEnv(t, func(c *Config, _ *fakeRecommender) { c.AllowedHosts = []string{"shop.example", ".api.example"} })
	for host, want := range map[string]int{"shop.example": 404, "eu.api.example": 404, "api.example": 404, "localhost": 403, "xapi.example": 403} {
		if got := e2.do("GET", "/v1/items/x", nil, "Host", host).status; got != want {
			t.Errorf("allowed hosts: Host %s: status %d, want %d", host, got, want)
		}
	}
}

// TestCrossSite checks CORS and the defence against cross-site request
// forgery: no origin is allowed by default, preflights of allowed origins
// are answered, and pages of other origins cannot change anything even on
// an open server.
func TestCrossSite(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *fakeRecommender) { c.CORSOrigins = []string{"https://shop.example"} })
	e.seed()
	// A DELETE sent by a page of another site (what the probe did).
	before := e.snapshot()
	for _, h := range [][]string{
		{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example"},
	} {
		resp := e.expect(http.StatusForbidden, "DELETE", "/v1/items/pen-1", nil, h...)
		if resp.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%v: CORS header on a refused request", h)
		}
		e.expect(http.StatusForbidden, "POST", "/v1/events", map[string]any{"events": []map[string]any{{"user": "u1", "item": "pen-2", "type": "view"}}}, h...)
	}
	if d := cmp.Diff(e.snapshot(), before); d != "" {
		t.Errorf("cross-site requests changed the store (-got +want):\n%s", d)
	}
	// A form post cannot carry JSON without asking first.
	e.expect(http.StatusUnsupportedMediaType, "POST", "/v1/events", `{"events":[{"user":"u1","item":"pen-2","type":"view"}]}`, "Content-Type", "text/plain")
	req, _ := http.NewRequest("POST", e.srv.URL()+"/v1/events", strings.NewReader(`{"events":[{"user":"u1","item":"pen-2","type":"view"}]}`))
	resp, err := http.DefaultClient.Do(req) // no Content-Type at all
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("POST /v1/events without Content-Type: %d, want 415", resp.StatusCode)
	}

	// Preflight: allowed origin answered, others refused.
	pre := e.expect(http.StatusNoContent, "OPTIONS", "/v1/items/pen-1", nil, "Origin", "https://shop.example", "Access-Control-Request-Method", "DELETE", "Access-Control-Request-Headers", "authorization")
	if pre.header.Get("Access-Control-Allow-Origin") != "https://shop.example" || !strings.Contains(pre.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("preflight headers: %v", pre.header)
	}
	e.expect(http.StatusForbidden, "OPTIONS", "/v1/items/pen-1", nil, "Origin", "https://evil.example", "Access-Control-Request-Method", "GET")
	// The allowed origin's requests go through and are marked.
	got := e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil, "Origin", "https://shop.example", "Sec-Fetch-Site", "cross-site")
	if got.header.Get("Access-Control-Allow-Origin") != "https://shop.example" {
		t.Errorf("no Access-Control-Allow-Origin for the allowed origin")
	}
	e.expect(http.StatusNoContent, "DELETE", "/v1/items/pen-2", nil, "Origin", "https://shop.example", "Sec-Fetch-Site", "cross-site")
	if d := e.do("GET", "/v1/items/pen-1", nil, "Origin", "https://evil.example"); d.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS header for an origin not allowed")
	}
}

// TestRateLimits checks the token buckets: a key over its rate gets 429
// with Retry-After, other keys do not pay for it, and failed key checks
// count against the client's address.
func TestRateLimits(t *testing.T) {
	e := newEnv(t, func(c *Config, _ *fakeRecommender) { c.KeyRate, c.KeyBurst = 1, 3 })
	e.seed()
	_, k1 := e.newKey(aisle.RoleRead, "")
	_, k2 := e.newKey(aisle.RoleRead, "")
	var codes []int
	for range 5 {
		codes = append(codes, e.do("GET", "/v1/items/pen-1", nil, k1...).status)
	}
	if d := cmp.Diff(codes, []int{200, 200, 200, 429, 429}); d != "" {
		t.Errorf("statuses (-got +want):\n%s", d)
	}
	resp := e.expect(http.StatusTooManyRequests, "GET", "/v1/items/pen-1", nil, k1...)
	if s, err := strconv.Atoi(resp.header.Get("Retry-After")); err != nil || s < 1 {
		t.Errorf("Retry-After = %q", resp.header.Get("Retry-After"))
	}
	if d := apiError(t, resp); d.Code != aisle.ERATELIMIT {
		t.Errorf("error %+v", d)
	}
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil, k2...)

	// Addresses: loopback clients are exempt, so test the buckets alone.
	l := newLimits(Config{AddressRate: 1, AddressBurst: 2, KeyRate: -1, MaxPhotoRequests: 1, QueueWait: time.Millisecond}, time.Now)
	for i, want := range []bool{true, true, false} {
		if err := l.allowAddress("203.0.113.9:5000"); (err == nil) != want {
			t.Errorf("request %d from one address: %v", i, err)
		}
	}
	if err := l.allowAddress("203.0.113.10:5000"); err != nil {
		t.Errorf("another address paid: %v", err)
	}
	// An IPv6 client is one /64.
	l.allowAddress("[2001:db8::1]:1")
	l.allowAddress("[2001:db8::2]:1")
	if err := l.allowAddress("[2001:db8::3]:1"); err == nil {
		t.Errorf("a /64 of IPv6 addresses is not limited as one client")
	}
	if err := l.allowAddress("127.0.0.1:1"); err != nil {
		t.Errorf("loopback limited: %v", err)
	}
	if l.keys != nil {
		t.Errorf("a negative key rate did not turn the key limit off")
	}
}

// TestBucketsForgetFullOnes checks that the per-address buckets stay
// bounded: full buckets are dropped once there are too many.
func TestBucketsForgetFullOnes(t *testing.T) {
	now := time.Unix(1e9, 0)
	b := newBuckets(10, 1, 100, func() time.Time { return now })
	for i := range 1000 {
		b.take(fmt.Sprint(i))
		if i%100 == 99 {
			now = now.Add(2 * time.Second) // all refilled
		}
	}
	if n := len(b.m); n > 200 {
		t.Errorf("%d buckets kept, want at most about 100", n)
	}
}

// TestPhotoSlots checks the cap on photo requests served at once.
func TestPhotoSlots(t *testing.T) {
	l := newLimits(Config{MaxPhotoRequests: 2, QueueWait: 50 * time.Millisecond, KeyRate: -1, AddressRate: -1}, time.Now)
	ctx := context.Background()
	r1, err1 := l.photoSlot(ctx)
	r2, err2 := l.photoSlot(ctx)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	start := time.Now()
	_, err := l.photoSlot(ctx)
	if aisle.ErrorCode(err) != aisle.ERATELIMIT || time.Since(start) < 40*time.Millisecond {
		t.Errorf("third slot: %v after %v", err, time.Since(start))
	}
	r1()
	r3, err := l.photoSlot(ctx)
	if err != nil {
		t.Errorf("slot after a release: %v", err)
	}
	r2()
	r3()
}

// TestErasure checks DELETE /v1/users/{id}: the store and the recommender
// forget the shopper, the audit log records it without their id, and
// nothing the API does afterwards brings them back.
func TestErasure(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	k, admin := e.newKey(aisle.RoleAdmin, "")
	resp := e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1", nil, admin...)
	seq := resp.header.Get("Aisle-Audit-Seq")
	if seq == "" {
		t.Fatal("no Aisle-Audit-Seq header")
	}
	entries := decodeJSON[listResponse[aisle.AuditEntry]](t, e.expect(http.StatusOK, "GET", "/v1/audit", nil, admin...).body).Items
	if len(entries) != 1 || fmt.Sprint(entries[0].Seq) != seq || entries[0].Actor != k.ID || entries[0].Action != aisle.AuditEraseUser || entries[0].Detail != "2 events" {
		t.Fatalf("audit log %+v", entries)
	}
	if strings.Contains(fmt.Sprint(entries), "u1") {
		t.Errorf("the audit log names the erased shopper: %+v", entries)
	}
	if !cmp.Equal(e.rec.Requests()[len(e.rec.Requests())-1], "forget-user u1") {
		t.Errorf("recommender not told: %v", e.rec.Requests())
	}
	e.expect(http.StatusNotFound, "GET", "/v1/users/u1/events", nil, admin...)
	e.expect(http.StatusOK, "GET", "/v1/recommend/u1", nil, admin...)
	e.do("GET", "/v1/search?q=pen&user=u1", nil, admin...)
	e.expect(http.StatusNotFound, "GET", "/v1/users/u1", nil, admin...)
	// A retry finds nothing, and still tells the recommender.
	e.expect(http.StatusNotFound, "DELETE", "/v1/users/u1", nil, admin...)
	if got := e.rec.Requests(); got[len(got)-1] != "forget-user u1" {
		t.Errorf("a retried erasure did not reach the recommender: %v", got)
	}
}

// TestUserEvents pages through a shopper's events.
func TestUserEvents(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	var events []map[string]any
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 7 {
		events = append(events, map[string]any{"id": fmt.Sprintf("x%d", i), "user": "u2", "item": "pen-1", "type": "view", "timestamp": t0.Add(time.Duration(i/2) * time.Minute)})
	}
	e.expect(http.StatusOK, "POST", "/v1/events", map[string]any{"events": events})
	var got []string
	path := "/v1/users/u2/events?limit=3&type=view"
	for path != "" {
		page := decodeJSON[listResponse[aisle.Event]](t, e.expect(http.StatusOK, "GET", path, nil).body)
		for _, ev := range page.Items {
			got = append(got, ev.ID)
		}
		path = ""
		if page.NextCursor != "" {
			path = "/v1/users/u2/events?limit=3&type=view&cursor=" + page.NextCursor
		}
	}
	if d := cmp.Diff(got, []string{"x6", "x5", "x4", "x3", "x2", "x1", "x0"}); d != "" {
		t.Errorf("events (-got +want):\n%s", d)
	}
	all := decodeJSON[listResponse[aisle.Event]](t, e.expect(http.StatusOK, "GET", "/v1/users/u2/events", nil).body)
	if len(all.Items) != 8 || all.Items[len(all.Items)-1].Type != aisle.EventRating {
		t.Errorf("all events: %+v", all.Items)
	}
	for _, bad := range []string{"?cursor=abc", "?type=like", "?limit=0", "?cursor=1.0"} {
		e.expect(http.StatusBadRequest, "GET", "/v1/users/u2/events"+bad, nil)
	}
}

// TestAccessLogShopperIDs checks that the access log hashes shopper ids
// by default, drops them when asked, and keeps them only when asked.
func TestAccessLogShopperIDs(t *testing.T) {
	for _, mode := range []string{ShopperIDsHash, ShopperIDsDrop, ShopperIDsKeep} {
		e := newEnv(t, func(c *Config, _ *fakeRecommender) { c.ShopperIDs = mode })
		e.seed()
		e.expect(http.StatusOK, "GET", "/v1/recommend/shopper-4711", nil)
		e.expect(http.StatusNotFound, "GET", "/v1/users/shopper-4711", nil)
		e.expect(http.StatusNoContent, "DELETE", "/v1/users/u2", nil)
		logs := e.logs.String()
		has := strings.Contains(logs, "shopper-4711") || strings.Contains(logs, `"/v1/users/u2"`)
		if has != (mode == ShopperIDsKeep) {
			t.Errorf("%s: shopper ids in the log = %t:\n%s", mode, has, logs)
		}
		if mode == ShopperIDsHash && !strings.Contains(logs, "/v1/recommend/~") {
			t.Errorf("hash: no hashed id in the log:\n%s", logs)
		}
	}
}

// TestConcurrentPutsEndStored is the regression test of the stale engine
// copy: under concurrent PUTs of one item, the last version the
// recommender is told of is always the stored one.
func TestConcurrentPutsEndStored(t *testing.T) {
	e := newEnv(t, nil)
	latest := &latestItems{items: map[string]aisle.Item{}}
	srv := NewServer(e.db, latest, Config{Addr: "127.0.0.1:0"}, nil, nil, nil)
	if err := srv.Open(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for round := range 50 {
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				body := strings.NewReader(fmt.Sprintf(`{"title":"round %d writer %d"}`, round, w))
				req, _ := http.NewRequest("PUT", srv.URL()+"/v1/items/hot", body)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
					t.Errorf("PUT: %d", resp.StatusCode)
				}
			})
		}
		wg.Wait()
		stored, err := e.db.Item(t.Context(), "hot")
		if err != nil {
			t.Fatal(err)
		}
		if got := latest.title("hot"); got != stored.Title {
			t.Fatalf("round %d: recommender has %q, store has %q", round, got, stored.Title)
		}
	}
}

// latestItems is a Recommender keeping the last version of each item it
// is told of, as an engine's in-memory catalog does.
type latestItems struct {
	fakeRecommender
	mu    sync.Mutex
	items map[string]aisle.Item
}

func (l *latestItems) ObserveItems(items []aisle.Item) {
	time.Sleep(time.Duration(len(items[0].Title)%3) * time.Millisecond) // widen the race window
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, it := range items {
		l.items[it.ID] = it
	}
}

func (l *latestItems) title(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.items[id].Title
}

// TestLaxInputs checks the decisions about inputs the probe found lax.
func TestLaxInputs(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	bad := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		field              string
	}{
		{"empty body blanks no item", "PUT", "/v1/items/pen-1", `{}`, nil, 400, "title"},
		{"blank title", "PUT", "/v1/items/pen-1", `{"title":"   "}`, nil, 400, "title"},
		{"BEL in title", "PUT", "/v1/items/pen-1", "{\"title\":\"pen\\u0007\"}", nil, 400, "title"},
		{"ANSI escape in title", "PUT", "/v1/items/pen-1", "{\"title\":\"\\u001b[31mred\"}", nil, 400, "title"},
		{"RLO in title", "PUT", "/v1/items/pen-1", "{\"title\":\"pen \\u202egnp.exe\"}", nil, 400, "title"},
		{"RLO in description", "PUT", "/v1/items/pen-1", "{\"title\":\"pen\",\"description\":\"a\\u2066b\"}", nil, 400, "description"},
		{"RLO in id", "PUT", "/v1/items/pen%E2%80%AE1", `{"title":"pen"}`, nil, 400, "id"},
		{"zero-width space in user id", "POST", "/v1/events", "{\"events\":[{\"user\":\"u\\u200b1\",\"item\":\"pen-1\",\"type\":\"view\"}]}", nil, 400, "events[0].user"},
		{"NFD id", "PUT", "/v1/items/caf%65%CC%81", `{"title":"café"}`, nil, 400, "id"},
		{"attribute value control character", "PUT", "/v1/items/pen-1", "{\"title\":\"pen\",\"attributes\":{\"a\":\"x\\u0000y\"}}", nil, 400, "attributes.a"},
		{"attribute name control character", "PUT", "/v1/items/pen-1", "{\"title\":\"pen\",\"attributes\":{\"a\\u0001\":\"x\"}}", nil, 400, "attributes"},
		{"utf-16 charset", "PUT", "/v1/items/pen-1", `{"title":"pen"}`, []string{"Content-Type", "application/json; charset=utf-16"}, 415, ""},
		{"search query of spaces", "POST", "/v1/events", `{"events":[{"user":"u1","type":"search","query":"   "}]}`, nil, 422, "events[0].query"},
		{"file path image", "PUT", "/v1/items/pen-1", `{"title":"pen","images":["/etc/passwd"]}`, nil, 400, "images[0]"},
		{"data file image", "PUT", "/v1/items/pen-1", `{"title":"pen","images":["file:///var/lib/aisle/aisle.db"]}`, nil, 400, "images[0]"},
		{"URL with credentials", "PUT", "/v1/items/pen-1", `{"title":"pen","images":["http://user:secret@cdn.example/a.jpg"]}`, nil, 400, "images[0]"},
		{"gopher URL", "PUT", "/v1/items/pen-1", `{"title":"pen","images":["gopher://x/"]}`, nil, 400, "images[0]"},
	}
	before := e.snapshot()
	for _, c := range bad {
		resp := e.do(c.method, c.path, c.body, c.headers...)
		if resp.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, resp.status, c.status, resp.body)
			continue
		}
		d := apiError(t, resp)
		if c.field != "" && d.Field != c.field {
			t.Errorf("%s: field %q, want %q (%s)", c.name, d.Field, c.field, d.Message)
		}
		if strings.Contains(d.Message, "UnmarshalJSON") || strings.Contains(d.Message, "json:") {
			t.Errorf("%s: message names Go internals: %q", c.name, d.Message)
		}
	}
	if d := cmp.Diff(e.snapshot(), before); d != "" {
		t.Errorf("rejected requests changed the store (-got +want):\n%s", d)
	}
	// Tidied rather than refused: white space around one-line fields.
	got := decodeJSON[aisle.Item](t, e.expect(http.StatusCreated, "PUT", "/v1/items/pen-8", "{\"title\":\"  Blue pen\\t\",\"brand\":\"Acme\\r\\n\",\"description\":\"Line 1\\nLine 2\"}").body)
	if got.Title != "Blue pen" || got.Brand != "Acme" || got.Description != "Line 1\nLine 2" {
		t.Errorf("tidied item: %+v", got)
	}
	// Mixed-script text is fine; so are the bidi marks RTL text uses.
	e.expect(http.StatusCreated, "PUT", "/v1/items/pen-9", "{\"title\":\"قلم \\u200f(Pen)\"}")
}

// TestErrorsAreJSON checks that the responses the server itself makes
// (ranges, redirects, preflights) keep the JSON error shape.
func TestErrorsAreJSON(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	for _, c := range []struct {
		method, path string
		headers      []string
	}{
		{"GET", "/v1//items", nil},
		{"GET", "/v1/items/../items", nil},
		{"OPTIONS", "/v1/items", []string{"Origin", "https://x.example", "Access-Control-Request-Method", "GET"}},
		{"TRACE", "/v1/items", nil},
	} {
		resp := e.do(c.method, c.path, nil, c.headers...)
		if resp.status >= 400 && resp.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d with Content-Type %q: %s", c.method, c.path, resp.status, resp.header.Get("Content-Type"), resp.body)
		}
	}
	// Originals: a range beyond the photo, a failed precondition.
	e.enablePhotos()
	red := pngOf(t, color.RGBA{200, 0, 0, 255})
	e.expect(http.StatusOK, "PUT", "/v1/items/pen-1/image", red, "Content-Type", "image/png")
	for _, h := range [][]string{{"Range", "bytes=99999999-"}, {"If-Match", `"nope"`}} {
		resp := e.do("GET", "/v1/items/pen-1/image", nil, h...)
		if resp.status < 400 {
			t.Errorf("%v: status %d", h, resp.status)
			continue
		}
		if d := apiError(t, resp); d.Code == "" || d.Code == aisle.EINTERNAL {
			t.Errorf("%v: %d %+v", h, resp.status, d)
		}
	}
	e.expect(http.StatusPartialContent, "GET", "/v1/items/pen-1/image", nil, "Range", "bytes=0-3")
}

// BenchmarkAuthenticatedRequest measures what API keys, the rate limit and
// the guard add to a request: GET /v1/items/{id} served through the
// handler (no network) on an open server and with an API key.
func BenchmarkAuthenticatedRequest(b *testing.B) {
	for _, keyed := range []bool{false, true} {
		b.Run(map[bool]string{false: "open", true: "key"}[keyed], func(b *testing.B) {
			e := newBenchEnv(b)
			var auth string
			if keyed {
				token, k, _ := apikey.New(aisle.RoleRead, "", "", time.Now())
				if err := e.db.CreateKey(b.Context(), k); err != nil {
					b.Fatal(err)
				}
				auth = "Bearer " + token
			}
			h := e.srv.Handler()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				req := httptest.NewRequest("GET", "http://127.0.0.1/v1/items/pen-1", nil)
				if auth != "" {
					req.Header.Set("Authorization", auth)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// benchEnv is a server over a store holding one item, for benchmarks of
// the handler.
type benchEnv struct {
	db  *sqlite.DB
	srv *Server
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(b.Context()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.UpsertItems(b.Context(), []aisle.Item{{ID: "pen-1", Title: "Blue pen"}}); err != nil {
		b.Fatal(err)
	}
	// Limits high enough never to refuse, so that their cost is measured.
	srv := NewServer(db, &fakeRecommender{}, Config{Addr: "127.0.0.1:0", KeyRate: 1e9, AddressRate: 1e9}, nil, nil, nil)
	return &benchEnv{db: db, srv: srv}
}
