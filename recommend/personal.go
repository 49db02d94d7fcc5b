package recommend

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rank"
	"github.com/aislehq/aisle/train"
)

// ModelFused names recommendations from the trained, fused model set.
const ModelFused = "fused"

// personal is a loaded model version: the fused ranking of the models
// `aisle train` saved, over the item indices of its Meta.
type personal struct {
	meta  *train.Meta
	fused *rank.Fusion
	index map[string]int32 // item id → index
	bufs  sync.Pool        // *[]float32 of len(meta.Items)
}

// loadLatest loads the newest version under e.cfg.ModelDir when it is
// newer than the one serving; the old one serves until the swap.
func (e *Engine) loadLatest() error {
	if e.cfg.ModelDir == "" {
		return nil
	}
	meta, err := train.Latest(e.cfg.ModelDir)
	if errors.Is(err, train.ErrNoModel) {
		return nil
	}
	if err != nil {
		return err
	}
	if cur := e.model.Load(); cur != nil && cur.meta.Version >= meta.Version {
		return nil
	}
	meta, _, fused, err := train.Load(e.cfg.ModelDir, meta.Version)
	if err != nil {
		return err
	}
	p := &personal{meta: meta, fused: fused, index: make(map[string]int32, len(meta.Items))}
	for i, id := range meta.Items {
		p.index[id] = int32(i)
	}
	n := len(meta.Items)
	p.bufs.New = func() any { b := make([]float32, n); return &b }
	e.model.Store(p)
	e.logger.Info("model version loaded", "version", meta.Version, "valid_ndcg@10", meta.ValidNDCG10, "items", n)
	return nil
}

// ModelVersion returns the version serving personalised recommendations,
// or "" when none is loaded.
func (e *Engine) ModelVersion() string {
	if p := e.model.Load(); p != nil {
		return p.meta.Version
	}
	return ""
}

// recommendPersonal ranks items for a user with history recent (oldest
// first) using the loaded models. Besides skip, it leaves out the history
// itself, as the offline protocol the models were tuned under does; skip is
// not modified. It returns nil when no model is loaded
// or none of the history is known to it, so the caller falls back to
// popularity.
func (e *Engine) recommendPersonal(recent []string, skip map[string]bool, category string, n int) []aisle.Recommendation {
	p := e.model.Load()
	if p == nil {
		return nil
	}
	history := make([]int32, 0, len(recent))
	for _, id := range recent {
		if i, ok := p.index[id]; ok {
			history = append(history, i)
		}
	}
	if len(history) == 0 {
		return nil
	}
	bp := p.bufs.Get().(*[]float32)
	defer p.bufs.Put(bp)
	scores := *bp
	p.fused.Score(history, scores)
	// The best candidates, generously: picking drops bought, excluded,
	// unavailable and out-of-category items.
	k := n + len(skip) + len(history) + 32
	if category != "" {
		k = len(scores)
	}
	cands := topScored(scores, p.meta.Items, k)
	last := recent[len(recent)-1]
	e.memMu.RLock()
	lastTitle := e.mem.items[last].title
	e.memMu.RUnlock()
	if lastTitle == "" {
		lastTitle = last
	}
	skipped := maps.Clone(skip)
	for _, id := range recent {
		skipped[id] = true
	}
	models := make([]string, 0, len(p.meta.Weights))
	for _, m := range p.meta.Members {
		if p.meta.Weights[m.Name] > 0 {
			models = append(models, m.Name)
		}
	}
	return e.pick(cands, skipped, category, n, func(c scored) aisle.Recommendation {
		return aisle.Recommendation{
			Item: c.id, Score: c.score, Models: append([]string{ModelFused}, models...),
			Reasons: []string{fmt.Sprintf("often next after %q, which you recently looked at", lastTitle)},
		}
	})
}

// topScored returns the k best-scoring items, best first (ties by index):
// a bounded min-heap over one pass, O(n log k) instead of sorting n.
func topScored(scores []float32, ids []string, k int) []scored {
	k = min(k, len(scores))
	if k <= 0 {
		return nil
	}
	// worse reports whether item a ranks below item b.
	worse := func(a, b int32) bool {
		return scores[a] < scores[b] || (scores[a] == scores[b] && a > b)
	}
	h := make([]int32, 0, k) // min-heap: h[0] is the worst kept
	down := func(i int) {
		for {
			l, small := 2*i+1, i
			if l < len(h) && worse(h[l], h[small]) {
				small = l
			}
			if r := l + 1; r < len(h) && worse(h[r], h[small]) {
				small = r
			}
			if small == i {
				return
			}
			h[i], h[small] = h[small], h[i]
			i = small
		}
	}
	for i := range scores {
		x := int32(i)
		if len(h) < k {
			h = append(h, x)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !worse(h[j], h[p]) {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
			continue
		}
		if worse(h[0], x) {
			h[0] = x
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b int32) int {
		if worse(a, b) {
			return 1
		}
		if worse(b, a) {
			return -1
		}
		return 0
	})
	out := make([]scored, len(h))
	for j, i := range h {
		out[j] = scored{ids[i], float64(scores[i])}
	}
	return out
}
