package palette

import (
	"math"
	"testing"
)

func TestToLabKnownValues(t *testing.T) {
	// Reference values from Björn Ottosson's OKLab definition.
	tests := []struct {
		name    string
		r, g, b uint8
		want    lab
	}{
		{"white", 255, 255, 255, lab{1, 0, 0}},
		{"black", 0, 0, 0, lab{0, 0, 0}},
		{"red", 255, 0, 0, lab{0.62796, 0.22486, 0.12585}},
		{"green", 0, 255, 0, lab{0.86644, -0.23389, 0.17950}},
		{"blue", 0, 0, 255, lab{0.45201, -0.03246, -0.31153}},
	}
	tab := newDecodeTable()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tab.toLab(tt.r, tt.g, tt.b)
			if math.Sqrt(got.dist2(tt.want)) > 1e-3 {
				t.Errorf("toLab(%d,%d,%d) = %+v, want %+v", tt.r, tt.g, tt.b, got, tt.want)
			}
		})
	}
}

func TestLabRoundTrip(t *testing.T) {
	tab := newDecodeTable()
	for r := 0; r < 256; r += 15 {
		for g := 0; g < 256; g += 15 {
			for b := 0; b < 256; b += 15 {
				want := [3]uint8{uint8(r), uint8(g), uint8(b)}
				if got := tab.toLab(want[0], want[1], want[2]).rgb(); got != want {
					t.Fatalf("round trip of %v gave %v", want, got)
				}
			}
		}
	}
}

func TestRGBClipsOutOfGamut(t *testing.T) {
	if got, want := (lab{2, 1, -1}).rgb(), [3]uint8{255, 255, 255}; got[0] != want[0] {
		t.Errorf("rgb of an out-of-gamut colour = %v, want red clipped to 255", got)
	}
}
