package photo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo/phototest"
)

// clothingDir is the shared folder of real clothing photos.
var clothingDir = filepath.Join("..", "..", "..", "shared", "data", "clothing-images")

// clothingPhotos returns the paths of the real clothing JPEGs, skipping the
// test when the shared data is absent.
func clothingPhotos(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(clothingDir, "*", "*", "*.jpg"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(paths) == 0 {
		tb.Skipf("no clothing photos in %s (shared data absent)", clothingDir)
	}
	return paths
}

// quadrants is a w×h image whose quadrants are red (top left), green (top
// right), blue (bottom left) and white (bottom right).
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := [2][2]color.RGBA{
				{{255, 0, 0, 255}, {0, 255, 0, 255}},
				{{0, 0, 255, 255}, {255, 255, 255, 255}},
			}[y*2/h][x*2/w]
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// encoded returns img in the named format.
func encoded(tb testing.TB, format string, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "png":
		err = png.Encode(&buf, img)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// withExif returns jpg with an APP1 Exif segment holding orientation o,
// inserted after SOI, in the byte order named by order ("II" or "MM").
func withExif(jpg []byte, order string, o uint16) []byte {
	var bo interface {
		binary.AppendByteOrder
		binary.ByteOrder
	} = binary.LittleEndian
	if order == "MM" {
		bo = binary.BigEndian
	}
	tiff := []byte(order)
	tiff = bo.AppendUint16(tiff, 42)
	tiff = bo.AppendUint32(tiff, 8) // IFD0 right after the header
	tiff = bo.AppendUint16(tiff, 2) // two entries
	// An unrelated entry first (ImageWidth, LONG), then Orientation.
	tiff = bo.AppendUint16(tiff, 0x0100)
	tiff = bo.AppendUint16(tiff, 4)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint32(tiff, 64)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = bo.AppendUint16(tiff, 0)
	tiff = bo.AppendUint32(tiff, 0) // no next IFD
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, 0xff, 0xe1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// pngHeader returns a PNG signature and IHDR chunk claiming w×h RGBA pixels,
// followed by a small IDAT chunk of junk: a decompression bomb's header.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	b := phototest.AppendChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	return phototest.AppendChunk(b, "IDAT", bytes.Repeat([]byte{0x78}, 64))
}

// jpegWithSize returns jpg with the dimensions in its SOF0 segment replaced.
func jpegWithSize(tb testing.TB, jpg []byte, w, h uint16) []byte {
	tb.Helper()
	i := bytes.Index(jpg, []byte{0xff, 0xc0})
	if i < 0 {
		tb.Fatal("no SOF0 segment")
	}
	out := append([]byte{}, jpg...)
	binary.BigEndian.PutUint16(out[i+5:], h)
	binary.BigEndian.PutUint16(out[i+7:], w)
	return out
}

// bitWriter packs bits least significant first, as VP8L does.
type bitWriter struct {
	b    []byte
	nbit uint
}

func (w *bitWriter) write(v uint32, n uint) {
	for range n {
		if w.nbit%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v&1) << (w.nbit % 8)
		v >>= 1
		w.nbit++
	}
}

// losslessWebP returns a valid lossless WebP (VP8L) image of w×h pixels whose
// green channel alternates between g0 (even pixels in raster order) and g1
// and whose red, blue and alpha are r, b and 255. It uses VP8L's "simple"
// prefix codes: one symbol (zero bits a pixel) for red, blue and alpha and two
// for green (one bit a pixel), no transforms and no colour cache.
func losslessWebP(w, h int, r, g0, g1, b uint8) []byte {
	bw := &bitWriter{b: []byte{0x2f}}
	bw.write(uint32(w-1), 14)
	bw.write(uint32(h-1), 14)
	bw.write(0, 1) // alpha unused
	bw.write(0, 3) // version 0
	bw.write(0, 1) // no transform
	bw.write(0, 1) // no colour cache
	bw.write(0, 1) // no meta prefix codes
	simple := func(syms ...uint8) {
		bw.write(1, 1) // simple code
		bw.write(uint32(len(syms)-1), 1)
		bw.write(1, 1) // first symbol has 8 bits
		for _, s := range syms {
			bw.write(uint32(s), 8)
		}
	}
	simple(g0, g1) // green and lengths
	simple(r)      // red
	simple(b)      // blue
	simple(255)    // alpha
	simple(0)      // distance
	for i := range w * h {
		bw.write(uint32(i%2), 1)
	}
	payload := bw.b
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	chunk = append(chunk, payload...)
	if len(payload)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	out = append(out, "WEBP"...)
	return append(out, chunk...)
}

// rgbaAt returns the 8-bit colour of img at (x, y).
func rgbaAt(img image.Image, x, y int) [4]uint8 {
	c := color.NRGBAModel.Convert(img.At(img.Bounds().Min.X+x, img.Bounds().Min.Y+y)).(color.NRGBA)
	return [4]uint8{c.R, c.G, c.B, c.A}
}

// near reports whether two colours differ by at most 40 in every channel
// (JPEG is lossy).
func near(a, b [4]uint8) bool {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < -40 || d > 40 {
			return false
		}
	}
	return true
}

func TestDecodeRealPhotos(t *testing.T) {
	paths := clothingPhotos(t)
	if testing.Short() {
		paths = paths[:min(len(paths), 40)]
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		p, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{})
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		b := p.Image.Bounds()
		if p.Format != "jpeg" || p.Width < 100 || p.Height < 100 || p.Width > 2000 || p.Height > 2000 {
			t.Errorf("%s: format %q, %d×%d; want a jpeg of 100–2000 pixels a side", path, p.Format, p.Width, p.Height)
		}
		if p.Orientation == 1 && (b.Dx() != p.Width || b.Dy() != p.Height) {
			t.Errorf("%s: image is %v, header says %d×%d", path, b, p.Width, p.Height)
		}
		sum := sha256.Sum256(data)
		if p.Hash != hex.EncodeToString(sum[:]) || !bytes.Equal(p.Bytes, data) {
			t.Errorf("%s: hash %s or bytes do not match the file", path, p.Hash)
		}
	}
}

func TestDecodeFormats(t *testing.T) {
	img := quadrants(32, 16)
	tests := []struct {
		format string
		data   []byte
	}{
		{"png", encoded(t, "png", img)},
		{"gif", encoded(t, "gif", img)},
		{"jpeg", encoded(t, "jpeg", img)},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			p, err := DecodeContext(context.Background(), bytes.NewReader(tt.data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != tt.format || p.Width != 32 || p.Height != 16 || p.Orientation != 1 {
				t.Fatalf("got %s %d×%d orientation %d, want %s 32×16 orientation 1", p.Format, p.Width, p.Height, p.Orientation, tt.format)
			}
			for _, pt := range []image.Point{{8, 4}, {24, 4}, {8, 12}, {24, 12}} {
				if got, want := rgbaAt(p.Image, pt.X, pt.Y), rgbaAt(img, pt.X, pt.Y); !near(got, want) {
					t.Errorf("pixel %v = %v, want %v", pt, got, want)
				}
			}
		})
	}
}

func TestDecodeWebP(t *testing.T) {
	data := losslessWebP(5, 3, 10, 20, 200, 30)
	p, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != "webp" || p.Width != 5 || p.Height != 3 {
		t.Fatalf("got %s %d×%d, want webp 5×3", p.Format, p.Width, p.Height)
	}
	for i := range 15 {
		want := [4]uint8{10, 20, 30, 255}
		if i%2 == 1 {
			want[1] = 200
		}
		if got := rgbaAt(p.Image, i%5, i/5); got != want {
			t.Errorf("pixel %d = %v, want %v", i, got, want)
		}
	}
}

func TestDecodeExifOrientation(t *testing.T) {
	plain := encoded(t, "jpeg", quadrants(64, 32))
	red, green, blue, white := [4]uint8{255, 0, 0, 255}, [4]uint8{0, 255, 0, 255}, [4]uint8{0, 0, 255, 255}, [4]uint8{255, 255, 255, 255}
	tests := []struct {
		orientation uint16
		w, h        int
		corners     [4][4]uint8 // top left, top right, bottom left, bottom right
	}{
		{1, 64, 32, [4][4]uint8{red, green, blue, white}},
		{2, 64, 32, [4][4]uint8{green, red, white, blue}},
		{3, 64, 32, [4][4]uint8{white, blue, green, red}},
		{4, 64, 32, [4][4]uint8{blue, white, red, green}},
		{5, 32, 64, [4][4]uint8{red, blue, green, white}},
		{6, 32, 64, [4][4]uint8{blue, red, white, green}},
		{7, 32, 64, [4][4]uint8{white, green, blue, red}},
		{8, 32, 64, [4][4]uint8{green, white, red, blue}},
	}
	for _, order := range []string{"II", "MM"} {
		for _, tt := range tests {
			t.Run(order+"/"+string(rune('0'+tt.orientation)), func(t *testing.T) {
				p, err := DecodeContext(context.Background(), bytes.NewReader(withExif(plain, order, tt.orientation)), Options{})
				if err != nil {
					t.Fatal(err)
				}
				if p.Orientation != int(tt.orientation) || p.Width != 64 || p.Height != 32 {
					t.Fatalf("orientation %d, header %d×%d; want %d, 64×32", p.Orientation, p.Width, p.Height, tt.orientation)
				}
				b := p.Image.Bounds()
				if b.Dx() != tt.w || b.Dy() != tt.h {
					t.Fatalf("image is %d×%d, want %d×%d", b.Dx(), b.Dy(), tt.w, tt.h)
				}
				qx, qy := tt.w/4, tt.h/4
				pts := [4]image.Point{{qx, qy}, {3 * qx, qy}, {qx, 3 * qy}, {3 * qx, 3 * qy}}
				for i, pt := range pts {
					if got := rgbaAt(p.Image, pt.X, pt.Y); !near(got, tt.corners[i]) {
						t.Errorf("quadrant %d at %v = %v, want %v", i, pt, got, tt.corners[i])
					}
				}
			})
		}
	}
}

func TestExifOrientationMalformed(t *testing.T) {
	plain := encoded(t, "jpeg", quadrants(16, 16))
	good := withExif(plain, "II", 6)
	exif := bytes.Index(good, []byte("Exif"))
	tests := []struct {
		name string
		data []byte
	}{
		{"no exif", plain},
		{"out of range", withExif(plain, "MM", 9)},
		{"zero", withExif(plain, "II", 0)},
		{"bad byte order", bytes.Replace(good, []byte("II*"), []byte("XX*"), 1)},
		{"cut inside the segment", good[:exif+12]},
		{"not a jpeg", []byte("hello")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exifOrientation(tt.data); got != 1 {
				t.Errorf("exifOrientation = %d, want 1", got)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	jpg := encoded(t, "jpeg", quadrants(64, 32))
	pngTruncated := encoded(t, "png", quadrants(64, 32))
	gifTruncated := encoded(t, "gif", quadrants(64, 32))
	webpTruncated := losslessWebP(40, 30, 1, 2, 3, 4)
	tests := []struct {
		name string
		data []byte
		lim  Limits
		code string
		msg  string // part of the message
	}{
		{"empty", nil, Limits{}, aisle.EINVALID, "empty"},
		{"text", []byte("this is a plain text file, not a photo\n"), Limits{}, aisle.EINVALID, "format unknown"},
		{"truncated jpeg", jpg[:len(jpg)/2], Limits{}, aisle.EINVALID, "truncated"},
		{"truncated png header", pngHeader(10, 10)[:20], Limits{}, aisle.EINVALID, "truncated"},
		{"truncated png pixels", pngTruncated[:len(pngTruncated)/2], Limits{}, aisle.EINVALID, "truncated"},
		{"truncated gif", gifTruncated[:len(gifTruncated)/2], Limits{}, aisle.EINVALID, "truncated"},
		{"truncated webp", webpTruncated[:len(webpTruncated)-3], Limits{}, aisle.EINVALID, "truncated"},
		{"corrupt jpeg", []byte("\xff\xd8\xff\xc0\x00\x0b\x08\x00\x10\x00\x10\x07\x01\x11\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"), Limits{}, aisle.EINVALID, "corrupt: invalid JPEG format: SOF has wrong length"},
		{"corrupt png", bytes.Replace(pngHeader(10, 10), []byte("IDAT"), []byte("IDAu"), 1), Limits{}, aisle.EINVALID, "corrupt"},
		{"corrupt webp", append([]byte("RIFF\x20\x00\x00\x00WEBPVP8 \x14\x00\x00\x00"), bytes.Repeat([]byte{0xee}, 20)...), Limits{}, aisle.EINVALID, "corrupt"},
		{"zero width png", pngHeader(0, 10), Limits{}, aisle.EINVALID, "corrupt"},
		{"png bomb 50000×50000", pngHeader(50_000, 50_000), Limits{}, aisle.ETOOLARGE, "50000×50000"},
		{"png over the pixel limit", pngHeader(6_000, 6_000), Limits{}, aisle.ETOOLARGE, "6000×6000 pixels, over the limit of 25000000 pixels"},
		{"jpeg bomb 50000×50000", jpegWithSize(t, jpg, 50_000, 50_000), Limits{}, aisle.ETOOLARGE, "12000 pixels a side"},
		{"over a custom side limit", jpg, Limits{MaxSide: 63}, aisle.ETOOLARGE, "63 pixels a side"},
		{"over MaxBytes", jpg, Limits{MaxBytes: int64(len(jpg)) - 1}, aisle.ETOOLARGE, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := DecodeContext(context.Background(), bytes.NewReader(tt.data), Options{Limits: tt.lim})
			if err == nil {
				t.Fatalf("decoded a %s %d×%d, want an error", p.Format, p.Width, p.Height)
			}
			if got := aisle.ErrorCode(err); got != tt.code {
				t.Errorf("code %q, want %q (%v)", got, tt.code, err)
			}
			if !strings.Contains(aisle.ErrorMessage(err), tt.msg) {
				t.Errorf("message %q does not say %q", aisle.ErrorMessage(err), tt.msg)
			}
		})
	}
}

func TestDecodeExactlyMaxBytes(t *testing.T) {
	jpg := encoded(t, "jpeg", quadrants(16, 16))
	if _, err := DecodeContext(context.Background(), bytes.NewReader(jpg), Options{Limits: Limits{MaxBytes: int64(len(jpg))}}); err != nil {
		t.Fatalf("a photo of exactly MaxBytes: %v", err)
	}
}

// endless is a reader that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0xff
	}
	return len(p), nil
}

func TestDecodeStopsReadingAtMaxBytes(t *testing.T) {
	_, err := DecodeContext(context.Background(), endless{}, Options{Limits: Limits{MaxBytes: 1 << 16}})
	if aisle.ErrorCode(err) != aisle.ETOOLARGE {
		t.Fatalf("got %v, want ETOOLARGE", err)
	}
}

func TestDecodeReadError(t *testing.T) {
	_, err := DecodeContext(context.Background(), io.MultiReader(strings.NewReader("\xff\xd8"), iotestErr{}), Options{})
	if err == nil || aisle.ErrorCode(err) != aisle.EINTERNAL {
		t.Fatalf("got %v, want the read error wrapped", err)
	}
}

// iotestErr is a reader that fails.
type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestDecodeBombAllocatesLittle(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"png", pngHeader(50_000, 50_000)},
		{"jpeg", jpegWithSize(t, encoded(t, "jpeg", quadrants(64, 32)), 50_000, 50_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range 10 {
				if _, err := DecodeContext(context.Background(), bytes.NewReader(tt.data), Options{}); aisle.ErrorCode(err) != aisle.ETOOLARGE {
					t.Fatalf("got %v, want ETOOLARGE", err)
				}
			}
			runtime.ReadMemStats(&after)
			// A decoded 50,000×50,000 image would be 10 GB; rejecting the
			// header must cost no more than the small buffers involved.
			if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 256<<10 {
				t.Errorf("rejecting the bomb allocated %d bytes a call, want under 256 KiB", per)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	img := quadrants(16, 8)
	jpg := encoded(f, "jpeg", img)
	for _, seed := range [][]byte{
		encoded(f, "png", img), encoded(f, "gif", img), jpg,
		withExif(jpg, "II", 6), withExif(jpg, "MM", 3),
		losslessWebP(4, 4, 1, 2, 3, 4), pngHeader(50_000, 50_000), []byte("plain text"),
	} {
		f.Add(seed)
	}
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4096}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{Limits: lim})
		if err != nil {
			if code := aisle.ErrorCode(err); code != aisle.EINVALID && code != aisle.ETOOLARGE {
				t.Fatalf("code %q: %v", code, err)
			}
			return
		}
		w, h := p.Width, p.Height
		if p.Orientation >= 5 {
			w, h = h, w
		}
		if b := p.Image.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Fatalf("image %v, header %d×%d orientation %d", b, p.Width, p.Height, p.Orientation)
		}
		if sum := sha256.Sum256(data); p.Hash != hex.EncodeToString(sum[:]) {
			t.Fatal("hash does not match the bytes")
		}
		// Reduced, within a budget: never over the fit, nothing left
		// reserved, and the cost Probe says is what was reserved.
		budget := NewBudget(64 << 20)
		hd, herr := Probe(data, Options{Limits: lim, Budget: budget, Fit: 16})
		q, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{Limits: lim, Budget: budget, Fit: 16})
		if err != nil {
			if aisle.ErrorCode(err) != aisle.ETOOLARGE || herr == nil {
				t.Fatalf("with a budget: %v (probe %v)", err, herr)
			}
			return
		}
		if b := q.Image.Bounds(); max(b.Dx(), b.Dy()) > 16 {
			t.Fatalf("reduced to %v, over 16", b)
		}
		if s := budget.Stats(); s.InUse != 0 || s.Peak != hd.Cost {
			t.Fatalf("budget %+v after a decode costing %d", s, hd.Cost)
		}
	})
}

func FuzzExifOrientation(f *testing.F) {
	jpg := encoded(f, "jpeg", quadrants(16, 8))
	for o := range uint16(9) {
		f.Add(withExif(jpg, "II", o))
		f.Add(withExif(jpg, "MM", o))
	}
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00MM\x00\x2a\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := exifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d out of 1–8", o)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(clothingPhotos(b)[0])
	if err != nil {
		b.Fatal(err)
	}
	rotated := withExif(data, "II", 6)
	tests := []struct {
		name   string
		decode func() error
	}{
		{"photo.DecodeContext", func() error {
			_, err := DecodeContext(context.Background(), bytes.NewReader(data), Options{})
			return err
		}},
		{"photo.DecodeContext orientation 6", func() error {
			_, err := DecodeContext(context.Background(), bytes.NewReader(rotated), Options{})
			return err
		}},
		{"baseline jpeg.Decode", func() error { _, err := jpeg.Decode(bytes.NewReader(data)); return err }},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := tt.decode(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
		})
	}
}
