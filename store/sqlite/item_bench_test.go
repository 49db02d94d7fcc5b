package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/extract"
)

// BenchmarkImportOfficeItems imports the 2,420 Amazon Office items into a
// fresh store, without attribute extraction (the baseline) and with the
// rule-based extractor learnt from the same catalog.
func BenchmarkImportOfficeItems(b *testing.B) {
	path := filepath.Join("..", "..", "..", "shared", "data", "amazon-office", "Office.item.json")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("Amazon Office dataset not available: %v", err)
	}
	ctx := context.Background()
	opts := importer.Options{Format: "lcrec", Kind: "items"}
	load := sqlite.NewDB(filepath.Join(b.TempDir(), "load.db"), nil, sqlite.Options{})
	if err := load.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer load.Close()
	if _, err := importer.Run(ctx, load, path, opts, importer.Deps{}, nil); err != nil {
		b.Fatal(err)
	}
	items, err := aisle.AllItems(ctx, load)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		extract func(*aisle.Item) *aisle.Extracted
	}{
		{"extract=none", nil},
		{"extract=rules", extract.New(extract.Learn(items)).Extract},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				db := sqlite.NewDB(filepath.Join(b.TempDir(), "aisle.db"), bc.extract, sqlite.Options{})
				if err := db.Open(ctx); err != nil {
					b.Fatal(err)
				}
				s, err := importer.Run(ctx, db, path, opts, importer.Deps{}, nil)
				if err != nil {
					b.Fatal(err)
				}
				n += s.Items.Imported
				db.Close()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
