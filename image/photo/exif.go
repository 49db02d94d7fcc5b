package photo

import (
	"encoding/binary"
	"image"
	"image/draw"
	"iter"
)

// exifOrientation returns the EXIF Orientation tag (1–8) of a JPEG file, or 1
// when it has none or its Exif segment is malformed. It reads the APP1
// segment before the first scan that starts with "Exif\0\0", and looks for
// tag 0x0112 (a SHORT) in IFD0 of the TIFF structure inside.
func exifOrientation(jpg []byte) int {
	if len(jpg) < 2 || jpg[0] != 0xff || jpg[1] != 0xd8 {
		return 1
	}
	for marker, seg := range jpegSegments(jpg) {
		if marker == 0xe1 && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
	}
	return 1
}

// jpegSegments yields the marker and payload of each segment of the JPEG
// file jpg (past its SOI marker) that has a length, in order, up to the
// first scan or the end of the image. It stops early, silently, at a
// malformed or truncated segment.
func jpegSegments(jpg []byte) iter.Seq2[byte, []byte] {
	return func(yield func(byte, []byte) bool) {
		for i := 2; i+4 <= len(jpg); {
			if jpg[i] != 0xff {
				return
			}
			marker := jpg[i+1]
			switch {
			case marker == 0xff: // fill byte
				i++
				continue
			case marker == 0x01 || marker >= 0xd0 && marker <= 0xd8: // no length
				i += 2
				continue
			case marker == 0xda || marker == 0xd9: // start of scan, end of image
				return
			}
			n := int(binary.BigEndian.Uint16(jpg[i+2:]))
			if n < 2 || i+2+n > len(jpg) || !yield(marker, jpg[i+4:i+2+n]) {
				return
			}
			i += 2 + n
		}
	}
}

// tiffOrientation reads the Orientation tag from IFD0 of a TIFF structure, or
// returns 1.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := uint64(bo.Uint32(t[4:]))
	if ifd+2 > uint64(len(t)) {
		return 1
	}
	count := uint64(bo.Uint16(t[ifd:]))
	for e := ifd + 2; e+12 <= uint64(len(t)) && count > 0; e, count = e+12, count-1 {
		const tagOrientation, typeShort = 0x0112, 3
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		if bo.Uint16(t[e+2:]) != typeShort || bo.Uint32(t[e+4:]) != 1 {
			return 1
		}
		if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}

// orient returns img transformed for display by EXIF orientation o: mirrored
// and rotated into a new *image.RGBA, or img itself for orientation 1 (and
// any value out of 1–8). An *image.RGBA at the origin (a reduced photo) is
// read as it is; any other image is first copied into one.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	src, ok := img.(*image.RGBA)
	if !ok || b.Min != (image.Point{}) {
		src = image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	}
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	// Strips of 16 source rows, walked column by column: for the rotations
	// the writes then run along destination rows and the reads stay in a
	// cache-sized strip.
	const strip = 16
	var start, step [strip]int
	for y0 := 0; y0 < h; y0 += strip {
		n := min(strip, h-y0)
		for i := range n {
			start[i], step[i] = placement(o, y0+i, w, h, dst.Stride)
		}
		for x := range w {
			for i := range n {
				s, d := (y0+i)*src.Stride+4*x, start[i]+x*step[i]
				*(*[4]byte)(dst.Pix[d : d+4]) = [4]byte(src.Pix[s : s+4])
			}
		}
	}
	return dst
}

// placement returns where, in the Pix of the w×h image turned by orientation
// o (2–8) with the given stride, source row y's first pixel goes, and how far
// apart the row's following pixels land.
func placement(o, y, w, h, stride int) (start, step int) {
	switch o {
	case 2: // mirror horizontally: (w-1-x, y)
		return y*stride + 4*(w-1), -4
	case 3: // rotate 180°: (w-1-x, h-1-y)
		return (h-1-y)*stride + 4*(w-1), -4
	case 4: // mirror vertically: (x, h-1-y)
		return (h - 1 - y) * stride, 4
	case 5: // transpose: (y, x)
		return 4 * y, stride
	case 6: // rotate 90° clockwise: (h-1-y, x)
		return 4 * (h - 1 - y), stride
	case 7: // transverse: (h-1-y, w-1-x)
		return (w-1)*stride + 4*(h-1-y), -stride
	default: // 8, rotate 90° counter-clockwise: (y, w-1-x)
		return (w-1)*stride + 4*y, -stride
	}
}
