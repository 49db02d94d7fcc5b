package vector

import "golang.org/x/sys/cpu"

// useAVX2 reports whether dotAVX2 can run on this CPU; it is decided once
// at start-up and never changes.
var useAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// dotAVX2 returns the inner product of the n float32s at a and b; n must be
// a multiple of 8.
//
//go:noescape
func dotAVX2(a, b *float32, n int) float32

func dot(a, b []float32) float32 {
	n := len(a)
	if !useAVX2 || n < 8 {
		return dotGo(a, b)
	}
	b = b[:n]
	m := n &^ 7
	s := dotAVX2(&a[0], &b[0], m)
	for i := m; i < n; i++ {
		s += a[i] * b[i]
	}
	return s
}
