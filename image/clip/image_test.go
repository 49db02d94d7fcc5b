package clip

import (
	"context"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/image/photo"
	"github.com/google/go-cmp/cmp"
)

var clothingDir = filepath.Join("..", "..", "..", "shared", "data", "clothing-images")

// clothingPhoto decodes one real photo of the clothing set, skipping when
// it is absent.
func clothingPhoto(tb testing.TB, name string) image.Image {
	tb.Helper()
	f, err := os.Open(filepath.Join(clothingDir, name))
	if err != nil {
		tb.Skipf("real clothing photos not found at %s: %v", clothingDir, err)
	}
	defer f.Close()
	p, err := photo.DecodeContext(context.Background(), f, photo.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return p.Image
}

// referenceResize resizes the 8-bit RGB img to w×h the plain way, in
// float64: every output pixel of the full resized image from the filter
// formula, horizontal pass then vertical, each rounded to 8 bits as PIL
// rounds.
func referenceResize(img image.Image, w, h int, filter func(float64) float64, support float64) [][][3]float64 {
	b := img.Bounds()
	src := make([][][3]float64, b.Dy())
	for y := range b.Dy() {
		src[y] = make([][3]float64, b.Dx())
		for x := range b.Dx() {
			c := color.RGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.RGBA)
			src[y][x] = [3]float64{float64(c.R), float64(c.G), float64(c.B)}
		}
	}
	pass := func(in int, out int, get func(i int) [3]float64) [][3]float64 {
		res := make([][3]float64, out)
		scale := float64(in) / float64(out)
		fs := math.Max(scale, 1)
		for o := range out {
			centre := (float64(o) + 0.5) * scale
			var sum [3]float64
			total := 0.0
			for i := range in {
				wt := filter((float64(i) - centre + 0.5) / fs)
				if math.Abs(float64(i)-centre+0.5) >= support*fs {
					wt = 0
				}
				total += wt
				px := get(i)
				for c := range 3 {
					sum[c] += wt * px[c]
				}
			}
			for c := range 3 {
				res[o][c] = math.Min(math.Max(math.Round(sum[c]/total), 0), 255)
			}
		}
		return res
	}
	mid := make([][][3]float64, len(src))
	for y, row := range src {
		mid[y] = pass(len(row), w, func(i int) [3]float64 { return row[i] })
	}
	out := make([][][3]float64, h)
	for y := range out {
		out[y] = make([][3]float64, w)
	}
	for x := range w {
		col := pass(len(mid), h, func(i int) [3]float64 { return mid[i][x] })
		for y := range h {
			out[y][x] = col[y]
		}
	}
	return out
}

func TestPreprocessMatchesReference(t *testing.T) {
	img := clothingPhoto(t, "test/dress/06a00c0f-5f9a-410d-a7da-3881a9df3a71.jpg")
	// A small crop of the photo keeps the O(n²) reference quick; an odd,
	// non-square shape exercises the rounding of the long side and centre.
	b := img.Bounds()
	img = img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(b.Min.X+17, b.Min.Y+5, b.Min.X+17+151, b.Min.Y+5+97))
	for _, tt := range []struct {
		name string
		cfg  ImageConfig
	}{
		{"bicubic down", ImageConfig{Size: 64, CropSize: 56}},
		{"bilinear down", ImageConfig{Size: 40, CropSize: 40, Resample: Bilinear}},
		{"lanczos down", ImageConfig{Size: 50, CropSize: 31, Resample: Lanczos}},
		{"bicubic up", ImageConfig{Size: 130, CropSize: 121}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPreprocessor(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			cfg := p.Config()
			side := p.Side()
			rw := int(float64(cfg.Size) * 151 / 97)
			rh := cfg.Size
			ref := referenceResize(img, rw, rh, p.filter, p.support)
			got := make([]float32, 3*side*side)
			p.Preprocess(got, img)
			left, top := (rw-side)/2, (rh-side)/2
			worst := 0.0
			for y := range side {
				for x := range side {
					for c := range 3 {
						want := (ref[top+y][left+x][c]/255 - float64(cfg.Mean[c])) / float64(cfg.Std[c])
						d := math.Abs(float64(got[c*side*side+y*side+x]) - want)
						worst = max(worst, d*255*float64(cfg.Std[c]))
					}
				}
			}
			// Fixed point against float64: at most one 8-bit level a pass.
			if worst > 2.01 {
				t.Errorf("largest difference %.2f levels of 255, want at most 2", worst)
			}
		})
	}
}

func TestPreprocessExact(t *testing.T) {
	// A 224×224 image is not resampled: the tensor is its pixels,
	// normalised.
	img := image.NewNRGBA(image.Rect(0, 0, 224, 224))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	p, err := NewPreprocessor(ImageConfig{})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, 3*224*224)
	p.Preprocess(got, img)
	for y := range 224 {
		for x := range 224 {
			px := img.Pix[img.PixOffset(x, y):]
			for c := range 3 {
				want := (float32(px[c])/255 - DefaultMean[c]) / DefaultStd[c]
				if g := got[c*224*224+y*224+x]; math.Abs(float64(g-want)) > 1e-5 {
					t.Fatalf("pixel (%d, %d) channel %d = %v, want %v", x, y, c, g, want)
				}
			}
		}
	}
	// One colour stays that colour at any size and filter.
	for _, r := range []Resample{Bilinear, Bicubic, Lanczos} {
		p, err := NewPreprocessor(ImageConfig{Size: 32, Resample: r})
		if err != nil {
			t.Fatal(err)
		}
		flat := image.NewRGBA(image.Rect(3, 4, 3+333, 4+71))
		for i := range flat.Pix {
			flat.Pix[i] = []uint8{200, 100, 50, 255}[i%4]
		}
		got := make([]float32, 3*32*32)
		p.Preprocess(got, flat)
		for c, v := range []float32{200, 100, 50} {
			want := (v/255 - DefaultMean[c]) / DefaultStd[c]
			for _, g := range got[c*32*32 : (c+1)*32*32] {
				if math.Abs(float64(g-want)) > 1e-5 {
					t.Fatalf("filter %d channel %d: %v, want %v", r, c, g, want)
				}
			}
		}
	}
}

func TestParsePreprocessorConfig(t *testing.T) {
	tests := []struct {
		name, json string
		want       ImageConfig
		err        string
	}{
		// As openai/clip-vit-base-patch32 ships it.
		{"openai", `{"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
			"feature_extractor_type": "CLIPFeatureExtractor", "image_mean": [0.48145466, 0.4578275, 0.40821073],
			"image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224}`,
			ImageConfig{Size: 224, CropSize: 224, Resample: Bicubic, Mean: DefaultMean, Std: DefaultStd}, ""},
		// The newer image processors' layout.
		{"shortest edge", `{"crop_size": {"height": 336, "width": 336}, "size": {"shortest_edge": 336},
			"do_rescale": true, "rescale_factor": 0.00392156862745098, "resample": 2,
			"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}`,
			ImageConfig{Size: 336, CropSize: 336, Resample: Bilinear, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}, ""},
		{"empty", `{}`, ImageConfig{Size: 224, CropSize: 224, Resample: Bicubic, Mean: DefaultMean, Std: DefaultStd}, ""},
		{"no normalize", `{"do_normalize": false, "size": 64}`, ImageConfig{Size: 64, CropSize: 64, Resample: Bicubic, Std: [3]float32{1, 1, 1}}, ""},
		{"fixed size", `{"size": {"height": 224, "width": 224}}`, ImageConfig{}, "fixed height and width"},
		{"no crop", `{"do_center_crop": false}`, ImageConfig{}, "do_center_crop"},
		{"nearest", `{"resample": 0}`, ImageConfig{}, "nearest"},
		{"box", `{"resample": 4}`, ImageConfig{}, "resample filter 4"},
		{"rescale", `{"rescale_factor": 1}`, ImageConfig{}, "rescale_factor"},
		{"crop over size", `{"size": 200, "crop_size": 224}`, ImageConfig{}, "larger than"},
		{"two means", `{"image_mean": [0.5, 0.5], "image_std": [1, 1, 1]}`, ImageConfig{}, "3 values"},
		{"zero std", `{"image_mean": [0, 0, 0], "image_std": [1, 0, 1]}`, ImageConfig{}, "positive"},
		{"not square crop", `{"crop_size": {"height": 224, "width": 200}}`, ImageConfig{}, "not a square"},
		{"not json", `{`, ImageConfig{}, "preprocessor_config.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePreprocessorConfig([]byte(tt.json))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("(-got +want):\n%s", diff)
			}
		})
	}
}

func FuzzParsePreprocessorConfig(f *testing.F) {
	f.Add(`{"crop_size": 224, "size": {"shortest_edge": 224}, "resample": 3}`)
	f.Add(`{"size": -1, "crop_size": {"height": 0, "width": 0}}`)
	f.Fuzz(func(t *testing.T, data string) {
		cfg, err := ParsePreprocessorConfig([]byte(data))
		if err != nil {
			return
		}
		if _, err := NewPreprocessor(cfg); err != nil {
			t.Fatalf("ParsePreprocessorConfig accepted %+v, NewPreprocessor refuses it: %v", cfg, err)
		}
	})
}

func BenchmarkPreprocess(b *testing.B) {
	img := clothingPhoto(b, "test/dress/06a00c0f-5f9a-410d-a7da-3881a9df3a71.jpg")
	p, err := NewPreprocessor(ImageConfig{})
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, 3*224*224)
	b.ReportAllocs()
	for b.Loop() {
		p.Preprocess(dst, img)
	}
}
