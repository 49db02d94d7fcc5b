package openai

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStreamerComplete: a Streamer streams the request ("stream": true,
// its options filling the call's zero ones) and returns the assembled
// reply, tool calls included; a reply the content filter stopped and a
// stream cut short are errors.
func TestStreamerComplete(t *testing.T) {
	var body map[string]any
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		writeSSE(w, toolStream())
	}, nil)
	temp := 0.2
	s := Streamer{Client: c, Options: ChatOptions{MaxTokens: 99, Temperature: &temp}}
	comp, err := s.Complete(context.Background(), userHi, ChatOptions{Tools: []Tool{{Name: "search"}, {Name: "compare"}}, ToolChoice: "auto"})
	if err != nil {
		t.Fatal(err)
	}
	want := Completion{FinishReason: "tool_calls", ToolCalls: []ToolCall{
		{ID: "call_A", Name: "search", Arguments: `{"query":"stapler"}`},
		{ID: "call_B", Name: "compare", Arguments: `{"ids":["a","b"]}`},
	}}
	if d := cmp.Diff(comp, want); d != "" {
		t.Errorf("completion (-got +want):\n%s", d)
	}
	if body["stream"] != true || body["max_tokens"] != 99.0 || body["temperature"] != 0.2 || body["tool_choice"] != "auto" {
		t.Errorf("request %v", body)
	}

	filtered := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, sseChunk(map[string]any{"content": "Sorry"}, nil)+sseChunk(map[string]any{}, "content_filter")+"data: [DONE]\n\n")
	}, nil)
	if _, err := (Streamer{Client: filtered}).Complete(context.Background(), userHi, ChatOptions{}); err == nil || !strings.Contains(err.Error(), "content filter") {
		t.Errorf("a filtered reply: %v, want an error", err)
	}
	cut := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, sseChunk(map[string]any{"content": "Here are"}, nil))
	}, nil)
	if _, err := (Prompter{Client: cut}).Streamer().Complete(context.Background(), userHi, ChatOptions{}); err == nil {
		t.Error("a stream cut short: no error")
	}
}
