package profile

import "math"

// updateCenters adds the item vector v, of weight w at time at, to the
// shopper's interest centres (online weighted clustering): v joins the
// most similar centre when their cosine similarity reaches
// CenterSimilarity, moving its mean; otherwise it starts a new centre, and
// when that makes one too many the two most similar centres merge. A
// vector of another dimension than the centres' replaces them all (the
// vectors changed model).
func (b *Builder) updateCenters(cs []*center, v []float32, w float64, at int64) []*center {
	if len(cs) > 0 && len(cs[0].mean) != len(v) {
		b.log.Debug("profile: item vectors changed dimension; interest centres restart", "from", len(cs[0].mean), "to", len(v))
		cs = cs[:0]
	}
	n := norm(v)
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return cs
	}
	scale := float32(1 / n)
	best, bestSim := -1, math.Inf(-1)
	for i, c := range cs {
		if s := cosine(c.mean, v); s > bestSim {
			best, bestSim = i, s
		}
	}
	if best >= 0 && bestSim >= b.cfg.CenterSimilarity {
		// Mix at the later of the two times, as the weights add.
		c := cs[best]
		t := max(at, c.weight.at)
		old, add := c.weight.value(t, b.halfLife), w*factor(t-at, b.halfLife)
		c.weight.add(w, at, b.halfLife)
		mix(c.mean, old, v, add, scale)
		return cs
	}
	c := &center{mean: make([]float32, len(v)), weight: decayed{w: w, at: at}}
	for i, x := range v {
		c.mean[i] = x * scale
	}
	cs = append(cs, c)
	if len(cs) > b.cfg.Centers {
		cs = b.mergeClosest(cs, at)
	}
	return cs
}

// mergeClosest merges the two most similar centres of cs into one.
func (b *Builder) mergeClosest(cs []*center, at int64) []*center {
	bi, bj, bestSim := 0, 1, math.Inf(-1)
	for i := range cs {
		for j := i + 1; j < len(cs); j++ {
			if s := cosine(cs[i].mean, cs[j].mean); s > bestSim {
				bi, bj, bestSim = i, j, s
			}
		}
	}
	a, c := cs[bi], cs[bj]
	t := max(at, a.weight.at, c.weight.at)
	wa, wc := a.weight.value(t, b.halfLife), c.weight.value(t, b.halfLife)
	mix(a.mean, wa, c.mean, wc, 1)
	a.weight = decayed{w: wa + wc, at: t}
	return append(cs[:bj], cs[bj+1:]...)
}

// mix sets mean to the weighted mean of mean (weight wm) and v scaled by
// scale (weight wv).
func mix(mean []float32, wm float64, v []float32, wv float64, scale float32) {
	total := wm + wv
	if total <= 0 {
		return
	}
	a, c := float32(wm/total), float32(wv/total)*scale
	for i := range mean {
		mean[i] = a*mean[i] + c*v[i]
	}
}

// cosine returns the cosine similarity of a and b (equal lengths), 0
// when either is zero.
func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// norm returns v's Euclidean length.
func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}
