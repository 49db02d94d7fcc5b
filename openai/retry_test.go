package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestEmbedRetries(t *testing.T) {
	tests := []struct {
		name         string
		maxRetries   int
		fail         func(w http.ResponseWriter, n int) bool // writes a failure and returns true
		wantRequests int
		wantStatus   int    // 0 means success expected
		wantMessage  string // substring of the error
		wantAttempts int
	}{
		{
			name: "500 then success",
			fail: func(w http.ResponseWriter, n int) bool {
				if n == 1 {
					http.Error(w, `{"error":{"message":"boom"}}`, http.StatusInternalServerError)
					return true
				}
				return false
			},
			wantRequests: 2,
		},
		{
			name: "429 with Retry-After 0 then success",
			fail: func(w http.ResponseWriter, n int) bool {
				if n == 1 {
					w.Header().Set("Retry-After", "0")
					http.Error(w, `{"error":{"message":"slow down"}}`, http.StatusTooManyRequests)
					return true
				}
				return false
			},
			wantRequests: 2,
		},
		{
			name: "400 is not retried",
			fail: func(w http.ResponseWriter, _ int) bool {
				http.Error(w, `{"error":{"message":"input too long for model","type":"invalid_request_error"}}`, http.StatusBadRequest)
				return true
			},
			wantRequests: 1,
			wantStatus:   400,
			wantMessage:  "input too long for model",
			wantAttempts: 1,
		},
		{
			name: "Ollama-style string error",
			fail: func(w http.ResponseWriter, _ int) bool {
				http.Error(w, `{"error":"model \"x\" not found"}`, http.StatusNotFound)
				return true
			},
			wantRequests: 1,
			wantStatus:   404,
			wantMessage:  `model "x" not found`,
			wantAttempts: 1,
		},
		{
			name:       "gives up after MaxRetries",
			maxRetries: 2,
			fail: func(w http.ResponseWriter, _ int) bool {
				http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
				return true
			},
			wantRequests: 3,
			wantStatus:   503,
			wantMessage:  "overloaded",
			wantAttempts: 3,
		},
		{
			name:       "retries disabled",
			maxRetries: -1,
			fail: func(w http.ResponseWriter, _ int) bool {
				http.Error(w, "bad gateway", http.StatusBadGateway)
				return true
			},
			wantRequests: 1,
			wantStatus:   502,
			wantMessage:  "bad gateway",
			wantAttempts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, n int, input []string) {
				if !tt.fail(w, n) {
					writeEmbeddings(w, input, false)
				}
			})
			c := newTestClient(t, s, func(c *Config) { c.MaxRetries = tt.maxRetries })
			got, err := c.Embed(context.Background(), texts(3))
			if n := len(s.recorded()); n != tt.wantRequests {
				t.Errorf("%d requests, want %d", n, tt.wantRequests)
			}
			if tt.wantStatus == 0 {
				if err != nil || len(got) != 3 {
					t.Fatalf("Embed = %d vectors, %v; want success", len(got), err)
				}
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.StatusCode != tt.wantStatus || apiErr.Attempts != tt.wantAttempts {
				t.Errorf("APIError = %+v, want status %d after %d attempts", apiErr, tt.wantStatus, tt.wantAttempts)
			}
			if !strings.Contains(err.Error(), tt.wantMessage) || !strings.Contains(err.Error(), fmt.Sprint(tt.wantStatus)) {
				t.Errorf("err = %q, want status and %q", err, tt.wantMessage)
			}
		})
	}
}

func TestEmbedAttemptTimeout(t *testing.T) {
	s := newEmbedServer(t, func(_ http.ResponseWriter, r *http.Request, _ int, _ []string) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := newTestClient(t, s, func(c *Config) { c.Timeout = 50 * time.Millisecond; c.MaxRetries = 1 })
	_, err := c.Embed(context.Background(), texts(1))
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	if apiErr.StatusCode != 0 || apiErr.Attempts != 2 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("APIError = %+v (%v), want 2 timed-out attempts", apiErr, err)
	}
	if n := len(s.recorded()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func TestEmbedContextCancel(t *testing.T) {
	arrived := make(chan struct{}, 10)
	s := newEmbedServer(t, func(_ http.ResponseWriter, r *http.Request, _ int, _ []string) {
		arrived <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c := newTestClient(t, s, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	start := time.Now()
	_, err := c.Embed(ctx, texts(1))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Embed took %v after cancellation", d)
	}
	if n := len(s.recorded()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

func TestEmbedCancelDuringBackoff(t *testing.T) {
	s := newEmbedServer(t, func(w http.ResponseWriter, _ *http.Request, _ int, _ []string) {
		w.Header().Set("Retry-After", "30")
		http.Error(w, "busy", http.StatusTooManyRequests)
	})
	c := newTestClient(t, s, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Embed(ctx, texts(1))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "429") {
		t.Fatalf("err = %v, want deadline exceeded mentioning the 429", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Embed took %v, want it to stop at the deadline", d)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", -1},
		{"0", 0},
		{" 7 ", 7 * time.Second},
		{"-3", -1},
		{"soon", -1},
		{"99999999999999", maxRetryAfter},
		{now.Add(20 * time.Second).Format(http.TimeFormat), 20 * time.Second},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
		{now.Add(time.Hour).Format(http.TimeFormat), maxRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseRetryAfter(tt.in, now); got != tt.want {
				t.Fatalf("parseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	c, err := NewClient(Config{BaseURL: "http://h/v1", Model: "m", Backoff: time.Second}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		attempt int
		lo, hi  time.Duration
	}{
		{1, 500 * time.Millisecond, time.Second},
		{2, time.Second, 2 * time.Second},
		{4, 4 * time.Second, 8 * time.Second},
		{5, 5 * time.Second, 10 * time.Second},
		{60, 5 * time.Second, 10 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := c.backoff(tt.attempt); d < tt.lo || d > tt.hi {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v]", tt.attempt, d, tt.lo, tt.hi)
			}
		}
	}
}

func TestErrorMessage(t *testing.T) {
	long := strings.Repeat("é", 400)
	tests := []struct {
		name, body, want string
	}{
		{"openai", `{"error":{"message":"bad input","type":"x"}}`, "bad input"},
		{"string error", `{"error":"nope"}`, "nope"},
		{"top-level message", `{"message":"tei says no"}`, "tei says no"},
		{"plain text", "upstream timeout\n", "upstream timeout"},
		{"empty", "", ""},
		{"truncated", `{"error":{"message":"` + long + `"}}`, truncate(long, maxMessageBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := errorMessage([]byte(tt.body))
			if got != tt.want {
				t.Fatalf("errorMessage = %q, want %q", got, tt.want)
			}
			if len(got) > maxMessageBytes {
				t.Fatalf("message is %d bytes", len(got))
			}
		})
	}
}
