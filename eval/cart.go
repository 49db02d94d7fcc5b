package eval

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/recommend"
)

// Rankings CartExperiment compares.
const (
	// CartRanking is complete-the-cart as served (recommend.RankCart over
	// the trained item-to-item models, other leaf categories first).
	CartRanking = "cart (complete-the-cart)"
	// CartLeafOnly is the same ranking keeping apart only the previous
	// item's own leaf category (sibling leaves count as complements).
	CartLeafOnly = "cart, own leaf only kept apart"
	// CartSimilar is similar items as served: the fused blend from the one
	// item, items only popularity proposed left out.
	CartSimilar = "similar"
	// CartCoPurchase is the baseline: the items most shoppers had in
	// their training histories together with the item.
	CartCoPurchase = "co-purchase count (baseline)"
)

// cartK is the cut-off of the cart metrics.
const cartK = 10

// CartReport is what CartExperiment measured.
type CartReport struct {
	// Cases are the test steps whose item is in another leaf category
	// than the item before it; FellBack how many of them the cart ranking
	// answered from the previous item's own leaf (no complement left).
	Cases, FellBack int
	Results         []CartResult
}

// CartResult is one ranking's accuracy on the cart cases.
type CartResult struct {
	Model  string  `json:"model"`
	HR10   float64 `json:"hr@10"`
	NDCG10 float64 `json:"ndcg@10"`
}

// CartExperiment measures complete-the-cart offline on d's leave-one-out
// test steps whose item is in another leaf category than the item before
// it (categories gives an item's path by id; steps where either has none
// are left out): each ranking sees the previous item alone, leaves out the
// shopper's history as the experiment does, and is scored by HR@10 and
// NDCG@10 on the step's item. set are the models trained on the split's
// Full (train+validation) data, as Experiment trains them; fused the
// fusion's weights by member (ExperimentReport.Weights[Fused]), with
// perMember candidates per member, for similar items.
func CartExperiment(ctx context.Context, d *dataset.Dataset, set *saved.Set, fused map[string]float64, perMember int, categories func(string) []string) (*CartReport, error) {
	if set == nil || categories == nil {
		return nil, fmt.Errorf("cart experiment: needs the trained models and the items' categories")
	}
	sp := dataset.LeaveOneOut(d)
	leaves, kinds := make([]string, d.NumItems()), make([]string, d.NumItems())
	for i, id := range sp.Full.Items {
		if path := categories(id); len(path) > 0 {
			leaves[i], kinds[i] = strings.ToLower(path[len(path)-1]), recommend.CartKind(path)
		}
	}
	leaf := func(i int32) string { return leaves[i] }
	kind := func(i int32) string { return kinds[i] }
	var cases []dataset.Case
	for _, c := range sp.Test {
		prev := c.History[len(c.History)-1]
		if leaf(prev) != "" && leaf(c.Target) != "" && leaf(prev) != leaf(c.Target) {
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("cart experiment: no test step changes leaf category")
	}
	similar, err := similarRanking(set, fused, perMember)
	if err != nil {
		return nil, err
	}
	rep := &CartReport{Cases: len(cases)}
	sources := recommend.CartModels(set)
	rankings := []struct {
		name string
		top  func(prev int32, skip func(int32) bool) []int32
	}{
		{CartRanking, func(prev int32, skip func(int32) bool) []int32 {
			top, fell := cartTop(sources, prev, kind, skip)
			if fell {
				rep.FellBack++
			}
			return top
		}},
		{CartLeafOnly, func(prev int32, skip func(int32) bool) []int32 {
			top, _ := cartTop(sources, prev, leaf, skip)
			return top
		}},
		{CartSimilar, similar},
		{CartCoPurchase, coPurchase(sp.Full)},
	}
	for _, r := range rankings {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := CartResult{Model: r.name}
		for _, c := range cases {
			hist := make(map[int32]bool, len(c.History))
			for _, h := range c.History {
				hist[h] = true
			}
			top := r.top(c.History[len(c.History)-1], func(i int32) bool { return hist[i] })
			if k := slices.Index(top, c.Target); k >= 0 {
				res.HR10++
				res.NDCG10 += 1 / math.Log2(float64(k)+2)
			}
		}
		res.HR10 /= float64(len(cases))
		res.NDCG10 /= float64(len(cases))
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

// cartTop returns the cart ranking's first cartK items for the basket
// {prev} that skip keeps, falling back (fell) to prev's own leaf when no
// complement is left, as the engine's CompleteCart does.
func cartTop(sources []recommend.CartSource[int32], prev int32, kind func(int32) string, skip func(int32) bool) (top []int32, fell bool) {
	complements, sameLeaf := recommend.RankCart(sources, []int32{prev}, kind)
	for _, list := range [][]recommend.CartPick[int32]{complements, sameLeaf} {
		for _, p := range list {
			if !skip(p.Item) {
				top = append(top, p.Item)
				if len(top) == cartK {
					break
				}
			}
		}
		if len(top) > 0 {
			return top, fell
		}
		fell = true
	}
	return nil, false
}

// similarRanking returns similar items as the engine serves them from the
// trained models (recommend's similarTrained): the fused blend's
// candidates for the one item, without those only popularity proposed.
func similarRanking(set *saved.Set, fused map[string]float64, perMember int) (func(int32, func(int32) bool) []int32, error) {
	var names []string
	var weights []float64
	for _, n := range saved.BlendOrder {
		if w, ok := fused[n]; ok && set.Member(n) != nil {
			names, weights = append(names, n), append(weights, w)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("cart experiment: no fused weights for the set's models")
	}
	blend, err := set.Blend(names, weights)
	if err != nil {
		return nil, err
	}
	var itemModels uint64 // members other than popularity
	for m, n := range names {
		if n != saved.ModelPopular {
			itemModels |= 1 << m
		}
	}
	return func(prev int32, skip func(int32) bool) []int32 {
		c := blend.Rank([]int32{prev}, perMember)
		var top []int32
		for j, i := range c.Items {
			if i != prev && c.From[j]&itemModels != 0 && !skip(i) {
				top = append(top, i)
				if len(top) == cartK {
					break
				}
			}
		}
		return top
	}, nil
}

// coPurchase returns the baseline: the items that most of full's shoppers
// had in their histories together with the item, ties by item index.
func coPurchase(full *dataset.Dataset) func(int32, func(int32) bool) []int32 {
	users := make([][]int32, full.NumItems()) // item → the shoppers who had it
	for u, seq := range full.Seqs {
		for _, i := range seq {
			if n := len(users[i]); n == 0 || users[i][n-1] != int32(u) {
				users[i] = append(users[i], int32(u))
			}
		}
	}
	return func(prev int32, skip func(int32) bool) []int32 {
		counts := map[int32]int{}
		for _, u := range users[prev] {
			seen := map[int32]bool{}
			for _, i := range full.Seqs[u] {
				if i != prev && !seen[i] {
					seen[i] = true
					counts[i]++
				}
			}
		}
		items := make([]int32, 0, len(counts))
		for i := range counts {
			if !skip(i) {
				items = append(items, i)
			}
		}
		slices.SortFunc(items, func(a, b int32) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
		return items[:min(cartK, len(items))]
	}
}

// writeCart writes rep as a table, or with asJSON one JSON object a
// ranking ("experiment": "cart").
func writeCart(w io.Writer, rep *CartReport, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range rep.Results {
			if err := enc.Encode(map[string]any{"experiment": "cart", "model": r.Model, "hr@10": r.HR10, "ndcg@10": r.NDCG10, "cases": rep.Cases}); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(w, "\nComplete-the-cart: %d test steps whose item is in another leaf category than the one before it, ranked from that previous item alone (history excluded; the cart fell back to the item's own leaf for %d):\n\n", rep.Cases, rep.FellBack)
	fmt.Fprintln(w, "| ranking | HR@10 | NDCG@10 |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, r := range rep.Results {
		fmt.Fprintf(w, "| %s | %.4f | %.4f |\n", r.Model, r.HR10, r.NDCG10)
	}
	return nil
}

// runCart runs CartExperiment after Experiment's report rep, when the
// items have categories, and writes it.
func runCart(ctx context.Context, w io.Writer, d *dataset.Dataset, items []aisle.Item, rep *ExperimentReport, tc train.Config, asJSON bool) error {
	categories := itemCategories(items)
	if categories == nil || rep.Set == nil {
		return nil
	}
	cr, err := CartExperiment(ctx, d, rep.Set, rep.Weights[Fused], tc.CandidatesPerModel(), categories)
	if err != nil {
		return err
	}
	return writeCart(w, cr, asJSON)
}
