package recommend

import (
	"context"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
)

// ModelRule names the items a pin rule put in a list although no model
// proposed them.
const ModelRule = "rule"

// maxRulesPool caps the candidates gathered so that blocked items can
// be replaced.
const maxRulesPool = 4096

// rulesKey marks a context whose request the rules are applied to
// already, by the outermost call.
type rulesKey struct{}

// rulesActive reports whether rules apply to a request with ctx: some
// rule is active and no outer call applies them.
func (e *Engine) rulesActive(ctx context.Context, n int) bool {
	return e.deps.Rules != nil && ctx.Value(rulesKey{}) == nil && e.deps.Rules.Reach(n) > n
}

// recommendWithRules applies the store's rules (Deps.Rules) to Recommend:
// it asks Recommend for enough candidates (rules.Live.Reach, more while
// blocks leave the list short) and lets rules.Apply block, pin, boost
// and bury. ok is false when no rule is active: the caller goes on.
func (e *Engine) recommendWithRules(ctx context.Context, user string, req aisle.RecommendRequest) (recs []aisle.Recommendation, ok bool, err error) {
	if !e.rulesActive(ctx, req.N) {
		return nil, false, nil
	}
	skip := e.skipped(user, req)
	f := newFilter(req)
	recs, err = e.withPool(ctx, req.N, func(ctx context.Context, k int) ([]aisle.Recommendation, error) {
		pool := req
		pool.N = k
		return e.Recommend(ctx, user, pool)
	}, f, skip)
	return recs, true, err
}

// similarWithRules is recommendWithRules for similar items: find is the
// Similar method the request asked for.
func (e *Engine) similarWithRules(ctx context.Context, item string, n int, find func(context.Context, string, int) ([]aisle.Recommendation, error)) (recs []aisle.Recommendation, ok bool, err error) {
	if !e.rulesActive(ctx, n) {
		return nil, false, nil
	}
	recs, err = e.withPool(ctx, n, func(ctx context.Context, k int) ([]aisle.Recommendation, error) {
		return find(ctx, item, k)
	}, nil, map[string]bool{item: true})
	return recs, true, err
}

// withPool gathers Reach(n) candidates with gather, applies the rules,
// and gathers four times as many while the rules leave fewer than n and
// gather had more to give.
func (e *Engine) withPool(ctx context.Context, n int, gather func(context.Context, int) ([]aisle.Recommendation, error), f *filter, skip map[string]bool) ([]aisle.Recommendation, error) {
	ctx = context.WithValue(ctx, rulesKey{}, true)
	for k := e.deps.Rules.Reach(n); ; k = min(4*k, maxRulesPool) {
		list, err := gather(ctx, k)
		if err != nil {
			return nil, err
		}
		out := e.applyRules(list, n, f, skip)
		if len(out) >= n || len(list) < k || k >= maxRulesPool {
			return out, nil
		}
	}
}

// applyRules applies the store's rules (Deps.Rules) to list, ranked best
// first, and returns its first n. Give it more candidates than n
// (rulesReach) so that blocked and buried items are replaced. An item a
// pin names that list lacks is inserted when the catalog has it, it can
// be bought, f keeps it (nil keeps all; its per-category cap does not
// apply to pins) and skip does not hold it. Each item a rule moved says
// so in its reasons. The list's entries are copied, not changed. Callers
// (the cart) use it as Recommend does through recommendWithRules.
func (e *Engine) applyRules(list []aisle.Recommendation, n int, f *filter, skip map[string]bool) []aisle.Recommendation {
	if e.deps.Rules == nil {
		return list[:min(n, len(list))]
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	return rules.Apply(e.deps.Rules, list, n, ruleCands{mem: e.mem, f: f, skip: skip})
}

// rulesReach returns how many candidates to gather for n items so that
// the rules active now can block, bury and pin (n when none is).
func (e *Engine) rulesReach(n int) int {
	if e.deps.Rules == nil {
		return n
	}
	return e.deps.Rules.Reach(n)
}

// ruleCands adapts recommendations to rules.Apply over the engine's
// catalog in memory; it reads mem, so its caller holds memMu.
type ruleCands struct {
	mem  *memory
	f    *filter
	skip map[string]bool
}

func (c ruleCands) ID(r *aisle.Recommendation) string { return r.Item }

func (c ruleCands) Item(id string) (rules.Item, bool) {
	b, ok := c.mem.items[id]
	if !ok {
		return rules.Item{}, false
	}
	return rules.Item{ID: id, Brand: b.brand, Categories: b.categories, Attributes: b.attrs, Colors: b.colors, Materials: b.materials, Price: b.price}, true
}

func (c ruleCands) Insert(id string) (aisle.Recommendation, bool) {
	b, ok := c.mem.items[id]
	if !ok || !b.buyable || c.skip[id] || !c.f.keeps(b) {
		return aisle.Recommendation{}, false
	}
	return aisle.Recommendation{Item: id, Title: b.title, Models: []string{ModelRule}, Reasons: []string{}}, true
}

func (c ruleCands) Explain(r *aisle.Recommendation, reason string) {
	r.Reasons = append(slices.Clip(r.Reasons), reason)
}

// Rules returns the rules the engine applies (Deps.Rules), nil for none.
func (e *Engine) Rules() *rules.Live { return e.deps.Rules }
