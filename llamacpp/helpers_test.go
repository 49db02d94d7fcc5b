package llamacpp

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/aislehq/aisle/internal/ggufgen"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// requireLibs skips the test when llama.cpp's libraries are not installed.
func requireLibs(tb testing.TB) {
	tb.Helper()
	if _, err := FindLibDir(""); err != nil {
		tb.Skipf("llama.cpp's libraries are not installed (make deps installs them into %s): %v", DefaultLibDir, err)
	}
}

// writeModel writes a generated model of shape cfg into a new directory
// and returns its path.
func writeModel(tb testing.TB, cfg ggufgen.Config) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "tiny.gguf")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := ggufgen.Write(f, cfg); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// openModel opens a generated model of shape cfg with opts, closed when
// the test ends.
func openModel(tb testing.TB, cfg ggufgen.Config, opts Options) *Model {
	tb.Helper()
	requireLibs(tb)
	m := New(writeModel(tb, cfg), opts)
	if err := m.Open(context.Background()); err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return m
}

// tinyOptions run the generated model on one thread (more only wait on
// each other for so small a model, badly so on a busy machine:
// BenchmarkComplete) in a small window.
var tinyOptions = Options{Threads: 1, ContextSize: 128}

func ptr[T any](v T) *T { return &v }
