package ngram

import "golang.org/x/sys/cpu"

// useAVX reports whether add4AVX can run on this CPU; it is decided once at
// start-up and never changes.
var useAVX = cpu.X86.HasAVX

// add4AVX adds (r0[i] + r1[i]) + (r2[i] + r3[i]) to dst[i] for the first
// n&^7 of the n floats, in the same order of operations as add4Go.
//
//go:noescape
func add4AVX(dst, r0, r1, r2, r3 *float32, n int)

// add4 adds (r0 + r1) + (r2 + r3) to dst; all have dst's length.
func add4(dst, r0, r1, r2, r3 []float32) {
	n := len(dst)
	if !useAVX || n < 8 {
		add4Go(dst, r0, r1, r2, r3)
		return
	}
	r0, r1, r2, r3 = r0[:n], r1[:n], r2[:n], r3[:n]
	add4AVX(&dst[0], &r0[0], &r1[0], &r2[0], &r3[0], n)
	if m := n &^ 7; m < n {
		add4Go(dst[m:], r0[m:], r1[m:], r2[m:], r3[m:])
	}
}

// axpyAVX adds alpha·x[i] to y[i] for the first n&^7 of the n floats,
// multiplying and adding with separate roundings, as axpyGo does.
//
//go:noescape
func axpyAVX(y, x *float32, alpha float32, n int)

// axpy adds alpha·x to y, which have the same length.
func axpy(y, x []float32, alpha float32) {
	n := len(y)
	if !useAVX || n < 8 {
		axpyGo(y, x, alpha)
		return
	}
	x = x[:n]
	axpyAVX(&y[0], &x[0], alpha, n)
	if m := n &^ 7; m < n {
		axpyGo(y[m:], x[m:], alpha)
	}
}
