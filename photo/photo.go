package photo

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"golang.org/x/image/webp"

	"github.com/aislehq/aisle"
)

// Default limits, used for every Limits field that is zero or negative.
const (
	DefaultMaxBytes  = 20 << 20   // 20 MiB of encoded bytes
	DefaultMaxPixels = 40_000_000 // 40 megapixels
	DefaultMaxSide   = 12_000     // pixels on the longer side
)

// Limits bounds what Decode accepts. The zero value means the defaults
// (DefaultMaxBytes, DefaultMaxPixels, DefaultMaxSide); so does any field that
// is zero or negative.
type Limits struct {
	MaxBytes  int64 // most encoded bytes read
	MaxPixels int64 // most pixels, width × height
	MaxSide   int   // most pixels on either side
}

// withDefaults returns l with every unset field given its default.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	return l
}

// Photo is a decoded photo with the bytes it came from.
type Photo struct {
	// Image is the decoded picture, upright: as the format's decoder returns
	// it (*image.YCbCr for most JPEGs, *image.NRGBA, *image.Paletted, ...),
	// or an *image.RGBA when an EXIF orientation other than 1 was applied.
	Image image.Image
	// Format is "jpeg", "png", "gif" or "webp".
	Format string
	// Width and Height are the dimensions stored in the file, before the
	// orientation is applied (they are swapped in Image for orientations 5–8).
	Width, Height int
	// Orientation is the EXIF orientation that was applied, 1 (none) to 8;
	// 1 for every format but JPEG.
	Orientation int
	// Hash is the hex SHA-256 of Bytes.
	Hash string
	// Bytes are the original encoded bytes, unchanged.
	Bytes []byte
}

// codec is one accepted format.
type codec struct {
	name   string
	magic  func(b []byte) bool
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
}

// codecs lists the accepted formats in the order they are tried.
var codecs = [...]codec{
	{"jpeg", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\xff\xd8\xff")) }, jpeg.DecodeConfig, jpeg.Decode},
	{"png", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }, png.DecodeConfig, png.Decode},
	{"gif", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	}, gif.DecodeConfig, gif.Decode},
	{"webp", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }, webp.DecodeConfig, webp.Decode},
}

// Decode reads one photo from r, at most lim.MaxBytes of it, and decodes it.
// It is safe for concurrent use.
//
// It returns ETOOLARGE when r holds more than lim.MaxBytes or the image's
// dimensions are over lim.MaxSide or lim.MaxPixels (checked from the header,
// before decoding), and EINVALID when the bytes are empty, in no accepted
// format, truncated or corrupt. An error reading r is returned wrapped.
func Decode(r io.Reader, lim Limits) (*Photo, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, aisle.Errorf(aisle.ETOOLARGE, "photo is larger than %d bytes", lim.MaxBytes)
	}
	if len(data) == 0 {
		return nil, aisle.Errorf(aisle.EINVALID, "photo is empty")
	}
	c, ok := sniff(data)
	if !ok {
		return nil, aisle.Errorf(aisle.EINVALID, "photo format unknown: not JPEG, PNG, GIF or WebP")
	}
	cfg, err := c.config(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError(c.name, err)
	}
	if err := checkSize(cfg.Width, cfg.Height, lim); err != nil {
		return nil, err
	}
	img, err := c.decode(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError(c.name, err)
	}
	p := &Photo{Image: img, Format: c.name, Width: cfg.Width, Height: cfg.Height, Orientation: 1, Bytes: data}
	if c.name == "jpeg" {
		p.Orientation = exifOrientation(data)
		p.Image = orient(img, p.Orientation)
	}
	sum := sha256.Sum256(data)
	p.Hash = hex.EncodeToString(sum[:])
	return p, nil
}

// sniff returns the codec whose magic bytes start data.
func sniff(data []byte) (codec, bool) {
	for _, c := range codecs {
		if c.magic(data) {
			return c, true
		}
	}
	return codec{}, false
}

// checkSize rejects dimensions that are empty or over lim.
func checkSize(w, h int, lim Limits) error {
	switch {
	case w <= 0 || h <= 0:
		return aisle.Errorf(aisle.EINVALID, "photo is corrupt: it is %d×%d pixels", w, h)
	case w > lim.MaxSide || h > lim.MaxSide:
		return aisle.Errorf(aisle.ETOOLARGE, "photo is %d×%d pixels, over the limit of %d pixels a side", w, h, lim.MaxSide)
	case int64(w)*int64(h) > lim.MaxPixels:
		return aisle.Errorf(aisle.ETOOLARGE, "photo is %d×%d pixels, over the limit of %d pixels", w, h, lim.MaxPixels)
	}
	return nil
}

// truncatedSuffixes end the messages of decoders' errors that mean the data
// stopped early but do not wrap io.ErrUnexpectedEOF (gif formats it with %v;
// png and gif say they ran out of pixel data).
var truncatedSuffixes = [...]string{io.ErrUnexpectedEOF.Error(), "not enough pixel data", "not enough image data"}

// decodeError describes a decoder's error as truncated or corrupt.
func decodeError(format string, err error) error {
	truncated := errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	for _, s := range truncatedSuffixes {
		truncated = truncated || strings.HasSuffix(err.Error(), s)
	}
	if truncated {
		return aisle.Errorf(aisle.EINVALID, "photo is truncated: the %s data ends early", format)
	}
	return aisle.Errorf(aisle.EINVALID, "photo is corrupt: %v", err)
}
