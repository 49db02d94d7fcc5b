// Package phototest makes photos for tests: PNGs of any size and colour
// model in a few kilobytes that decode into as many bytes as real photos
// of that size, decompression bombs included.
package phototest

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// PNG colour types, as IHDR writes them.
const (
	gray      = 0
	rgb       = 2
	paletted  = 3
	grayAlpha = 4
	rgba      = 6
)

// PNG returns a w×h PNG of colour type ctype (0 gray, 2 RGB, 3 paletted,
// 4 gray with alpha, 6 RGBA) and bit depth, every sample zero,
// Adam7-interlaced if asked, with a tRNS chunk if asked (and a one-entry
// palette for paletted PNGs): what a hostile client can send in a few
// kilobytes.
func PNG(w, h int, ctype, depth byte, interlaced, trns bool) []byte {
	return encode(w, h, ctype, depth, interlaced, trns, nil)
}

// SolidPNG returns a w×h 8-bit RGB PNG all of colour (r, g, b): a few
// kilobytes (a few hundred for tens of megapixels) that decode into 4
// bytes a pixel.
func SolidPNG(w, h int, r, g, b byte) []byte {
	return encode(w, h, rgb, 8, false, false, []byte{r, g, b})
}

// encode writes the PNG that PNG describes, each row's pixels all pixel
// when it is not nil.
func encode(w, h int, ctype, depth byte, interlaced, trns bool, pixel []byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	il := byte(0)
	if interlaced {
		il = 1
	}
	b := AppendChunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", append(ihdr, depth, ctype, 0, 0, il))
	if ctype == paletted {
		b = AppendChunk(b, "PLTE", []byte{10, 20, 30})
	}
	if trns {
		switch ctype {
		case gray:
			b = AppendChunk(b, "tRNS", []byte{0, 1})
		case rgb:
			b = AppendChunk(b, "tRNS", []byte{0, 1, 0, 1, 0, 1})
		case paletted:
			b = AppendChunk(b, "tRNS", []byte{128})
		}
	}
	channels := map[byte]int{gray: 1, rgb: 3, paletted: 1, grayAlpha: 2, rgba: 4}[ctype]
	bits := channels * int(depth)
	var z bytes.Buffer
	zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
	if err != nil {
		panic(err)
	}
	passes := [][4]int{{0, 0, 1, 1}}
	if interlaced {
		passes = [][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}}
	}
	for _, p := range passes {
		pw, ph := (w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3]
		if pw <= 0 || ph <= 0 {
			continue
		}
		row := make([]byte, 1+(pw*bits+7)/8) // filter type 0, then the pixels
		for i := 1; len(pixel) > 0 && i < len(row); i += len(pixel) {
			copy(row[i:], pixel)
		}
		for range ph {
			zw.Write(row)
		}
	}
	zw.Close()
	b = AppendChunk(b, "IDAT", z.Bytes())
	return AppendChunk(b, "IEND", nil)
}

// AppendChunk appends to b the PNG chunk of type typ holding data: its
// length, type, data and CRC.
func AppendChunk(b []byte, typ string, data []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
	start := len(b)
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}
