//go:build unix

package visual

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/palette"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/store/imagestore"
	"github.com/aislehq/aisle/store/sqlite"
)

// clothingDir holds the 713 real clothing photos and their labels.csv.
var clothingDir = filepath.Join("..", "..", "..", "shared", "data", "clothing-images")

// mobileNetDir is the shipped CNN.
var mobileNetDir = filepath.Join("..", "..", "..", "shared", "models", "mobilenet-v1-0.75-224")

// clothingItems returns one item per real clothing photo, its image the
// photo's absolute path, skipping when the dataset is absent.
func clothingItems(tb testing.TB) []aisle.Item {
	tb.Helper()
	f, err := os.Open(filepath.Join(clothingDir, "labels.csv"))
	if err != nil {
		tb.Skipf("clothing photos not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	root, err := filepath.Abs(clothingDir)
	if err != nil {
		tb.Fatal(err)
	}
	var items []aisle.Item
	for _, row := range rows[1:] {
		id := filepath.Base(row[0])
		items = append(items, aisle.Item{ID: id, Title: row[2], Images: []string{filepath.Join(root, row[0])}})
	}
	return items
}

// openMobileNet opens the real CNN with cfg, skipping when it or ONNX Runtime is
// absent.
func openMobileNet(tb testing.TB, cfg onnx.ImageConfig) *onnx.ImageEncoder {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(mobileNetDir, "model.onnx")); err != nil {
		tb.Skipf("MobileNet not available: %v", err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		tb.Skipf("ONNX Runtime not available: %v", err)
	}
	e, err := onnx.OpenImageEncoder(context.Background(), mobileNetDir, cfg, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e
}

// openStore returns a SQLite store in a temporary directory holding items.
func openStore(tb testing.TB, items []aisle.Item) *sqlite.DB {
	tb.Helper()
	db := sqlite.NewDB(filepath.Join(tb.TempDir(), "aisle.db"), nil, sqlite.DefaultOptions())
	if err := db.Open(context.Background()); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.UpsertItems(context.Background(), items); err != nil {
		tb.Fatal(err)
	}
	return db
}

// BenchmarkRead reads the 713 real clothing photos as `aisle import` does:
// files fetched and decoded on Config.Workers goroutines, originals kept
// on disk, colours, the real MobileNet in batches, Visuals and vectors
// written to SQLite (synchronous FULL), each iteration into a fresh store.
// images/s is the whole pipeline's throughput, cpu-ms/image the CPU time
// it takes on all threads (ONNX Runtime's included), which a loaded
// machine inflates less than the wall time.
func BenchmarkRead(b *testing.B) {
	items := clothingItems(b)
	ctx := context.Background()
	fetch := &photo.Fetcher{Root: clothingDir}
	for _, tt := range []struct {
		name  string
		enc   onnx.ImageConfig
		batch int
	}{
		{"sessions=1,threads=2", onnx.ImageConfig{}, 0},
		{"sessions=2,threads=1", onnx.ImageConfig{Sessions: 2, Threads: 1}, 32},
	} {
		b.Run(tt.name, func(b *testing.B) {
			enc := openMobileNet(b, tt.enc)
			var m meter
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				db := openStore(b, items)
				r := New(enc, "image:mobilenet", Deps{Fetch: fetch, Originals: imagestore.New(b.TempDir()), Store: db}, Config{BatchSize: tt.batch}, nil)
				batch := slices.Clone(items)
				m.start(b)
				rep, err := r.Read(ctx, batch)
				m.stop(b)
				if err != nil || rep.Read != len(items) {
					b.Fatalf("Read: %d of %d read, %v", rep.Read, len(items), err)
				}
			}
			m.report(b, len(items))
		})
	}
}

// meter adds up the wall and CPU time of a benchmark's timed parts.
type meter struct {
	cpu0, cpu time.Duration
}

// start starts the benchmark's timer and the CPU clock.
func (m *meter) start(b *testing.B) {
	m.cpu0 = cpuTime(b)
	b.StartTimer()
}

// stop stops the CPU clock; the timer runs on until the next iteration
// stops it (b.Loop must find it running).
func (m *meter) stop(b *testing.B) {
	m.cpu += cpuTime(b) - m.cpu0
}

// report reports images/s and CPU milliseconds per image for n images an
// iteration.
func (m *meter) report(b *testing.B, n int) {
	images := float64(n * b.N)
	b.ReportMetric(images/b.Elapsed().Seconds(), "images/s")
	b.ReportMetric(float64(m.cpu.Microseconds())/1000/images, "cpu-ms/image")
}

// cpuTime returns the CPU time, user and system, the process has used on
// all its threads.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReadStages measures the parts of BenchmarkRead one at a time,
// on one goroutine (the model on its own threads), over the same 713
// photos: reading and decoding the files (reduced to Config.MaxSide as
// they are decoded), keeping the originals (two fsyncs each), finding
// colours, the model on the decoded photos in batches of
// Config.BatchSize (one session on one and on two threads), and storing
// the Visuals one transaction per photo and one per batch.
func BenchmarkReadStages(b *testing.B) {
	items := clothingItems(b)
	ctx := context.Background()
	cfg := Config{}.withDefaults()
	opts := New(nil, "", Deps{}, cfg, nil).decodeOptions()
	fetch := &photo.Fetcher{Root: clothingDir}
	files := make([][]byte, len(items))
	photos := make([]*photo.Photo, len(items))
	for i, it := range items {
		data, err := fetch.Fetch(ctx, it.Images[0])
		if err != nil {
			b.Fatal(err)
		}
		if photos[i], err = photo.DecodeContext(ctx, bytes.NewReader(data), opts); err != nil {
			b.Fatal(err)
		}
		files[i] = data
	}
	stage := func(name string, setup func(b *testing.B) func(b *testing.B)) {
		b.Run(name, func(b *testing.B) {
			var m meter
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				run := setup(b)
				m.start(b)
				run(b)
				m.stop(b)
			}
			m.report(b, len(items))
		})
	}
	stage("fetch+decode", func(*testing.B) func(*testing.B) {
		return func(b *testing.B) {
			for _, it := range items {
				data, err := fetch.Fetch(ctx, it.Images[0])
				if err != nil {
					b.Fatal(err)
				}
				if _, err := photo.DecodeContext(ctx, bytes.NewReader(data), opts); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	stage("originals", func(b *testing.B) func(*testing.B) {
		s := imagestore.New(b.TempDir())
		return func(b *testing.B) {
			for _, data := range files {
				if _, err := s.Put(data); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	stage("colours", func(*testing.B) func(*testing.B) {
		return func(*testing.B) {
			for _, p := range photos {
				palette.Dominant(p.Image, cfg.Palette)
			}
		}
	})
	imgs := make([]image.Image, len(photos))
	for i, p := range photos {
		imgs[i] = p.Image
	}
	for _, threads := range []int{1, 2} {
		stage(fmt.Sprintf("encode/threads=%d", threads), func(b *testing.B) func(*testing.B) {
			enc := openMobileNet(b, onnx.ImageConfig{Sessions: 1, Threads: threads})
			return func(b *testing.B) {
				for start := 0; start < len(imgs); start += cfg.BatchSize {
					if _, err := enc.Encode(ctx, imgs[start:min(start+cfg.BatchSize, len(imgs))]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
	visuals := make([]*aisle.Visual, len(items))
	for i, it := range items {
		p := photos[i]
		visuals[i] = &aisle.Visual{Ref: it.Images[0], Image: p.Hash, Format: p.Format, Width: p.Width, Height: p.Height,
			Colors: []string{"navy blue", "white"}, Labels: []aisle.VisualLabel{{Name: "jersey", Prob: 0.5}}}
	}
	stage("store/per-photo", func(b *testing.B) func(*testing.B) {
		db := openStore(b, items)
		return func(b *testing.B) {
			for i, it := range items {
				if err := db.SetItemVisual(ctx, it.ID, visuals[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	stage("store/per-batch", func(b *testing.B) func(*testing.B) {
		db := openStore(b, items)
		return func(b *testing.B) {
			for start := 0; start < len(items); start += cfg.BatchSize {
				var batch []aisle.ItemVisual
				for i := start; i < min(start+cfg.BatchSize, len(items)); i++ {
					batch = append(batch, aisle.ItemVisual{Item: items[i].ID, Visual: visuals[i]})
				}
				if _, err := db.SetItemVisuals(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
