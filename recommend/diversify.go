package recommend

import (
	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// diversityPool is how many times more candidates than asked for a
// diversified list chooses from.
const diversityPool = 3

// diversify picks n of ranked (best first) by maximal marginal relevance
// (Carbonell & Goldstein, SIGIR 1998): each next item maximises
// (1−d)·relevance − d·(its largest similarity to the items already
// picked), relevance falling linearly with the item's place in ranked
// (the sources' scores are not comparable), similarity the cosine of the
// item vectors when both items have one, else 1 for the same leaf
// category and 0 otherwise. d = 0 keeps ranked's order; d = 1 picks the
// item least like those before it. Picked items say so in their reasons
// when they moved up.
func (e *Engine) diversify(ranked []aisle.Recommendation, d float64, n int) []aisle.Recommendation {
	if d <= 0 || len(ranked) <= 1 {
		return ranked[:min(n, len(ranked))]
	}
	cat := e.emb.Load()
	vecs := make([][]float32, len(ranked))
	leaves := make([]string, len(ranked))
	e.memMu.RLock()
	for i, r := range ranked {
		if cat != nil {
			vecs[i] = cat.Vector(r.Item)
		}
		leaves[i] = e.mem.items[r.Item].leaf()
	}
	e.memMu.RUnlock()
	sim := func(i, j int) float64 {
		if vecs[i] != nil && vecs[j] != nil {
			return float64(vector.Dot(vecs[i], vecs[j]))
		}
		if leaves[i] != "" && leaves[i] == leaves[j] {
			return 1
		}
		return 0
	}
	picked := make([]int, 0, n)
	taken := make([]bool, len(ranked))
	maxSim := make([]float64, len(ranked)) // to the picked items
	for len(picked) < n && len(picked) < len(ranked) {
		best, bestVal := -1, 0.0
		for i := range ranked {
			if taken[i] {
				continue
			}
			rel := 1 - float64(i)/float64(len(ranked))
			v := (1-d)*rel - d*maxSim[i]
			if best < 0 || v > bestVal {
				best, bestVal = i, v
			}
		}
		taken[best] = true
		picked = append(picked, best)
		for i := range ranked {
			if !taken[i] {
				maxSim[i] = max(maxSim[i], sim(i, best))
			}
		}
	}
	out := make([]aisle.Recommendation, len(picked))
	for k, i := range picked {
		out[k] = ranked[i]
		if i > k {
			out[k].Reasons = append(out[k].Reasons[:len(out[k].Reasons):len(out[k].Reasons)], "moved up for variety")
		}
	}
	return out
}
