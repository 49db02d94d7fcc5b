package onnx

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle/onnx/internal/bertgen"
	ort "github.com/yalue/onnxruntime_go"
)

// BenchmarkEncode32 measures the encoder's overhead on a batch of 32 real
// Office titles with a generated model of all-MiniLM-L6-v2's shape (6
// layers, 384 wide, random weights), one session on all cores.
//
// "paired" runs a full Encode (tokenisation, padding, the session run,
// mean pooling, normalisation) and a bare session run on the same batch's
// pre-built tensors in turn, alternating which goes first, and reports both
// times and their ratio: pairing keeps the ratio meaningful on a machine
// whose load drifts. "overhead" times what Encode adds around the run
// (tokenising and padding the batch, making the input tensors, pooling and
// normalising an output of the same size), without the run.
func BenchmarkEncode32(b *testing.B) {
	dir, _ := modelDir(b, miniLM, bertgen.Standard)
	texts := officeTitles(b, 32)
	e := openEncoder(b, dir, TextConfig{Sessions: 1})
	ctx := context.Background()
	batch := e.tok.EncodeBatch(texts, e.MaxLength())
	shape := ort.NewShape(int64(batch.Rows), int64(batch.Cols))

	b.Run("paired", func(b *testing.B) {
		var inputs []ort.Value
		for _, data := range [][]int64{batch.IDs, batch.AttentionMask, batch.TypeIDs} {
			t, err := ort.NewTensor(shape, data)
			if err != nil {
				b.Fatal(err)
			}
			defer t.Destroy()
			inputs = append(inputs, t)
		}
		s := e.all[0].s
		raw := func() time.Duration {
			start := time.Now()
			outputs := []ort.Value{nil}
			if err := s.Run(inputs, outputs); err != nil {
				b.Fatal(err)
			}
			outputs[0].Destroy()
			return time.Since(start)
		}
		encode := func() time.Duration {
			start := time.Now()
			if _, err := e.Encode(ctx, texts); err != nil {
				b.Fatal(err)
			}
			return time.Since(start)
		}
		if _, err := e.Encode(ctx, texts); err != nil { // the session's first run warms it up
			b.Fatal(err)
		}
		var raws, encodes, ratios []float64
		b.ReportAllocs()
		for b.Loop() {
			var r, enc time.Duration
			if len(ratios)%2 == 0 {
				r, enc = raw(), encode()
			} else {
				enc, r = encode(), raw()
			}
			raws = append(raws, float64(r.Nanoseconds()))
			encodes = append(encodes, float64(enc.Nanoseconds()))
			ratios = append(ratios, float64(enc)/float64(r))
		}
		b.ReportMetric(median(encodes), "encode-ns/op")
		b.ReportMetric(median(raws), "raw-ns/op")
		b.ReportMetric(median(ratios), "encode/raw")
	})
	b.Run("overhead", func(b *testing.B) {
		out := make([]float32, batch.Rows*batch.Cols*e.Dim())
		for i := range out {
			out[i] = float32(i%7) - 3
		}
		b.ReportAllocs()
		for b.Loop() {
			bb := e.tok.EncodeBatch(texts, e.MaxLength())
			for _, data := range [][]int64{bb.IDs, bb.AttentionMask, bb.TypeIDs} {
				t, err := ort.NewTensor(shape, data)
				if err != nil {
					b.Fatal(err)
				}
				t.Destroy()
			}
			e.pool(out, bb, e.Dim())
		}
	})
}

// median returns the median of xs (which it sorts).
func median(xs []float64) float64 {
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}
