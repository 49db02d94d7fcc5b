package vector

import "math"

// Normalize scales v to unit L2 length in place and returns its length
// before; a zero vector stays zero (and 0 is returned). The sum of squares
// and the scaling are computed in float64.
func Normalize(v []float32) float32 {
	n := norm(v)
	if n == 0 {
		return 0
	}
	inv := 1 / n
	for i, f := range v {
		v[i] = float32(float64(f) * inv)
	}
	return float32(n)
}

// Norm returns v's L2 length, accumulated in float64.
func Norm(v []float32) float32 { return float32(norm(v)) }

func norm(v []float32) float64 {
	var ss float64
	for _, f := range v {
		ss += float64(f) * float64(f)
	}
	return math.Sqrt(ss)
}
