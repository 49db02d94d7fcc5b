package http

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileBodies are request bodies an attacker tries: malformed,
// oversized, deeply nested, invalid UTF-8, wrong types, injection-looking
// strings.
func hostileBodies() map[string]string {
	deep := strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)
	deepArr := `{"items":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "}"
	return map[string]string{
		"empty":              "",
		"space":              "   ",
		"null":               "null",
		"array":              "[]",
		"string":             `"x"`,
		"number":             "1e999",
		"truncated":          `{"title":"x`,
		"trailing":           `{"title":"x"} {"title":"y"}`,
		"deep object":        deep,
		"deep array":         deepArr,
		"invalid utf-8":      "{\"title\":\"\xff\xfe\"}",
		"nul":                "{\"title\":\"a\\u0000b\"}",
		"ansi":               "{\"title\":\"\\u001b]0;owned\\u0007\"}",
		"bidi":               "{\"title\":\"\\u202e\"}",
		"huge number":        `{"title":"x","price":1e400}`,
		"negative price":     `{"title":"x","price":-1}`,
		"price string":       `{"title":"x","price":"1"}`,
		"wrong types":        `{"title":1,"images":"x","categories":{"a":1}}`,
		"many attributes":    `{"title":"x","attributes":{` + manyAttributes(100) + `}}`,
		"events wrong shape": `{"events":{"user":"u"}}`,
		"events of nothing":  `{"events":[null,1,"x",[]]}`,
		"event time number":  `{"events":[{"user":"u1","item":"pen-1","type":"view","timestamp":12}]}`,
		"event time garbage": `{"events":[{"user":"u1","item":"pen-1","type":"view","timestamp":"31/12/2024"}]}`,
		"event future":       `{"events":[{"user":"u1","item":"pen-1","type":"view","timestamp":"9999-12-31T23:59:59Z"}]}`,
		"event bad type":     `{"events":[{"user":"u1","item":"pen-1","type":"__proto__"}]}`,
		"file image":         `{"title":"x","images":["../../aisle.db"]}`,
		"file url image":     `{"title":"x","images":["file:///etc/passwd"]}`,
		"items wrong":        `{"items":[{"id":"a","title":"x","visual":{"ref":"x"}}]}`,
		"key role":           `{"role":"superuser"}`,
	}
}

// harmlessBodies look hostile but are ordinary data: stored as sent (and
// escaped wherever they are shown), never a 5xx. A URL to an internal
// address is a valid reference; the photo fetcher refuses to fetch it.
func harmlessBodies() map[string]string {
	return map[string]string{
		"sql":            `{"title":"x'); DROP TABLE items; --"}`,
		"html":           `{"title":"<script>alert(1)</script>","description":"<img src=x onerror=alert(1)>"}`,
		"template":       `{"title":"{{.Env}} ${jndi:ldap://x/a}"}`,
		"lone surrogate": `{"title":"\ud800"}`, // decodes as U+FFFD, as JSON decoders do
		"duplicate keys": `{"title":"a","title":"b"}`,
		"ssrf image":     `{"title":"x","images":["http://169.254.169.254/latest/meta-data/"]}`,
	}
}

func manyAttributes(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%d":"v"`, i)
	}
	return b.String()
}

// TestHostileRequests sends every hostile body to every route that takes
// one (as the probe of issue 11 did, 300-odd requests), plus hostile
// paths and query strings, and checks that each gets a clean 4xx in the
// JSON error shape, that none leaks internals, and that the store is
// unchanged.
func TestHostileRequests(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	e.enablePhotos()
	e.srv.SetPhotoEncoder(photoVectors)
	before := e.snapshot()
	targets := []struct{ method, path string }{
		{"PUT", "/v1/items/pen-1"},
		{"PUT", "/v1/items/hostile-1"},
		{"POST", "/v1/items"},
		{"PUT", "/v1/users/u1"},
		{"PUT", "/v1/users/new-1"},
		{"PUT", "/v1/items/%E2%80%AE1"},
		{"POST", "/v1/events"},
		{"POST", "/v1/keys"},
		{"PUT", "/v1/items/pen-1/image"},
		{"POST", "/v1/search/image"},
		{"POST", "/v1/search/image?q=pen"},
	}
	n := 0
	check := func(name string, resp response) {
		t.Helper()
		n++
		if resp.status < 400 || resp.status >= 500 {
			t.Errorf("%s: status %d: %.200s", name, resp.status, resp.body)
			return
		}
		if resp.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type %q", name, resp.header.Get("Content-Type"))
		}
		body := string(resp.body)
		for _, leak := range []string{"sqlite", "goroutine", ".go:", "/work/", "/tmp/", "UnmarshalJSON", "runtime.", "panic"} {
			if strings.Contains(body, leak) {
				t.Errorf("%s: the reply leaks %q: %.300s", name, leak, body)
			}
		}
	}
	for _, tg := range targets {
		for name, body := range hostileBodies() {
			check(tg.method+" "+tg.path+" "+name, e.do(tg.method, tg.path, body))
		}
	}
	for _, p := range []string{
		"/v1/items/%00", "/v1/items/..%2f..%2fetc%2fpasswd", "/v1/items/" + strings.Repeat("a", 5000),
		"/v1/recommend/%E2%80%AEu1", "/v1/search?q=" + strings.Repeat("x", 5000), "/v1/search?q=pen&n=-1",
		"/v1/search?q=pen&min_price=NaN", "/v1/items?limit=1e9", "/v1/items?cursor=%ff%fe",
		"/v1/images/..%2F..%2Faisle.db", "/v1/images/" + strings.Repeat("0", 63) + "g",
		"/v1/users/u1/events?cursor=-1.-1", "/v1/audit?cursor=x", "/v1/items/pen-1/similar?mode=../../",
	} {
		check("GET "+p, e.do("GET", p, nil))
	}
	if n < 300 {
		t.Errorf("only %d hostile requests sent", n)
	}
	if d := cmp.Diff(e.snapshot(), before); d != "" {
		t.Errorf("hostile requests changed the store (-got +want):\n%s", d)
	}
	for name, body := range harmlessBodies() {
		resp := e.do("PUT", "/v1/items/harmless-1", body)
		if resp.status != http.StatusOK && resp.status != http.StatusCreated {
			t.Errorf("%s: status %d: %s", name, resp.status, resp.body)
		}
	}
}
