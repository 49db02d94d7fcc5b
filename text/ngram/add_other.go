//go:build !amd64

package ngram

// add4 adds (r0 + r1) + (r2 + r3) to dst; all have dst's length.
func add4(dst, r0, r1, r2, r3 []float32) { add4Go(dst, r0, r1, r2, r3) }

// axpy adds alpha·x to y, which have the same length.
func axpy(y, x []float32, alpha float32) { axpyGo(y, x, alpha) }
