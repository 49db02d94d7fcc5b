package llamacpp

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle/copywriter"
	"github.com/aislehq/aisle/internal/ggufgen"
	"github.com/aislehq/aisle/openai"
)

// completer is the assistant's view of a chat model.
type completer interface {
	Complete(ctx context.Context, msgs []openai.Message, opts openai.ChatOptions) (openai.Completion, error)
}

var (
	_ completer       = (*Model)(nil)
	_ copywriter.Chat = (*Model)(nil)
)

var hello = []openai.Message{
	{Role: "system", Content: "You write short product copy."},
	{Role: "user", Content: "Describe a red shoe."},
}

func TestCompleteGreedy(t *testing.T) {
	m := openModel(t, ggufgen.DefaultConfig(), tinyOptions)
	ctx := context.Background()
	opts := openai.ChatOptions{MaxTokens: 12, Temperature: ptr(0.0)}
	first, n, err := m.complete(ctx, hello, opts)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	// Random weights: the text is gibberish, but it is text, the model
	// ran to the cap (its end-of-generation token is one in ~340) or
	// stopped, and greedy decoding repeats itself.
	switch first.FinishReason {
	case "length":
		if n != opts.MaxTokens {
			t.Errorf("finish length after %d tokens, want %d", n, opts.MaxTokens)
		}
	case "stop":
		if n >= opts.MaxTokens {
			t.Errorf("finish stop after %d tokens, cap %d", n, opts.MaxTokens)
		}
	default:
		t.Errorf("FinishReason = %q", first.FinishReason)
	}
	if n > 0 && first.Content == "" {
		t.Errorf("%d tokens gave no text", n)
	}
	if len(first.ToolCalls) != 0 {
		t.Errorf("tool calls without tools: %v", first.ToolCalls)
	}
	t.Logf("%d tokens: %q", n, first.Content)
	for range 2 {
		again, err := m.Complete(ctx, hello, opts)
		if err != nil {
			t.Fatalf("Complete: %v", err)
		}
		if diff := cmp.Diff(again, first); diff != "" {
			t.Errorf("greedy completion changed (-got +want):\n%s", diff)
		}
	}
	// Chat is Complete with Options.Chat.
	m.opts.Chat = opts
	text, err := m.Chat(ctx, hello[0].Content, hello[1].Content)
	if err != nil || text != first.Content {
		t.Errorf("Chat = %q, %v; want %q", text, err, first.Content)
	}
}

func TestCompleteSeeded(t *testing.T) {
	opts := tinyOptions
	opts.Seed = 42
	m := openModel(t, ggufgen.DefaultConfig(), opts)
	co := openai.ChatOptions{MaxTokens: 16, Temperature: ptr(1.0)}
	a, na, err := m.complete(context.Background(), hello, co)
	if err != nil {
		t.Fatal(err)
	}
	b, nb, err := m.complete(context.Background(), hello, co)
	if err != nil {
		t.Fatal(err)
	}
	if a.Content != b.Content || na != nb {
		t.Errorf("same seed, different replies: %q (%d tokens), %q (%d)", a.Content, na, b.Content, nb)
	}
	if na > co.MaxTokens {
		t.Errorf("%d tokens, cap %d", na, co.MaxTokens)
	}
}

func TestCompleteContextWindow(t *testing.T) {
	m := openModel(t, ggufgen.DefaultConfig(), tinyOptions)
	// A reply is cut at the window's end, not past it.
	_, n, err := m.complete(context.Background(), hello, openai.ChatOptions{MaxTokens: 10000, Temperature: ptr(0.0)})
	if err != nil {
		t.Fatal(err)
	}
	// llama.cpp rounds the window up to a multiple of 256.
	if n == 0 || n >= m.nCtx {
		t.Errorf("%d tokens in a %d-token window", n, m.nCtx)
	}
	long := []openai.Message{{Role: "user", Content: strings.Repeat("the red shoe and the blue shoe ", 40)}}
	if _, err := m.Complete(context.Background(), long, openai.ChatOptions{}); !errors.Is(err, ErrPromptTooLong) {
		t.Errorf("prompt past the window: err = %v, want ErrPromptTooLong", err)
	}
}

func TestCompleteCancel(t *testing.T) {
	m := openModel(t, ggufgen.DefaultConfig(), tinyOptions)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const stopAt = 3
	m.onToken = func(n int) {
		if n == stopAt {
			cancel()
		}
	}
	_, n, err := m.complete(ctx, hello, openai.ChatOptions{MaxTokens: 100, Temperature: ptr(0.0)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n != stopAt {
		t.Errorf("generated %d tokens, want %d: cancellation did not stop it", n, stopAt)
	}
	m.onToken = nil
	// Done before it starts: nothing runs.
	if _, err := m.Complete(ctx, hello, openai.ChatOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v", err)
	}
	// The model still works after a cancelled completion.
	if _, err := m.Complete(context.Background(), hello, openai.ChatOptions{MaxTokens: 4}); err != nil {
		t.Errorf("after cancel: %v", err)
	}
}

func TestCompleteConcurrent(t *testing.T) {
	m := openModel(t, ggufgen.DefaultConfig(), tinyOptions)
	opts := openai.ChatOptions{MaxTokens: 8, Temperature: ptr(0.0)}
	want, err := m.Complete(context.Background(), hello, opts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]openai.Completion, 4)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = m.Complete(context.Background(), hello, opts) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Errorf("completion %d: %v", i, errs[i])
		} else if diff := cmp.Diff(got[i], want); diff != "" {
			t.Errorf("completion %d (-got +want):\n%s", i, diff)
		}
	}
}

func TestCompleteTools(t *testing.T) {
	// The tool instructions take ~600 of the tiny vocabulary's tokens.
	cfg := ggufgen.DefaultConfig()
	cfg.Context = 1024
	m := openModel(t, cfg, Options{Threads: 1})
	tools := []openai.Tool{{Name: "search", Description: "Search the catalog.", Parameters: []byte(`{"type":"object","properties":{"query":{"type":"string"}}}`)}}
	msgs := append(hello[:2:2],
		openai.Message{Role: "assistant", ToolCalls: []openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"red shoe"}`}}},
		openai.Message{Role: "tool", ToolCallID: "call_0", Content: `[{"id":"s1","title":"Red shoe"}]`},
	)
	comp, err := m.Complete(context.Background(), msgs, openai.ChatOptions{MaxTokens: 8, Temperature: ptr(0.0), Tools: tools})
	if err != nil {
		t.Fatalf("Complete with tools: %v", err)
	}
	// Random weights write no tool call; the reply is text.
	if comp.FinishReason == "tool_calls" || len(comp.ToolCalls) > 0 {
		t.Errorf("tool calls from random weights: %+v", comp)
	}
	bad := []openai.ChatOptions{
		{Tools: []openai.Tool{{Name: "bad name"}}},
		{Tools: append(tools, tools...)},
		{Tools: tools, ToolChoice: "other"},
		{Tools: []openai.Tool{{Name: "x", Parameters: []byte(`[1]`)}}},
	}
	for _, o := range bad {
		if _, err := m.Complete(context.Background(), hello, o); err == nil {
			t.Errorf("tools %+v: no error", o)
		}
	}
	// NULs are dropped, not passed to llama.cpp as C strings cut short.
	nul := []openai.Message{{Role: "user", Content: "a red\x00 shoe\x00"}}
	if _, err := m.Complete(context.Background(), nul, openai.ChatOptions{MaxTokens: 2}); err != nil {
		t.Errorf("message with NULs: %v", err)
	}
	for _, msgs := range [][]openai.Message{
		nil,
		{{Role: "robot", Content: "hi"}},
		{{Role: "user", Content: "what is this?", Images: []openai.Image{{URL: "http://x/y.jpg"}}}},
	} {
		if _, err := m.Complete(context.Background(), msgs, openai.ChatOptions{}); err == nil {
			t.Errorf("messages %+v: no error", msgs)
		}
	}
}

func TestRenderTemplate(t *testing.T) {
	turns := []turn{{"system", "Be brief."}, {"user", "Hi"}}
	want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
	for _, tt := range []struct{ name, tmpl string }{
		{"chatml", ""}, // the model's ChatML, applied by llama.cpp
		{"none", "-"},  // no template: the ChatML fallback
		{"unknown", "{{ messages | tojson }} ??"}, // llama.cpp does not know it: the fallback
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ggufgen.DefaultConfig()
			cfg.Template = tt.tmpl
			m := openModel(t, cfg, tinyOptions)
			if diff := cmp.Diff(m.renderLocked(turns), want); diff != "" {
				t.Errorf("prompt (-got +want):\n%s", diff)
			}
			if _, err := m.Complete(context.Background(), hello, openai.ChatOptions{MaxTokens: 2}); err != nil {
				t.Errorf("Complete: %v", err)
			}
		})
	}
}

func TestOpenClose(t *testing.T) {
	requireLibs(t)
	m := New(writeModel(t, ggufgen.DefaultConfig()), tinyOptions)
	if _, err := m.Complete(context.Background(), hello, openai.ChatOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("before Open: err = %v, want ErrClosed", err)
	}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := m.Open(context.Background()); err != nil {
		t.Errorf("second Open: %v", err)
	}
	for range 2 {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	if _, err := m.Complete(context.Background(), hello, openai.ChatOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("after Close: err = %v, want ErrClosed", err)
	}
	if err := m.Open(context.Background()); !errors.Is(err, ErrClosed) {
		t.Errorf("Open after Close: err = %v, want ErrClosed", err)
	}
}

func TestOpenBadModel(t *testing.T) {
	requireLibs(t)
	good, err := os.ReadFile(writeModel(t, ggufgen.DefaultConfig()))
	if err != nil {
		t.Fatal(err)
	}
	corrupt := append([]byte(nil), good...)
	// The tensor count, past the magic and version, now absurd.
	copy(corrupt[8:16], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	badKV := append([]byte(nil), good...)
	// The first key's length, now longer than the file.
	copy(badKV[24:32], []byte{0, 0, 0, 0, 0, 0, 0, 0x10})
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a GGUF file"},
		{"text", []byte("this is not a model at all"), "not a GGUF file"},
		{"version", append([]byte("GGUF\x09\x00\x00\x00"), good[8:]...), "GGUF version 9"},
		{"truncated", good[:len(good)/2], "could not load"},
		{"header only", good[:64], "could not load"},
		{"tensor count", corrupt, "could not load"},
		{"key length", badKV, "could not load"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.gguf")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			m := New(path, tinyOptions)
			defer m.Close()
			err := m.Open(context.Background())
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open = %v, want an error naming %s with %q", err, path, tt.want)
			}
		})
	}
	m := New(filepath.Join(t.TempDir(), "missing.gguf"), tinyOptions)
	if err := m.Open(context.Background()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v", err)
	}
}

func TestOpenMissingLibraries(t *testing.T) {
	dir := t.TempDir()
	m := New(writeModel(t, ggufgen.DefaultConfig()), Options{LibDir: dir})
	err := m.Open(context.Background())
	if !errors.Is(err, ErrNoLibrary) || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "make deps") {
		t.Errorf("Open = %v, want ErrNoLibrary naming %s", err, dir)
	}
	t.Setenv(EnvLibDir, dir)
	if _, err := FindLibDir(""); !errors.Is(err, ErrNoLibrary) {
		t.Errorf("FindLibDir with $%s empty dir: %v", EnvLibDir, err)
	}
}

// TestOpenSecondLibDir: llama.cpp is loaded once per process, so a Model
// on libraries in another directory is refused, not loaded beside them.
func TestOpenSecondLibDir(t *testing.T) {
	openModel(t, ggufgen.DefaultConfig(), tinyOptions) // loads the default
	real, err := FindLibDir("")
	if err != nil {
		t.Fatal(err)
	}
	other := t.TempDir()
	sos, err := filepath.Glob(filepath.Join(real, "*.so"))
	if err != nil || len(sos) == 0 {
		t.Fatalf("no libraries in %s: %v", real, err)
	}
	for _, so := range sos {
		abs, _ := filepath.Abs(so)
		if err := os.Symlink(abs, filepath.Join(other, filepath.Base(so))); err != nil {
			t.Fatal(err)
		}
	}
	m := New(writeModel(t, ggufgen.DefaultConfig()), Options{LibDir: other})
	defer m.Close()
	if err := m.Open(context.Background()); err == nil || !strings.Contains(err.Error(), "already loaded") {
		t.Errorf("Open on a second library directory = %v, want an already-loaded error", err)
	}
}
