package http

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestAccessLog(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil)
	e.expect(http.StatusBadRequest, "GET", "/v1/items?limit=abc", nil)

	type line struct {
		Level  string `json:"level"`
		Msg    string `json:"msg"`
		Method string `json:"method"`
		Path   string `json:"path"`
		Route  string `json:"route"`
		Status int    `json:"status"`
		Err    string `json:"err"`
	}
	var got []line
	for _, s := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var l line
		if err := json.Unmarshal([]byte(s), &l); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		if l.Msg == "http request" {
			got = append(got, l)
		}
	}
	want := []line{
		{Level: "INFO", Msg: "http request", Method: "GET", Path: "/v1/items/pen-1", Route: "/v1/items/{id}", Status: 200},
		{Level: "INFO", Msg: "http request", Method: "GET", Path: "/v1/items", Route: "/v1/items", Status: 400, Err: `limit: must be an integer from 1 to 1000, not "abc"`},
	}
	if len(got) != len(want) {
		t.Fatalf("access log has %d lines, want %d:\n%s", len(got), len(want), e.logs.String())
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestRouteLabel(t *testing.T) {
	tests := map[string]string{
		"":                      "unmatched",
		"GET /v1/items/{id}":    "/v1/items/{id}",
		"/v1/items":             "/v1/items",
		"DELETE /v1/users/{id}": "/v1/users/{id}",
	}
	for pattern, want := range tests {
		if got := routeLabel(pattern); got != want {
			t.Errorf("routeLabel(%q) = %q, want %q", pattern, got, want)
		}
	}
}

func TestMethodLabel(t *testing.T) {
	tests := map[string]string{"GET": "GET", "DELETE": "DELETE", "BREW": "OTHER", "get": "OTHER"}
	for method, want := range tests {
		if got := methodLabel(method); got != want {
			t.Errorf("methodLabel(%q) = %q, want %q", method, got, want)
		}
	}
}
