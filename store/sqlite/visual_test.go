package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
)

// BenchmarkUpsertUnchangedItems writes the 2,420 Amazon Office items again,
// unchanged, to a store that holds them: the cost of an import that finds
// nothing new, without Visuals and with one on every item (which
// UpsertItems then reads back). The dataset has no photos: each item gets
// one made-up image reference, and its Visual is a made-up reading of it.
func BenchmarkUpsertUnchangedItems(b *testing.B) {
	path := filepath.Join("..", "..", "..", "shared", "data", "amazon-office", "Office.item.json")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("Amazon Office dataset not available: %v", err)
	}
	ctx := context.Background()
	for _, withVisual := range []bool{false, true} {
		name := "visual=none"
		if withVisual {
			name = "visual=set"
		}
		b.Run(name, func(b *testing.B) {
			db := MustOpen(b)
			if _, err := importer.Run(ctx, db, path, importer.Options{Format: "lcrec", Kind: "items"}, importer.Deps{}, nil); err != nil {
				b.Fatal(err)
			}
			items, err := aisle.AllItems(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			for i := range items {
				items[i].Images = []string{"photos/" + items[i].ID + ".jpg"}
			}
			if _, err := db.UpsertItems(ctx, items); err != nil {
				b.Fatal(err)
			}
			if withVisual {
				for _, it := range items {
					v := &aisle.Visual{Ref: it.Images[0], Image: "55c64d0fcd6f9d5f7c828093857e3fdfda68478bb4e9bd24d481ef391c7804e8",
						Format: "jpeg", Width: 400, Height: 533, Colors: []string{"navy blue", "white", "grey"},
						Labels:    []aisle.VisualLabel{{Name: "jersey", Prob: 0.5}, {Name: "sweatshirt", Prob: 0.2}, {Name: "cardigan", Prob: 0.1}},
						UpdatedAt: time.Unix(1_700_000_000, 0)}
					if err := db.SetItemVisual(ctx, it.ID, v); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				batch := slices.Clone(items)
				st, err := db.UpsertItems(ctx, batch)
				if err != nil || st.Unchanged != len(items) {
					b.Fatalf("stats %+v, err %v; want all unchanged", st, err)
				}
			}
			b.ReportMetric(float64(len(items)*b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}
