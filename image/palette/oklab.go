package palette

import "math"

// lab is a colour in OKLab (Björn Ottosson, 2020): L is lightness in [0, 1],
// a and b are the green–red and blue–yellow axes. Euclidean distance in
// OKLab approximates how different two colours look.
type lab struct{ l, a, b float64 }

// dist2 is the squared OKLab distance between p and q.
func (p lab) dist2(q lab) float64 {
	dl, da, db := p.l-q.l, p.a-q.a, p.b-q.b
	return dl*dl + da*da + db*db
}

// decodeTable holds the linear-light value of every 8-bit sRGB channel
// value, built by newDecodeTable for one call so the package keeps no
// global state.
type decodeTable [256]float64

// newDecodeTable returns the sRGB transfer function's inverse ("gamma
// decode") for the 256 channel values.
func newDecodeTable() *decodeTable {
	var t decodeTable
	for i := range t {
		t[i] = srgbDecode(float64(i) / 255)
	}
	return &t
}

// srgbDecode maps an sRGB channel value in [0, 1] to linear light.
func srgbDecode(c float64) float64 {
	if c <= 0.04045 {
		return c / 12.92
	}
	return math.Pow((c+0.055)/1.055, 2.4)
}

// srgbEncode maps linear light to an sRGB channel value in [0, 1].
func srgbEncode(c float64) float64 {
	if c <= 0.0031308 {
		return 12.92 * c
	}
	return 1.055*math.Pow(c, 1/2.4) - 0.055
}

// toLab converts an 8-bit sRGB colour to OKLab.
func (t *decodeTable) toLab(r, g, b uint8) lab {
	return linearToLab(t[r], t[g], t[b])
}

// linearToLab converts linear-light RGB to OKLab.
func linearToLab(r, g, b float64) lab {
	l := math.Cbrt(0.4122214708*r + 0.5363325363*g + 0.0514459929*b)
	m := math.Cbrt(0.2119034982*r + 0.6806995451*g + 0.1073969566*b)
	s := math.Cbrt(0.0883024619*r + 0.2817188376*g + 0.6299787005*b)
	return lab{
		l: 0.2104542553*l + 0.7936177850*m - 0.0040720468*s,
		a: 1.9779984951*l - 2.4285922050*m + 0.4505937099*s,
		b: 0.0259040371*l + 0.7827717662*m - 0.8086757660*s,
	}
}

// rgb converts an OKLab colour back to 8-bit sRGB, clipping colours
// outside the sRGB gamut channel by channel.
func (p lab) rgb() [3]uint8 {
	l := p.l + 0.3963377774*p.a + 0.2158037573*p.b
	m := p.l - 0.1055613458*p.a - 0.0638541728*p.b
	s := p.l - 0.0894841775*p.a - 1.2914855480*p.b
	l, m, s = l*l*l, m*m*m, s*s*s
	lin := [3]float64{
		4.0767416621*l - 3.3077115913*m + 0.2309699292*s,
		-1.2684380046*l + 2.6097574011*m - 0.3413193965*s,
		-0.0041960863*l - 0.7034186147*m + 1.7076147010*s,
	}
	var out [3]uint8
	for i, c := range lin {
		v := math.Round(255 * srgbEncode(min(max(c, 0), 1)))
		out[i] = uint8(v)
	}
	return out
}
