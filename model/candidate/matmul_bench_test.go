package candidate

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/aislehq/aisle/internal/openblas"
)

// BenchmarkMatmul256x64x12000 compares the building blocks for the
// products the models need, on the reference shape: 256 user
// vectors of 64 factors against 12,000 item vectors (2·256·64·12000 =
// 393 MFLOP per op; GoMLX's pure-Go backend was measured at about
// 7 GFLOP/s on it here). gflop/s is reported per variant.
func BenchmarkMatmul256x64x12000(b *testing.B) {
	const m, k, n = 256, 64, 12000
	rng := rand.New(rand.NewPCG(1, 2))
	users, items := make([]float32, m*k), make([]float32, n*k) // row-major, items k-contiguous
	for i := range users {
		users[i] = rng.Float32()
	}
	for i := range items {
		items[i] = rng.Float32()
	}
	out := make([]float32, m*n)
	flops := 2.0 * m * k * n
	report := func(b *testing.B) {
		b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "gflop/s")
	}
	b.Run("go-matvec", func(b *testing.B) { // what serving uses: one user at a time
		b.ReportAllocs()
		for b.Loop() {
			for u := range m {
				mfMatVec32(out[u*n:(u+1)*n], users[u*k:(u+1)*k], items)
			}
		}
		report(b)
	})
	b.Run("gonum-sgemm", func(b *testing.B) {
		b.ReportAllocs()
		var impl gonum.Implementation
		for b.Loop() {
			impl.Sgemm(blas.NoTrans, blas.Trans, m, n, k, 1, users, k, items, k, 0, out, n)
		}
		report(b)
	})
	b.Run("openblas-sgemm", func(b *testing.B) {
		b.ReportAllocs()
		itemsT := make([]float32, k*n) // OpenBLAS wrapper takes b as k×n
		for i := range n {
			for j := range k {
				itemsT[j*n+i] = items[i*k+j]
			}
		}
		for b.Loop() {
			if err := openblas.Gemm(m, n, k, 1, users, itemsT, 0, out); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})
}
