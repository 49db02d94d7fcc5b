package candidate

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMFWoodburyMatchesCholesky(t *testing.T) {
	const k, n = 16, 60
	rng := rand.New(rand.NewPCG(1, 2))
	items := make([]float32, k*n)
	for i := range items {
		items[i] = float32(rng.NormFloat64() * 0.3)
	}
	m := newMF(k, n, 0.5, 20, items)
	if m.ginv == nil {
		t.Fatal("Gram matrix not invertible")
	}
	tests := []struct {
		name    string
		history []int32
	}{
		{"one item", []int32{3}},
		{"repeats", []int32{3, 7, 3, 3}},
		{"eight distinct", []int32{1, 5, 9, 13, 17, 21, 25, 29}},
		{"with invalid", []int32{-4, 2, 60, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &mfFoldWork{}
			m.foldIn(tt.history, w) // fills idx, conf and sizes x
			if !m.foldInWoodbury(w) {
				t.Fatal("Woodbury solve failed")
			}
			got := append([]float64(nil), w.x...)
			if !m.foldInCholesky(w) {
				t.Fatal("Cholesky solve failed")
			}
			for i := range got {
				if d := math.Abs(got[i] - w.x[i]); d > 1e-9*(1+math.Abs(w.x[i])) {
					t.Fatalf("x[%d]: Woodbury %v, Cholesky %v", i, got[i], w.x[i])
				}
			}
		})
	}
}

// TestMFProjectionIsExact checks that folding in with the per-item
// projections computed at load gives, bit for bit, the user vectors of
// computing G⁻¹·y_h per request: served scores do not move.
func TestMFProjectionIsExact(t *testing.T) {
	const k, n = 24, 150 // n not a multiple of project's chunk
	rng := rand.New(rand.NewPCG(3, 4))
	items := make([]float32, k*n)
	for i := range items {
		items[i] = float32(rng.NormFloat64() * 0.3)
	}
	m := newMF(k, n, 0.5, 20, items)
	if m.proj == nil {
		t.Fatal("no projections")
	}
	plain := *m
	plain.proj = nil
	for _, h := range [][]int32{{0}, {149, 3, 3}, {5, 70, 130, 64, 65, 66, 127, 128, 9, 10, 11}} {
		a, b := m.FoldIn(h, nil), plain.FoldIn(h, nil)
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("history %v: u[%d] = %v with projections, %v without", h, i, a[i], b[i])
			}
		}
	}
}

func TestMFRowDotsMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][3]int{{1, 1, 1}, {2, 4, 3}, {5, 7, 9}, {9, 9, 16}, {33, 17, 5}} {
		na, nb, k := sz[0], sz[1], sz[2]
		a, b := make([]float64, na*k), make([]float64, nb*k)
		for i := range a {
			a[i] = rng.Float64()
		}
		for i := range b {
			b[i] = rng.Float64()
		}
		for _, lower := range []bool{false, true} {
			c := make([]float64, na*nb)
			mfRowDots(c, nb, a, na, b, nb, k, lower)
			for i := range na {
				for j := range nb {
					if lower && j > i {
						continue
					}
					if want := mfDotSeq(a[i*k:(i+1)*k], b[j*k:(j+1)*k]); c[i*nb+j] != want {
						t.Fatalf("%v lower=%v: c[%d][%d] = %v, want %v", sz, lower, i, j, c[i*nb+j], want)
					}
				}
			}
		}
	}
}

func TestMFMatVec32(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][2]int{{1, 1}, {3, 1}, {5, 2}, {7, 7}, {8, 16}, {9, 33}} {
		n, k := sz[0], sz[1]
		u, a := make([]float32, k), make([]float32, n*k)
		for i := range u {
			u[i] = float32(rng.NormFloat64())
		}
		for i := range a {
			a[i] = float32(rng.NormFloat64())
		}
		out := make([]float32, n)
		mfMatVec32(out, u, a)
		for j := range n - n%2 {
			// The rows the kernel takes in pairs are summed as mfDot32
			// sums one row, so ScoreItems and Score agree exactly.
			if d := mfDot32(u, a[j*k:(j+1)*k]); d != out[j] {
				t.Errorf("n=%d k=%d: mfDot32 of row %d = %v, the kernel gives %v", n, k, j, d, out[j])
			}
		}
		for j := range n {
			var want float64
			for l := range k {
				want += float64(u[l]) * float64(a[j*k+l])
			}
			if math.Abs(float64(out[j])-want) > 1e-5*float64(k) {
				t.Errorf("n=%d k=%d: out[%d] = %v, want %v", n, k, j, out[j], want)
			}
		}
	}
}
