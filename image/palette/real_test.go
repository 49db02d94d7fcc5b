package palette

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// photoDir is the shared folder of real clothing photos, relative to this
// package.
var photoDir = filepath.Join("..", "..", "..", "shared", "data", "clothing-images")

// photo decodes one photo of the shared folder, skipping t when the folder
// is absent.
func photo(tb testing.TB, rel string) image.Image {
	tb.Helper()
	f, err := os.Open(filepath.Join(photoDir, rel))
	if os.IsNotExist(err) {
		tb.Skipf("real photos absent: %v (see ../shared/data/README.md)", err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		tb.Fatalf("decode %s: %v", rel, err)
	}
	return img
}

func TestDominantRealPhotos(t *testing.T) {
	if _, err := os.Stat(photoDir); err != nil {
		t.Skipf("real photos absent: %v (see ../shared/data/README.md)", err)
	}
	paths, err := filepath.Glob(filepath.Join(photoDir, "test", "*", "*.jpg"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no photos under %s: %v", photoDir, err)
	}
	n := 120
	if testing.Short() {
		n = 20
	}
	for _, p := range paths[:min(n, len(paths))] {
		rel, _ := filepath.Rel(photoDir, p)
		img := photo(t, rel)
		got := Dominant(img, Config{})
		if len(got) == 0 {
			t.Errorf("%s: no colours", rel)
		}
		checkSane(t, got)
		if again := Dominant(img, Config{}); !slices.Equal(got, again) {
			t.Errorf("%s: not deterministic: %+v then %+v", rel, got, again)
		}
		if testing.Verbose() {
			t.Logf("%s: %+v", rel, got)
		}
	}
}

func TestDominantRealPhotosNamed(t *testing.T) {
	// Photos looked at by eye: each garment lies on a light background
	// (bed sheet, crochet blanket, wooden table) that fills the frame.
	tests := []struct {
		photo  string
		family string // a word the first colour's name must contain
	}{
		{"test/longsleeve/1789bd08-1ac8-46d6-bf28-0919e083ef56.jpg", "black"}, // black turtleneck on cream crochet
		{"test/longsleeve/8d1cfb8d-6e6c-4dbe-999a-0272d986f901.jpg", "blue"},  // blue sweater on a pale wooden table
		{"test/dress/bac70656-a50a-4a13-8c3f-63e3a0a28338.jpg", "green"},      // green embroidered dress on cream crochet
		{"test/longsleeve/91c4b8c1-fd2f-47ea-b496-8191d36a2e3b.jpg", "red"},   // coral-red sweatshirt on a peach sheet
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.photo), func(t *testing.T) {
			got := Dominant(photo(t, tt.photo), Config{})
			if len(got) == 0 || !strings.Contains(got[0].Name, tt.family) {
				t.Fatalf("Dominant = %+v, want a %s first", got, tt.family)
			}
			if got[0].Share < 0.6 {
				t.Errorf("%s share = %.2f, want the garment to dominate (≥ 0.6) once the background is dropped", got[0].Name, got[0].Share)
			}
		})
	}
}

// benchPhoto is the real photo the benchmarks decode.
const benchPhoto = "test/dress/bac70656-a50a-4a13-8c3f-63e3a0a28338.jpg"

func BenchmarkDominant(b *testing.B) {
	img := photo(b, benchPhoto)
	b.ReportAllocs()
	for b.Loop() {
		Dominant(img, Config{})
	}
}

// BenchmarkDecodeJPEG is the baseline: decoding the same photo, which any
// caller of Dominant pays first.
func BenchmarkDecodeJPEG(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(photoDir, benchPhoto))
	if os.IsNotExist(err) {
		b.Skipf("real photos absent: %v", err)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
