package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aislehq/aisle/assistant"
)

// TestServeChatWithLLM serves with -llm-url pointing at a fake model
// that calls the policy tool, then answers: the shopping assistant's
// reply is the model's ("mode":"llm"), quoting the policy the tool read,
// with its unsupported claim removed; the model got the tool's result.
func TestServeChatWithLLM(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policies.yaml")
	if err := os.WriteFile(pol, []byte("returns: |\n  Unopened items can be returned within 30 days.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var bodies []string
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(raw))
		n := len(bodies)
		mu.Unlock()
		w.Header().Set("Content-Type", "text/event-stream")
		if n == 1 {
			io.WriteString(w, `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"policy","arguments":"{\"topic\":"}}]},"finish_reason":null}]}`+"\n\n")
			io.WriteString(w, `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"returns\"}"}}]},"finish_reason":"tool_calls"}]}`+"\n\ndata: [DONE]\n\n")
			return
		}
		for _, s := range []string{"You can return unopened items within 30 days. ", "Shipping back is free for 90 days."} {
			b, _ := json.Marshal(s)
			fmt.Fprintf(w, `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":%s},"finish_reason":null}]}`+"\n\n", b)
		}
		io.WriteString(w, `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
	}))
	defer fake.Close()
	ctx, cancel := context.WithCancel(context.Background())
	base, done := serveInProcess(t, ctx, "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error",
		"-policies", pol, "-llm-url", fake.URL+"/v1", "-llm-model", "chat-model", "-llm-key-env", "")
	defer func() {
		cancel()
		<-done
	}()
	var r assistant.Reply
	call(t, "POST", base+"/v1/chat", `{"message":"Can I return a stapler?"}`, http.StatusOK, &r)
	if r.Mode != assistant.ModeLLM || r.Act != assistant.ActPolicy || r.Reply != "You can return unopened items within 30 days." {
		t.Errorf("reply %+v, want the model's grounded answer", r)
	}
	if len(r.Citations) != 1 || r.Citations[0].Kind != "policy" || len(r.Actions) == 0 || r.Actions[0].Tool != "policy" {
		t.Errorf("citations %+v, actions %+v: want the policy tool's", r.Citations, r.Actions)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(bodies) != 2 || !strings.Contains(bodies[0], `"model":"chat-model"`) || !strings.Contains(bodies[0], `"stream":true`) ||
		!strings.Contains(bodies[1], `"role":"tool"`) || !strings.Contains(bodies[1], `Unopened items can be returned within 30 days.`) {
		t.Errorf("the model's requests: %q", bodies)
	}
}
