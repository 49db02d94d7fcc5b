package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// seedFiles adds the content of testdata files to a fuzz corpus.
func seedFiles(f *testing.F, pattern string) {
	paths, err := filepath.Glob(pattern)
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seed files %s: %v", pattern, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkRows reads data with read and checks the rows it emits: numbered in
// increasing order from 1, each either an error or a value that validates
// without panicking.
func checkRows[T any](t *testing.T, data []byte, read func(*bytes.Reader, func(rec[T]) error) error, validate func(*T) error) {
	t.Helper()
	last := 0
	err := read(bytes.NewReader(data), func(r rec[T]) error {
		if r.line <= last && r.line != 0 {
			t.Fatalf("row line %d after line %d", r.line, last)
		}
		last = r.line
		if r.err == nil {
			validate(&r.v)
		} else if r.err.Error() == "" {
			t.Fatalf("line %d: empty reason", r.line)
		}
		return nil
	})
	_ = err // read errors are fine; panics and bad rows are not
}

// FuzzAisleJSONL reads arbitrary bytes as JSON Lines of every kind.
func FuzzAisleJSONL(f *testing.F) {
	seedFiles(f, "testdata/jsonl/*.jsonl")
	seedFiles(f, "testdata/bad/*.jsonl")
	f.Add([]byte("{\"id\":\"x\"}\r\n\n{\"id\":\n[1]\nnull\n{\"id\":\"\\ud800\"} {}\n\xef\xbb\xbf{}"))
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.Item]) error) error { return readJSONL(r, emit) },
			func(v *aisle.Item) error { v.Normalize(); return v.Validate() })
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.User]) error) error { return readJSONL(r, emit) },
			func(v *aisle.User) error { return v.Validate() })
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.Question]) error) error { return readJSONL(r, emit) },
			func(v *aisle.Question) error { return v.Validate() })
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.Event]) error) error { return readJSONL(r, emit) },
			func(v *aisle.Event) error { return v.Validate(now) })
	})
}

// FuzzAisleCSV reads arbitrary bytes as CSV files of every kind.
func FuzzAisleCSV(f *testing.F) {
	seedFiles(f, "testdata/csv/*.csv")
	seedFiles(f, "testdata/bad/*.csv")
	f.Add([]byte("id,attr.x\n\"u1\",\"a\"b\"\nu2\n\"u3,\n"))
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.Item]) error) error { return readCSV(r, itemCSV(), emit) },
			func(v *aisle.Item) error { v.Normalize(); return v.Validate() })
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.User]) error) error { return readCSV(r, userCSV(), emit) },
			func(v *aisle.User) error { return v.Validate() })
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.Question]) error) error {
			return readCSV(r, questionCSV(), emit)
		}, func(v *aisle.Question) error { return v.Validate() })
		checkRows(t, data, func(r *bytes.Reader, emit func(rec[aisle.Event]) error) error { return readCSV(r, eventCSV(), emit) },
			func(v *aisle.Event) error { return v.Validate(now) })
	})
}
