package metric

import (
	"math"
	"math/rand/v2"
)

var negInf = float32(math.Inf(-1))

// worker holds one goroutine's reusable buffers. It is not safe for
// concurrent use.
type worker struct {
	// scores is the buffer the scorer fills for the current case.
	scores []float32
	// mark[i] == epoch marks item i for the current case: excluded from a
	// Full ranking, or not eligible as a Sampled100 negative.
	mark  []uint32
	epoch uint32
	// top and covered serve Coverage; covered is a bitset of the items
	// seen in a top 10, nil when coverage is not computed.
	top     topK
	covered []uint64
	// exposure counts how often each item is in a top 10, for
	// Beyond.ExposureGini; nil when Options.Catalog is not set.
	exposure []int32
	// seed, pcg and rng draw Sampled100 negatives; pool holds eligible
	// items when they are too few for rejection sampling.
	seed uint64
	pcg  *rand.PCG
	rng  *rand.Rand
	pool []int32
}

func newWorker(numItems int, coverage bool, seed uint64) *worker {
	w := &worker{
		scores: make([]float32, numItems),
		mark:   make([]uint32, numItems),
		epoch:  1, // no item is marked
		top:    topK{k: coverageK},
		seed:   seed,
	}
	if coverage {
		w.covered = make([]uint64, (numItems+63)/64)
	}
	w.pcg = rand.NewPCG(0, 0)
	w.rng = rand.New(w.pcg)
	return w
}

// nextEpoch starts a new case: every mark from earlier cases is cleared.
func (w *worker) nextEpoch() {
	w.epoch++
	if w.epoch == 0 { // wrapped: old marks could alias the new epoch
		clear(w.mark)
		w.epoch = 1
	}
}

// score returns w.scores[i] with NaN mapped to -Inf.
func (w *worker) score(i int32) float32 {
	v := w.scores[i]
	if v != v {
		return negInf
	}
	return v
}

// rankFull returns the 0-based pessimistic rank of target among all items
// in w.scores, less the distinct history items other than target when
// exclude is set, and adds the case's top 10 to w.covered if it is not nil.
func (w *worker) rankFull(history []int32, target int32, exclude bool) int {
	w.nextEpoch()
	t := w.score(target)
	// With pessimistic ties the rank is the number of other items scoring
	// at least t. Count over every item, then take the excluded items back
	// out. NaN compares false with everything, so NaN items are never
	// counted against a finite or +Inf target, as if they were -Inf.
	excluded, excludedAtLeast := 0, 0
	if exclude {
		for _, h := range history {
			if h == target || w.mark[h] == w.epoch {
				continue
			}
			w.mark[h] = w.epoch
			excluded++
			excludedAtLeast += b2i(w.scores[h] >= t)
		}
	}
	rank := w.scan(t) - 1 - excludedAtLeast // -1: the target itself
	if t == negInf {
		// Everything ties with or beats a -Inf target, NaN included.
		rank = len(w.scores) - 1 - excluded
	}
	if w.covered != nil {
		for _, i := range w.top.idx {
			w.covered[i/64] |= 1 << (uint(i) % 64)
		}
	}
	return rank
}

// scan is the one pass over all items that a Full ranking costs. It
// returns how many scores are at least t and, if w.covered is not nil,
// fills w.top with the 10 best unmarked items, ties going to the lower
// index. Only items that beat the current 10th best are looked at twice.
func (w *worker) scan(t float32) int {
	s := w.scores
	h := &w.top
	h.reset()
	i, n := 0, 0
	thr := float32(math.Inf(1)) // no item beats it: no top 10 to keep
	if w.covered != nil {
		for ; i < len(s) && len(h.idx) < h.k; i++ {
			n += b2i(s[i] >= t)
			if w.mark[i] != w.epoch {
				h.push(int32(i), w.score(int32(i)))
			}
		}
		if len(h.idx) == h.k {
			thr = h.val[0]
		}
	}
	// NaN compares false, and an equal score loses to the lower index
	// already held, so only v > thr can enter the top 10. Eight items a
	// step, summed into one counter, keeps the loop in registers.
	for ; i+8 <= len(s); i += 8 {
		q := s[i : i+8 : i+8]
		n += b2i(q[0] >= t) + b2i(q[1] >= t) + b2i(q[2] >= t) + b2i(q[3] >= t) +
			b2i(q[4] >= t) + b2i(q[5] >= t) + b2i(q[6] >= t) + b2i(q[7] >= t)
		if q[0] > thr || q[1] > thr || q[2] > thr || q[3] > thr ||
			q[4] > thr || q[5] > thr || q[6] > thr || q[7] > thr {
			thr = w.offer(i, q, thr)
		}
	}
	for ; i < len(s); i++ {
		n += b2i(s[i] >= t)
		if s[i] > thr {
			thr = w.offer(i, s[i:i+1], thr)
		}
	}
	return n
}

// offer adds the unmarked items of q, which starts at item i, that beat
// thr to the full w.top, and returns the new threshold.
func (w *worker) offer(i int, q []float32, thr float32) float32 {
	for j, v := range q {
		if v > thr && w.mark[i+j] != w.epoch {
			w.top.replaceWorst(int32(i+j), v)
			thr = w.top.val[0]
		}
	}
	return thr
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rankSampled returns the 0-based pessimistic rank of target among itself
// and up to 99 negatives drawn uniformly without replacement from the items
// outside history, the draw determined by w.seed and caseIndex.
func (w *worker) rankSampled(history []int32, target int32, caseIndex uint64) int {
	t := w.score(target)
	gt, eq, n := 0, 0, 0
	w.sampleNegatives(history, target, caseIndex, func(i int32) {
		n++
		switch v := w.scores[i]; {
		case v > t:
			gt++
		case v == t:
			eq++
		}
	})
	if t == negInf {
		return n
	}
	return gt + eq
}

// sampleNegatives calls yield for each of min(99, eligible) distinct items
// drawn uniformly from the items that are neither target nor in history.
func (w *worker) sampleNegatives(history []int32, target int32, caseIndex uint64, yield func(int32)) {
	w.nextEpoch()
	numItems := len(w.mark)
	w.mark[target] = w.epoch
	eligible := numItems - 1
	for _, h := range history {
		if w.mark[h] != w.epoch {
			w.mark[h] = w.epoch
			eligible--
		}
	}
	w.pcg.Seed(w.seed, mix64(caseIndex))
	switch {
	case eligible <= sampledNegatives:
		for i := range numItems {
			if w.mark[i] != w.epoch {
				yield(int32(i))
			}
		}
	case eligible < 4*sampledNegatives || eligible < numItems/2:
		// Rejection would waste many draws: list the eligible items and
		// take a partial Fisher-Yates shuffle.
		w.pool = w.pool[:0]
		for i := range numItems {
			if w.mark[i] != w.epoch {
				w.pool = append(w.pool, int32(i))
			}
		}
		for j := range sampledNegatives {
			k := j + w.rng.IntN(len(w.pool)-j)
			w.pool[j], w.pool[k] = w.pool[k], w.pool[j]
			yield(w.pool[j])
		}
	default:
		// At least half the items are eligible and 99 of at least 396 are
		// drawn, so a draw is accepted with probability 3/8 or more.
		for drawn := 0; drawn < sampledNegatives; {
			i := int32(w.rng.IntN(numItems))
			if w.mark[i] == w.epoch {
				continue
			}
			w.mark[i] = w.epoch
			drawn++
			yield(i)
		}
	}
}

// mix64 is SplitMix64's finalizer; it spreads consecutive case indices
// over the PCG's stream space.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// topK keeps the k best (index, score) pairs seen, as a binary min-heap
// whose root is the worst kept: lowest score, and highest index on ties.
type topK struct {
	k   int
	idx []int32
	val []float32
}

func (h *topK) reset() {
	h.idx, h.val = h.idx[:0], h.val[:0]
}

// worse reports whether entry a ranks below entry b.
func (h *topK) worse(a, b int) bool {
	return h.val[a] < h.val[b] || (h.val[a] == h.val[b] && h.idx[a] > h.idx[b])
}

func (h *topK) swap(a, b int) {
	h.idx[a], h.idx[b] = h.idx[b], h.idx[a]
	h.val[a], h.val[b] = h.val[b], h.val[a]
}

// push adds an entry to a heap holding fewer than k.
func (h *topK) push(i int32, v float32) {
	h.idx, h.val = append(h.idx, i), append(h.val, v)
	for c := len(h.idx) - 1; c > 0; {
		p := (c - 1) / 2
		if !h.worse(c, p) {
			break
		}
		h.swap(c, p)
		c = p
	}
}

// replaceWorst replaces the root of a full heap with a better entry.
func (h *topK) replaceWorst(i int32, v float32) {
	h.idx[0], h.val[0] = i, v
	n := len(h.idx)
	for p := 0; ; {
		c := 2*p + 1
		if c >= n {
			return
		}
		if c+1 < n && h.worse(c+1, c) {
			c++
		}
		if !h.worse(c, p) {
			return
		}
		h.swap(c, p)
		p = c
	}
}
