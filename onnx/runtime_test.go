package onnx

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindLibrary(t *testing.T) {
	requireLibrary(t)
	installed, err := filepath.Abs(filepath.Join("..", DefaultLibrary))
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.Symlink(installed, elsewhere); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, env string
		want            string // "" for an error
	}{
		{"default search finds the installed library", "", "", installed},
		{"environment overrides the default", "", elsewhere, elsewhere},
		{"explicit path overrides the environment", installed, elsewhere, installed},
		{"missing explicit path", "/nonexistent/lib.so", "", ""},
		{"missing environment path", "", "/nonexistent/lib.so", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvLibrary, tt.env)
			got, err := FindLibrary(tt.path)
			if tt.want == "" {
				if !errors.Is(err, ErrNoLibrary) || !strings.Contains(err.Error(), "/nonexistent/lib.so") {
					t.Fatalf("FindLibrary = %q, %v; want ErrNoLibrary naming the path", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if abs, _ := filepath.Abs(got); abs != tt.want {
				t.Fatalf("FindLibrary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRuntimeReferences(t *testing.T) {
	requireLibrary(t)
	a, err := OpenRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenRuntime("")
	if err != nil {
		t.Fatal(err)
	}
	if a.Version() != "1.30.0" {
		t.Errorf("Version() = %q, want 1.30.0", a.Version())
	}
	other := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if err := os.Symlink(a.Library(), other); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenRuntime(other); err == nil || !strings.Contains(err.Error(), "already open") {
		t.Errorf("OpenRuntime on another library while open: %v, want an error", err)
	}
	for _, r := range []*Runtime{a, a, b} {
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The last Close destroyed the environment; it opens again.
	c, err := OpenRuntime(other)
	if err != nil {
		t.Fatalf("reopen after the last Close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
