// Package openblas binds the few dense linear-algebra routines Aisle's
// closed-form models need to OpenBLAS and LAPACKE (Debian packages
// libopenblas-dev and liblapacke-dev, installed by `make deps`).
//
// gonum's own netlib binding has not been updated since 2019, and gonum's
// pure-Go Cholesky is an order of magnitude slower on the 12k×12k systems
// these models solve, so this package calls the C libraries directly. It
// works in float32, row-major, on slices the caller owns.
package openblas

/*
#cgo LDFLAGS: -llapacke -lopenblas
#include <lapacke.h>
#include <cblas.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// InvertSPD replaces the n×n symmetric positive-definite matrix a (row
// major, len(a) ≥ n·n) with its inverse, via a Cholesky factorisation.
// Both triangles of the result are filled. It returns an error if a is not
// positive definite; a is then left in an unspecified state.
func InvertSPD(a []float32, n int) error {
	if n == 0 {
		return nil
	}
	if len(a) < n*n {
		return fmt.Errorf("openblas: matrix has %d values, need %d", len(a), n*n)
	}
	p := (*C.float)(unsafe.Pointer(&a[0]))
	if info := C.LAPACKE_spotrf(C.LAPACK_ROW_MAJOR, 'U', C.lapack_int(n), p, C.lapack_int(n)); info != 0 {
		return fmt.Errorf("openblas: Cholesky factorisation failed (info %d): matrix not positive definite", int(info))
	}
	if info := C.LAPACKE_spotri(C.LAPACK_ROW_MAJOR, 'U', C.lapack_int(n), p, C.lapack_int(n)); info != 0 {
		return fmt.Errorf("openblas: inverse from Cholesky factor failed (info %d)", int(info))
	}
	// spotri fills the upper triangle; mirror it.
	for i := 0; i < n; i++ {
		row := a[i*n : i*n+n]
		for j := 0; j < i; j++ {
			row[j] = a[j*n+i]
		}
	}
	return nil
}

// Gemm computes c = alpha·a·b + beta·c for row-major a (m×k), b (k×n) and
// c (m×n).
func Gemm(m, n, k int, alpha float32, a, b []float32, beta float32, c []float32) error {
	if m == 0 || n == 0 || k == 0 {
		return nil
	}
	if len(a) < m*k || len(b) < k*n || len(c) < m*n {
		return fmt.Errorf("openblas: gemm shapes %d×%d·%d×%d do not fit slices of %d, %d, %d", m, k, k, n, len(a), len(b), len(c))
	}
	C.cblas_sgemm(C.CblasRowMajor, C.CblasNoTrans, C.CblasNoTrans, C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(unsafe.Pointer(&a[0])), C.blasint(k),
		(*C.float)(unsafe.Pointer(&b[0])), C.blasint(n),
		C.float(beta), (*C.float)(unsafe.Pointer(&c[0])), C.blasint(n))
	return nil
}
