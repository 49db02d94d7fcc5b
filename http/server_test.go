package http

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func TestShutdownDrainsInFlightRequests(t *testing.T) {
	entered := make(chan struct{})
	e := newEnv(t, func(_ *Config, rec *fakeRecommender) {
		rec.recommend = func(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error) {
			close(entered)
			select {
			case <-time.After(300 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return []aisle.Recommendation{{Item: "pen-1", Score: 1}}, nil
		}
	})
	e.seed()
	url := e.srv.URL()

	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := e.client.Get(url + "/v1/recommend/u1")
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{status: resp.StatusCode, body: string(b), err: err}
	}()

	<-entered
	start := time.Now()
	if err := e.srv.Shutdown(t.Context()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if waited := time.Since(start); waited < 200*time.Millisecond {
		t.Errorf("Shutdown returned after %v, before the in-flight request finished", waited)
	}
	select {
	case r := <-done:
		if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, `"pen-1"`) {
			t.Errorf("in-flight request: status %d, body %q, err %v; want 200 with pen-1", r.status, r.body, r.err)
		}
	default:
		t.Errorf("Shutdown returned before the in-flight request had its reply")
		<-done
	}

	// No new connections after Shutdown.
	if resp, err := http.Get(url + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("GET after Shutdown: status %d, want a connection error", resp.StatusCode)
	}
	if err := e.srv.Shutdown(t.Context()); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}
}

func TestShutdownTimeoutClosesConnections(t *testing.T) {
	entered := make(chan struct{})
	e := newEnv(t, func(cfg *Config, rec *fakeRecommender) {
		cfg.ShutdownTimeout = 100 * time.Millisecond
		rec.recommend = func(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error) {
			close(entered)
			<-ctx.Done() // until the connection is closed
			return nil, ctx.Err()
		}
	})
	done := make(chan error, 1)
	go func() {
		resp, err := e.client.Get(e.srv.URL() + "/v1/recommend/u1")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-entered
	start := time.Now()
	if err := e.srv.Shutdown(t.Context()); err == nil {
		t.Errorf("Shutdown with a stuck request returned nil, want a deadline error")
	}
	if waited := time.Since(start); waited > 5*time.Second {
		t.Errorf("Shutdown took %v despite ShutdownTimeout 100ms", waited)
	}
	if err := <-done; err == nil {
		t.Errorf("stuck request got a reply, want its connection closed")
	}
}

func TestLifecycle(t *testing.T) {
	e := newEnv(t, nil)

	s := NewServer(e.db, e.rec, Config{Addr: "127.0.0.1:0"}, nil, nil, nil)
	if s.Addr() != "" || s.URL() != "" {
		t.Errorf("Addr/URL before Open = %q/%q, want empty", s.Addr(), s.URL())
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") || strings.HasSuffix(s.Addr(), ":0") {
		t.Errorf("URL after Open = %q, Addr %q", s.URL(), s.Addr())
	}
	if err := s.Open(); err == nil {
		t.Errorf("second Open succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Open(); err == nil {
		t.Errorf("Open after Close succeeded")
	}

	never := NewServer(e.db, e.rec, Config{}, nil, nil, nil)
	if err := never.Close(); err != nil {
		t.Errorf("Close before Open: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := NewServer(e.db, e.rec, Config{Addr: ln.Addr().String()}, nil, nil, nil)
	if err := busy.Open(); err == nil {
		busy.Close()
		t.Errorf("Open on a busy address succeeded")
	}
}

func TestConfigDefaults(t *testing.T) {
	want := Config{
		Addr:             "127.0.0.1:8080",
		MaxBodyBytes:     8 << 20,
		MaxPhotoBytes:    20 << 20,
		MaxBatch:         1000,
		RequestTimeout:   10 * time.Second,
		ShutdownTimeout:  15 * time.Second,
		KeyRate:          500,
		KeyBurst:         1000,
		AddressRate:      50,
		AddressBurst:     100,
		MaxPhotoRequests: 2 * runtime.GOMAXPROCS(0),
		QueueWait:        2 * time.Second,
		ShopperIDs:       ShopperIDsHash,
	}
	if d := cmp.Diff(DefaultConfig(), want); d != "" {
		t.Errorf("DefaultConfig (-got +want):\n%s", d)
	}
	if d := cmp.Diff(Config{}.withDefaults(), want); d != "" {
		t.Errorf("zero Config with defaults (-got +want):\n%s", d)
	}
	custom := Config{Addr: ":9", MaxBodyBytes: 1, MaxPhotoBytes: 5, MaxBatch: 2, RequestTimeout: 3, ShutdownTimeout: 4,
		KeyRate: -1, KeyBurst: 6, AddressRate: 7, AddressBurst: 8, MaxPhotoRequests: 9, QueueWait: 10, ShopperIDs: ShopperIDsKeep}
	if d := cmp.Diff(custom.withDefaults(), custom); d != "" {
		t.Errorf("set fields changed (-got +want):\n%s", d)
	}
}

func TestUnmatchedRoutes(t *testing.T) {
	e := newEnv(t, nil)
	tests := []struct {
		method, path string
		wantStatus   int
		wantCode     string
		wantAllow    string
	}{
		{"GET", "/nope", http.StatusNotFound, aisle.ENOTFOUND, ""},
		{"GET", "/v1/items/", http.StatusNotFound, aisle.ENOTFOUND, ""},
		{"GET", "/v1/items/a/b", http.StatusNotFound, aisle.ENOTFOUND, ""},
		{"POST", "/healthz", http.StatusMethodNotAllowed, codeMethodNotAllowed, "GET, HEAD"},
		{"DELETE", "/v1/items", http.StatusMethodNotAllowed, codeMethodNotAllowed, "GET, HEAD, POST"},
		{"PATCH", "/v1/users/u1", http.StatusMethodNotAllowed, codeMethodNotAllowed, "DELETE, GET, HEAD, PUT"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			resp := e.expect(tt.wantStatus, tt.method, tt.path, nil)
			if got := apiError(t, resp); got.Code != tt.wantCode || !strings.Contains(got.Message, tt.method) {
				t.Errorf("error = %+v, want code %q naming the method", got, tt.wantCode)
			}
			if got := resp.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

// TestServerClock checks that the clock given to NewServer, not the wall
// clock, dates the API keys it makes and its audit entries.
func TestServerClock(t *testing.T) {
	e := newEnv(t, nil)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	s := NewServer(e.db, e.rec, Config{Addr: "127.0.0.1:0"}, nil, nil, func() time.Time { return at })
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Post(s.URL()+"/v1/keys", "application/json", strings.NewReader(`{"role":"admin","name":"ops"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var k newKeyResponse
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/keys: %d, %v", resp.StatusCode, err)
	}
	if !k.CreatedAt.Equal(at) {
		t.Errorf("key created at %v, want the server's clock %v", k.CreatedAt, at)
	}
	entries, err := e.db.Audit(t.Context(), 0, 10)
	if err != nil || len(entries) == 0 {
		t.Fatalf("Audit = %v, %v", entries, err)
	}
	if last := entries[len(entries)-1]; !last.Time.Equal(at) {
		t.Errorf("audit entry %+v at %v, want the server's clock %v", last, last.Time, at)
	}
}
