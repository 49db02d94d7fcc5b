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

func TestPrompter(t *testing.T) {
	var got []map[string]any
	finish := "stop"
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		got = append(got, body)
		writeSSE(w, sseChunk(map[string]any{"content": "A black stapler."}, finish)+"data: [DONE]\n\n")
	}, nil)
	p := Prompter{Client: c}
	text, err := p.Chat(context.Background(), "You write product copy.", `{"facts":[]}`)
	if err != nil || text != "A black stapler." {
		t.Fatalf("Chat = %q, %v", text, err)
	}
	if _, err := p.Describe(context.Background(), "What colour is it?", "https://example.test/p.jpg"); err != nil {
		t.Fatal(err)
	}
	want := []any{
		[]any{
			map[string]any{"role": "system", "content": "You write product copy."},
			map[string]any{"role": "user", "content": `{"facts":[]}`},
		},
		[]any{map[string]any{"role": "user", "content": []any{
			map[string]any{"type": "text", "text": "What colour is it?"},
			map[string]any{"type": "image_url", "image_url": map[string]any{"url": "https://example.test/p.jpg"}},
		}}},
	}
	for i, body := range got {
		if d := cmp.Diff(body["messages"], want[i]); d != "" || body["stream"] != true {
			t.Errorf("request %d (stream %v), messages (-got +want):\n%s", i, body["stream"], d)
		}
	}
	finish = "content_filter"
	if _, err := p.Chat(context.Background(), "", "hi"); err == nil || !strings.Contains(err.Error(), "content filter") {
		t.Errorf("a filtered reply: %v, want an error", err)
	}
}
