package recommend

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/train"
)

// BenchmarkRecommendOffice measures Engine.Recommend on Office with the
// model set `aisle train` saves, one shopper after another: its time and
// allocations per request are the request path's share of serving latency
// and of the garbage collector's work (docs/BENCHMARKS.md, serving
// latency).
func BenchmarkRecommendOffice(b *testing.B) {
	ctx := context.Background()
	db := officeStore(b, 0)
	items, err := aisle.AllItems(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "models")
	if err := train.NewVersion(ctx, db.Events(ctx, 0), items, dir, train.Config{Seed: 1}, nil, nil); err != nil {
		b.Fatal(err)
	}
	e := NewEngine(db, Deps{}, Config{ModelDir: dir}, nil)
	if err := e.Open(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	var users []string
	seen := map[string]bool{}
	for ev, err := range db.Events(ctx, 0) {
		if err != nil {
			b.Fatal(err)
		}
		if !seen[ev.User] {
			seen[ev.User] = true
			users = append(users, ev.User)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.Recommend(ctx, users[i%len(users)], aisle.RecommendRequest{N: 10}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
