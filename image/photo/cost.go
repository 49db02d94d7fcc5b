package photo

import (
	"encoding/binary"
)

// decodeOverhead is what any decode allocates beside its pixels: the
// decoder's state, tables and buffers (zlib's window, Huffman tables,
// row buffers of small images).
const decodeOverhead = 64 << 10

// afterCost is the memory DecodeContext allocates after the decoder for
// a photo of header h: the reduced copy (and the box-averaged one it is
// resampled from) when it is larger than fit, and the upright copy (with
// the RGBA copy it is turned from, unless that is the reduced copy) when
// it has an EXIF orientation.
func afterCost(h Header, fitSide int) int64 {
	px := int64(h.Width) * int64(h.Height)
	turned := h.Orientation > 1 && h.Orientation <= 8
	cost := int64(decodeOverhead)
	if fitSide > 0 {
		if w, hh := fitSize(h.Width, h.Height, fitSide); w != h.Width || hh != h.Height {
			small := 4 * int64(w) * int64(hh)
			cost += small
			if k := max(h.Width, h.Height) / fitSide; k >= 2 {
				bw, bh := boxSize(h.Width, h.Height, k)
				cost += 4*int64(bw)*int64(bh) + 32*int64(bw)
			}
			if turned {
				cost += small
			}
			return cost
		}
	}
	if turned {
		cost += 8 * px
	}
	return cost
}

// jpegCost estimates the bytes image/jpeg allocates to decode data, a
// w×h JPEG: one plane a component, each padded to whole MCUs (Y, Cb and
// Cr as subsampled, black for CMYK); a progressive JPEG's coefficients,
// 4 bytes a sample, kept until the last scan; the RGBA or CMYK image an
// RGB or four-component JPEG is converted into. It reads the frame
// header (SOF) and the JFIF and Adobe markers; without a readable frame
// header it assumes the worst.
func jpegCost(data []byte, w, h int) int64 {
	px := int64(w) * int64(h)
	worst := 4*px + 16*px + 4*px // four full planes, their coefficients, a CMYK copy
	var (
		jfif, adobe bool
		transform   byte
	)
	for marker, seg := range jpegSegments(data) {
		switch {
		case marker == 0xe0 && len(seg) >= 5 && string(seg[:5]) == "JFIF\x00":
			jfif = true
		case marker == 0xee && len(seg) >= 12 && string(seg[:5]) == "Adobe":
			adobe, transform = true, seg[11]
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			return sofCost(seg, marker == 0xc2, jfif, adobe, transform, px, worst)
		}
	}
	// No frame header before the first scan, or a malformed segment.
	return worst
}

// sofCost estimates a JPEG's decoding cost from its frame header seg.
func sofCost(seg []byte, progressive, jfif, adobe bool, transform byte, px, worst int64) int64 {
	if len(seg) < 6 {
		return worst
	}
	h, w, n := int64(binary.BigEndian.Uint16(seg[1:])), int64(binary.BigEndian.Uint16(seg[3:])), int(seg[5])
	if n < 1 || n > 4 || len(seg) < 6+3*n {
		return worst
	}
	var ids [4]byte
	var hs, vs [4]int64
	for c := range n {
		ids[c] = seg[6+3*c]
		hs[c], vs[c] = max(1, int64(seg[7+3*c]>>4)), max(1, int64(seg[7+3*c]&15))
	}
	if n == 1 {
		hs[0], vs[0] = 1, 1
	}
	// MCUs across and down, as image/jpeg counts them from component 0.
	mxx, myy := (w+8*hs[0]-1)/(8*hs[0]), (h+8*vs[0]-1)/(8*vs[0])
	var planes int64
	for c := range n {
		planes += 8 * hs[c] * mxx * 8 * vs[c] * myy
	}
	cost := planes
	if progressive {
		cost += 4 * planes
	}
	rgb := n == 3 && !jfif && (adobe && transform == 0 || ids[0] == 'R' && ids[1] == 'G' && ids[2] == 'B')
	if n == 4 || rgb {
		cost += 4 * px
	}
	return cost
}

// PNG colour types.
const (
	pngGray      = 0
	pngTrue      = 2
	pngPaletted  = 3
	pngGrayAlpha = 4
	pngTrueAlpha = 6
)

// pngCost estimates the bytes image/png allocates to decode data, a w×h
// PNG: the image in the model its colour type, bit depth and
// transparency (tRNS) give (1 to 8 bytes a pixel), twice for an
// interlaced PNG (each pass is decoded into an image of its own, then
// copied), and two row buffers.
func pngCost(data []byte, w, h int) int64 {
	px := int64(w) * int64(h)
	const ihdr = 8 + 8 // signature, IHDR length and type
	if len(data) < ihdr+13 {
		return 8*px*2 + decodeOverhead
	}
	depth, ctype, interlaced := data[ihdr+8], data[ihdr+9], data[ihdr+12] != 0
	trns := false
	for i := 8; i+8 <= len(data); {
		n := int64(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if typ == "IDAT" || typ == "IEND" {
			break
		}
		trns = trns || typ == "tRNS"
		next := int64(i) + 12 + n
		if next > int64(len(data)) {
			break
		}
		i = int(next)
	}
	var bpp int64
	switch {
	case ctype == pngPaletted:
		bpp = 1
	case ctype == pngGray && !trns:
		bpp = 1
		if depth == 16 {
			bpp = 2
		}
	case ctype == pngGray, ctype == pngTrue, ctype == pngGrayAlpha, ctype == pngTrueAlpha:
		bpp = 4
		if depth == 16 {
			bpp = 8
		}
	default:
		bpp = 8
	}
	rows := 2 * (1 + 8*int64(w)) // the current and previous rows
	cost := bpp * px
	if interlaced {
		cost, rows = 2*cost, 7*rows // each pass's image and rows
	}
	return cost + rows
}

// gifCost estimates the bytes image/gif allocates for a w×h GIF's first
// frame: one byte a pixel (a frame may not be larger than the screen).
func gifCost(_ []byte, w, h int) int64 { return int64(w) * int64(h) }

// webpCost estimates the bytes golang.org/x/image/webp allocates for a
// w×h WebP: a lossy (VP8) photo is 4:2:0 YCbCr, 1.5 bytes a pixel in
// macroblocks of 16; a lossless (VP8L) one is decoded as 4 bytes a pixel
// plus as much again for a colour-indexing transform; an extended
// (VP8X) one may be either, with an alpha plane decoded losslessly.
func webpCost(data []byte, w, h int) int64 {
	px := int64(w) * int64(h)
	chunk := ""
	if len(data) >= 16 {
		chunk = string(data[12:16])
	}
	switch chunk {
	case "VP8 ":
		mb := int64((w+15)/16) * int64((h+15)/16)
		return mb * 16 * 16 * 3 / 2 * 2 // planes and per-macroblock state, generously
	case "VP8L":
		return 8 * px
	}
	return 11 * px
}
