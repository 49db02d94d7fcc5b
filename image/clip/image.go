package clip

import (
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"math"
)

// Resample is a resampling filter, numbered as PIL numbers them (the
// "resample" of preprocessor_config.json).
type Resample int

// The filters Preprocess supports.
const (
	Lanczos  Resample = 1
	Bilinear Resample = 2
	Bicubic  Resample = 3
)

// CLIP's defaults, those of OpenAI's models.
const (
	// DefaultImageSize is the side the shortest side is resized to, and
	// the side of the centre crop.
	DefaultImageSize = 224
)

// DefaultMean and DefaultStd are the per-channel (R, G, B) mean and
// standard deviation of CLIP's training images, on a 0 to 1 scale.
var (
	DefaultMean = [3]float32{0.48145466, 0.4578275, 0.40821073}
	DefaultStd  = [3]float32{0.26862954, 0.26130258, 0.27577711}
)

// ImageConfig is how an image becomes a CLIP input tensor. The zero value
// is OpenAI CLIP's preprocessing: the shortest side resized to 224 with
// PIL's bicubic filter, the centre 224×224 cropped, each channel scaled to
// 0..1 and normalised with DefaultMean and DefaultStd.
type ImageConfig struct {
	// Size is the side the shortest side is resized to, keeping the aspect
	// ratio (default DefaultImageSize).
	Size int
	// CropSize is the side of the centred square cut from the resized
	// image; it must not exceed Size (default Size).
	CropSize int
	// Resample is the resize filter (default Bicubic).
	Resample Resample
	// Mean and Std normalise each channel, x' = (x/255 − Mean)/Std
	// (default DefaultMean and DefaultStd; an all-zero Std means the
	// defaults for both).
	Mean, Std [3]float32
}

// withDefaults fills in the zero fields and checks the others.
func (c ImageConfig) withDefaults() (ImageConfig, error) {
	if c.Size == 0 {
		c.Size = DefaultImageSize
	}
	if c.CropSize == 0 {
		c.CropSize = c.Size
	}
	if c.Resample == 0 {
		c.Resample = Bicubic
	}
	if c.Std == [3]float32{} {
		c.Mean, c.Std = DefaultMean, DefaultStd
	}
	switch {
	case c.Size < 0 || c.CropSize < 0 || c.Size > 1<<14:
		return c, fmt.Errorf("clip: image size %d and crop size %d must be positive and at most 16384", c.Size, c.CropSize)
	case c.CropSize > c.Size:
		return c, fmt.Errorf("clip: crop size %d is larger than the resized side %d", c.CropSize, c.Size)
	case c.Resample != Lanczos && c.Resample != Bilinear && c.Resample != Bicubic:
		return c, fmt.Errorf("clip: resample filter %d is not 1 (Lanczos), 2 (bilinear) or 3 (bicubic)", c.Resample)
	}
	for _, s := range c.Std {
		if !(s > 0) {
			return c, fmt.Errorf("clip: standard deviation %v must be positive", c.Std)
		}
	}
	return c, nil
}

// ParsePreprocessorConfig reads Hugging Face's preprocessor_config.json of
// a CLIP model: size (a number, or {"shortest_edge": n}), crop_size (a
// number, or {"height": n, "width": n}), do_center_crop, resample (1, 2 or
// 3), do_normalize, image_mean and image_std, and do_rescale with
// rescale_factor (1/255 only). Fields it lacks keep OpenAI's values. It
// returns an error for settings Preprocess cannot follow: a resize to a
// fixed height and width, no centre crop with the resize keeping the
// aspect ratio, another filter or rescale factor.
func ParsePreprocessorConfig(data []byte) (ImageConfig, error) {
	var raw struct {
		Size         json.RawMessage `json:"size"`
		CropSize     json.RawMessage `json:"crop_size"`
		DoCenterCrop *bool           `json:"do_center_crop"`
		DoResize     *bool           `json:"do_resize"`
		Resample     *int            `json:"resample"`
		DoNormalize  *bool           `json:"do_normalize"`
		Mean         []float32       `json:"image_mean"`
		Std          []float32       `json:"image_std"`
		DoRescale    *bool           `json:"do_rescale"`
		Rescale      *float64        `json:"rescale_factor"`
	}
	var c ImageConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return c, fmt.Errorf("clip: preprocessor_config.json: %w", err)
	}
	fail := func(format string, args ...any) (ImageConfig, error) {
		return ImageConfig{}, fmt.Errorf("clip: preprocessor_config.json: "+format, args...)
	}
	var err error
	if c.Size, err = side(raw.Size, "shortest_edge"); err != nil {
		return fail("size: %v", err)
	}
	if c.CropSize, err = side(raw.CropSize, ""); err != nil {
		return fail("crop_size: %v", err)
	}
	if raw.DoResize != nil && !*raw.DoResize {
		return fail("do_resize false is not supported")
	}
	if raw.DoCenterCrop != nil && !*raw.DoCenterCrop {
		return fail("do_center_crop false is not supported (the image would not be square)")
	}
	if raw.Resample != nil {
		c.Resample = Resample(*raw.Resample)
		if c.Resample == 0 {
			return fail("resample 0 (nearest) is not supported")
		}
	}
	if raw.DoRescale == nil || *raw.DoRescale {
		if raw.Rescale != nil && math.Abs(*raw.Rescale-1.0/255) > 1e-9 {
			return fail("rescale_factor %v is not 1/255", *raw.Rescale)
		}
	}
	switch {
	case raw.DoNormalize != nil && !*raw.DoNormalize:
		c.Mean, c.Std = [3]float32{}, [3]float32{1, 1, 1}
	case raw.Mean != nil || raw.Std != nil:
		if len(raw.Mean) != 3 || len(raw.Std) != 3 {
			return fail("image_mean and image_std must have 3 values each, have %d and %d", len(raw.Mean), len(raw.Std))
		}
		c.Mean, c.Std = [3]float32(raw.Mean), [3]float32(raw.Std)
	}
	if c, err = c.withDefaults(); err != nil {
		return fail("%v", err)
	}
	return c, nil
}

// side reads a size field: a number, or an object with the key (when key
// is not empty) or with equal height and width. Absent is 0.
func side(raw json.RawMessage, key string) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var n int
	if json.Unmarshal(raw, &n) == nil {
		return n, nil
	}
	var obj map[string]int
	if err := json.Unmarshal(raw, &obj); err != nil {
		return 0, err
	}
	if n, ok := obj[key]; ok && key != "" {
		return n, nil
	}
	h, okH := obj["height"]
	w, okW := obj["width"]
	switch {
	case key != "" && okH:
		return 0, fmt.Errorf("a fixed height and width (%s) is not supported, only shortest_edge", raw)
	case !okH || !okW || h != w:
		return 0, fmt.Errorf("%s is not a square height and width", raw)
	}
	return h, nil
}

// Preprocessor turns images into CLIP input tensors. Make it with
// NewPreprocessor; it is immutable and safe for concurrent use.
type Preprocessor struct {
	cfg    ImageConfig
	filter func(float64) float64
	// support is the filter's half-width at scale 1.
	support float64
	// scale and shift fold the 0..255 scaling and normalisation together:
	// x' = x*scale + shift.
	scale, shift [3]float32
}

// NewPreprocessor checks cfg and returns its Preprocessor.
func NewPreprocessor(cfg ImageConfig) (*Preprocessor, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Preprocessor{cfg: cfg}
	switch cfg.Resample {
	case Bilinear:
		p.filter, p.support = bilinear, 1
	case Bicubic:
		p.filter, p.support = bicubic, 2
	case Lanczos:
		p.filter, p.support = lanczos, 3
	}
	for c := range 3 {
		p.scale[c] = 1 / (255 * cfg.Std[c])
		p.shift[c] = -cfg.Mean[c] / cfg.Std[c]
	}
	return p, nil
}

// Config is the configuration with its defaults filled in.
func (p *Preprocessor) Config() ImageConfig { return p.cfg }

// Side is the height and width of the images Preprocess writes.
func (p *Preprocessor) Side() int { return p.cfg.CropSize }

// Preprocess writes img into dst, which must hold 3×Side×Side floats, as
// a float32 [3, Side, Side] tensor (NCHW planes R, G, B). The image's
// shortest side is resized to Size (the other to Size×long/short, rounded
// down), and the centre Side×Side of it cut out (Hugging Face's centre:
// offsets rounded down), as PIL resizes 8-bit RGB: a horizontal then a
// vertical pass with PIL's filter weights in 22-bit fixed point, each
// rounded to 8 bits. Colours are those of img converted to RGBA (alpha
// premultiplied, i.e. over black), except that an *image.NRGBA's alpha is
// dropped, as PIL's convert("RGB") drops it. An empty img writes zeros.
func (p *Preprocessor) Preprocess(dst []float32, img image.Image) {
	side := p.cfg.CropSize
	dst = dst[:3*side*side]
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		clear(dst)
		return
	}
	rw, rh := p.cfg.Size, p.cfg.Size
	if w < h {
		rh = int(float64(p.cfg.Size) * float64(h) / float64(w))
	} else {
		rw = int(float64(p.cfg.Size) * float64(w) / float64(h))
	}
	xs := p.weights(w, rw, (rw-side)/2, side)
	ys := p.weights(h, rh, (rh-side)/2, side)
	// Only the source window the crop's filters reach is read.
	x0, x1 := xs.span()
	y0, y1 := ys.span()
	pix, stride := rgbaWindow(img, image.Rect(b.Min.X+x0, b.Min.Y+y0, b.Min.X+x1, b.Min.Y+y1))

	// Horizontal pass: each source row of the window → side pixels.
	rows := y1 - y0
	mid := make([]uint8, rows*side*3)
	for y := range rows {
		src := pix[y*stride:]
		out := mid[y*side*3 : (y+1)*side*3]
		for o := range side {
			start, k := xs.start[o]-x0, xs.coeffs(o)
			var r, g, bl int64 = half, half, half
			for j, kk := range k {
				px := src[(start+j)*4:]
				r += int64(px[0]) * int64(kk)
				g += int64(px[1]) * int64(kk)
				bl += int64(px[2]) * int64(kk)
			}
			out[3*o], out[3*o+1], out[3*o+2] = clip8(r), clip8(g), clip8(bl)
		}
	}
	// Vertical pass, then the normalisation, into the planes.
	plane := side * side
	for o := range side {
		start, k := ys.start[o]-y0, ys.coeffs(o)
		for x := range side {
			var acc [3]int64
			acc[0], acc[1], acc[2] = half, half, half
			for j, kk := range k {
				px := mid[((start+j)*side+x)*3:]
				acc[0] += int64(px[0]) * int64(kk)
				acc[1] += int64(px[1]) * int64(kk)
				acc[2] += int64(px[2]) * int64(kk)
			}
			for c := range 3 {
				dst[c*plane+o*side+x] = float32(clip8(acc[c]))*p.scale[c] + p.shift[c]
			}
		}
	}
}

// precisionBits is PIL's fixed-point precision for 8-bit resampling.
const precisionBits = 32 - 8 - 2

// half is 0.5 in that fixed point, for rounding.
const half = 1 << (precisionBits - 1)

// clip8 is PIL's clip8: a fixed-point sum to 0..255.
func clip8(v int64) uint8 {
	v >>= precisionBits
	return uint8(min(max(v, 0), 255))
}

// axisWeights are, for each output pixel of one axis, the first source
// pixel its filter covers and its fixed-point weights.
type axisWeights struct {
	start []int
	count []int   // the weights of each output pixel, trailing zeros dropped
	n     int     // room for weights per output pixel
	k     []int32 // n per output pixel, zero-padded
}

// coeffs are output pixel o's weights, from source pixel start[o].
func (a axisWeights) coeffs(o int) []int32 { return a.k[o*a.n : o*a.n+a.count[o]] }

// span is the source range [from, to) the weights read.
func (a axisWeights) span() (int, int) {
	from, to := a.start[0], 0
	for o, s := range a.start {
		from = min(from, s)
		to = max(to, s+len(a.coeffs(o)))
	}
	return from, max(to, from+1)
}

// weights computes the filter weights of output pixels first to
// first+count-1 of a resize from in to out pixels, as PIL's
// precompute_coeffs and normalize_coeffs_8bpc do.
func (p *Preprocessor) weights(in, out, first, count int) axisWeights {
	scale := float64(in) / float64(out)
	filterScale := max(scale, 1)
	support := p.support * filterScale
	n := int(math.Ceil(support))*2 + 1
	a := axisWeights{start: make([]int, count), count: make([]int, count), n: n, k: make([]int32, count*n)}
	pre := make([]float64, n)
	for i := range count {
		centre := (float64(first+i) + 0.5) * scale
		lo := max(int(centre-support+0.5), 0)
		hi := min(int(centre+support+0.5), in)
		clear(pre)
		total := 0.0
		for x := 0; x < hi-lo && x < n; x++ {
			w := p.filter((float64(x+lo) - centre + 0.5) / filterScale)
			pre[x] = w
			total += w
		}
		k := a.k[i*n : (i+1)*n]
		for x := range hi - lo {
			if x >= n {
				break
			}
			v := pre[x]
			if total != 0 {
				v /= total
			}
			if v < 0 {
				k[x] = int32(-0.5 + v*(1<<precisionBits))
			} else {
				k[x] = int32(0.5 + v*(1<<precisionBits))
			}
		}
		a.start[i] = lo
		c := n
		for c > 0 && k[c-1] == 0 {
			c--
		}
		a.count[i] = c
	}
	return a
}

// bilinear, bicubic (a = −0.5) and lanczos (3 lobes) are PIL's filters.
func bilinear(x float64) float64 {
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

func bicubic(x float64) float64 {
	const a = -0.5
	x = math.Abs(x)
	switch {
	case x < 1:
		return ((a+2)*x-(a+3))*x*x + 1
	case x < 2:
		return (((x-5)*x+8)*x - 4) * a
	}
	return 0
}

func lanczos(x float64) float64 {
	if -3 <= x && x < 3 {
		return sinc(x) * sinc(x/3)
	}
	return 0
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

// rgbaWindow returns the pixels of r in img as 4-byte RGBA (or NRGBA)
// samples and the row stride: *image.RGBA and *image.NRGBA in place, other
// images drawn into a new RGBA.
func rgbaWindow(img image.Image, r image.Rectangle) ([]uint8, int) {
	switch m := img.(type) {
	case *image.RGBA:
		return m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride
	case *image.NRGBA:
		return m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride
	}
	dst := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
	draw.Draw(dst, dst.Bounds(), img, r.Min, draw.Src)
	return dst.Pix, dst.Stride
}
