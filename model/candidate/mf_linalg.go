package candidate

import "math"

// Dense linear algebra for MF, in plain Go: k×k systems (k ≤ MFMaxFactors)
// are small enough that a careful scalar kernel beats a dependency.

// mfGram32 sets g to FᵀF + reg·I for the row-major float32 matrix F with
// k columns, accumulating in float64 over blocks of mfGramBlock rows.
func mfGram32(g []float64, F []float32, k int, reg float64) {
	n := len(F) / k
	partial := make([]float64, k*k)
	tr := make([]float64, k*min(n, mfGramBlock))
	clear(g)
	for lo := 0; lo < n; lo += mfGramBlock {
		m := min(n-lo, mfGramBlock)
		for i := range m {
			for a, v := range F[(lo+i)*k : (lo+i+1)*k] {
				tr[a*m+i] = float64(v)
			}
		}
		mfRowDots(partial, k, tr[:k*m], k, tr[:k*m], k, m, true)
		mfAddLower(g, partial, k)
	}
	mfSymmetrize(g, k, reg)
}

// mfAddLower adds the lower triangle of the k×k matrix p to g's.
func mfAddLower(g, p []float64, k int) {
	for a := range k {
		row := g[a*k : a*k+a+1]
		for c, v := range p[a*k : a*k+a+1] {
			row[c] += v
		}
	}
}

// mfSymmetrize copies g's lower triangle to its upper one and adds reg to
// its diagonal.
func mfSymmetrize(g []float64, k int, reg float64) {
	for a := range k {
		for c := range a {
			g[c*k+a] = g[a*k+c]
		}
		g[a*k+a] += reg
	}
}

// mfMatVec32 sets out[j] to the dot product of u and row j of the
// len(out)×len(u) row-major matrix a. It takes 2 rows at a time and sums
// each row's two halves separately: 4 independent sums and 6 loads per
// step, which measured faster than 4 or more rows at a time (those spill
// registers on amd64).
func mfMatVec32(out, u, a []float32) {
	k := len(u)
	h := k / 2
	u0, u1 := u[:h], u[h : 2*h][:h]
	j := 0
	for ; j+2 <= len(out); j += 2 {
		r := a[j*k : (j+2)*k]
		p0, q0 := r[:h], r[h : 2*h][:h]
		p1, q1 := r[k : k+h][:h], r[k+h : k+2*h][:h]
		var s0, s1, t0, t1 float32
		for l, x := range u0 {
			y := u1[l]
			s0 += x * p0[l]
			t0 += y * q0[l]
			s1 += x * p1[l]
			t1 += y * q1[l]
		}
		if k%2 == 1 {
			s0 += u[k-1] * r[k-1]
			s1 += u[k-1] * r[2*k-1]
		}
		o := out[j : j+2 : j+2]
		o[0], o[1] = s0+t0, s1+t1
	}
	if j < len(out) {
		var s float32
		for l, x := range a[j*k : (j+1)*k][:k] {
			s += x * u[l]
		}
		out[j] = s
	}
}

// mfDot32 returns the dot product of u and r (of u's length), summed as
// mfMatVec32 sums each row it takes in a pair: the two halves in two
// independent sums, so that the loop is not one chain of dependent adds
// and the result is bit for bit the dense kernel's.
func mfDot32(u, r []float32) float32 {
	k := len(u)
	h := k / 2
	u0, u1 := u[:h], u[h : 2*h][:h]
	p, q := r[:h], r[h : 2*h][:h]
	var s, t float32
	for l, x := range u0 {
		s += x * p[l]
		t += u1[l] * q[l]
	}
	if k%2 == 1 {
		s += u[k-1] * r[k-1]
	}
	return s + t
}

// mfAddOuter32 adds wa·y·yᵀ to the lower triangle of the k×k matrix a and
// wb·y to b.
func mfAddOuter32(a, b []float64, y []float32, wa, wb float64) {
	k := len(y)
	for r, yr := range y {
		b[r] += wb * float64(yr)
		if yr == 0 {
			continue
		}
		s := wa * float64(yr)
		row := a[r*k : r*k+r+1]
		for c := range row {
			row[c] += s * float64(y[c])
		}
	}
}

// mfAddOuter64 is mfAddOuter32 for float64 vectors.
func mfAddOuter64(a, b []float64, y []float64, wa, wb float64) {
	k := len(y)
	for r, yr := range y {
		b[r] += wb * yr
		if yr == 0 {
			continue
		}
		mfAxpy(a[r*k:r*k+r+1], wa*yr, y[:r+1])
	}
}

// mfCholSolve solves a·x = b for symmetric positive-definite a (k×k
// row-major, only the lower triangle read), overwriting a's lower triangle
// with its Cholesky factor. It reports false, leaving x unspecified, if a
// is not numerically positive definite.
func mfCholSolve(a, b, x []float64, k int) bool {
	if !mfCholFactor(a, k) {
		return false
	}
	mfCholSubst(a, b, x, k)
	return true
}

// mfCholFactor overwrites the lower triangle of the symmetric k×k matrix a
// with L, where a = L·Lᵀ. It reports false if a is not numerically
// positive definite.
func mfCholFactor(a []float64, k int) bool {
	for j := range k {
		rj := a[j*k : j*k+j+1]
		s := rj[j] - mfDot64(rj[:j], rj[:j])
		if !(s > 0) || math.IsInf(s, 0) {
			return false
		}
		d := math.Sqrt(s)
		rj[j] = d
		inv := 1 / d
		for i := j + 1; i < k; i++ {
			ri := a[i*k : i*k+j+1]
			ri[j] = (ri[j] - mfDot64(ri[:j], rj[:j])) * inv
		}
	}
	return true
}

// mfCholSubst solves L·Lᵀ·x = b given L from mfCholFactor in a.
func mfCholSubst(a, b, x []float64, k int) {
	// L·z = b, z stored in x.
	for i := range k {
		ri := a[i*k : i*k+i+1]
		x[i] = (b[i] - mfDot64(ri[:i], x[:i])) / ri[i]
	}
	// Lᵀ·x = z, column access of L.
	for i := k - 1; i >= 0; i-- {
		s := x[i]
		for j := i + 1; j < k; j++ {
			s -= a[j*k+i] * x[j]
		}
		x[i] = s / a[i*k+i]
	}
}

// mfDot64 returns the dot product of equal-length a and b.
func mfDot64(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	for len(a) >= 4 {
		x, y := a[:4:4], b[:4:4]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		a, b = a[4:], b[4:]
	}
	for i, v := range a {
		s0 += v * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// mfAxpy sets y += s·x for equal-length x and y.
func mfAxpy(y []float64, s float64, x []float64) {
	x = x[:len(y)]
	for len(y) >= 4 {
		yy, xx := y[:4:4], x[:4:4]
		yy[0] += s * xx[0]
		yy[1] += s * xx[1]
		yy[2] += s * xx[2]
		yy[3] += s * xx[3]
		y, x = y[4:], x[4:]
	}
	for i := range y {
		y[i] += s * x[i]
	}
}

// mfRowDots sets c[i*ldc+j] to the dot product of row i of a (na×k) and
// row j of b (nb×k), both row-major. If lower, only entries with j ≤ i are
// needed (a few others are written too). Every entry is a plain sequential
// sum over l, so its value does not depend on how the loops are blocked.
//
// The kernel takes 2 rows of a and 3 of b at a time: 6 independent sums
// fed by 5 loads per step, where separate dot products need 2 loads per
// multiply-add. Larger blocks run out of registers on amd64.
func mfRowDots(c []float64, ldc int, a []float64, na int, b []float64, nb, k int, lower bool) {
	j := 0
	for ; j+3 <= nb; j += 3 {
		b0 := b[j*k : (j+1)*k]
		b1 := b[(j+1)*k : (j+2)*k][:len(b0)]
		b2 := b[(j+2)*k : (j+3)*k][:len(b0)]
		i := 0
		if lower {
			i = j
		}
		for ; i+2 <= na; i += 2 {
			a0 := a[i*k : (i+1)*k][:len(b0)]
			a1 := a[(i+1)*k : (i+2)*k][:len(b0)]
			var c00, c01, c02, c10, c11, c12 float64
			for l, y0 := range b0 {
				x0, x1 := a0[l], a1[l]
				y1, y2 := b1[l], b2[l]
				c00 += x0 * y0
				c01 += x0 * y1
				c02 += x0 * y2
				c10 += x1 * y0
				c11 += x1 * y1
				c12 += x1 * y2
			}
			r0 := c[i*ldc+j : i*ldc+j+3]
			r0[0], r0[1], r0[2] = c00, c01, c02
			r1 := c[(i+1)*ldc+j : (i+1)*ldc+j+3]
			r1[0], r1[1], r1[2] = c10, c11, c12
		}
		if i < na {
			a0 := a[i*k : (i+1)*k]
			r0 := c[i*ldc+j : i*ldc+j+3]
			r0[0], r0[1], r0[2] = mfDotSeq(a0, b0), mfDotSeq(a0, b1), mfDotSeq(a0, b2)
		}
	}
	for ; j < nb; j++ {
		b0 := b[j*k : (j+1)*k]
		i := 0
		if lower {
			i = j
		}
		for ; i+2 <= na; i += 2 {
			a0 := a[i*k : (i+1)*k][:len(b0)]
			a1 := a[(i+1)*k : (i+2)*k][:len(b0)]
			var c0, c1 float64
			for l, y := range b0 {
				c0 += a0[l] * y
				c1 += a1[l] * y
			}
			c[i*ldc+j], c[(i+1)*ldc+j] = c0, c1
		}
		if i < na {
			c[i*ldc+j] = mfDotSeq(a[i*k:(i+1)*k], b0)
		}
	}
}

// mfDotSeq returns the dot product of equal-length a and b, summed in
// order with one accumulator like mfRowDots's kernel.
func mfDotSeq(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for i, v := range a {
		s += v * b[i]
	}
	return s
}

// mfGrow returns s resized to n, reallocating if it is too small.
func mfGrow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
