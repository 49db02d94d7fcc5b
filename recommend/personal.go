package recommend

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/vector"
)

// The item-item models (itemcf, transitions) answer a blend's Top and
// ScoreItems for one shopper from one accumulation of the votes.
var _ rank.Preparer = (*candidate.ItemItem)(nil)

// ModelFused names recommendations from the trained, fused model set.
const ModelFused = "fused"

// personal is a loaded model version: the fused ranking of the models
// `aisle train` saved, over the item indices of its Meta.
type personal struct {
	meta  *saved.Meta
	set   *saved.Set
	fused *rank.Blend
	names []string         // fused member m is names[m]
	index map[string]int32 // item id → index
	// untouched marks the items no interaction of the training set has.
	untouched []bool
}

// loadLatest loads the newest version under e.cfg.ModelDir when it is
// newer than the one serving; the old one serves until the swap.
// It reports whether it loaded one.
func (e *Engine) loadLatest() (bool, error) {
	if e.cfg.ModelDir == "" {
		return false, nil
	}
	meta, err := saved.Latest(e.cfg.ModelDir)
	if errors.Is(err, saved.ErrNoModel) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if cur := e.model.Load(); cur != nil && cur.meta.Version >= meta.Version {
		return false, nil
	}
	meta, set, fused, err := saved.Load(e.cfg.ModelDir, meta.Version)
	if err != nil {
		return false, err
	}
	p := &personal{meta: meta, set: set, fused: fused, names: meta.BlendMembers(), index: make(map[string]int32, len(meta.Items)), untouched: make([]bool, len(meta.Items))}
	for i, id := range meta.Items {
		p.index[id] = int32(i)
	}
	if m := set.Member(saved.ModelPopular); m != nil {
		counts := make([]float32, len(meta.Items))
		m.Scorer.Score(nil, counts)
		for i, c := range counts {
			p.untouched[i] = c == 0
		}
	}
	e.model.Store(p)
	e.logger.Info("model version loaded", "version", meta.Version, "valid_ndcg@10", meta.ValidNDCG10, "items", len(meta.Items))
	return true, nil
}

// ModelVersion returns the version serving personalised recommendations,
// or "" when none is loaded.
func (e *Engine) ModelVersion() string {
	if p := e.model.Load(); p != nil {
		return p.meta.Version
	}
	return ""
}

// candidates returns how many items each proposing model contributes.
func (p *personal) candidates() int {
	if p.meta.Candidates > 0 {
		return p.meta.Candidates
	}
	return 100
}

// rank returns the fused candidates for history (item indices), as ids
// with scores and which members proposed each.
func (p *personal) rank(history []int32, perMember int) []scored {
	return p.scored(p.fused.Rank(history, perMember))
}

// rankShopper is rank for a shopper's history: with the version's
// second-stage ranker, when validation chose it, the best candidates
// re-ordered by it (history items left out).
func (p *personal) rankShopper(history []int32, perMember int) []scored {
	if p.set.Ranker == nil {
		return p.rank(history, perMember)
	}
	return p.scored(p.set.Ranker.Rank(p.fused, history, perMember))
}

// scored returns c's items as ids with scores and which members
// proposed each.
func (p *personal) scored(c rank.Candidates) []scored {
	out := make([]scored, len(c.Items))
	for j, i := range c.Items {
		out[j] = scored{p.meta.Items[i], float64(c.Scores[j]), c.From[j]}
	}
	return out
}

// recommendPersonal ranks items for a user with history recent (oldest
// first) with the loaded models, over the candidates they propose. Besides
// skip, it leaves out the history itself, as the offline protocol the
// models were tuned under does; skip is not modified. It returns nil when
// no model is loaded or none of the history is known to it, and may return
// fewer than n items; the caller tops up with popularity.
func (e *Engine) recommendPersonal(recent []string, skip map[string]bool, f *filter, n int) []aisle.Recommendation {
	p := e.model.Load()
	if p == nil {
		return nil
	}
	per := p.candidates()
	if f.narrows() {
		per *= 4 // fewer of them survive the filter
	}
	history := p.indices(recent)
	skipped := maps.Clone(skip)
	for _, id := range recent {
		skipped[id] = true
	}
	// Items no shopper has touched yet get every ColdEvery-th place,
	// chosen by their texts alone (the fused ranking cannot place them).
	var cold []aisle.Recommendation
	if e.cfg.ColdEvery > 0 {
		cands := e.contentCandidates(recent, p.contentConfig(), per, float32(e.cfg.ColdMinSimilarity), p.isCold)
		cold = e.pick(cands, skipped, f, n/e.cfg.ColdEvery, func(c scored) aisle.Recommendation {
			return aisle.Recommendation{Item: c.id, Score: c.score, Models: []string{ModelContent}, Reasons: []string{"new to shoppers, and described like items you looked at"}}
		})
		for _, r := range cold {
			skipped[r.Item] = true
		}
	}
	var main []aisle.Recommendation
	if len(history) > 0 {
		main = e.pick(p.rankShopper(history, per), skipped, f, n, e.explainer(p, history))
	}
	if len(main) == 0 && len(cold) == 0 {
		return nil
	}
	return rank.Interleave(main, cold, e.cfg.ColdEvery, n)
}

// similarTrained returns up to n items the trained item-to-item models
// (collaborative and sequential) put next to item, scored by the fusion as
// if item were a shopper's only history; nil when no model knows item.
func (e *Engine) similarTrained(item string, n int) []aisle.Recommendation {
	p := e.model.Load()
	if p == nil {
		return nil
	}
	i, ok := p.index[item]
	if !ok {
		return nil
	}
	history := []int32{i}
	cands := p.rank(history, p.candidates())
	skip := map[string]bool{item: true}
	for _, c := range cands {
		if !p.proposedByItemModel(c.from) {
			skip[c.id] = true // popular, not similar
		}
	}
	return e.pick(cands, skip, nil, n, e.explainer(p, history))
}

// isCold reports whether no shopper had touched item id when the models
// were trained: it is newer than them, or had no interactions.
func (p *personal) isCold(id string) bool {
	i, ok := p.index[id]
	return !ok || p.untouched[i]
}

// indices maps the known ids of recent to item indices.
func (p *personal) indices(recent []string) []int32 {
	history := make([]int32, 0, len(recent))
	for _, id := range recent {
		if i, ok := p.index[id]; ok {
			history = append(history, i)
		}
	}
	return history
}

// proposedByItemModel reports whether an item-to-item member is among
// the proposers in bits.
func (p *personal) proposedByItemModel(bits uint64) bool {
	for m, name := range p.names {
		if bits&(1<<m) != 0 && name != saved.ModelPopular {
			return true
		}
	}
	return false
}

// reasonOrder is which proposer's reason an item gets, first match wins,
// and the reason's wording with the anchoring history item's title.
var reasonOrder = []struct {
	model, format string
}{
	{saved.ModelTransition, "often bought right after %q"},
	{saved.ModelSLIST, "bought together with %q"},
	{saved.ModelEASE, "bought together with %q"},
	{saved.ModelItemCF, "often bought together with %q"},
}

// explainer returns pick's explain for candidates of history.
func (e *Engine) explainer(p *personal, history []int32) func(scored) aisle.Recommendation {
	return func(c scored) aisle.Recommendation {
		models, reason := e.explain(p, history, p.index[c.id], c.from)
		return aisle.Recommendation{Item: c.id, Score: c.score, Models: models, Reasons: []string{reason}}
	}
}

// explain returns the models that proposed item (fused first) and a short
// reason naming the history item that most supports it. It reads e.mem
// and must be called with e.memMu held, as pick's explain is.
func (e *Engine) explain(p *personal, history []int32, item int32, bits uint64) ([]string, string) {
	models := []string{ModelFused}
	for m, name := range p.names {
		if bits&(1<<m) != 0 {
			models = append(models, name)
		}
	}
	for _, r := range reasonOrder {
		mm := p.set.Member(r.model)
		if mm == nil || !slices.Contains(models, r.model) {
			continue
		}
		ii, ok := mm.Scorer.(*candidate.ItemItem)
		if !ok {
			continue
		}
		if anchor := strongest(ii, history, item); anchor >= 0 {
			id := p.meta.Items[anchor]
			return models, fmt.Sprintf(r.format, cmp.Or(e.mem.items[id].title, id))
		}
	}
	if mm := p.set.Member(saved.ModelContent); mm != nil && slices.Contains(models, saved.ModelContent) {
		if c, ok := mm.Scorer.(*candidate.Content); ok {
			if anchor := mostAlike(c, history, item); anchor >= 0 {
				id := p.meta.Items[anchor]
				return models, fmt.Sprintf("described like %q", cmp.Or(e.mem.items[id].title, id))
			}
		}
	}
	if slices.Contains(models, saved.ModelPopular) {
		return models, "one of the store's most popular items"
	}
	return models, "matches the items you recently looked at"
}

// mostAlike returns the history item among the last ten whose text is
// most like item's, or -1 when none is at all alike.
func mostAlike(c *candidate.Content, history []int32, item int32) int32 {
	best, bestW := int32(-1), float32(0)
	v := c.Vector(item)
	if v == nil {
		return -1
	}
	for _, h := range history[max(0, len(history)-10):] {
		if u := c.Vector(h); u != nil {
			if w := vector.Dot(u, v); w > bestW {
				best, bestW = h, w
			}
		}
	}
	return best
}

// strongest returns the history item among the last ten with the largest
// weight to item in m, or -1 when none has any.
func strongest(m *candidate.ItemItem, history []int32, item int32) int32 {
	best, bestW := int32(-1), float32(0)
	for _, h := range history[max(0, len(history)-10):] {
		if w := m.Weight(h, item); w > bestW {
			best, bestW = h, w
		}
	}
	return best
}
