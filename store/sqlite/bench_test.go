package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/sqlite"
)

// BenchmarkAppendEvents500 writes batches of 500 view events over a
// 10,000-item catalog and 20,000 users, as POST /v1/events does, one batch
// at a time, with each durability setting.
func BenchmarkAppendEvents500(b *testing.B) {
	for _, sync := range []string{sqlite.SyncFull, sqlite.SyncNormal} {
		b.Run("sync="+sync, func(b *testing.B) { benchmarkAppend(b, sync) })
	}
}

func benchmarkAppend(b *testing.B, sync string) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(b.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sync})
	if err := db.Open(ctx); err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	items := make([]aisle.Item, 10000)
	for i := range items {
		items[i] = aisle.Item{ID: fmt.Sprint("item-", i), Title: fmt.Sprint("Item ", i)}
	}
	if _, err := db.UpsertItems(ctx, items); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	batch := make([]aisle.Event, 500)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for i := range batch {
			n++
			batch[i] = aisle.Event{ID: fmt.Sprint("e-", n), User: fmt.Sprint("u-", rng.IntN(20000)), Item: items[rng.IntN(len(items))].ID, Type: aisle.EventView}
		}
		if _, err := db.AppendEvents(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
}
