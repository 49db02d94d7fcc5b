package onnx

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/aislehq/aisle/onnx/internal/bertgen"
	"github.com/aislehq/aisle/text/tokenizer"
)

// Real files the tests read from beside the repository.
var (
	tokenizerDir = filepath.Join("..", "..", "shared", "models", "tokenizers", "all-MiniLM-L6-v2")
	officeItems  = filepath.Join("..", "..", "shared", "data", "amazon-office", "Office.item.json")
)

// smallBERT is the shape of the models most tests generate.
var smallBERT = bertgen.Config{Hidden: 32, Heads: 4, Layers: 2, Intermediate: 64, MaxPositions: 512, Seed: 1}

// miniLM is the shape of all-MiniLM-L6-v2, for benchmarks.
var miniLM = bertgen.Config{Hidden: 384, Heads: 12, Layers: 6, Intermediate: 1536, MaxPositions: 512, Seed: 2}

// requireLibrary fails the test when the ONNX Runtime library is missing:
// make test installs it, so its absence is a broken setup, not a skip.
func requireLibrary(tb testing.TB) {
	tb.Helper()
	if _, err := FindLibrary(""); err != nil {
		tb.Fatalf("%v", err)
	}
}

// loadTokenizer loads the real all-MiniLM-L6-v2 tokenizer, skipping when
// the shared models folder is absent.
func loadTokenizer(tb testing.TB) *tokenizer.WordPiece {
	tb.Helper()
	if _, err := os.Stat(tokenizerDir); err != nil {
		tb.Skipf("real tokenizer files not found at %s (../shared/models beside the repository): %v", tokenizerDir, err)
	}
	tok, err := tokenizer.Load(tokenizerDir)
	if err != nil {
		tb.Fatalf("tokenizer.Load: %v", err)
	}
	return tok
}

// modelDir writes a generated model of shape cfg, written as g says, into
// a new directory beside links to the real tokenizer files, and returns the
// directory and the model.
func modelDir(tb testing.TB, cfg bertgen.Config, g bertgen.Graph) (string, *bertgen.Model) {
	tb.Helper()
	requireLibrary(tb)
	cfg.Vocab = loadTokenizer(tb).VocabSize()
	m, err := bertgen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	if err := m.Write(filepath.Join(dir, "model.onnx"), g); err != nil {
		tb.Fatal(err)
	}
	linkTokenizer(tb, dir)
	return dir, m
}

// linkTokenizer links the real tokenizer files into dir.
func linkTokenizer(tb testing.TB, dir string) {
	tb.Helper()
	abs, err := filepath.Abs(tokenizerDir)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range []string{"tokenizer.json", "tokenizer_config.json", "vocab.txt"} {
		if err := os.Symlink(filepath.Join(abs, f), filepath.Join(dir, f)); err != nil {
			tb.Fatal(err)
		}
	}
}

// writeFile writes data to dir/name, creating folders.
func writeFile(tb testing.TB, dir, name, data string) {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// openEncoder opens dir with cfg and closes it at the end of the test.
func openEncoder(tb testing.TB, dir string, cfg TextConfig) *TextEncoder {
	tb.Helper()
	e, err := OpenTextEncoder(context.Background(), dir, cfg, nil)
	if err != nil {
		tb.Fatalf("OpenTextEncoder: %v", err)
	}
	tb.Cleanup(func() {
		if err := e.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return e
}

// officeTitles returns the titles of the first n items of the real Office
// catalog, skipping when it is absent.
func officeTitles(tb testing.TB, n int) []string {
	tb.Helper()
	data, err := os.ReadFile(officeItems)
	if err != nil {
		tb.Skipf("real Office catalog not found at %s: %v", officeItems, err)
	}
	var items map[string]struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal(data, &items); err != nil {
		tb.Fatalf("Office.item.json: %v", err)
	}
	titles := make([]string, 0, n)
	for i := 0; len(titles) < n && i < len(items); i++ {
		if t := items[strconv.Itoa(i)].Title; t != "" {
			titles = append(titles, t)
		}
	}
	if len(titles) < n {
		tb.Fatalf("Office.item.json: %d titles, want %d", len(titles), n)
	}
	return titles
}

// maxDiff returns the largest absolute difference between a and b.
func maxDiff(tb testing.TB, a, b []float32) float64 {
	tb.Helper()
	if len(a) != len(b) {
		tb.Fatalf("lengths %d and %d differ", len(a), len(b))
	}
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// norm returns the L2 length of v.
func norm(v []float32) float64 {
	s := 0.0
	for _, f := range v {
		s += float64(f) * float64(f)
	}
	return math.Sqrt(s)
}
