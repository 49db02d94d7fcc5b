package onnx

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// BenchmarkImageEncoder measures images per second through the real
// MobileNet v1 0.75 on 64 real clothing photos held as JPEG bytes, the
// default configuration (one session on all cores, batches of 16).
//
// "pipeline" is the whole path: decode the JPEGs (GOMAXPROCS at a time),
// then Encode (centre crop, resize, the session runs, top labels).
// "decode" is the JPEG decoding alone, "preprocess" the crop and resize
// of one decoded photo, and "run" Encode on photos already decoded: the
// parts of "pipeline", measured in the same run.
func BenchmarkImageEncoder(b *testing.B) {
	jpegs := photoBytes(b, 64)
	e := openImageEncoder(b, ImageConfig{})
	ctx := context.Background()
	imgs := decodeAll(b, jpegs)
	if _, err := e.Encode(ctx, imgs[:DefaultImageBatchSize]); err != nil { // warm-up
		b.Fatal(err)
	}
	perSecond := func(b *testing.B, n int) {
		b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "images/s")
	}
	b.Run("pipeline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Encode(ctx, decodeAll(b, jpegs)); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, len(jpegs))
	})
	b.Run("decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decodeAll(b, jpegs)
		}
		perSecond(b, len(jpegs))
	})
	b.Run("preprocess", func(b *testing.B) {
		dst := make([]float32, 3*e.Size()*e.Size())
		b.ReportAllocs()
		for b.Loop() {
			preprocess(dst, imgs[0], e.Size())
		}
	})
	b.Run("run", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Encode(ctx, imgs); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b, len(imgs))
	})
}

// photoBytes reads the JPEG files of n real photos spread over the
// classes.
func photoBytes(tb testing.TB, n int) [][]byte {
	tb.Helper()
	photos := clothingPhotos(tb)
	step := len(photos) / n
	out := make([][]byte, n)
	for i := range out {
		data, err := os.ReadFile(filepath.Join(clothingDir, photos[i*step].path))
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = data
	}
	return out
}

// decodeAll decodes JPEG bytes, GOMAXPROCS at a time.
func decodeAll(tb testing.TB, jpegs [][]byte) []image.Image {
	tb.Helper()
	imgs := make([]image.Image, len(jpegs))
	errs := make([]error, len(jpegs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, data := range jpegs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			imgs[i], errs[i] = jpeg.Decode(bytes.NewReader(data))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("decode photo %d: %v", i, err)
		}
	}
	return imgs
}
