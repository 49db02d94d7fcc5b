package recommend

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/saved"
)

// Complete-the-cart: items bought with or right after the basket's items,
// of other kinds than theirs (other leaf categories, sibling leaves of deep
// paths counting as one kind: ink for a printer, not another printer). RankCart is the ranking, shared by the engine (CompleteCart)
// and the offline evaluation (package eval), which runs it on the trained
// models' item indices.

// CartSource is one item-to-item model complete-the-cart draws on, over
// items keyed by K (item ids when serving, item indices offline).
type CartSource[K comparable] struct {
	// Name is the model's name, reported with each item it proposes.
	Name string
	// Reason explains an item this source proposed, with the title of the
	// basket item behind it (a format with one %q).
	Reason string
	// Neighbors returns item's neighbours in this model, best first, with
	// positive weights; nil when it has none.
	Neighbors func(item K) ([]K, []float32)
}

// CartPick is one item RankCart ranked.
type CartPick[K comparable] struct {
	Item  K
	Score float64
	// Source and Anchor are the source and the basket item behind the
	// item's largest share of its score, for its reason.
	Source int
	Anchor K
	// Models has bit s set when source s proposed the item.
	Models uint64
}

// RankCart ranks the items that complete basket: every source's neighbours
// of every basket item, each weight divided by the basket item's best one
// in that source (so every basket item and source counts alike), summed.
// The basket's items are left out. complements are the items of no kind
// of a basket item (kind returns an item's, CartKind of its category
// path, "" for none), best first; sameLeaf the others, which callers fall
// back to only when no complement is left after their own filters.
func RankCart[K comparable](sources []CartSource[K], basket []K, kind func(K) string) (complements, sameLeaf []CartPick[K]) {
	inBasket := make(map[K]bool, len(basket))
	kinds := make(map[string]bool, len(basket))
	for _, b := range basket {
		inBasket[b] = true
		if k := kind(b); k != "" {
			kinds[k] = true
		}
	}
	at := map[K]int{}
	var picks []CartPick[K]
	best := []float64{} // picks[i]'s largest share
	for s, src := range sources {
		for _, b := range basket {
			items, weights := src.Neighbors(b)
			if len(items) == 0 || weights[0] <= 0 {
				continue
			}
			top := float64(weights[0])
			for k, it := range items {
				if inBasket[it] {
					continue
				}
				share := float64(weights[k]) / top
				i, ok := at[it]
				if !ok {
					i = len(picks)
					at[it] = i
					picks = append(picks, CartPick[K]{Item: it})
					best = append(best, 0)
				}
				p := &picks[i]
				p.Score += share
				p.Models |= 1 << s
				if share > best[i] {
					best[i], p.Source, p.Anchor = share, s, b
				}
			}
		}
	}
	slices.SortStableFunc(picks, func(x, y CartPick[K]) int { return cmp.Compare(y.Score, x.Score) })
	for _, p := range picks {
		if k := kind(p.Item); k != "" && kinds[k] {
			sameLeaf = append(sameLeaf, p)
		} else {
			complements = append(complements, p)
		}
	}
	return complements, sameLeaf
}

// CartKind returns the kind of item a category path (root first) names
// for complete-the-cart: its leaf, lower-cased, or for paths of four or
// more levels the leaf's parent, so that sibling leaves are one kind
// ("Printers" for Office's Inkjet, Laser and Photo Printers: a printer
// does not complete a printer), while ink ("Printer Ink & Toner, Inkjet
// Printer Ink") stays apart. "" for no path.
func CartKind(path []string) string {
	switch n := len(path); {
	case n == 0:
		return ""
	case n >= 4:
		return strings.ToLower(path[n-2])
	default:
		return strings.ToLower(path[n-1])
	}
}

// Reasons of complete-the-cart's sources.
const (
	cartAfter    = "often bought right after %q"
	cartTogether = "bought together with %q"
)

// CartModels returns the sources complete-the-cart ranks with from a
// trained set, over its item indices: item-to-item transitions ("bought
// right after") and item-to-item CF ("bought together"), those the set
// has.
func CartModels(set *saved.Set) []CartSource[int32] {
	var out []CartSource[int32]
	for _, m := range []struct{ name, reason string }{{saved.ModelTransition, cartAfter}, {saved.ModelItemCF, cartTogether}} {
		mm := set.Member(m.name)
		if mm == nil {
			continue
		}
		ii, ok := mm.Scorer.(*candidate.ItemItem)
		if !ok {
			continue
		}
		out = append(out, CartSource[int32]{Name: m.name, Reason: m.reason, Neighbors: func(i int32) ([]int32, []float32) {
			if i < 0 || int(i) >= ii.NumItems() {
				return nil, nil
			}
			return ii.Neighbors(i)
		}})
	}
	return out
}

// cartSources returns the sources CompleteCart ranks with, over item ids:
// the serving version's (CartModels), and the co-occurrence rebuilt from
// the log for the basket items that version does not know (newer items).
func (e *Engine) cartSources() []CartSource[string] {
	var out []CartSource[string]
	p := e.model.Load()
	if p != nil {
		for _, src := range CartModels(p.set) {
			out = append(out, CartSource[string]{Name: src.Name, Reason: src.Reason, Neighbors: func(id string) ([]string, []float32) {
				i, ok := p.index[id]
				if !ok {
					return nil, nil
				}
				items, weights := src.Neighbors(i)
				ids := make([]string, len(items))
				for k, j := range items {
					ids[k] = p.meta.Items[j]
				}
				return ids, weights
			}})
		}
	}
	co := e.co.Load()
	if co == nil {
		return out
	}
	return append(out, CartSource[string]{Name: ModelCoOccurrence, Reason: "often bought together with %q", Neighbors: func(id string) ([]string, []float32) {
		if _, known := p.indexOf(id); known {
			return nil, nil
		}
		nb := co.neighbors(id)
		ids, weights := make([]string, len(nb)), make([]float32, len(nb))
		for k, c := range nb {
			ids[k], weights[k] = c.id, float32(c.score)
		}
		return ids, weights
	}})
}

// indexOf returns id's item index in p; false when p is nil or does not
// know id.
func (p *personal) indexOf(id string) (int32, bool) {
	if p == nil {
		return 0, false
	}
	i, ok := p.index[id]
	return i, ok
}

// CompleteCart returns up to req.N items that complete the basket
// req.Items (RankCart over the serving models), with the reason each was
// chosen, filtered as Recommend filters; the basket, req.Exclude and, with
// req.User, what that shopper bought are left out, and variants (variants.go)
// grouped. When no item of another leaf category is left it falls back to
// items of the basket's own, saying so. req must have passed Validate.
// EINVALID naming "items[k]" for a basket item not in the catalog.
func (e *Engine) CompleteCart(ctx context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error) {
	if !e.Ready() {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "models are not built yet")
	}
	basket, skip, err := e.cartBasket(req)
	if err != nil {
		return nil, err
	}
	f := newFilter(req.Filters())
	if f.category != "" && !e.hasCategory(f.category) {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "category", "no item in the catalog has category %q", req.Category)
	}
	f.variants = e.variantsFor(req.User, false)
	e.memMu.RLock()
	for _, id := range basket {
		if k := e.mem.items[id].variant; k != "" {
			f.variants.bought[k] = true // another colour of a basket item completes nothing
		}
	}
	e.memMu.RUnlock()
	sources := e.cartSources()
	complements, sameLeaf := RankCart(sources, basket, e.kindOf)
	reach := e.rulesReach(req.N) // more candidates when rules may block or bury
	recs := e.pickCart(sources, complements, skip, f, reach, "")
	if len(recs) == 0 {
		recs = e.pickCart(sources, sameLeaf, skip, f, reach, "; nothing from another category goes with your basket yet")
	}
	// Business rules (rules.go): the one place they apply to the cart.
	recs = e.applyRules(recs, req.N, f, skip)
	e.attachVariants(f.variants, recs)
	return recs, nil
}

// cartBasket returns req's basket without repeats and the items to leave
// out: the basket, req.Exclude and what req.User bought.
func (e *Engine) cartBasket(req aisle.CartRequest) ([]string, map[string]bool, error) {
	skip := make(map[string]bool, len(req.Items)+len(req.Exclude))
	var basket []string
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	for k, id := range req.Items {
		if _, ok := e.mem.items[id]; !ok {
			return nil, nil, aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("items[%d]", k), "no item %q in the catalog", id)
		}
		if !skip[id] {
			basket = append(basket, id)
			skip[id] = true
		}
	}
	for _, id := range req.Exclude {
		skip[id] = true
	}
	if req.User != "" {
		for _, id := range e.mem.bought[req.User] {
			skip[id] = true
		}
	}
	return basket, skip, nil
}

// kindOf returns item id's CartKind; "" for none.
func (e *Engine) kindOf(id string) string {
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	return CartKind(e.mem.items[id].categories)
}

// pickCart picks up to n of ranked (by sources) as pick does, each with
// its models and its reason (followed by note).
func (e *Engine) pickCart(sources []CartSource[string], ranked []CartPick[string], skip map[string]bool, f *filter, n int, note string) []aisle.Recommendation {
	cands := make([]scored, len(ranked))
	byID := make(map[string]CartPick[string], len(ranked))
	for i, p := range ranked {
		cands[i] = scored{id: p.Item, score: p.Score}
		byID[p.Item] = p
	}
	return e.pick(cands, skip, f, n, func(c scored) aisle.Recommendation {
		p := byID[c.id]
		var models []string
		for s, src := range sources {
			if p.Models&(1<<s) != 0 {
				models = append(models, src.Name)
			}
		}
		// pick holds e.memMu.
		title := cmp.Or(e.mem.items[p.Anchor].title, p.Anchor)
		return aisle.Recommendation{Item: c.id, Score: c.score, Models: models, Reasons: []string{fmt.Sprintf(sources[p.Source].Reason, title) + note}}
	})
}
