package vector

// Dot returns the inner product of a and b over the first len(a) elements;
// b must be at least as long as a. On amd64 with AVX2 and FMA it runs an
// assembly loop (8 lanes, 4 accumulators); elsewhere the unrolled Go loop
// dotGo. Both sum in a different order than a plain loop, so results can
// differ from one in the last bits.
func Dot(a, b []float32) float32 {
	return dot(a, b)
}

// dotGo is the portable inner product: unrolled by 8 into four independent
// accumulators so the additions pipeline instead of waiting on each other.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		aa, bb := a[i:i+8:i+8], b[i:i+8:i+8]
		s0 += aa[0]*bb[0] + aa[4]*bb[4]
		s1 += aa[1]*bb[1] + aa[5]*bb[5]
		s2 += aa[2]*bb[2] + aa[6]*bb[6]
		s3 += aa[3]*bb[3] + aa[7]*bb[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
