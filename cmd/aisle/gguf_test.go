package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/copywriter"
	"github.com/aislehq/aisle/internal/ggufgen"
	"github.com/aislehq/aisle/llamacpp"
)

// writeTinyGGUF writes a generated llama-architecture model (random
// weights) with a context long enough for the copywriter's prompts.
func writeTinyGGUF(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ggufgen.DefaultConfig()
	cfg.Context = 4096
	if err := ggufgen.Write(f, cfg); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestServeGGUFFlagErrors(t *testing.T) {
	model := writeTinyGGUF(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-llm-gguf", model, "-llm-url", "http://127.0.0.1:1/v1", "-llm-model", "m"}, "-llm-gguf and -llm-url"},
		{[]string{"-llm-gguf-threads", "2"}, "need -llm-gguf"},
		{[]string{"-llm-gguf", model, "-llm-gguf-threads", "-1"}, "-llm-gguf-threads"},
		{[]string{"-llm-gguf", filepath.Join(t.TempDir(), "missing.gguf")}, "missing.gguf"},
		{[]string{"-llm-gguf", model, "-llm-gguf-lib", t.TempDir()}, "make deps"},
	}
	for _, tt := range tests {
		args := append([]string{"serve", "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none"}, tt.args...)
		code, _, stderr := runCLI(t, args...)
		if code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want an error containing %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestServeWithGGUF serves with -llm-gguf: the generated model loads in
// process and copy requests are answered (its gibberish fails the fact
// check, so the copy may be the built-in one; either way the request
// succeeds).
func TestServeWithGGUF(t *testing.T) {
	if _, err := llamacpp.FindLibDir(""); err != nil {
		t.Skipf("llama.cpp's libraries are not installed (make deps): %v", err)
	}
	const item = `{"title":"Swingline Stapler, Commercial Desk Stapler, 20 Sheet Capacity, Black","brand":"Swingline","categories":["Office Products","Staplers"],"attributes":{"color":"Black"}}`
	ctx, cancel := context.WithCancel(context.Background())
	base, done := serveInProcess(t, ctx, "-data-dir", t.TempDir(), "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error",
		"-llm-gguf", writeTinyGGUF(t), "-llm-gguf-threads", "1", "-llm-timeout", "30s")
	defer func() {
		cancel()
		<-done
	}()
	call(t, "PUT", base+"/v1/items/B0006HUX4A", item, http.StatusCreated, nil)
	var c copywriter.Copy
	call(t, "POST", base+"/v1/items/B0006HUX4A/copy", `{"style":"short"}`, http.StatusOK, &c)
	if c.Text == "" || (c.Mode != copywriter.ModeLLM && c.Mode != copywriter.ModeBuiltin) {
		t.Errorf("copy %+v", c)
	}
	t.Logf("%s copy: %q", c.Mode, c.Text)
}
