package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sseChunk is one "chat.completion.chunk" event's data, as OpenAI sends it.
func sseChunk(delta map[string]any, finish any) string {
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": "test-model",
		"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
	})
	return "data: " + string(b) + "\n\n"
}

// textStream is a whole streamed reply of the given pieces of text.
func textStream(pieces ...string) string {
	var b strings.Builder
	b.WriteString(sseChunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for _, p := range pieces {
		b.WriteString(sseChunk(map[string]any{"content": p}, nil))
	}
	b.WriteString(sseChunk(map[string]any{}, "stop"))
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// toolStream is a streamed reply calling search({"query":"stapler"}) and
// compare({"ids":["a","b"]}), arguments split across chunks as OpenAI
// splits them.
func toolStream() string {
	call := func(index int, id, name, args string) map[string]any {
		fn := map[string]any{"arguments": args}
		tc := map[string]any{"index": index, "function": fn}
		if id != "" {
			tc["id"], tc["type"], fn["name"] = id, "function", name
		}
		return map[string]any{"tool_calls": []any{tc}}
	}
	var b strings.Builder
	b.WriteString(sseChunk(map[string]any{"role": "assistant", "content": nil}, nil))
	b.WriteString(sseChunk(call(0, "call_A", "search", ""), nil))
	b.WriteString(sseChunk(call(0, "", "", `{"que`), nil))
	b.WriteString(sseChunk(call(0, "", "", `ry":"stapler"}`), nil))
	b.WriteString(sseChunk(call(1, "call_B", "compare", `{"ids":`), nil))
	b.WriteString(sseChunk(call(1, "", "", `["a","b"]}`), nil))
	b.WriteString(sseChunk(map[string]any{}, "tool_calls"))
	b.WriteString("data: [DONE]\n\n")
	return b.String()
}

// streamClient serves handler at /v1/chat/completions and returns a client
// for it with tiny backoff, no retries unless mod sets them.
func streamClient(t *testing.T, handler http.HandlerFunc, mod func(*Config)) *Client {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		handler(w, r)
	}))
	t.Cleanup(s.Close)
	cfg := Config{BaseURL: s.URL + "/v1", Model: "test-model", MaxRetries: -1, Backoff: time.Millisecond, Timeout: 5 * time.Second, IdleTimeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := NewClient(cfg, s.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// writeSSE answers with body as an event stream, flushed.
func writeSSE(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "text/event-stream")
	io.WriteString(w, body)
	w.(http.Flusher).Flush()
}

var userHi = []Message{{Role: "user", Content: "hi"}}

func TestChatStreamText(t *testing.T) {
	var got map[string]any
	var accept string
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		accept = r.Header.Get("Accept")
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &got)
		writeSSE(w, textStream("Hel", "lo, ", "world."))
	}, nil)
	s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var pieces []string
	var finish string
	for {
		d, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if d.Content != "" {
			pieces = append(pieces, d.Content)
		}
		finish += d.FinishReason
	}
	if d := cmp.Diff(pieces, []string{"Hel", "lo, ", "world."}); d != "" {
		t.Errorf("pieces (-got +want):\n%s", d)
	}
	if d := cmp.Diff(s.Completion(), Completion{Content: "Hello, world.", FinishReason: "stop"}); d != "" {
		t.Errorf("completion (-got +want):\n%s", d)
	}
	if finish != "stop" {
		t.Errorf("finish reasons seen: %q", finish)
	}
	if got["stream"] != true || accept != "text/event-stream" {
		t.Errorf("request: stream=%v Accept=%q, want true and text/event-stream", got["stream"], accept)
	}
	if _, err := s.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next after the end: %v, want io.EOF", err)
	}
}

func TestChatStreamToolCalls(t *testing.T) {
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, toolStream()) }, nil)
	s, err := c.ChatStream(context.Background(), userHi, ChatOptions{Tools: []Tool{{Name: "search"}, {Name: "compare"}}})
	if err != nil {
		t.Fatal(err)
	}
	var deltas int
	comp, err := s.Collect(func(d Delta) error { deltas += len(d.ToolCalls); return nil })
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
	if deltas != 5 {
		t.Errorf("%d tool call pieces, want 5", deltas)
	}
}

func TestCompleteToolRoundTrip(t *testing.T) {
	var got map[string]any
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &got)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"chatcmpl-2","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_9","type":"function","function":{"name":"search","arguments":"{\"query\":\"toner\"}"}}]},"finish_reason":"tool_calls"}]}`)
	}, nil)
	params := json.RawMessage(`{"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}`)
	msgs := []Message{
		{Role: "user", Content: "Find toner"},
		{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_1", Name: "search", Arguments: `{"query":"toner"}`}}},
		{Role: "tool", ToolCallID: "call_1", Content: `{"items":[]}`},
	}
	comp, err := c.Complete(context.Background(), msgs, ChatOptions{Tools: []Tool{{Name: "search", Description: "Search the catalog.", Parameters: params}}, ToolChoice: "search"})
	if err != nil {
		t.Fatal(err)
	}
	wantComp := Completion{FinishReason: "tool_calls", ToolCalls: []ToolCall{{ID: "call_9", Name: "search", Arguments: `{"query":"toner"}`}}}
	if d := cmp.Diff(comp, wantComp); d != "" {
		t.Errorf("completion (-got +want):\n%s", d)
	}
	var wantReq map[string]any
	_ = json.Unmarshal([]byte(`{
		"model": "test-model",
		"messages": [
			{"role": "user", "content": "Find toner"},
			{"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "search", "arguments": "{\"query\":\"toner\"}"}}]},
			{"role": "tool", "tool_call_id": "call_1", "content": "{\"items\":[]}"}
		],
		"tools": [{"type": "function", "function": {"name": "search", "description": "Search the catalog.", "parameters": {"type":"object","properties":{"query":{"type":"string"}},"required":["query"]}}}],
		"tool_choice": {"type": "function", "function": {"name": "search"}}
	}`), &wantReq)
	if d := cmp.Diff(got, wantReq); d != "" {
		t.Errorf("request (-got +want):\n%s", d)
	}
	// Chat on a reply with only tool calls returns empty text, no error.
	if text, err := c.Chat(context.Background(), userHi, ChatOptions{}); err != nil || text != "" {
		t.Errorf("Chat = %q, %v; want empty text", text, err)
	}
}

func TestChatRequestErrors(t *testing.T) {
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) { t.Error("no request should be sent") }, nil)
	tests := []struct {
		name string
		msgs []Message
		opts ChatOptions
		want string
	}{
		{"bad tool name", userHi, ChatOptions{Tools: []Tool{{Name: "search items"}}}, `tool 0: name "search items"`},
		{"duplicate tool", userHi, ChatOptions{Tools: []Tool{{Name: "a"}, {Name: "a"}}}, "duplicate"},
		{"parameters not an object", userHi, ChatOptions{Tools: []Tool{{Name: "a", Parameters: json.RawMessage(`[1]`)}}}, "JSON Schema object"},
		{"unknown tool choice", userHi, ChatOptions{Tools: []Tool{{Name: "a"}}, ToolChoice: "b"}, `tool choice "b"`},
		{"tool message without id", []Message{{Role: "tool", Content: "x"}}, ChatOptions{}, "ToolCallID"},
		{"tool call id on user", []Message{{Role: "user", ToolCallID: "c"}}, ChatOptions{}, "only sent in tool messages"},
		{"tool calls on user", []Message{{Role: "user", ToolCalls: []ToolCall{{ID: "c", Name: "a"}}}}, ChatOptions{}, "only sent in assistant"},
		{"tool call without id", []Message{{Role: "assistant", ToolCalls: []ToolCall{{Name: "a"}}}}, ChatOptions{}, "needs an ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ChatStream(context.Background(), tt.msgs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ChatStream: %v, want an error containing %q", err, tt.want)
			}
			_, err = c.Complete(context.Background(), tt.msgs, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Complete: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestChatStreamAPIErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		retries  int
		attempts int
		want     string
	}{
		{"401 is final", 401, `{"error":{"message":"Incorrect API key provided: sk-bad.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`, 3, 1, "Incorrect API key"},
		{"429 is retried", 429, `{"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}}`, 2, 3, "Rate limit reached"},
		{"500 is retried", 500, `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`, 1, 2, "server had an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}, func(c *Config) { c.MaxRetries = tt.retries })
			_, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status || apiErr.Attempts != tt.attempts || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an *APIError %d after %d attempts containing %q", err, tt.status, tt.attempts, tt.want)
			}
			if int(n.Load()) != tt.attempts {
				t.Errorf("server saw %d requests, want %d", n.Load(), tt.attempts)
			}
			_, err = c.Complete(context.Background(), userHi, ChatOptions{})
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tt.status {
				t.Errorf("Complete: %v, want an *APIError %d", err, tt.status)
			}
		})
	}
}

func TestChatStreamRetryThenStream(t *testing.T) {
	var n atomic.Int32
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"message":"overloaded"}}`)
			return
		}
		writeSSE(w, textStream("ok"))
	}, func(c *Config) { c.MaxRetries = 1 })
	s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	comp, err := s.Collect(nil)
	if err != nil || comp.Content != "ok" {
		t.Errorf("Collect = %+v, %v", comp, err)
	}
}

// TestChatStreamBodies feeds the stream reader whole bodies, well-formed
// in unusual ways and malformed.
func TestChatStreamBodies(t *testing.T) {
	long := strings.Repeat("x", maxLineBytes)
	tests := []struct {
		name    string
		body    string
		max     int64
		want    Completion
		wantErr string
		is      error
	}{
		{name: "comments, CRLF, ids and no space after colon",
			body: ": keep-alive\r\nid: 1\r\nevent: message\r\ndata:" + strings.TrimPrefix(strings.TrimSuffix(sseChunk(map[string]any{"content": "A"}, nil), "\n\n"), "data: ") + "\r\n\r\n" + sseChunk(map[string]any{"content": "B"}, "stop") + "data: [DONE]\r\n\r\n",
			want: Completion{Content: "AB", FinishReason: "stop"}},
		{name: "data split over lines",
			body: "data: {\"choices\":[{\"index\":0,\ndata: \"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
			want: Completion{Content: "hi", FinishReason: "stop"}},
		{name: "usage chunk without choices",
			body: sseChunk(map[string]any{"content": "x"}, "stop") + `data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1}}` + "\n\ndata: [DONE]\n\n",
			want: Completion{Content: "x", FinishReason: "stop"}},
		{name: "finish without DONE",
			body: sseChunk(map[string]any{"content": "x"}, "length"),
			want: Completion{Content: "x", FinishReason: "length"}},
		{name: "DONE without a blank line", body: sseChunk(map[string]any{"content": "x"}, nil) + "data: [DONE]",
			want: Completion{Content: "x"}},
		{name: "tool call without index or id",
			body: `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"function":{"name":"search","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n",
			want: Completion{FinishReason: "tool_calls", ToolCalls: []ToolCall{{ID: "call_0", Name: "search", Arguments: "{}"}}}},
		{name: "second choice ignored",
			body: `data: {"choices":[{"index":1,"delta":{"content":"no"}},{"index":0,"delta":{"content":"yes"},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n",
			want: Completion{Content: "yes", FinishReason: "stop"}},
		{name: "malformed JSON", body: "data: {\"choices\":[{\"delta\":\n\n", wantErr: "malformed chunk"},
		{name: "choices not a list", body: `data: {"choices":{}}` + "\n\n", wantErr: "malformed chunk"},
		{name: "error object in the stream", body: sseChunk(map[string]any{"content": "x"}, nil) + `data: {"error":{"message":"model crashed","type":"server_error"}}` + "\n\n", wantErr: "server error: model crashed"},
		{name: "error event", body: "event: error\ndata: upstream timeout\n\n", wantErr: "server error: upstream timeout"},
		{name: "error event with JSON", body: "event: error\ndata: {\"message\":\"out of memory\"}\n\n", wantErr: "server error: out of memory"},
		{name: "cut short", body: sseChunk(map[string]any{"content": "x"}, nil), is: io.ErrUnexpectedEOF, wantErr: "ended before"},
		{name: "cut mid-chunk", body: sseChunk(map[string]any{"content": "x"}, nil) + `data: {"choices":[{"ind`, wantErr: "malformed chunk"},
		{name: "empty body", body: "", is: io.ErrUnexpectedEOF},
		{name: "line too long", body: "data: " + long + "\n\n", wantErr: "exceeds 1048576 bytes"},
		{name: "event data too long", body: "data: " + long[:maxLineBytes/2] + "\ndata: " + long[:maxLineBytes/2] + "\n\n", wantErr: "exceeds 1048576 bytes"},
		{name: "stream too long", body: textStream("aaaaaaaaaa", "bbbbbbbbbb", "cccccccccc"), max: 300, wantErr: "stream exceeds 300 bytes"},
		{name: "tool index out of range", body: `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":100000000,"function":{"arguments":"x"}}]}}]}` + "\n\n", wantErr: "index 100000000 out of range"},
		{name: "tool call never named", body: `data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"arguments":"{}"}}]},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n", wantErr: "tool call 0 has no function name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := streamClient(t, func(w http.ResponseWriter, r *http.Request) { writeSSE(w, tt.body) }, func(c *Config) {
				if tt.max > 0 {
					c.MaxResponseBytes = tt.max
				}
			})
			s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
			if err != nil {
				t.Fatal(err)
			}
			comp, err := s.Collect(nil)
			if tt.wantErr == "" && tt.is == nil {
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(comp, tt.want); d != "" {
					t.Errorf("completion (-got +want):\n%s", d)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("err = %v, want one containing %q (is %v)", err, tt.wantErr, tt.is)
			}
		})
	}
}

// stallServer sends one chunk, then waits until the client goes away,
// closing gone then.
func stallServer(t *testing.T, gone chan struct{}, mod func(*Config)) *Client {
	return streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeSSE(w, sseChunk(map[string]any{"content": "Hel"}, nil))
		select {
		case <-r.Context().Done():
			close(gone)
		case <-time.After(10 * time.Second):
		}
	}, mod)
}

func TestChatStreamIdle(t *testing.T) {
	gone := make(chan struct{})
	c := stallServer(t, gone, func(c *Config) { c.IdleTimeout = 50 * time.Millisecond })
	s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// A caller slower than the idle timeout between reads is not idle.
	time.Sleep(100 * time.Millisecond)
	d, err := s.Next()
	if err != nil || d.Content != "Hel" {
		t.Fatalf("first piece: %+v, %v", d, err)
	}
	_, err = s.Next()
	if !errors.Is(err, ErrStreamIdle) {
		t.Fatalf("err = %v, want ErrStreamIdle", err)
	}
	if got := s.Completion().Content; got != "Hel" {
		t.Errorf("partial completion %q, want the piece read", got)
	}
	waitGone(t, gone)
}

func TestChatStreamCancel(t *testing.T) {
	gone := make(chan struct{})
	c := stallServer(t, gone, nil)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := c.ChatStream(ctx, userHi, ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = s.Next()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	waitGone(t, gone)
}

func TestChatStreamCloseAborts(t *testing.T) {
	gone := make(chan struct{})
	c := stallServer(t, gone, nil)
	s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Next(); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(20*time.Millisecond, func() { s.Close() })
	if _, err := s.Next(); err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("err = %v, want the stream closed", err)
	}
	waitGone(t, gone)
}

// waitGone fails unless the server saw the client go away.
func waitGone(t *testing.T, gone chan struct{}) {
	t.Helper()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Error("the server did not see the client go away")
	}
}

func TestChatStreamBroken(t *testing.T) {
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, sseChunk(map[string]any{"content": "Hel"}, nil))
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		conn.Close() // mid-stream, without the chunked terminator
	}, nil)
	s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Collect(nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestChatStreamHeaderTimeout(t *testing.T) {
	var n atomic.Int32
	c := streamClient(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = io.Copy(io.Discard, r.Body) // so the server watches the connection
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}, func(c *Config) { c.Timeout = 50 * time.Millisecond; c.MaxRetries = 1 })
	_, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 0 || apiErr.Attempts != 2 || !strings.Contains(err.Error(), "response headers") {
		t.Fatalf("err = %v, want an *APIError naming the header timeout after 2 attempts", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d attempts, want 2", n.Load())
	}
}

// FuzzDecodeChunk checks that any event data decodes or fails cleanly,
// and that tool call indices stay in range.
func FuzzDecodeChunk(f *testing.F) {
	for _, body := range []string{textStream("a"), toolStream()} {
		for _, line := range strings.Split(body, "\n") {
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				f.Add([]byte(data))
			}
		}
	}
	f.Add([]byte(`{"error":{"message":"x"}}`))
	f.Add([]byte(`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":-1}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeChunk(data)
		if err != nil {
			return
		}
		for _, tc := range d.ToolCalls {
			if tc.Index < 0 || tc.Index >= maxToolCalls {
				t.Fatalf("tool call index %d out of range", tc.Index)
			}
		}
	})
}

// FuzzStream checks that any body ends in io.EOF or an error, never a
// panic or a hang, within the limits.
func FuzzStream(f *testing.F) {
	f.Add([]byte(textStream("Hel", "lo")))
	f.Add([]byte(toolStream()))
	f.Add([]byte(": c\r\nevent: error\r\ndata: x\r\n\r\n"))
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\ndata: \"delta\":{}}]}\n\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		ctx, cancel := context.WithCancelCause(context.Background())
		s := newStream(ctx, cancel, io.NopCloser(strings.NewReader(string(body))), time.Minute, 1<<16)
		comp, err := s.Collect(nil)
		if err == nil && len(comp.ToolCalls) > maxToolCalls {
			t.Fatalf("%d tool calls", len(comp.ToolCalls))
		}
		for _, tc := range comp.ToolCalls {
			if tc.Name == "" || tc.ID == "" {
				t.Fatalf("tool call without name or id: %+v", tc)
			}
		}
	})
}

// BenchmarkChatStream is one streamed turn against a local server: 100
// pieces of text, then two tool calls in 5 pieces.
func BenchmarkChatStream(b *testing.B) {
	var body strings.Builder
	pieces := make([]string, 100)
	for i := range pieces {
		pieces[i] = fmt.Sprintf(" word%d", i)
	}
	body.WriteString(strings.TrimSuffix(textStream(pieces...), "data: [DONE]\n\n"))
	body.WriteString(strings.TrimPrefix(toolStream(), sseChunk(map[string]any{"role": "assistant", "content": nil}, nil)))
	payload := body.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeSSE(w, payload)
	}))
	defer srv.Close()
	c, err := NewClient(Config{BaseURL: srv.URL + "/v1", Model: "test-model"}, srv.Client(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s, err := c.ChatStream(context.Background(), userHi, ChatOptions{})
		if err != nil {
			b.Fatal(err)
		}
		comp, err := s.Collect(nil)
		if err != nil || len(comp.ToolCalls) != 2 {
			b.Fatalf("%+v, %v", comp, err)
		}
	}
}
