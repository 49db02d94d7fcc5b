package palette

import "math/rand/v2"

// cluster is one k-means cluster: its weighted mean and total weight.
type cluster struct {
	centre lab
	weight float64
}

// kmeans clusters the weighted points into at most k clusters (fewer when
// the points have fewer distinct colours) with Lloyd's algorithm from a
// k-means++ start drawn from a PCG generator seeded with seed, stopping
// after iters rounds or when no point changes cluster. Points of zero
// weight are ignored. The result is deterministic for equal inputs.
func kmeans(points []lab, weights []float64, k, iters int, seed uint64) []cluster {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	centres := seedCentres(points, weights, k, rng)
	if len(centres) == 0 {
		return nil
	}
	assign := make([]int, len(points))
	for i := range assign {
		assign[i] = -1
	}
	sums := make([]cluster, len(centres))
	for range iters {
		changed := false
		for i, p := range points {
			if weights[i] == 0 {
				continue
			}
			if c := nearest(centres, p); c != assign[i] {
				assign[i], changed = c, true
			}
		}
		if !changed {
			break
		}
		centres = means(points, weights, assign, sums, centres)
	}
	centres = means(points, weights, assign, sums, centres)
	out := make([]cluster, 0, len(centres))
	for i, c := range centres {
		if sums[i].weight > 0 {
			out = append(out, cluster{centre: c, weight: sums[i].weight})
		}
	}
	return out
}

// means recomputes each centre as the weighted mean of its points, leaving
// a centre with no points where it was; sums receives each cluster's
// total weight.
func means(points []lab, weights []float64, assign []int, sums []cluster, centres []lab) []lab {
	clear(sums)
	for i, p := range points {
		c := assign[i]
		if c < 0 || weights[i] == 0 {
			continue
		}
		w := weights[i]
		s := &sums[c]
		s.centre.l += w * p.l
		s.centre.a += w * p.a
		s.centre.b += w * p.b
		s.weight += w
	}
	for i, s := range sums {
		if s.weight > 0 {
			centres[i] = lab{s.centre.l / s.weight, s.centre.a / s.weight, s.centre.b / s.weight}
		}
	}
	return centres
}

// nearest returns the index of the centre closest to p.
func nearest(centres []lab, p lab) int {
	best, bestD := 0, centres[0].dist2(p)
	for i := 1; i < len(centres); i++ {
		if d := centres[i].dist2(p); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// seedCentres picks up to k starting centres by weighted k-means++: the
// first with probability proportional to weight, each next one with
// probability proportional to weight times the squared distance to the
// nearest centre chosen so far. It stops early when every point coincides
// with a chosen centre.
func seedCentres(points []lab, weights []float64, k int, rng *rand.Rand) []lab {
	var total float64
	for _, w := range weights {
		total += w
	}
	if total == 0 || k <= 0 {
		return nil
	}
	centres := []lab{points[pick(weights, total, rng)]}
	d2 := make([]float64, len(points))
	score := make([]float64, len(points))
	for i, p := range points {
		d2[i] = p.dist2(centres[0])
	}
	for len(centres) < k {
		var sum float64
		for i, w := range weights {
			score[i] = w * d2[i]
			sum += score[i]
		}
		if sum == 0 {
			break
		}
		c := points[pick(score, sum, rng)]
		centres = append(centres, c)
		for i, p := range points {
			d2[i] = min(d2[i], p.dist2(c))
		}
	}
	return centres
}

// pick draws an index with probability proportional to w[i]; total is the
// sum of w and must be positive.
func pick(w []float64, total float64, rng *rand.Rand) int {
	r := rng.Float64() * total
	last := 0
	for i, x := range w {
		if x == 0 {
			continue
		}
		last = i
		if r < x {
			return i
		}
		r -= x
	}
	return last
}
