package photo

import (
	"bytes"
	"context"
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

	"golang.org/x/image/draw"
	"golang.org/x/image/webp"

	"github.com/aislehq/aisle"
)

// Default limits, used for every Limits field that is zero or negative.
//
// DefaultMaxPixels is 25 megapixels: product photos are shown at a few
// hundred to 2,000 pixels a side and read by the image model at 224, so
// a camera's full 24-megapixel frame (6000×4000) is the largest worth
// accepting, while a decoded photo costs 1 to 15 bytes a pixel (25 to
// 375 MB at this cap) however small its file: a 140 KB PNG can claim
// 36 megapixels. Larger photos are refused from the header (ETOOLARGE)
// before any pixel memory is allocated.
const (
	DefaultMaxBytes  = 20 << 20   // 20 MiB of encoded bytes
	DefaultMaxPixels = 25_000_000 // 25 megapixels
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

// Options says how DecodeContext decodes a photo. The zero value decodes
// within the default Limits, with no Budget, at full size.
type Options struct {
	// Limits bound the photo's bytes and dimensions.
	Limits Limits
	// Budget, when not nil, bounds the memory of all decodes sharing it:
	// each reserves its Header.Cost before decoding and gives it back
	// when DecodeContext returns.
	Budget *Budget
	// Fit, when positive, reduces a photo whose longer side is over Fit
	// pixels to Fit pixels on that side (keeping its aspect ratio, into an
	// *image.RGBA) as soon as it is decoded, before it is turned upright,
	// so what outlives DecodeContext is small whatever the photo's size.
	// With Fit zero the full-size image is returned, and the memory it
	// holds after DecodeContext returns is no longer in the Budget.
	Fit int
}

// Photo is a decoded photo with the bytes it came from.
type Photo struct {
	// Image is the decoded picture, upright: as the format's decoder returns
	// it (*image.YCbCr for most JPEGs, *image.NRGBA, *image.Paletted, ...),
	// or an *image.RGBA when it was reduced (Options.Fit) or an EXIF
	// orientation other than 1 was applied.
	Image image.Image
	// Format is "jpeg", "png", "gif" or "webp".
	Format string
	// Width and Height are the dimensions stored in the file, before the
	// photo is reduced or the orientation is applied (they are swapped in
	// Image for orientations 5–8).
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
	// cost estimates the bytes decoding data (w×h pixels) allocates.
	cost func(data []byte, w, h int) int64
}

// codecs lists the accepted formats in the order they are tried.
var codecs = [...]codec{
	{"jpeg", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\xff\xd8\xff")) }, jpeg.DecodeConfig, jpeg.Decode, jpegCost},
	{"png", func(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }, png.DecodeConfig, png.Decode, pngCost},
	{"gif", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	}, gif.DecodeConfig, gif.Decode, gifCost},
	{"webp", func(b []byte) bool { return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP" }, webp.DecodeConfig, webp.Decode, webpCost},
}

// DecodeContext reads one photo from r, at most opts.Limits.MaxBytes of
// it, and decodes it. It is safe for concurrent use.
//
// The cheap checks come first: the size of the bytes, the format from
// their magic bytes, the dimensions from the header (Probe). Only then
// is the decode's memory reserved from opts.Budget, waiting while the
// budget is full, and the pixels decoded, reading through a reader that
// fails once ctx is done, so a cancelled or timed-out request stops a
// long decode within a few kilobytes of input.
//
// It returns ETOOLARGE when r holds more than MaxBytes, the image's
// dimensions are over MaxSide or MaxPixels, or its decoding would need
// more than the whole Budget (all checked from the header, before
// decoding); EINVALID when the bytes are empty, in no accepted format,
// truncated or corrupt; EUNAVAILABLE when ctx ends while waiting for the
// Budget. An error reading r, and ctx's error when ctx ends during the
// decode, are returned wrapped.
func DecodeContext(ctx context.Context, r io.Reader, opts Options) (*Photo, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("photo: decode: %w", err)
	}
	lim := opts.Limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(ctxReader{ctx, r}, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read photo: %w", err)
	}
	h, c, err := probe(data, opts)
	if err != nil {
		return nil, err
	}
	release, err := opts.Budget.Reserve(ctx, h.Cost)
	if err != nil {
		return nil, err
	}
	defer release()
	img, err := c.decode(ctxReader{ctx, bytes.NewReader(data)})
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("photo: decode: %w", cerr)
		}
		return nil, decodeError(c.name, err)
	}
	if opts.Fit > 0 {
		img = fit(img, opts.Fit)
	}
	p := &Photo{Image: orient(img, h.Orientation), Format: c.name, Width: h.Width, Height: h.Height, Orientation: h.Orientation, Bytes: data}
	sum := sha256.Sum256(data)
	p.Hash = hex.EncodeToString(sum[:])
	return p, nil
}

// Header is what a photo's header says, read without decoding its pixels.
type Header struct {
	// Format is "jpeg", "png", "gif" or "webp".
	Format string
	// Width and Height are the dimensions stored in the file.
	Width, Height int
	// Orientation is the EXIF orientation DecodeContext applies (1–8).
	Orientation int
	// Cost estimates, in bytes, the memory DecodeContext allocates for
	// the photo with the Options it was probed with: the decoder's pixel
	// buffers for the format and colour model (a progressive JPEG's
	// coefficients, a 16-bit or interlaced PNG's extra copies), the
	// reduced copy and the upright copy. It is what a Budget reserves.
	Cost int64
}

// Probe checks data as DecodeContext does before decoding (its size, its
// format, its dimensions, the cost of decoding it against opts.Budget's
// size) and returns its header, without decoding any pixel. It returns
// the same errors as DecodeContext's checks and is safe for concurrent
// use.
func Probe(data []byte, opts Options) (Header, error) {
	h, _, err := probe(data, opts)
	return h, err
}

// probe is Probe, also returning the photo's codec.
func probe(data []byte, opts Options) (Header, codec, error) {
	lim := opts.Limits.withDefaults()
	if int64(len(data)) > lim.MaxBytes {
		return Header{}, codec{}, aisle.Errorf(aisle.ETOOLARGE, "photo is larger than %d bytes", lim.MaxBytes)
	}
	if len(data) == 0 {
		return Header{}, codec{}, aisle.Errorf(aisle.EINVALID, "photo is empty")
	}
	c, ok := sniff(data)
	if !ok {
		return Header{}, codec{}, aisle.Errorf(aisle.EINVALID, "photo format unknown: not JPEG, PNG, GIF or WebP")
	}
	cfg, err := c.config(bytes.NewReader(data))
	if err != nil {
		return Header{}, codec{}, decodeError(c.name, err)
	}
	if err := checkSize(cfg.Width, cfg.Height, lim); err != nil {
		return Header{}, codec{}, err
	}
	h := Header{Format: c.name, Width: cfg.Width, Height: cfg.Height, Orientation: 1}
	if c.name == "jpeg" {
		h.Orientation = exifOrientation(data)
	}
	h.Cost = c.cost(data, h.Width, h.Height) + afterCost(h, opts.Fit)
	if b := opts.Budget; b != nil && h.Cost > b.Size() {
		return Header{}, codec{}, aisle.Errorf(aisle.ETOOLARGE, "photo is %d×%d pixels and needs %s to decode, more than the %s this server decodes at once",
			h.Width, h.Height, sizeText(h.Cost), sizeText(b.Size()))
	}
	return h, c, nil
}

// ctxReader reads from r until ctx is done, then fails with ctx's error.
// It is not an io.ByteReader, so decoders read it through their own
// buffers, a few kilobytes at a time.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
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

// fitSize returns the dimensions a w×h image is reduced to so that its
// longer side is at most maxSide; w and h themselves when it fits.
func fitSize(w, h, maxSide int) (int, int) {
	switch {
	case max(w, h) <= maxSide:
		return w, h
	case w >= h:
		return maxSide, max(1, h*maxSide/w)
	default:
		return max(1, w*maxSide/h), maxSide
	}
}

// fit returns img reduced, keeping its aspect ratio, so that its longer
// side is at most maxSide; smaller images are returned as they are.
//
// A photo over twice maxSide is first averaged over k×k boxes (k the
// whole number of times maxSide goes into its longer side), which
// filters it properly and costs one small image, then resampled
// bilinearly to the exact size, a reduction of less than two. (draw's
// BiLinear kernel would filter in one pass, but its scratch buffer holds
// 32 bytes for every source row of every destination column: 200 MB for
// a 6000×6000 photo reduced to 1,024.)
func fit(img image.Image, maxSide int) image.Image {
	b := img.Bounds()
	w, h := fitSize(b.Dx(), b.Dy(), maxSide)
	if w == b.Dx() && h == b.Dy() {
		return img
	}
	src := img
	if k := max(b.Dx(), b.Dy()) / maxSide; k >= 2 {
		src = boxReduce(img, k)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// boxSize returns the size of a w×h image averaged over k×k boxes (the
// last boxes of a row or column may be smaller).
func boxSize(w, h, k int) (int, int) { return (w + k - 1) / k, (h + k - 1) / k }

// boxReduce returns img averaged over k×k boxes of pixels, in
// premultiplied RGBA.
func boxReduce(img image.Image, k int) *image.RGBA {
	b := img.Bounds()
	w, h := boxSize(b.Dx(), b.Dy(), k)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	at := func(x, y int) (r, g, bl, a uint32) { return img.At(x, y).RGBA() }
	if src, ok := img.(image.RGBA64Image); ok {
		at = func(x, y int) (r, g, bl, a uint32) {
			c := src.RGBA64At(x, y)
			return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
		}
	}
	sums := make([][4]uint64, w)
	for dy := range h {
		clear(sums)
		y0, y1 := b.Min.Y+dy*k, min(b.Max.Y, b.Min.Y+(dy+1)*k)
		for y := y0; y < y1; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, a := at(x, y)
				s := &sums[(x-b.Min.X)/k]
				s[0], s[1], s[2], s[3] = s[0]+uint64(r), s[1]+uint64(g), s[2]+uint64(bl), s[3]+uint64(a)
			}
		}
		row := dst.Pix[dy*dst.Stride:]
		for dx := range w {
			n := uint64(y1-y0) * uint64(min(b.Max.X, b.Min.X+(dx+1)*k)-(b.Min.X+dx*k)) * 257
			s := sums[dx]
			row[4*dx], row[4*dx+1], row[4*dx+2], row[4*dx+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), uint8(s[3]/n)
		}
	}
	return dst
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
