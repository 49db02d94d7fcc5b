package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo/phototest"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/store/sqlite"
)

// procStatus returns the named fields of /proc/PID/status in megabytes
// (VmRSS, VmHWM).
func procStatus(tb testing.TB, pid int, names ...string) []float64 {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	out := make([]float64, len(names))
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, _ := strings.Cut(sc.Text(), ":")
		if i := slices.Index(names, name); i >= 0 {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			out[i] = kb / 1024
		}
	}
	return out
}

// burst is what a burst of concurrent requests got.
type burst struct {
	statuses map[int]int // status → count; 0 for no answer
	slowest  time.Duration
}

// postBurst sends n concurrent POST /v1/search/image of body to url.
func postBurst(url string, body []byte, n int) burst {
	client := &http.Client{Timeout: 60 * time.Second}
	b := burst{statuses: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			t := time.Now()
			status := 0
			if resp, err := client.Post(url+"/v1/search/image?n=5", "image/png", bytes.NewReader(body)); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			took := time.Since(t)
			mu.Lock()
			b.statuses[status]++
			b.slowest = max(b.slowest, took)
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return b
}

// BenchmarkPhotoBombs is security finding 4: a real aisle serve child
// process with the shipped image model takes 32 concurrent searches by
// photo of a 6000×6000 PNG, then 32 of a 12000×3333 PNG, then 32 of a
// 5000×5000 PNG, just under the default pixel cap (small files that
// decode to 144, 160 and 100 MB). It reports the child's resident
// memory before the bursts (after one ordinary search by photo, so with
// the model's arenas), at its peak (VmHWM) and after them, the
// slowest answer, and how many requests got each status; every request
// must be answered, with 200, 413, 429 or 503. "defaults" runs the
// server as shipped (the 25-megapixel cap refuses both photos from their
// header); "budget-only" raises the cap to 40 megapixels and the HTTP
// layer's concurrency cap for photo routes to 64, so the photo memory
// budget (-photo-memory) alone bounds memory.
//
//	go test -run '^$' -bench PhotoBombs -benchtime 1x ./cmd/aisle/
func BenchmarkPhotoBombs(b *testing.B) {
	if _, err := os.Stat(filepath.Join(mobileNet, "model.onnx")); err != nil {
		b.Skipf("real MobileNet not found: %v", err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		b.Skip(err)
	}
	// Red PNGs of a few hundred kilobytes that decode into 4 bytes a pixel.
	bomb := func(w, h int) []byte { return phototest.SolidPNG(w, h, 200, 40, 30) }
	bombs := [][]byte{bomb(6000, 6000), bomb(12000, 3333), bomb(5000, 5000)}
	warm := bomb(800, 600)
	b.Logf("bombs: 6000×6000 PNG of %d bytes, 12000×3333 PNG of %d bytes, 5000×5000 PNG of %d bytes", len(bombs[0]), len(bombs[1]), len(bombs[2]))
	const n = 32
	for _, tt := range []struct {
		name  string
		flags []string
	}{
		{"defaults", nil},
		{"budget-only", []string{"-photo-max-pixels", "40000000", "-photo-requests", "64"}},
	} {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				dir := b.TempDir()
				db := sqlite.NewDB(filepath.Join(dir, "aisle.db"), nil, sqlite.Options{})
				if err := db.Open(context.Background()); err != nil {
					b.Fatal(err)
				}
				var items []aisle.Item
				for i := range 50 {
					items = append(items, aisle.Item{ID: fmt.Sprintf("item-%d", i), Title: fmt.Sprintf("Red shirt %d", i)})
				}
				if _, err := db.UpsertItems(context.Background(), items); err != nil {
					b.Fatal(err)
				}
				db.Close()
				args := append([]string{"serve", "-data-dir", dir, "-addr", "127.0.0.1:0", "-log-level", "error", "-image-model", mobileNet}, tt.flags...)
				child, url := startChild(b, args...)
				pid := child.Process.Pid
				// One ordinary search by photo first, so the model's
				// memory arenas are counted in the baseline.
				if r := postBurst(url, warm, 1); r.statuses[http.StatusOK] != 1 {
					b.Fatalf("warm-up search by photo: %v", r.statuses)
				}
				time.Sleep(time.Second)
				before := procStatus(b, pid, "VmRSS")[0]
				statuses := map[int]int{}
				var slowest time.Duration
				for _, body := range bombs {
					r := postBurst(url, body, n)
					for s, c := range r.statuses {
						statuses[s] += c
					}
					slowest = max(slowest, r.slowest)
				}
				mem := procStatus(b, pid, "VmHWM", "VmRSS")
				time.Sleep(6 * time.Second) // the budget returns memory once drained
				later := procStatus(b, pid, "VmRSS")[0]
				child.Process.Kill()
				child.Wait()

				b.ReportMetric(before, "rss-before-MB")
				b.ReportMetric(mem[0], "rss-peak-MB")
				b.ReportMetric(mem[1], "rss-after-MB")
				b.ReportMetric(later, "rss-6s-later-MB")
				b.ReportMetric(slowest.Seconds(), "slowest-s")
				for _, s := range []int{http.StatusOK, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests, http.StatusServiceUnavailable} {
					b.ReportMetric(float64(statuses[s]), fmt.Sprintf("status-%d", s))
				}
				b.Logf("%s: statuses %v, slowest %v, RSS %.0f MB before, %.0f MB peak, %.0f MB after, %.0f MB 6 s later", tt.name, statuses, slowest.Round(time.Millisecond), before, mem[0], mem[1], later)
				for s, c := range statuses {
					switch s {
					case http.StatusOK, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests, http.StatusServiceUnavailable:
					default:
						b.Errorf("%d requests got status %d (0: no answer)", c, s)
					}
				}
			}
		})
	}
}
