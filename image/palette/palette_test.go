package palette

import (
	"image"
	"image/color"
	"math"
	"slices"
	"testing"
)

// fill returns a w×h NRGBA image painted by paint, which gets each pixel's
// position.
func fill(w, h int, paint func(x, y int) color.NRGBA) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, paint(x, y))
		}
	}
	return img
}

// solid returns a w×h image of one colour.
func solid(w, h int, c [3]uint8) *image.NRGBA {
	return fill(w, h, func(int, int) color.NRGBA { return color.NRGBA{c[0], c[1], c[2], 255} })
}

var white = [3]uint8{255, 255, 255}

func TestDominantSolidCanonical(t *testing.T) {
	for _, c := range canonical {
		t.Run(c.name, func(t *testing.T) {
			got := Dominant(solid(40, 30, c.rgb), Config{})
			if len(got) != 1 || got[0].Name != c.name || got[0].Share != 1 {
				t.Fatalf("Dominant = %+v, want only %q with share 1", got, c.name)
			}
			for i := range 3 {
				if d := int(got[0].RGB[i]) - int(c.rgb[i]); d < -1 || d > 1 {
					t.Errorf("RGB = %v, want %v", got[0].RGB, c.rgb)
				}
			}
		})
	}
}

func TestNameGreys(t *testing.T) {
	tests := []struct {
		rgb  [3]uint8
		want string
	}{
		{[3]uint8{0, 0, 0}, "black"},
		{[3]uint8{25, 25, 28}, "black"},
		{[3]uint8{48, 48, 48}, "charcoal"},
		{[3]uint8{40, 33, 36}, "black"}, // a black dress photographed in daylight
		{[3]uint8{90, 90, 90}, "dark gray"},
		{[3]uint8{128, 128, 128}, "gray"},
		{[3]uint8{140, 138, 136}, "gray"},
		{[3]uint8{195, 195, 195}, "light gray"},
		{[3]uint8{240, 240, 240}, "white"},
		{[3]uint8{255, 255, 255}, "white"},
		{[3]uint8{0, 0, 128}, "navy blue"},
		{[3]uint8{255, 0, 0}, "red"},
		{[3]uint8{0, 0, 255}, "blue"},
		{[3]uint8{135, 206, 235}, "light blue"},
		{[3]uint8{110, 22, 30}, "maroon"},
		{[3]uint8{255, 165, 0}, "orange"},
		{[3]uint8{255, 192, 203}, "pink"},
	}
	for _, tt := range tests {
		if got := Name(tt.rgb); got != tt.want {
			t.Errorf("Name(%v) = %q, want %q", tt.rgb, got, tt.want)
		}
	}
}

func TestNamesMatchCanonical(t *testing.T) {
	names := Names()
	if len(names) != len(canonical) {
		t.Fatalf("Names() has %d names, want %d", len(names), len(canonical))
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("name %q repeated", n)
		}
		seen[n] = true
		if got := Name(canonical[slices.Index(names, n)].rgb); got != n {
			t.Errorf("Name of %q's own colour = %q", n, got)
		}
	}
}

func TestDominantTwoColours(t *testing.T) {
	red, blue := [3]uint8{200, 30, 35}, [3]uint8{35, 90, 200}
	tests := []struct {
		name    string
		falloff float64
		tol     float64
	}{
		{"uniform weights", -1, 0.02},
		{"centre weighted", 0, 0.05},
	}
	// A 60/40 red/blue block on a white frame: the frame is background.
	img := fill(100, 100, func(x, y int) color.NRGBA {
		c := white
		switch {
		case x < 10 || y < 10 || x >= 90 || y >= 90:
		case x < 58:
			c = red
		default:
			c = blue
		}
		return color.NRGBA{c[0], c[1], c[2], 255}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dominant(img, Config{CentreFalloff: tt.falloff})
			if len(got) != 2 || got[0].Name != "red" || got[1].Name != "blue" {
				t.Fatalf("Dominant = %+v, want red then blue", got)
			}
			if math.Abs(got[0].Share-0.6) > tt.tol || math.Abs(got[1].Share-0.4) > tt.tol {
				t.Errorf("shares = %.3f, %.3f, want 0.6, 0.4 ± %.2f", got[0].Share, got[1].Share, tt.tol)
			}
		})
	}
}

func TestDominantProductOnWhite(t *testing.T) {
	navy := [3]uint8{30, 40, 80}
	shadow := [3]uint8{236, 236, 236}
	// A navy garment with a faint shadow on a white studio background.
	img := fill(300, 400, func(x, y int) color.NRGBA {
		c := white
		switch {
		case x >= 90 && x < 210 && y >= 80 && y < 320:
			c = navy
		case x >= 80 && x < 220 && y >= 320 && y < 335:
			c = shadow
		}
		return color.NRGBA{c[0], c[1], c[2], 255}
	})
	got := Dominant(img, Config{})
	if len(got) != 1 || got[0].Name != "navy blue" || got[0].Share != 1 {
		t.Fatalf("Dominant = %+v, want only navy blue (white background and its shadow dropped)", got)
	}
	kept := Dominant(img, Config{BackgroundDistance: -1})
	if len(kept) < 2 || kept[0].Name != "white" {
		t.Errorf("with the background kept, Dominant = %+v, want white first", kept)
	}
}

func TestDominantBlackWhiteGray(t *testing.T) {
	// Three stripes of grey levels inside a beige frame.
	frame, stripes := [3]uint8{217, 196, 160}, [][3]uint8{{15, 15, 15}, {128, 128, 128}, {250, 250, 250}}
	img := fill(120, 120, func(x, y int) color.NRGBA {
		c := frame
		if x >= 12 && x < 108 && y >= 12 && y < 108 {
			c = stripes[(x-12)/32]
		}
		return color.NRGBA{c[0], c[1], c[2], 255}
	})
	got := Dominant(img, Config{CentreFalloff: -1})
	var names []string
	for _, c := range got {
		names = append(names, c.Name)
		if math.Abs(c.Share-1.0/3) > 0.02 {
			t.Errorf("%s share = %.3f, want 1/3", c.Name, c.Share)
		}
	}
	slices.Sort(names)
	if want := []string{"black", "gray", "white"}; !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
}

func TestDominantEdgeCases(t *testing.T) {
	huge := image.NewGray(image.Rect(0, 0, 4000, 3000))
	for i := range huge.Pix {
		huge.Pix[i] = 128
	}
	half := fill(10, 10, func(x, _ int) color.NRGBA {
		if x < 5 {
			return color.NRGBA{200, 30, 35, 255}
		}
		return color.NRGBA{}
	})
	premul := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < len(premul.Pix); i += 4 {
		copy(premul.Pix[i:], []uint8{157, 24, 27, 200}) // (200, 30, 35) at 78% opacity
	}
	tests := []struct {
		name string
		img  image.Image
		want []string
	}{
		{"1x1", solid(1, 1, [3]uint8{200, 30, 35}), []string{"red"}},
		{"empty", image.NewNRGBA(image.Rectangle{}), nil},
		{"fully transparent", image.NewNRGBA(image.Rect(0, 0, 50, 50)), nil},
		{"half transparent", half, []string{"red"}},
		{"premultiplied", premul, []string{"red"}},
		{"huge gray", huge, []string{"gray"}},
		{"uniform", image.NewUniform(color.RGBA{30, 40, 80, 255}), []string{"navy blue"}},
		{"offset bounds", solid(20, 20, [3]uint8{47, 154, 62}).SubImage(image.Rect(5, 7, 15, 9)), []string{"green"}},
		{"ycbcr", ycbcr(16, 16, color.YCbCr{76, 85, 255}), []string{"red"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Dominant(tt.img, Config{})
			var names []string
			for _, c := range got {
				names = append(names, c.Name)
			}
			if !slices.Equal(names, tt.want) {
				t.Errorf("Dominant = %+v, want names %v", got, tt.want)
			}
		})
	}
}

// ycbcr returns a w×h 4:2:0 YCbCr image of one colour.
func ycbcr(w, h int, c color.YCbCr) *image.YCbCr {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for i := range img.Y {
		img.Y[i] = c.Y
	}
	for i := range img.Cb {
		img.Cb[i], img.Cr[i] = c.Cb, c.Cr
	}
	return img
}

func FuzzDominant(f *testing.F) {
	f.Add(uint8(1), uint8(1), []byte{255, 0, 0, 255})
	f.Add(uint8(3), uint8(2), []byte{0, 0, 0, 0, 255, 255, 255, 128, 10, 200, 30, 255})
	f.Add(uint8(200), uint8(1), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, w, h uint8, pix []byte) {
		img := image.NewNRGBA(image.Rect(0, 0, int(w), int(h)))
		if len(pix) > 0 {
			for i := range img.Pix {
				img.Pix[i] = pix[i%len(pix)]
			}
		}
		checkSane(t, Dominant(img, Config{K: 4}))
	})
}

// checkSane fails t unless got is a valid result: known names, each once,
// shares in (0, 1] summing to at most 1, largest first.
func checkSane(t *testing.T, got []Colour) {
	t.Helper()
	names := Names()
	var sum float64
	seen := map[string]bool{}
	for i, c := range got {
		if !slices.Contains(names, c.Name) || seen[c.Name] {
			t.Errorf("colour %d: name %q unknown or repeated in %+v", i, c.Name, got)
		}
		seen[c.Name] = true
		if c.Share <= 0 || c.Share > 1 || math.IsNaN(c.Share) {
			t.Errorf("colour %d: share %v out of range", i, c.Share)
		}
		if i > 0 && c.Share > got[i-1].Share {
			t.Errorf("colours not sorted by share: %+v", got)
		}
		sum += c.Share
	}
	if sum > 1+1e-9 {
		t.Errorf("shares sum to %v > 1: %+v", sum, got)
	}
}
