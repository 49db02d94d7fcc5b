package onnx

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"
)

// opaque hides an image's concrete type, so preprocess takes its generic
// path.
type opaque struct{ image.Image }

// TestPreprocessFastPaths checks that the direct readers of *image.YCbCr,
// *image.RGBA and *image.NRGBA give exactly what image.At gives, on a real
// photo and on a half-transparent image, with and without a non-zero
// origin.
func TestPreprocessFastPaths(t *testing.T) {
	photo := decodePhotos(t, []photo{{path: sandalPhoto}})[0]
	ycc, ok := photo.(*image.YCbCr)
	if !ok {
		t.Fatalf("%s decodes to %T, want *image.YCbCr", sandalPhoto, photo)
	}
	rgba := image.NewRGBA(ycc.Bounds())
	draw.Draw(rgba, rgba.Bounds(), ycc, ycc.Bounds().Min, draw.Src)
	nrgba := image.NewNRGBA(image.Rect(5, 7, 305, 207))
	for y := nrgba.Rect.Min.Y; y < nrgba.Rect.Max.Y; y++ {
		for x := nrgba.Rect.Min.X; x < nrgba.Rect.Max.X; x++ {
			nrgba.SetNRGBA(x, y, color.NRGBA{uint8(x), uint8(y), uint8(x * y), uint8(x + 2*y)})
		}
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		{"ycbcr", ycc},
		{"ycbcr sub-image", ycc.SubImage(image.Rect(33, 10, 250, 300))},
		{"rgba", rgba},
		{"rgba sub-image", rgba.SubImage(image.Rect(33, 10, 250, 300))},
		{"nrgba translucent", nrgba},
	}
	const size = 224
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]float32, 3*size*size)
			want := make([]float32, 3*size*size)
			preprocess(got, tt.img, size)
			preprocess(want, opaque{tt.img}, size)
			if d := maxDiff(t, got, want); d != 0 {
				t.Errorf("fast path differs from image.At by %g", d)
			}
		})
	}
}

// TestPreprocess checks scaling, the centre crop and the resize on images
// whose right output is known.
func TestPreprocess(t *testing.T) {
	// wide is 300×100: red margins of 100 either side of a blue square.
	wide := image.NewRGBA(image.Rect(0, 0, 300, 100))
	draw.Draw(wide, wide.Bounds(), image.NewUniform(color.RGBA{255, 0, 0, 255}), image.Point{}, draw.Src)
	draw.Draw(wide, image.Rect(100, 0, 200, 100), image.NewUniform(color.RGBA{0, 0, 255, 255}), image.Point{}, draw.Src)
	// tall is 8×16: white top and bottom quarters around an 8×8 ramp whose
	// red channel is 32·x, so a 4-pixel resize of the crop samples at
	// 2x+0.5.
	tall := image.NewRGBA(image.Rect(0, 0, 8, 16))
	draw.Draw(tall, tall.Bounds(), image.White, image.Point{}, draw.Src)
	for y := 4; y < 12; y++ {
		for x := range 8 {
			tall.SetRGBA(x, y, color.RGBA{uint8(32 * x), 0, 0, 255})
		}
	}
	// grey is 10×6 of one grey.
	grey := image.NewGray(image.Rect(0, 0, 10, 6))
	draw.Draw(grey, grey.Bounds(), image.NewUniform(color.Gray{51}), image.Point{}, draw.Src)
	greyValue := func(int, int) float64 { return 51/127.5 - 1 }
	tests := []struct {
		name    string
		img     image.Image
		size    int
		r, g, b func(x, y int) float64 // the wanted value at output (x, y)
	}{
		{"grey", grey, 4, greyValue, greyValue, greyValue},
		{"centre crop", wide, 16,
			func(int, int) float64 { return -1 }, func(int, int) float64 { return -1 }, func(int, int) float64 { return 1 }},
		{"bilinear", tall, 4,
			func(x, _ int) float64 { return (32*(2*float64(x)+0.5))/127.5 - 1 }, func(int, int) float64 { return -1 }, func(int, int) float64 { return -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := make([]float32, 3*tt.size*tt.size)
			preprocess(out, tt.img, tt.size)
			plane := tt.size * tt.size
			for c, want := range []func(x, y int) float64{tt.r, tt.g, tt.b} {
				for y := range tt.size {
					for x := range tt.size {
						if got := float64(out[c*plane+y*tt.size+x]); math.Abs(got-want(x, y)) > 1e-6 {
							t.Fatalf("channel %d at (%d, %d) = %g, want %g", c, x, y, got, want(x, y))
						}
					}
				}
			}
		})
	}
}

// FuzzPreprocess checks that any image size and content gives values in
// [-1, 1] and never reads outside the image.
func FuzzPreprocess(f *testing.F) {
	f.Add(uint16(1), uint16(1), uint8(3), uint8(0))
	f.Add(uint16(640), uint16(3), uint8(224), uint8(200))
	f.Add(uint16(7), uint16(500), uint8(1), uint8(17))
	f.Fuzz(func(t *testing.T, w, h uint16, size, seed uint8) {
		w, h = w%700+1, h%700+1
		n := int(size%64) + 1
		img := image.NewNRGBA(image.Rect(-3, 2, int(w)-3, int(h)+2))
		for i := range img.Pix {
			img.Pix[i] = uint8(i*int(seed+1) + i/7)
		}
		out := make([]float32, 3*n*n)
		preprocess(out, img, n)
		for i, v := range out {
			if v < -1 || v > 1 || math.IsNaN(float64(v)) {
				t.Fatalf("value %d = %g, outside [-1, 1]", i, v)
			}
		}
	})
}
