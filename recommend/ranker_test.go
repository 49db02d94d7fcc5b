package recommend

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

// TestSecondStageRankerServes trains a version with the second-stage
// ranker on a real slice of Office, as `aisle train` does, and checks
// that shoppers' lists come in the ranker's order, not the blend's.
func TestSecondStageRankerServes(t *testing.T) {
	ctx := context.Background()
	db := officeStore(t, 3000)
	items := must(aisle.AllItems(ctx, db))
	dir := t.TempDir()
	cfg := train.Config{Seed: 1, Ranker: rank.RerankOptions{Always: true}}
	if err := train.NewVersion(ctx, db.Events(ctx, 0), items, dir, cfg, io.Discard, nil); err != nil {
		t.Fatal(err)
	}
	meta := must(saved.Latest(dir))
	if meta.Ranker == "" {
		t.Fatal("no ranker saved")
	}
	e := NewEngine(db, Deps{}, Config{ModelDir: dir, ColdEvery: -1}, nil)
	if err := e.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := e.model.Load()
	if p.set.Ranker == nil {
		t.Fatal("the served version has no ranker")
	}
	differs := 0
	for _, user := range []string{"1", "7", "42", "100", "250", "999", "1500", "2222"} {
		recs := must(e.Recommend(ctx, user, aisle.RecommendRequest{N: 10}))
		e.memMu.RLock()
		history := p.indices(e.mem.recent[user])
		bought := e.mem.bought[user]
		e.memMu.RUnlock()
		if len(history) == 0 {
			continue
		}
		var want, blend []string
		for _, i := range p.set.Ranker.Rank(p.fused, history, p.candidates()).Items {
			if id := p.meta.Items[i]; !slices.Contains(bought, id) {
				want = append(want, id)
			}
		}
		for _, i := range p.fused.Rank(history, p.candidates()).Items {
			if id := p.meta.Items[i]; !slices.Contains(bought, id) && !slices.Contains(history, i) && len(blend) < 10 {
				blend = append(blend, id)
			}
		}
		// The engine may leave items out (variants of a purchase, say),
		// never reorder them.
		at := -1
		for _, id := range ids(recs) {
			k := slices.Index(want, id)
			if k <= at {
				t.Errorf("shopper %s gets %v, not in the ranker's order %v", user, ids(recs), want[:min(15, len(want))])
				break
			}
			at = k
		}
		if !slices.Equal(want[:len(blend)], blend) {
			differs++
		}
	}
	if differs == 0 {
		t.Error("the ranker orders every shopper's list as the blend does")
	}
}
