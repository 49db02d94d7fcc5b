package openblas_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aislehq/aisle/internal/openblas"
)

func TestInvertSPD(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 7, 64} {
		// a = mᵀm + n·I is symmetric positive definite.
		m := make([]float32, n*n)
		for i := range m {
			m[i] = float32(rng.NormFloat64())
		}
		a := make([]float32, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				var s float32
				for k := 0; k < n; k++ {
					s += m[k*n+i] * m[k*n+j]
				}
				a[i*n+j] = s
			}
			a[i*n+i] += float32(n)
		}
		inv := append([]float32(nil), a...)
		if err := openblas.InvertSPD(inv, n); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		prod := make([]float32, n*n)
		if err := openblas.Gemm(n, n, n, 1, a, inv, 0, prod); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				want := float32(0)
				if i == j {
					want = 1
				}
				if d := math.Abs(float64(prod[i*n+j] - want)); d > 1e-3 {
					t.Fatalf("n=%d: (a·a⁻¹)[%d][%d] = %v, want %v", n, i, j, prod[i*n+j], want)
				}
				if inv[i*n+j] != inv[j*n+i] {
					t.Fatalf("n=%d: inverse not symmetric at %d,%d", n, i, j)
				}
			}
		}
	}
}

func TestInvertSPDRejectsIndefinite(t *testing.T) {
	a := []float32{1, 2, 2, 1} // eigenvalues 3 and -1
	if err := openblas.InvertSPD(a, 2); err == nil {
		t.Fatal("InvertSPD accepted an indefinite matrix")
	}
	if err := openblas.InvertSPD([]float32{1}, 2); err == nil {
		t.Fatal("InvertSPD accepted a short slice")
	}
}

func TestGemm(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}    // 2×3
	b := []float32{7, 8, 9, 10, 11, 12} // 3×2
	c := []float32{1, 1, 1, 1}          // 2×2
	if err := openblas.Gemm(2, 2, 3, 1, a, b, 2, c); err != nil {
		t.Fatal(err)
	}
	want := []float32{58 + 2, 64 + 2, 139 + 2, 154 + 2}
	for i := range want {
		if c[i] != want[i] {
			t.Fatalf("c = %v, want %v", c, want)
		}
	}
}

func BenchmarkInvertSPD1000(b *testing.B) {
	const n = 1000
	a := make([]float32, n*n)
	for i := 0; i < n; i++ {
		a[i*n+i] = 2
		if i > 0 {
			a[i*n+i-1], a[(i-1)*n+i] = 0.5, 0.5
		}
	}
	work := make([]float32, n*n)
	b.ReportAllocs()
	for b.Loop() {
		copy(work, a)
		if err := openblas.InvertSPD(work, n); err != nil {
			b.Fatal(err)
		}
	}
}
