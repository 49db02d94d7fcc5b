package vector

import (
	"math"
	"sync/atomic"
)

// cand is a graph node met during a search and its score with the query.
type cand struct {
	score float32
	slot  int32
}

// searchState holds one layer search's heaps: cands, the frontier, best
// first (a max-heap); res, the best accepted nodes so far, worst first (a
// min-heap of at most ef).
type searchState struct {
	cands, res []cand
}

// search is Malkov & Yashunin's SEARCH-LAYER: a best-first walk of layer l
// from eps that keeps the ef best nodes accept allows (all when accept is
// nil) in s.res. Rejected nodes are still walked through. The caller holds
// h.mu for reading.
func (s *searchState) search(h *HNSW, q []float32, eps []cand, ef, l int, accept func(int32) bool, vis *visitSet) {
	s.cands, s.res = s.cands[:0], s.res[:0]
	vis.next()
	for _, e := range eps {
		vis.marks[e.slot] = vis.gen
		s.cands = pushMax(s.cands, e)
		if accept == nil || accept(e.slot) {
			s.res = pushMin(s.res, e)
		}
	}
	for len(s.cands) > 0 {
		c := s.cands[0]
		if len(s.res) >= ef && c.score < s.res[0].score {
			break
		}
		s.cands = popMax(s.cands)
		list := h.list(c.slot, l)
		n := int(atomic.LoadInt32(&list[0]))
		for i := 1; i <= n; i++ {
			x := atomic.LoadInt32(&list[i])
			if vis.marks[x] == vis.gen {
				continue
			}
			vis.marks[x] = vis.gen
			sc := dot(q, h.vec(x))
			if len(s.res) >= ef && sc <= s.res[0].score {
				continue
			}
			s.cands = pushMax(s.cands, cand{sc, x})
			if accept != nil && !accept(x) {
				continue
			}
			if len(s.res) < ef {
				s.res = pushMin(s.res, cand{sc, x})
			} else {
				s.res[0] = cand{sc, x}
				siftDownMin(s.res)
			}
		}
	}
}

func pushMax(h []cand, c cand) []cand {
	h = append(h, c)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].score >= h[i].score {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	return h
}

func popMax(h []cand) []cand {
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		w := l
		if r := l + 1; r < n && h[r].score > h[l].score {
			w = r
		}
		if h[i].score >= h[w].score {
			break
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
	return h
}

func pushMin(h []cand, c cand) []cand {
	h = append(h, c)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].score <= h[i].score {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	return h
}

func siftDownMin(h []cand) {
	n := len(h)
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && h[r].score < h[l].score {
			w = r
		}
		if h[i].score <= h[w].score {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}

// Search returns up to k hits best first among the live ids keep accepts
// (all when keep is nil), with breadth EfSearch; see SearchEf.
func (h *HNSW) Search(q []float32, k int, keep func(id int32) bool) []Hit {
	return h.SearchEf(q, k, h.efSearch, keep)
}

// SearchEf is Search with breadth ef (raised to k when smaller): larger ef
// raises recall and cost. With keep set it filters during the walk, and it
// scans the kept ids exactly when a sample of the nodes says the filter is
// so selective that the scan is cheaper (HNSWConfig.ExactScanFactor), or
// when the walk found fewer than k, so k hits come back whenever k kept ids
// exist. It panics if len(q) is not Dim. keep must be safe for concurrent
// use when SearchEf is called concurrently.
func (h *HNSW) SearchEf(q []float32, k, ef int, keep func(id int32) bool) []Hit {
	checkDim("search", len(q), h.dim)
	h.mu.RLock()
	defer h.mu.RUnlock()
	if k <= 0 || h.live == 0 {
		return nil
	}
	ef = max(ef, k)
	if keep != nil && h.scanFactor > 0 && h.selective(keep, ef) {
		return h.scanLocked(q, k, keep)
	}
	hits := h.graphLocked(q, k, ef, keep)
	if len(hits) < k && len(hits) < h.live {
		return h.scanLocked(q, k, keep)
	}
	return hits
}

// selective samples up to 256 nodes evenly and reports whether the
// estimated number of kept live ids is at most scanFactor·√(ef·m0·live),
// where scanning the kept ids becomes cheaper than walking the graph (see
// HNSWConfig.ExactScanFactor).
func (h *HNSW) selective(keep func(int32) bool, ef int) bool {
	n := len(h.ids)
	step := max(n/256, 1)
	var alive, kept int
	for s := 0; s < n; s += step {
		if h.dead[s] {
			continue
		}
		alive++
		if keep(h.ids[s]) {
			kept++
		}
	}
	if alive == 0 {
		return true
	}
	est := float64(kept) / float64(alive) * float64(h.live)
	return est <= h.scanFactor*math.Sqrt(float64(ef)*float64(h.m0)*float64(h.live))
}

// graphLocked walks the graph for the k best live kept ids.
func (h *HNSW) graphLocked(q []float32, k, ef int, keep func(int32) bool) []Hit {
	e := h.entry.Load()
	if e < 0 {
		return nil
	}
	cur := int32(e)
	curScore := dot(q, h.vec(cur))
	for l := int(e >> 32); l > 0; l-- {
		cur, curScore = h.greedy(q, cur, curScore, l)
	}
	accept := func(s int32) bool { return !h.dead[s] && (keep == nil || keep(h.ids[s])) }
	vis := h.getVisited()
	defer h.visited.Put(vis)
	st := &vis.st
	st.search(h, q, []cand{{curScore, cur}}, ef, 0, accept, vis)
	top := newTopK(min(k, len(st.res)))
	for _, c := range st.res {
		top.push(Hit{ID: h.ids[c.slot], Score: c.score})
	}
	return top.sorted()
}

// scanLocked scores every live kept node.
func (h *HNSW) scanLocked(q []float32, k int, keep func(int32) bool) []Hit {
	top := newTopK(min(k, h.live))
	for s, id := range h.ids {
		if h.dead[s] || (keep != nil && !keep(id)) {
			continue
		}
		top.push(Hit{ID: id, Score: dot(q, h.vec(int32(s)))})
	}
	return top.sorted()
}

// SearchIDs returns the k best hits among ids, exactly; ids not held are
// skipped and ids must not repeat. It is the cheapest search when the
// caller already has the short list of allowed ids. It panics if len(q) is
// not Dim.
func (h *HNSW) SearchIDs(q []float32, k int, ids []int32) []Hit {
	checkDim("search", len(q), h.dim)
	h.mu.RLock()
	defer h.mu.RUnlock()
	return searchIDs(q, k, ids, func(id int32) ([]float32, bool) {
		s, ok := h.slot[id]
		if !ok {
			return nil, false
		}
		return h.vec(s), true
	})
}
