package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/store/storetest"
	"github.com/google/go-cmp/cmp"
)

// TestVectorsAndExtractedSurviveReopen checks that vectors and extracted
// attributes are on disk, not only in memory.
func TestVectorsAndExtractedSurviveReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aisle.db")
	db := sqlite.NewDB(path, storetest.Extract, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	it := aisle.Item{ID: "a", Title: "Red pen", Attributes: map[string]string{"color": "red"}}
	if _, err := db.UpsertItems(ctx, []aisle.Item{it}); err != nil {
		t.Fatal(err)
	}
	v := aisle.ItemVector{Item: "a", TextHash: aisle.TextHash(it.Text()), Vector: []float32{0.25, -1.5, 3}}
	if err := db.PutItemVectors(ctx, "ngram:1", []aisle.ItemVector{v}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = sqlite.NewDB(path, storetest.Extract, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got []aisle.ItemVector
	for v, err := range db.ItemVectors(ctx, "ngram:1") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if diff := cmp.Diff(got, []aisle.ItemVector{v}); diff != "" {
		t.Errorf("vectors after reopen (-got +want):\n%s", diff)
	}
	stored, err := db.Item(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(stored.Extracted, storetest.Extract(&it)); diff != "" {
		t.Errorf("extracted after reopen (-got +want):\n%s", diff)
	}
}

// TestMigrateFromSchema1 opens a database written by a binary that knew
// only migration 0001: its items gain an empty extracted column, and the
// next write of an item stores its extraction.
func TestMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "aisle.db")
	schema1, err := os.ReadFile(filepath.Join("migrations", "0001_init.sql"))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(schema1), "PRAGMA user_version = 1",
		`INSERT INTO items VALUES ('a', 'Blue pen', '', '', '[]', '{"color":"blue"}', NULL, '', 'in_stock', '[]', 1, 1)`} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%.40s: %v", q, err)
		}
	}
	raw.Close()

	db := sqlite.NewDB(path, storetest.Extract, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	it, err := db.Item(ctx, "a")
	if err != nil || it.Extracted != nil {
		t.Fatalf("migrated item = %+v, %v; want no extracted attributes", it, err)
	}
	st, err := db.UpsertItems(ctx, []aisle.Item{it})
	if err != nil || st.Updated != 1 {
		t.Fatalf("rewrite: %+v, %v; want 1 updated", st, err)
	}
	if it, _ := db.Item(ctx, "a"); it.Extracted == nil || it.Extracted.Colors[0] != "blue" {
		t.Errorf("extracted after rewrite = %+v", it.Extracted)
	}
}

// BenchmarkItemVectors reads every vector of a 10,000-item, 384-dimension
// encoder (the size of a MiniLM catalog index) as a server does at start.
func BenchmarkItemVectors(b *testing.B) {
	ctx := context.Background()
	db := MustOpen(b)
	const n, dim = 10000, 384
	items := make([]aisle.Item, n)
	vs := make([]aisle.ItemVector, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range items {
		items[i] = aisle.Item{ID: fmt.Sprintf("i%05d", i), Title: "item"}
		vs[i] = aisle.ItemVector{Item: items[i].ID, TextHash: r.Uint64(), Vector: make([]float32, dim)}
		for j := range vs[i].Vector {
			vs[i].Vector[j] = r.Float32()
		}
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		b.Fatal(err)
	}
	b.Run("put", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := db.PutItemVectors(ctx, "bench", vs); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "vectors/s")
	})
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			got := 0
			for _, err := range db.ItemVectors(ctx, "bench") {
				if err != nil {
					b.Fatal(err)
				}
				got++
			}
			if got != n {
				b.Fatalf("read %d vectors, want %d", got, n)
			}
		}
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "vectors/s")
	})
}
