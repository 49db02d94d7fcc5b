package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/store/storetest"
)

// MustOpen opens a fresh store in a temporary directory, closed at cleanup.
func MustOpen(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "aisle.db"), storetest.Extract, sqlite.Options{})
	if err := db.Open(context.Background()); err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) aisle.Store { return MustOpen(t) })
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aisle.db")
	db := sqlite.NewDB(path, nil, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	db = sqlite.NewDB(path, nil, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("schema version = %d, %v", v, err)
	}
	if it, err := db.Item(ctx, "a"); err != nil || it.Title != "A" {
		t.Fatalf("after reopen: %+v, %v", it, err)
	}
	var mode string
	if err := db.QueryRowForTest(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode = %q, %v", mode, err)
	}
}

func TestBadSynchronous(t *testing.T) {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "x.db"), nil, sqlite.Options{Synchronous: "OFF"})
	if err := db.Open(context.Background()); err == nil {
		db.Close()
		t.Fatal("Open accepted synchronous=OFF")
	}
}
