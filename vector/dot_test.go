package vector

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
)

func dotNaive(a, b []float32) float32 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return float32(s)
}

func TestDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 7, 8, 9, 31, 32, 33, 64, 100, 128, 384, 1000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			a, b := make([]float32, n), make([]float32, n+3)
			for i := range a {
				a[i] = float32(rng.NormFloat64())
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64())
			}
			want := dotNaive(a, b)
			for name, f := range map[string]func(a, b []float32) float32{"Dot": Dot, "dotGo": dotGo} {
				if got := f(a, b); math.Abs(float64(got-want)) > 1e-4*math.Sqrt(float64(n)+1) {
					t.Errorf("%s(n=%d) = %v, want %v", name, n, got, want)
				}
			}
		})
	}
}

func BenchmarkDot(b *testing.B) {
	for _, dim := range []int{128, 384} {
		x, y := make([]float32, dim), make([]float32, dim)
		for i := range x {
			x[i], y[i] = float32(i%7)-3, float32(i%5)-2
		}
		var sink float32
		b.Run(fmt.Sprintf("dim=%d/impl=plain", dim), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var s float32
				for i := range x {
					s += x[i] * y[i]
				}
				sink += s
			}
		})
		b.Run(fmt.Sprintf("dim=%d/impl=unrolled", dim), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += dotGo(x, y)
			}
		})
		b.Run(fmt.Sprintf("dim=%d/impl=gonum-blas32", dim), func(b *testing.B) {
			b.ReportAllocs()
			vx, vy := blas32.Vector{N: dim, Inc: 1, Data: x}, blas32.Vector{N: dim, Inc: 1, Data: y}
			for b.Loop() {
				sink += blas32.Dot(vx, vy)
			}
		})
		b.Run(fmt.Sprintf("dim=%d/impl=Dot", dim), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += Dot(x, y)
			}
		})
		_ = sink
	}
}

func TestNormalize(t *testing.T) {
	v := []float32{3, 4}
	if n := Normalize(v); n != 5 || v[0] != 0.6 || v[1] != 0.8 {
		t.Errorf("Normalize([3 4]) = %v, vector %v; want 5, [0.6 0.8]", n, v)
	}
	z := []float32{0, 0}
	if n := Normalize(z); n != 0 || z[0] != 0 || z[1] != 0 {
		t.Errorf("Normalize(zero) = %v, %v", n, z)
	}
}
