package openai

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordedRequest is what a test server saw.
type recordedRequest struct {
	Header http.Header
	Body   map[string]any
	Input  []string
}

// embedServer is an httptest server speaking the embeddings wire format.
// Each text "tN" embeds as [N, 1, 2]. respond, when set, decides each
// response; by default it answers correctly.
type embedServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recordedRequest
}

// responder writes a response for the n-th request (1-based).
type responder func(w http.ResponseWriter, r *http.Request, n int, input []string)

func newEmbedServer(t *testing.T, respond responder) *embedServer {
	t.Helper()
	s := &embedServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/embeddings" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
			return
		}
		var req struct {
			Input []string `json:"input"`
		}
		_ = json.Unmarshal(raw, &req)
		s.mu.Lock()
		s.requests = append(s.requests, recordedRequest{Header: r.Header.Clone(), Body: body, Input: req.Input})
		n := len(s.requests)
		s.mu.Unlock()
		if respond == nil {
			writeEmbeddings(w, req.Input, false)
			return
		}
		respond(w, r, n, req.Input)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *embedServer) recorded() []recordedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recordedRequest(nil), s.requests...)
}

// vectorFor is the embedding the test server returns for text "tN".
func vectorFor(text string) []float32 {
	n, _ := strconv.Atoi(strings.TrimPrefix(text, "t"))
	return []float32{float32(n), 1, 2}
}

// writeEmbeddings answers input correctly; reversed lists the items in
// reverse index order.
func writeEmbeddings(w http.ResponseWriter, input []string, reversed bool) {
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	items := make([]item, len(input))
	for i, text := range input {
		j := i
		if reversed {
			j = len(input) - 1 - i
		}
		items[j] = item{Object: "embedding", Index: i, Embedding: vectorFor(text)}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"object": "list",
		"data":   items,
		"model":  "test-model",
		"usage":  map[string]int{"prompt_tokens": len(input), "total_tokens": len(input)},
	})
}

// texts returns "t0".."t{n-1}".
func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "t" + strconv.Itoa(i)
	}
	return out
}

// newTestClient returns a client for s with tiny backoff and timeout.
func newTestClient(t *testing.T, s *embedServer, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL: s.URL + "/v1/",
		Model:   "test-model",
		Backoff: time.Millisecond,
		Timeout: 5 * time.Second,
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg, s.Client(), nil)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}
