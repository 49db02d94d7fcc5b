package vector

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHNSW checks a 20,000 × 64 graph of random unit vectors (uniform on
// the sphere, the hard case) against exact search.
func TestHNSW(t *testing.T) {
	const n, dim, nq, k = 20000, 64, 200, 10
	rng := rand.New(rand.NewPCG(7, 8))
	vecs := randomUnit(rng, n, dim)
	queries := randomUnit(rng, nq, dim)
	flat := NewFlat(dim)
	for i := range n {
		flat.Add(int32(i), vecs[i*dim:(i+1)*dim])
	}
	h := NewHNSW(dim, HNSWConfig{Seed: 1})
	if err := h.Build(seq(n), vecs, 2); err != nil {
		t.Fatal(err)
	}
	if h.Len() != n || h.Dim() != dim {
		t.Fatalf("Len, Dim = %d, %d, want %d, %d", h.Len(), h.Dim(), n, dim)
	}
	query := func(i int) []float32 { return queries[i*dim : (i+1)*dim] }
	meanRecall := func(nq int, search func(q []float32) []Hit, keep func(int32) bool) float64 {
		var sum float64
		for i := range nq {
			got, want := search(query(i)), flat.Search(query(i), k, keep)
			if len(got) != len(want) {
				t.Fatalf("query %d: %d hits, want %d", i, len(got), len(want))
			}
			for _, hit := range got {
				if keep != nil && !keep(hit.ID) {
					t.Fatalf("query %d: hit %d is filtered out", i, hit.ID)
				}
			}
			if !slices.IsSortedFunc(got, compareHits) {
				t.Fatalf("query %d: hits not best first: %v", i, got)
			}
			sum += recall(got, want)
		}
		return sum / float64(nq)
	}

	t.Run("recall", func(t *testing.T) {
		r := meanRecall(nq, func(q []float32) []Hit { return h.SearchEf(q, k, 256, nil) }, nil)
		if r < 0.95 {
			t.Errorf("recall@10 at ef=256 = %.3f, want ≥ 0.95", r)
		}
		t.Logf("recall@10 at ef=256: %.3f", r)
	})

	onePercent := func(id int32) bool { return id%100 == 37 }
	t.Run("filter 1% scans exactly", func(t *testing.T) {
		for i := range nq {
			got, want := h.Search(query(i), k, onePercent), flat.Search(query(i), k, onePercent)
			if diff := cmp.Diff(got, want); diff != "" {
				t.Fatalf("query %d (-got +want):\n%s", i, diff)
			}
		}
	})

	// Walking the graph under a 1% filter visits most of it (why Search
	// scans instead), so only 20 queries.
	t.Run("filter 1% through the graph", func(t *testing.T) {
		r := meanRecall(20, func(q []float32) []Hit { return h.graphSearch(q, k, 256, onePercent) }, onePercent)
		if r < 0.95 {
			t.Errorf("filtered recall@10 = %.3f, want ≥ 0.95", r)
		}
		t.Logf("filtered (1%%) graph recall@10 at ef=256: %.3f", r)
	})

	t.Run("filter half through the graph", func(t *testing.T) {
		half := func(id int32) bool { return id%2 == 0 }
		r := meanRecall(nq, func(q []float32) []Hit { return h.graphSearch(q, k, 256, half) }, half)
		if r < 0.95 {
			t.Errorf("filtered recall@10 = %.3f, want ≥ 0.95", r)
		}
	})

	t.Run("filter keeping fewer than k", func(t *testing.T) {
		few := func(id int32) bool { return id == 5 || id == 17000 || id == 123 }
		got := h.Search(query(0), k, few)
		want := flat.Search(query(0), k, few)
		if diff := cmp.Diff(got, want); diff != "" || len(got) != 3 {
			t.Errorf("(-got +want):\n%s", diff)
		}
	})

	t.Run("SearchIDs", func(t *testing.T) {
		ids := []int32{4, 400, 4000, 19999, -1}
		if diff := cmp.Diff(h.SearchIDs(query(1), 3, ids), flat.SearchIDs(query(1), 3, ids)); diff != "" {
			t.Errorf("(-got +want):\n%s", diff)
		}
	})
}

func TestHNSWDeleteUpdate(t *testing.T) {
	const n, dim, k = 3000, 16, 10
	rng := rand.New(rand.NewPCG(9, 10))
	vecs := randomUnit(rng, n, dim)
	h := NewHNSW(dim, HNSWConfig{Seed: 2})
	flat := NewFlat(dim)
	for i := range n {
		h.Add(int32(i), vecs[i*dim:(i+1)*dim])
		flat.Add(int32(i), vecs[i*dim:(i+1)*dim])
	}
	for i := 0; i < n; i += 2 {
		h.Delete(int32(i))
		flat.Delete(int32(i))
	}
	h.Delete(int32(n + 7)) // absent
	if h.Len() != n/2 || h.Nodes() != n {
		t.Fatalf("Len, Nodes = %d, %d after deleting half, want %d, %d", h.Len(), h.Nodes(), n/2, n)
	}
	queries := randomUnit(rng, 100, dim)
	var sum float64
	for i := range 100 {
		q := queries[i*dim : (i+1)*dim]
		got := h.Search(q, k, nil)
		for _, hit := range got {
			if hit.ID%2 == 0 {
				t.Fatalf("deleted id %d returned", hit.ID)
			}
		}
		sum += recall(got, flat.Search(q, k, nil))
	}
	if r := sum / 100; r < 0.95 {
		t.Errorf("recall@10 after deletes = %.3f, want ≥ 0.95", r)
	}

	// Update: id 1 takes the vector of query 0, so it must come first with
	// score 1; its old vector must not come back.
	q := queries[:dim]
	old := vecs[dim : 2*dim]
	h.Add(1, q)
	if got := h.Search(q, 1, nil); len(got) != 1 || got[0].ID != 1 || got[0].Score < 0.999 {
		t.Errorf("after update, best hit = %v, want id 1 with score 1", got)
	}
	for _, hit := range h.Search(old, k, nil) {
		if hit.ID == 1 && hit.Score > 0.999 {
			t.Errorf("old vector of id 1 still returned: %v", hit)
		}
	}
	// Re-adding a deleted id makes it live again.
	h.Add(0, vecs[:dim])
	if got := h.Search(vecs[:dim], 1, nil); len(got) != 1 || got[0].ID != 0 {
		t.Errorf("re-added id 0: best hit %v", got)
	}
	if h.Len() != n/2+1 {
		t.Errorf("Len = %d, want %d", h.Len(), n/2+1)
	}
}

func TestHNSWEmptyAndSmall(t *testing.T) {
	h := NewHNSW(4, HNSWConfig{})
	if got := h.Search([]float32{1, 0, 0, 0}, 5, nil); len(got) != 0 {
		t.Errorf("empty: %v", got)
	}
	h.Add(10, []float32{1, 0, 0, 0})
	h.Add(20, []float32{0, 1, 0, 0})
	want := []Hit{{10, 1}, {20, 0}}
	if diff := cmp.Diff(h.Search([]float32{1, 0, 0, 0}, 5, nil), want); diff != "" {
		t.Errorf("(-got +want):\n%s", diff)
	}
	if got := h.Search([]float32{1, 0, 0, 0}, 0, nil); len(got) != 0 {
		t.Errorf("k=0: %v", got)
	}
	if err := h.Build([]int32{1}, []float32{1, 2}, 2); err == nil {
		t.Error("Build with a short vector: no error")
	}
}

// TestHNSWConcurrent searches from two goroutines while one writer adds,
// updates and deletes; run with -race.
func TestHNSWConcurrent(t *testing.T) {
	const n, dim = 1000, 16
	rng := rand.New(rand.NewPCG(11, 12))
	vecs := randomUnit(rng, n, dim)
	h := NewHNSW(dim, HNSWConfig{Seed: 3, EfConstruction: 50})
	if err := h.Build(seq(n/4), vecs[:n/4*dim], 2); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range 2 {
		wg.Go(func() {
			for i := w; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				q := vecs[(i%n)*dim : (i%n+1)*dim]
				hits := h.Search(q, 5, func(id int32) bool { return id%3 != 0 })
				if len(hits) == 0 {
					t.Error("no hits")
					return
				}
				h.Len()
			}
		})
	}
	live := make(map[int32]bool)
	for i := range n / 4 {
		live[int32(i)] = true
	}
	for i := n / 4; i < n; i++ {
		h.Add(int32(i), vecs[i*dim:(i+1)*dim])
		live[int32(i)] = true
		if i%10 == 0 {
			h.Delete(int32(i - 5))
			delete(live, int32(i-5))
		}
		if i%17 == 0 {
			h.Add(int32(i-100), vecs[(i-1)*dim:i*dim])
			live[int32(i-100)] = true
		}
	}
	close(done)
	wg.Wait()
	if got, want := h.Len(), len(live); got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
}
