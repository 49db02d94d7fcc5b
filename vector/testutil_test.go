package vector

import (
	"math"
	"math/rand/v2"
)

// randomUnit returns n random unit vectors of length dim, one after
// another, uniform on the sphere.
func randomUnit(rng *rand.Rand, n, dim int) []float32 {
	v := make([]float32, n*dim)
	for i := range n {
		x := v[i*dim : (i+1)*dim]
		var norm float64
		for j := range x {
			x[j] = float32(rng.NormFloat64())
			norm += float64(x[j]) * float64(x[j])
		}
		inv := float32(1 / math.Sqrt(norm))
		for j := range x {
			x[j] *= inv
		}
	}
	return v
}

// seq returns the ids 0..n-1.
func seq(n int) []int32 {
	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(i)
	}
	return ids
}

// graphSearch walks the graph like SearchEf but never scans exactly.
func (h *HNSW) graphSearch(q []float32, k, ef int, keep func(int32) bool) []Hit {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.graphLocked(q, k, max(ef, k), keep)
}

// scanSearch scores every live kept node, as SearchEf's exact fallback.
func (h *HNSW) scanSearch(q []float32, k int, keep func(int32) bool) []Hit {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.scanLocked(q, k, keep)
}
