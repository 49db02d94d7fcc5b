package eval

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
)

// imageChunk is the number of photos decoded ahead of the encoder: at most
// two chunks of decoded photos are held at once, whatever the dataset size.
const imageChunk = 64

// ImageEncoder is what EmbedPhotos needs of an image model; package
// onnx's ImageEncoder is one. Encode returns one feature set per image, in
// order, each Embedding of unit length.
type ImageEncoder interface {
	Encode(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error)
}

// EmbedTiming is what embedding the photos cost: the whole pass, and the
// time each stage was busy (they overlap).
type EmbedTiming struct {
	Photos    int     `json:"photos"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"photos_per_second"`
	DecodeS   float64 `json:"decode_seconds"`
	EncodeS   float64 `json:"encode_seconds"`
	// Views is the number of images embedded a photo: 1, or 2 with its
	// letterboxed view.
	Views int `json:"views"`
}

// EmbedPhotos reads, decodes (photo.DecodeContext) and embeds every photo
// with enc, setting its Embedding, and with letterbox also its Letterbox
// (the whole photo padded to a square, see Letterbox, embedded in the same
// batch). Each chunk of
// photos is decoded on every core while enc embeds the previous one. It
// returns the first error, naming the photo, or ctx's error; every
// goroutine it starts has ended when it returns.
func EmbedPhotos(ctx context.Context, enc ImageEncoder, photos []Photo, letterbox bool) (EmbedTiming, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	type chunk struct {
		at   int
		imgs []image.Image
		err  error
		took time.Duration
	}
	chunks := make(chan chunk, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(chunks)
		for at := 0; at < len(photos); at += imageChunk {
			t := time.Now()
			imgs, err := decodePhotos(ctx, photos[at:min(at+imageChunk, len(photos))], letterbox)
			select {
			case chunks <- chunk{at: at, imgs: imgs, err: err, took: time.Since(t)}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	defer func() { cancel(); <-done }()
	timing := EmbedTiming{Views: 1}
	if letterbox {
		timing.Views = 2
	}
	var decode, encode time.Duration
	for c := range chunks {
		if c.err != nil {
			return timing, c.err
		}
		decode += c.took
		t := time.Now()
		feats, err := enc.Encode(ctx, c.imgs)
		if err != nil {
			return timing, fmt.Errorf("eval: embed photos: %w", err)
		}
		encode += time.Since(t)
		if letterbox {
			for i := 0; i < len(feats); i += 2 {
				p := &photos[c.at+i/2]
				p.Embedding, p.Letterbox = feats[i].Embedding, feats[i+1].Embedding
			}
		} else {
			for i, f := range feats {
				photos[c.at+i].Embedding = f.Embedding
			}
		}
	}
	wall := time.Since(start).Seconds()
	timing.Photos, timing.Seconds, timing.PerSecond = len(photos), wall, float64(len(photos))/wall
	timing.DecodeS, timing.EncodeS = decode.Seconds(), encode.Seconds()
	return timing, nil
}

// decodePhotos reads and decodes photos on GOMAXPROCS goroutines; with
// letterbox, each photo is followed by its letterboxed view.
func decodePhotos(ctx context.Context, photos []Photo, letterbox bool) ([]image.Image, error) {
	per := 1
	if letterbox {
		per = 2
	}
	imgs := make([]image.Image, per*len(photos))
	errs := make([]error, len(photos))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(photos), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(photos); i = int(next.Add(1) - 1) {
				img, err := decodeFile(ctx, photos[i].Path)
				imgs[per*i], errs[i] = img, err
				if letterbox && err == nil {
					imgs[per*i+1] = Letterbox(img)
				}
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("eval: photo %s: %w", photos[i].Path, err)
		}
	}
	return imgs, nil
}

// decodeFile decodes the photo file at path.
func decodeFile(ctx context.Context, path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := photo.DecodeContext(ctx, f, photo.Options{})
	if err != nil {
		return nil, err
	}
	return p.Image, nil
}

// Letterbox returns img whole, centred on a white square as wide as its
// longer side (the odd pixel of margin, if any, on the right or bottom),
// as an *image.RGBA whose bounds start at the origin. An image model that
// centre-crops its input sees all of img through it, undistorted.
func Letterbox(img image.Image) *image.RGBA {
	b := img.Bounds()
	side := max(b.Dx(), b.Dy())
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	at := image.Pt((side-b.Dx())/2, (side-b.Dy())/2)
	draw.Draw(dst, image.Rectangle{Min: at, Max: at.Add(b.Size())}, img, b.Min, draw.Src)
	return dst
}
