package photo

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo/phototest"
)

// allocated returns the bytes fn allocates on the heap.
func allocated(fn func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

// TestCostCoversDecoding checks, format by format, that the cost Probe
// estimates covers what decoding really allocates (so a Budget bounds
// real memory) without overestimating it much (so it does not refuse
// photos needlessly).
func TestCostCoversDecoding(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	big := quadrants(512, 384)
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, big, nil); err != nil {
		t.Fatal(err)
	}
	gray := image.NewGray(image.Rect(0, 0, 512, 384))
	gray16 := image.NewGray16(gray.Rect)
	nrgba := image.NewNRGBA(gray.Rect)
	nrgba.Set(1, 1, color.NRGBA{1, 2, 3, 4})
	tests := []struct {
		name string
		data []byte
		opts Options
	}{
		{"jpeg 4:2:0", encoded(t, "jpeg", big), Options{}},
		{"jpeg 4:2:0 orientation 6", withExif(encoded(t, "jpeg", big), "II", 6), Options{}},
		{"jpeg orientation 6, fit 100", withExif(encoded(t, "jpeg", big), "II", 6), Options{Fit: 100}},
		{"jpeg gray", encoded(t, "jpeg", gray), Options{}},
		{"jpeg progressive 4:2:0", read("progressive-420.jpg"), Options{}},
		{"jpeg progressive 4:4:4", read("progressive-444.jpg"), Options{}},
		{"jpeg cmyk", read("cmyk.jpg"), Options{}},
		{"jpeg progressive cmyk", read("progressive-cmyk.jpg"), Options{}},
		{"png rgb", encoded(t, "png", big), Options{}},
		{"png rgb fit 100", encoded(t, "png", big), Options{Fit: 100}},
		{"png gray", encoded(t, "png", gray), Options{}},
		{"png gray16", encoded(t, "png", gray16), Options{}},
		{"png nrgba", encoded(t, "png", nrgba), Options{}},
		{"png interlaced", read("interlaced.png"), Options{}},
		{"png gray tRNS", phototest.PNG(512, 384, pngGray, 8, false, true), Options{}},
		{"png rgb16 tRNS", phototest.PNG(512, 384, pngTrue, 16, false, true), Options{}},
		{"png rgba16 interlaced", phototest.PNG(512, 384, pngTrueAlpha, 16, true, false), Options{}},
		{"png paletted", phototest.PNG(512, 384, pngPaletted, 8, false, true), Options{}},
		{"png gray 1-bit", phototest.PNG(512, 384, pngGray, 1, false, false), Options{}},
		{"gif", gifBuf.Bytes(), Options{}},
		{"webp lossless", losslessWebP(256, 192, 1, 2, 3, 4), Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Probe(tt.data, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var derr error
			// The decode's own allocations, less the copy of the bytes
			// it reads and the hash.
			got := allocated(func() { _, derr = DecodeContext(context.Background(), bytes.NewReader(tt.data), tt.opts) }) - int64(len(tt.data))*2
			if derr != nil {
				t.Fatal(derr)
			}
			if got > h.Cost {
				t.Errorf("%d×%d: decoding allocated %d bytes, over the estimated cost of %d", h.Width, h.Height, got, h.Cost)
			}
			if px := int64(h.Width) * int64(h.Height); h.Cost > 2*got+decodeOverhead+4*px {
				t.Errorf("%d×%d: estimated cost %d is far over the %d bytes decoding allocated", h.Width, h.Height, h.Cost, got)
			}
			t.Logf("%d×%d: cost %d, allocated %d (%.2f bytes a pixel)", h.Width, h.Height, h.Cost, got, float64(got)/float64(h.Width*h.Height))
		})
	}
}

func TestProbeRefusesOverBudget(t *testing.T) {
	data := phototest.PNG(4000, 4000, pngTrue, 8, false, false) // 64 MB as RGBA
	b := NewBudget(32 << 20)
	for _, fn := range []func() error{
		func() error { _, err := Probe(data, Options{Budget: b}); return err },
		func() error {
			_, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{Budget: b})
			return err
		},
	} {
		err := fn()
		if aisle.ErrorCode(err) != aisle.ETOOLARGE || aisle.ErrorMessage(err) != "photo is 4000×4000 pixels and needs 62 MiB to decode, more than the 32 MiB this server decodes at once" {
			t.Errorf("got %v, want ETOOLARGE saying the photo needs more than the budget", err)
		}
	}
	if s := b.Stats(); s.Peak != 0 {
		t.Errorf("a refused photo reserved %d bytes", s.Peak)
	}
}

// TestBudgetBoundsConcurrentBombs decodes many large photos at once
// under a budget that holds two of them: every decode succeeds (the
// others wait their turn), and what is reserved never exceeds the
// budget.
func TestBudgetBoundsConcurrentBombs(t *testing.T) {
	n := 12
	if testing.Short() {
		n = 6
	}
	bombs := [][]byte{
		phototest.PNG(1500, 1500, pngTrue, 8, false, false),      // 9 MB as RGBA
		phototest.PNG(2400, 600, pngTrueAlpha, 16, false, false), // 11.5 MB as NRGBA64
	}
	var most int64
	for _, data := range bombs {
		h, err := Probe(data, Options{Fit: 256})
		if err != nil {
			t.Fatal(err)
		}
		most = max(most, h.Cost)
	}
	b := NewBudget(2*most + most/2)
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			p, err := DecodeContext(context.Background(), bytes.NewReader(bombs[i%2]), Options{Budget: b, Fit: 256})
			if err == nil && max(p.Image.Bounds().Dx(), p.Image.Bounds().Dy()) != 256 {
				err = errors.New("not reduced to 256 pixels")
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("decode %d: %v", i, err)
		}
	}
	s := b.Stats()
	if s.Peak > s.Size || s.Peak < most || s.InUse != 0 || s.Waiting != 0 || s.Garbage > s.Size {
		t.Errorf("budget %+v: want a peak of at least %d and at most the size, nothing left reserved", s, most)
	}
}

func TestBudgetWaitHonoursContext(t *testing.T) {
	b := NewBudget(100)
	release, err := b.Reserve(context.Background(), 80)
	if err != nil {
		t.Fatal(err)
	}
	// Full: a reservation that does not fit waits until its context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = b.Reserve(ctx, 50)
	if aisle.ErrorCode(err) != aisle.EUNAVAILABLE || aisle.ErrorMessage(err) != "too many photos are being read; try again" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want EUNAVAILABLE with the deadline in the chain", err)
	}
	// A photo whose decoding waits for the budget fails the same way.
	data := phototest.PNG(64, 64, pngGray, 8, false, false)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if _, err := DecodeContext(ctx2, bytes.NewReader(data), Options{Budget: NewBudget(1 << 20)}); err != nil {
		t.Fatalf("a photo that fits an empty budget: %v", err)
	}
	full := NewBudget(1 << 20)
	hold, _ := full.Reserve(context.Background(), 1<<20)
	if _, err := DecodeContext(ctx2, bytes.NewReader(data), Options{Budget: full}); aisle.ErrorCode(err) != aisle.EUNAVAILABLE {
		t.Fatalf("decode with a full budget: %v, want EUNAVAILABLE", err)
	}
	hold()
	// Too large for the budget at all: refused at once.
	if _, err := b.Reserve(context.Background(), 101); aisle.ErrorCode(err) != aisle.ETOOLARGE {
		t.Fatalf("over the size: %v, want ETOOLARGE", err)
	}
	// First come, first served: a waiter that gives up lets the next in.
	big := make(chan error, 1)
	bigCtx, bigCancel := context.WithCancel(context.Background())
	go func() { _, err := b.Reserve(bigCtx, 90); big <- err }()
	waitFor(t, func() bool { return b.Stats().Waiting == 1 })
	small := make(chan func(), 1)
	go func() {
		r, err := b.Reserve(context.Background(), 10)
		if err != nil {
			t.Error(err)
		}
		small <- r
	}()
	waitFor(t, func() bool { return b.Stats().Waiting == 2 })
	bigCancel()
	if err := <-big; aisle.ErrorCode(err) != aisle.EUNAVAILABLE {
		t.Fatalf("cancelled waiter: %v", err)
	}
	r := <-small // 80 + 10 fit once the 90 stopped waiting
	if s := b.Stats(); s.InUse != 90 || s.Waiting != 0 {
		t.Fatalf("stats %+v, want 90 in use", s)
	}
	r()
	r() // a second release is a no-op
	release()
	if s := b.Stats(); s.InUse != 0 || s.Peak != 90 {
		t.Fatalf("stats %+v, want all released, peak 90", s)
	}
	// Given-back bytes are garbage until a collection: a reservation that
	// needs their room waits for the collection the Budget runs.
	if s := b.Stats(); s.Garbage != 90 {
		t.Fatalf("stats %+v, want the 90 bytes given back counted as garbage", s)
	}
	rel, err := b.Reserve(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	if s := b.Stats(); s.Collections != 1 || s.InUse != 50 || s.InUse+s.Garbage > s.Size {
		t.Fatalf("stats %+v, want one collection and 50 in use", s)
	}
	rel()
	// A nil budget grants everything.
	var none *Budget
	if rel, err := none.Reserve(context.Background(), 1<<40); err != nil {
		t.Fatal(err)
	} else {
		rel()
	}
}

// waitFor polls ok for up to five seconds.
func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// cancelAfter is a reader that cancels a context once n bytes were read
// from it.
type cancelAfter struct {
	r      io.Reader
	n      int
	read   int
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.read += k
	if c.read >= c.n {
		c.cancel()
	}
	return k, err
}

// TestCancelStopsDecoding cancels the context a few kilobytes into a
// large photo's pixel data: every decoder stops there, with the
// context's error, instead of decoding the rest.
func TestCancelStopsDecoding(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"png", phototest.PNG(3000, 3000, pngTrue, 8, false, false)},
		{"jpeg", encoded(t, "jpeg", quadrants(1500, 1000))},
		{"webp", losslessWebP(1000, 1000, 1, 2, 3, 4)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := sniff(tt.data)
			if !ok {
				t.Fatal("unknown format")
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			src := &cancelAfter{r: bytes.NewReader(tt.data), n: min(len(tt.data)/4, 8192), cancel: cancel}
			_, err := c.decode(ctxReader{ctx, src})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("decode: %v, want it stopped by the cancel", err)
			}
			if src.read >= len(tt.data) {
				t.Errorf("read all %d bytes after the cancel", src.read)
			}
		})
	}
	// And DecodeContext says so as ctx's error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DecodeContext(ctx, bytes.NewReader(encoded(t, "png", quadrants(8, 8))), Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled decode: %v", err)
	}
}

func TestFitAndOrient(t *testing.T) {
	for _, c := range []struct{ w, h, ww, wh int }{{100, 50, 100, 50}, {3000, 200, 1024, 68}, {200, 4000, 51, 1024}, {5000, 1, 1024, 1}} {
		b := fit(image.NewRGBA(image.Rect(0, 0, c.w, c.h)), 1024).Bounds()
		if b.Dx() != c.ww || b.Dy() != c.wh {
			t.Errorf("%d×%d → %v, want %d×%d", c.w, c.h, b, c.ww, c.wh)
		}
	}
	// A 64×32 photo with orientation 6 (rotate 90° clockwise), reduced
	// to 16 pixels: 8×16, red (top left) now at the top right.
	jpg := withExif(encoded(t, "jpeg", quadrants(64, 32)), "MM", 6)
	p, err := DecodeContext(context.Background(), bytes.NewReader(jpg), Options{Fit: 16})
	if err != nil {
		t.Fatal(err)
	}
	if b := p.Image.Bounds(); b.Dx() != 8 || b.Dy() != 16 || p.Width != 64 || p.Height != 32 {
		t.Fatalf("image %v, header %d×%d; want 8×16 from 64×32", b, p.Width, p.Height)
	}
	for _, q := range []struct {
		x, y int
		want [4]uint8
	}{{6, 2, [4]uint8{255, 0, 0, 255}}, {6, 13, [4]uint8{0, 255, 0, 255}}, {1, 2, [4]uint8{0, 0, 255, 255}}, {1, 13, [4]uint8{255, 255, 255, 255}}} {
		if got := rgbaAt(p.Image, q.x, q.y); !near(got, q.want) {
			t.Errorf("(%d,%d) = %v, want %v", q.x, q.y, got, q.want)
		}
	}
}

func BenchmarkDecodeBudget(b *testing.B) {
	data := phototest.PNG(2000, 2000, pngTrue, 8, false, false)
	budget := NewBudget(64 << 20)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{Budget: budget, Fit: 1024}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(budget.Stats().Peak)/(1<<20), "peak-MiB")
}

func TestBudgetReturnsMemoryAfterLargeDecodes(t *testing.T) {
	b := NewBudget(256 << 20)
	small, err := b.Reserve(context.Background(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	small()
	time.Sleep(10 * time.Millisecond)
	if s := b.Stats(); s.Returns != 0 {
		t.Fatalf("memory returned after a small decode: %+v", s)
	}
	large, err := b.Reserve(context.Background(), returnAfter)
	if err != nil {
		t.Fatal(err)
	}
	large()
	waitFor(t, func() bool { s := b.Stats(); return s.Returns == 1 && s.Garbage == 0 })
}
