package importer

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/sqlite"
)

var _ Store = (*sqlite.DB)(nil)

// testNow is the clock of every test import.
func testNow() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

// openStore opens a fresh SQLite store in a temporary folder, closed when
// the test ends.
func openStore(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "aisle.db"), nil, sqlite.Options{})
	if err := db.Open(context.Background()); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// dataPath returns the path of a shared dataset, skipping the test if it
// is not there.
func dataPath(tb testing.TB, name string) string {
	tb.Helper()
	p := filepath.Join("..", "..", "shared", "data", name)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("dataset %s not available: %v", name, err)
	}
	return p
}

// mustRun runs an import that must succeed, at the time testNow.
func mustRun(tb testing.TB, db Store, path string, opts Options) *Summary {
	tb.Helper()
	return mustRunDeps(tb, db, path, opts, Deps{Now: testNow})
}

// mustRunDeps runs an import with deps that must succeed.
func mustRunDeps(tb testing.TB, db Store, path string, opts Options, deps Deps) *Summary {
	tb.Helper()
	sum, err := Run(context.Background(), db, path, opts, deps, nil)
	if err != nil {
		tb.Fatalf("Run(%s): %v", path, err)
	}
	return sum
}

// mustCounts returns the store's counts.
func mustCounts(tb testing.TB, db *sqlite.DB) aisle.Counts {
	tb.Helper()
	c, err := db.Counts(context.Background())
	if err != nil {
		tb.Fatalf("Counts: %v", err)
	}
	return c
}

// writeFile writes a test file under dir and returns its path.
func writeFile(tb testing.TB, dir, name, content string) string {
	tb.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	return p
}

func ptr[T any](v T) *T { return &v }
