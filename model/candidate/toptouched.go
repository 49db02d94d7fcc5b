package candidate

import "slices"

// topTouched returns the first k of touched in the order of their scores
// v[i], highest first, equal scores by smaller index: what sorting all
// of touched and keeping k gives, in O(t log k) instead of O(t log t).
// A shopper with a long history touches thousands of items through
// 200-neighbour rows while serving asks for 100 (docs/BENCHMARKS.md,
// serving latency).
func topTouched(touched []int32, v []float32, k int) []int32 {
	before := func(x, y int32) bool {
		if v[x] != v[y] {
			return v[x] > v[y]
		}
		return x < y
	}
	// h is a heap whose root is the worst of the best k so far.
	h := make([]int32, 0, max(0, min(k, len(touched))))
	for _, i := range touched {
		switch {
		case len(h) < k:
			h = append(h, i)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !before(h[p], h[j]) {
					break
				}
				h[p], h[j] = h[j], h[p]
				j = p
			}
		case k > 0 && before(i, h[0]):
			h[0] = i
			for j := 0; ; {
				w := j
				if c := 2*j + 1; c < len(h) && before(h[w], h[c]) {
					w = c
				}
				if c := 2*j + 2; c < len(h) && before(h[w], h[c]) {
					w = c
				}
				if w == j {
					break
				}
				h[w], h[j] = h[j], h[w]
				j = w
			}
		}
	}
	slices.SortFunc(h, func(x, y int32) int {
		switch {
		case before(x, y):
			return -1
		case before(y, x):
			return 1
		}
		return 0
	})
	return h
}
