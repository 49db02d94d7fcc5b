package candidate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aislehq/aisle/model/dataset"
)

// DefaultMaxDenseItems is the largest catalog for which the dense models
// (EASE, SLIST) train: their n×n float32 matrices take 4·n² bytes each
// (1.07 GB at 16,384 items), and SLIST's training holds three of them, so
// it peaks near 3.5 GB here.
const DefaultMaxDenseItems = 16384

// TooLargeError reports a catalog too large for a dense model.
type TooLargeError struct {
	Model        string
	Items, Limit int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: %d items exceed the dense-model limit of %d; the sparse models serve this catalog", e.Model, e.Items, e.Limit)
}

// IsTooLarge reports whether err is a *TooLargeError.
func IsTooLarge(err error) bool {
	var e *TooLargeError
	return errors.As(err, &e)
}

func errTooManyItems(model string, n, limit int) error {
	return &TooLargeError{Model: model, Items: n, Limit: limit}
}

// addGram adds w·XᵀX to g (n×n, row major), where X is the binary
// user×item matrix of d: each user's distinct items count once.
func addGram(ctx context.Context, g []float32, n int, d *dataset.Dataset, w float32) error {
	mark := make([]bool, n)
	var items []int32
	for u, seq := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		items = distinct(seq, mark, items[:0])
		for _, a := range items {
			row := g[int(a)*n:]
			for _, b := range items {
				row[b] += w
			}
		}
	}
	return nil
}

// distinct appends seq's distinct items to out, using mark (len = number
// of items, all false on entry and on return) as scratch.
func distinct(seq []int32, mark []bool, out []int32) []int32 {
	for _, i := range seq {
		if !mark[i] {
			mark[i] = true
			out = append(out, i)
		}
	}
	for _, i := range out {
		mark[i] = false
	}
	return out
}

// addDiagonal adds v to every diagonal entry of the n×n matrix g.
func addDiagonal(g []float32, n int, v float32) {
	for i := 0; i < n; i++ {
		g[i*n+i] += v
	}
}

// sumRows sets scores to the weighted sum of rows of the n×n matrix m
// selected by items.
func sumRows(m []float32, n int, items []int32, weights []float32, scores []float32) {
	clear(scores[:n])
	for k, j := range items {
		w := weights[k]
		row := m[int(j)*n : int(j)*n+n]
		for i, v := range row {
			scores[i] += w * v
		}
	}
}
