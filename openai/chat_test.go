package openai

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// chatServer answers POST /v1/chat/completions with reply after recording
// the request body; status, when not 200, answers with an error instead.
func chatServer(t *testing.T, status int, reply string, got *map[string]any) *Client {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, got); err != nil {
			t.Errorf("request body is not JSON: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		if status != http.StatusOK {
			w.WriteHeader(status)
			io.WriteString(w, `{"error":{"message":"model llava is not loaded","type":"invalid_request_error"}}`)
			return
		}
		io.WriteString(w, reply)
	}))
	t.Cleanup(s.Close)
	c, err := NewClient(Config{BaseURL: s.URL + "/v1", Model: "llava", MaxRetries: -1, Timeout: 5 * time.Second}, s.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDescribeWireFormat(t *testing.T) {
	var got map[string]any
	c := chatServer(t, http.StatusOK, `{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"A black leather sandal."},"finish_reason":"stop"}]}`, &got)
	temp := 0.2
	text, err := c.Describe(context.Background(), "Describe this product.", Image{Data: []byte{0xff, 0xd8, 0xff}, MediaType: "image/jpeg"}, ChatOptions{MaxTokens: 64, Temperature: &temp})
	if err != nil {
		t.Fatal(err)
	}
	if text != "A black leather sandal." {
		t.Errorf("reply %q", text)
	}
	want := map[string]any{
		"model":       "llava",
		"max_tokens":  float64(64),
		"temperature": 0.2,
		"messages": []any{map[string]any{
			"role": "user",
			"content": []any{
				map[string]any{"type": "text", "text": "Describe this product."},
				map[string]any{"type": "image_url", "image_url": map[string]any{"url": "data:image/jpeg;base64,/9j/"}},
			},
		}},
	}
	if d := cmp.Diff(got, want); d != "" {
		t.Errorf("request (-got +want):\n%s", d)
	}
}

func TestChatTextAndURL(t *testing.T) {
	var got map[string]any
	c := chatServer(t, http.StatusOK, `{"choices":[{"message":{"content":"Yes."}}]}`, &got)
	msgs := []Message{
		{Role: "system", Content: "You answer questions about products."},
		{Role: "user", Content: "Is it waterproof?", Images: []Image{{URL: "https://example.test/p.jpg"}}},
	}
	if _, err := c.Chat(context.Background(), msgs, ChatOptions{}); err != nil {
		t.Fatal(err)
	}
	m := got["messages"].([]any)
	if m[0].(map[string]any)["content"] != "You answer questions about products." {
		t.Errorf("a text-only message is sent as a string: %v", m[0])
	}
	parts := m[1].(map[string]any)["content"].([]any)
	if u := parts[1].(map[string]any)["image_url"].(map[string]any)["url"]; u != "https://example.test/p.jpg" {
		t.Errorf("image URL sent as %v", u)
	}
	if _, ok := got["max_tokens"]; ok {
		t.Error("max_tokens sent though not set")
	}
}

func TestChatErrors(t *testing.T) {
	var got map[string]any
	c := chatServer(t, http.StatusBadRequest, "", &got)
	_, err := c.Describe(context.Background(), "What is it?", Image{Data: []byte("x"), MediaType: "image/png"}, ChatOptions{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || !strings.Contains(err.Error(), "model llava is not loaded") {
		t.Errorf("server error: %v, want an *APIError with the server's message", err)
	}
	bad := []struct {
		name string
		msgs []Message
		want string
	}{
		{"none", nil, "no messages"},
		{"role", []Message{{Role: "robot", Content: "hi"}}, "unknown role"},
		{"image in assistant message", []Message{{Role: "assistant", Images: []Image{{URL: "u"}}}}, "only sent in user messages"},
		{"empty image", []Message{{Role: "user", Images: []Image{{}}}}, "no data"},
		{"not an image type", []Message{{Role: "user", Images: []Image{{Data: []byte("x"), MediaType: "text/plain"}}}}, "not an image type"},
		{"data and URL", []Message{{Role: "user", Images: []Image{{Data: []byte("x"), MediaType: "image/png", URL: "u"}}}}, "not both"},
	}
	for _, tt := range bad {
		if _, err := c.Chat(context.Background(), tt.msgs, ChatOptions{}); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	empty := chatServer(t, http.StatusOK, `{"choices":[]}`, &got)
	if _, err := empty.Chat(context.Background(), []Message{{Role: "user", Content: "hi"}}, ChatOptions{}); err == nil || !strings.Contains(err.Error(), "no message") {
		t.Errorf("empty choices: %v", err)
	}
}
