package onnx

import (
	"image"
	"image/color"
	"runtime"
	"sync"
	"sync/atomic"
)

// preprocess writes img into dst as a float32 [3, size, size] tensor (NCHW
// planes R, G, B): the largest centred square of img, resized bilinearly
// (half-pixel centres, edges clamped) to size×size, each channel scaled by
// x/127.5 − 1. Colours are those of img.At (alpha premultiplied, i.e. over
// black); *image.YCbCr, *image.RGBA and *image.NRGBA are read directly.
func preprocess(dst []float32, img image.Image, size int) {
	b := img.Bounds()
	side := min(b.Dx(), b.Dy())
	x0, y0 := b.Min.X+(b.Dx()-side)/2, b.Min.Y+(b.Dy()-side)/2
	taps := bilinearTaps(side, size)
	// The resize is separable: each source row the output needs is read
	// and resized across once, into one of two cached rows (output rows
	// need two source rows each, at ascending y), then pairs of those rows
	// are blended down.
	src := make([]uint8, 3*side)
	rows := [2][]float32{make([]float32, 3*size), make([]float32, 3*size)}
	have := [2]int{-1, -1}
	row := func(y int) []float32 {
		for k := range have {
			if have[k] == y {
				return rows[k]
			}
		}
		k := 0 // replace the upper row: y only grows
		if have[1] < have[0] {
			k = 1
		}
		readRow(src, img, x0, y0+y, side)
		h := rows[k]
		for o, t := range taps {
			a, b := 3*t.i0, 3*t.i1
			for c := range 3 {
				v0, v1 := float32(src[a+c]), float32(src[b+c])
				h[3*o+c] = v0 + t.w*(v1-v0)
			}
		}
		have[k] = y
		return h
	}
	plane := size * size
	r, g, bl := dst[:plane], dst[plane:2*plane], dst[2*plane:3*plane]
	for oy, t := range taps {
		h0, h1 := row(t.i0), row(t.i1)
		base := oy * size
		for ox := range size {
			v := h0[3*ox : 3*ox+3]
			w := h1[3*ox : 3*ox+3]
			r[base+ox] = (v[0]+t.w*(w[0]-v[0]))/127.5 - 1
			g[base+ox] = (v[1]+t.w*(w[1]-v[1]))/127.5 - 1
			bl[base+ox] = (v[2]+t.w*(w[2]-v[2]))/127.5 - 1
		}
	}
}

// tap is where one output pixel samples its source axis: between pixels i0
// and i1, weight w on i1.
type tap struct {
	i0, i1 int
	w      float32
}

// bilinearTaps maps size output pixels onto n source pixels with
// half-pixel centres, clamping at the edges.
func bilinearTaps(n, size int) []tap {
	taps := make([]tap, size)
	scale := float64(n) / float64(size)
	for o := range taps {
		src := min(max((float64(o)+0.5)*scale-0.5, 0), float64(n-1))
		i0 := int(src)
		taps[o] = tap{i0: i0, i1: min(i0+1, n-1), w: float32(src - float64(i0))}
	}
	return taps
}

// readRow writes the 8-bit RGB of the n pixels of img from (x, y)
// rightwards into dst.
func readRow(dst []uint8, img image.Image, x, y, n int) {
	switch m := img.(type) {
	case *image.YCbCr:
		yi, ci := m.YOffset(x, y), m.COffset(x, y)
		shift := 0 // chroma columns are 1, 2 or 4 pixels wide
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
			shift = 1
		case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
			shift = 2
		}
		if x < 0 { // COffset's division truncates towards zero: no shift
			readAt(dst, img, x, y, n)
			return
		}
		for i := range n {
			c := ci + (x+i)>>shift - x>>shift
			r, g, b := color.YCbCrToRGB(m.Y[yi+i], m.Cb[c], m.Cr[c])
			dst[3*i], dst[3*i+1], dst[3*i+2] = r, g, b
		}
	case *image.RGBA:
		p := m.Pix[m.PixOffset(x, y):]
		for i := range n {
			dst[3*i], dst[3*i+1], dst[3*i+2] = p[4*i], p[4*i+1], p[4*i+2]
		}
	case *image.NRGBA:
		p := m.Pix[m.PixOffset(x, y):]
		for i := range n {
			a := uint32(p[4*i+3]) * 0x101
			for c := range 3 {
				v := uint32(p[4*i+c]) * 0x101
				dst[3*i+c] = uint8(v * a / 0xffff >> 8)
			}
		}
	default:
		readAt(dst, img, x, y, n)
	}
}

// readAt is readRow through img.At.
func readAt(dst []uint8, img image.Image, x, y, n int) {
	for i := range n {
		r, g, b, _ := img.At(x+i, y).RGBA()
		dst[3*i], dst[3*i+1], dst[3*i+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
	}
}

// preprocessAll lays imgs out as one NCHW batch, px floats an image,
// each written by prep; the images are preprocessed on all cores.
func preprocessAll(imgs []image.Image, px int, prep func(dst []float32, img image.Image)) []float32 {
	n := len(imgs)
	data := make([]float32, n*px)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				prep(data[i*px:(i+1)*px], imgs[i])
			}
		})
	}
	wg.Wait()
	return data
}
