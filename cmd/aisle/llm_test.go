package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle/copywriter"
)

// fakeLLM is an OpenAI-compatible chat server: it streams reply in
// chat.completion.chunk events, or fails with 500, or stalls, as mode
// says, and records what it was sent.
type fakeLLM struct {
	*httptest.Server
	mode  string // "ok", "fail" or "slow"
	reply string
	mu    sync.Mutex
	auth  []string
	body  []map[string]any
}

func newFakeLLM(t testing.TB, mode, reply string) *fakeLLM {
	f := &fakeLLM{mode: mode, reply: reply}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		f.mu.Lock()
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.body = append(f.body, body)
		f.mu.Unlock()
		switch f.mode {
		case "fail":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}`)
			return
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.SplitAfter(f.reply, " ") {
			b, _ := json.Marshal(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": word}, "finish_reason": nil}}})
			io.WriteString(w, "data: "+string(b)+"\n\n")
		}
		io.WriteString(w, `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeLLM) requests() ([]string, []map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auth...), append([]map[string]any(nil), f.body...)
}

// TestServeWithLLM serves with -llm-url pointing at a fake model: copy is
// the model's ("mode":"llm") with its unsupported claim removed, and
// built-in copy when the model fails or is slower than -llm-timeout.
func TestServeWithLLM(t *testing.T) {
	const item = `{"title":"Swingline Stapler, Commercial Desk Stapler, 20 Sheet Capacity, Black","brand":"Swingline","categories":["Office Products","Office & School Supplies","Staplers & Punches","Staplers"],"attributes":{"color":"Black"}}`
	// The second sentence claims a warranty and a count no fact supports.
	const reply = "The Swingline Stapler is a black commercial desk stapler with a 20 sheet capacity. It comes with a 25 year warranty and 5000 staples."
	t.Setenv("AISLE_TEST_LLM_KEY", "sk-test-123")
	tests := []struct {
		mode     string
		wantMode string
	}{
		{"ok", copywriter.ModeLLM},
		{"fail", copywriter.ModeBuiltin},
		{"slow", copywriter.ModeBuiltin},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			fake := newFakeLLM(t, tt.mode, reply)
			ctx, cancel := context.WithCancel(context.Background())
			base, done := serveInProcess(t, ctx, "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error",
				"-llm-url", fake.URL+"/v1", "-llm-model", "copy-model", "-llm-key-env", "AISLE_TEST_LLM_KEY", "-llm-timeout", "400ms")
			defer func() {
				cancel()
				<-done
			}()
			call(t, "PUT", base+"/v1/items/B0006HUX4A", item, http.StatusCreated, nil)
			var c copywriter.Copy
			start := time.Now()
			call(t, "POST", base+"/v1/items/B0006HUX4A/copy", `{"style":"detailed"}`, http.StatusOK, &c)
			elapsed := time.Since(start)
			t.Logf("%s copy in %v: %q", c.Mode, elapsed, c.Text)
			if c.Mode != tt.wantMode {
				t.Fatalf("mode %q, want %q: %+v", c.Mode, tt.wantMode, c)
			}
			if !strings.Contains(c.Text, "Swingline") {
				t.Errorf("copy %q does not name the brand", c.Text)
			}
			if strings.Contains(c.Text, "warranty") || strings.Contains(c.Text, "5000") {
				t.Errorf("copy %q keeps the model's unsupported claim", c.Text)
			}
			auth, bodies := fake.requests()
			if len(bodies) == 0 {
				t.Fatal("the model was never asked")
			}
			if auth[0] != "Bearer sk-test-123" || bodies[0]["model"] != "copy-model" || bodies[0]["stream"] != true {
				t.Errorf("request: Authorization %q, model %v, stream %v", auth[0], bodies[0]["model"], bodies[0]["stream"])
			}
			if tt.mode == "slow" && elapsed > 3*time.Second {
				t.Errorf("a stalled model held the request %v, past its 400ms timeout", elapsed)
			}
			if tt.mode == "ok" && !strings.Contains(c.Text, "commercial desk stapler") {
				t.Errorf("copy %q is not the model's", c.Text)
			}
		})
	}
}

// TestServeWithVisionModel serves with -vlm-model: a photo question is
// put to the vision model with the item's photo URL, and its answer
// served with the vision source.
func TestServeWithVisionModel(t *testing.T) {
	const item = `{"title":"Swingline Stapler, Commercial Desk Stapler, 20 Sheet Capacity, Black","brand":"Swingline","categories":["Office Products","Staplers"],"images":["https://images.example.test/stapler.jpg"]}`
	fake := newFakeLLM(t, "ok", "It is black.")
	ctx, cancel := context.WithCancel(context.Background())
	base, done := serveInProcess(t, ctx, "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error",
		"-llm-url", fake.URL+"/v1", "-llm-model", "copy-model", "-vlm-model", "vision-model", "-llm-key-env", "")
	defer func() {
		cancel()
		<-done
	}()
	call(t, "PUT", base+"/v1/items/B0006HUX4A", item, http.StatusCreated, nil)
	var ans struct {
		Answer  string `json:"answer"`
		Sources []struct {
			Kind string `json:"kind"`
		} `json:"sources"`
	}
	call(t, "POST", base+"/v1/items/B0006HUX4A/ask", `{"question":"What colour is it?"}`, http.StatusOK, &ans)
	if ans.Answer != "It is black." || len(ans.Sources) == 0 || ans.Sources[0].Kind != "vision" {
		t.Fatalf("answer %+v, want the vision model's", ans)
	}
	auth, bodies := fake.requests()
	if len(bodies) != 1 || bodies[0]["model"] != "vision-model" || auth[0] != "" {
		t.Fatalf("the model saw %d requests (Authorization %q): %v", len(bodies), auth, bodies)
	}
	msgs, _ := json.Marshal(bodies[0]["messages"])
	if !strings.Contains(string(msgs), `"image_url":{"url":"https://images.example.test/stapler.jpg"}`) {
		t.Errorf("messages %s do not carry the photo", msgs)
	}
}

func TestServeLLMFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-llm-url", "http://127.0.0.1:1/v1"}, "-llm-url needs -llm-model"},
		{[]string{"-llm-model", "m"}, "need -llm-url"},
		{[]string{"-vlm-model", "m"}, "need -llm-url"},
		{[]string{"-llm-url", "ftp://x", "-llm-model", "m"}, "-llm-url"},
		{[]string{"-llm-url", "http://127.0.0.1:1/v1", "-llm-model", "m", "-llm-timeout", "0s"}, "-llm-timeout"},
	}
	for _, tt := range tests {
		args := append([]string{"serve", "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none"}, tt.args...)
		code, _, stderr := runCLI(t, args...)
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", tt.args, code, stderr, tt.want)
		}
	}
}

// BenchmarkCopyRoute times POST /v1/items/{id}/copy through the real
// server, built in and with the fake model streaming its 26-word reply in
// 26 chunks: the difference is Aisle's overhead in model mode (the
// prompt, the client, the claim checker) plus the fake server's time.
func BenchmarkCopyRoute(b *testing.B) {
	const item = `{"title":"Swingline Stapler, Commercial Desk Stapler, 20 Sheet Capacity, Black","brand":"Swingline","categories":["Office Products","Office & School Supplies","Staplers & Punches","Staplers"],"attributes":{"color":"Black"}}`
	const reply = "The Swingline Stapler is a black commercial desk stapler with a 20 sheet capacity. It comes with a 25 year warranty and 5000 staples."
	for _, mode := range []string{copywriter.ModeBuiltin, copywriter.ModeLLM} {
		b.Run(mode, func(b *testing.B) {
			args := []string{"serve", "-data-dir", b.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error"}
			if mode == copywriter.ModeLLM {
				args = append(args, "-llm-url", newFakeLLM(b, "ok", reply).URL+"/v1", "-llm-model", "m")
			}
			ctx, cancel := context.WithCancel(context.Background())
			urls, done := make(chan string, 1), make(chan int, 1)
			go func() {
				done <- run(ctx, args, &env{stdout: io.Discard, stderr: io.Discard, ready: func(u string) { urls <- u }})
			}()
			client := &http.Client{Transport: &http.Transport{}}
			defer func() {
				client.CloseIdleConnections()
				cancel()
				<-done
				// The model client's idle connections (the default transport).
				http.DefaultTransport.(*http.Transport).CloseIdleConnections()
			}()
			base := <-urls
			put, _ := http.NewRequest("PUT", base+"/v1/items/B0006HUX4A", strings.NewReader(item))
			put.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(put)
			if err != nil || resp.StatusCode != http.StatusCreated {
				b.Fatalf("PUT: %v %v", resp, err)
			}
			resp.Body.Close()
			for b.Loop() {
				resp, err := client.Post(base+"/v1/items/B0006HUX4A/copy", "application/json", strings.NewReader(`{"style":"detailed"}`))
				if err != nil {
					b.Fatal(err)
				}
				var c copywriter.Copy
				err = json.NewDecoder(resp.Body).Decode(&c)
				resp.Body.Close()
				if err != nil || c.Mode != mode {
					b.Fatalf("%+v, %v", c, err)
				}
			}
		})
	}
}
