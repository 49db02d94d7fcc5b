package vector

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAutoSwitches(t *testing.T) {
	const n, dim, below = 1500, 16, 1000
	rng := rand.New(rand.NewPCG(17, 18))
	vecs := randomUnit(rng, n, dim)
	a := New(dim, Config{ExactBelow: below, HNSW: HNSWConfig{Seed: 5}, Workers: 2})
	flat := NewFlat(dim)
	q := randomUnit(rng, 1, dim)
	for i := range below - 1 {
		a.Add(int32(i), vecs[i*dim:(i+1)*dim])
		flat.Add(int32(i), vecs[i*dim:(i+1)*dim])
	}
	if !a.Exact() {
		t.Fatal("graph below the threshold")
	}
	if diff := cmp.Diff(a.Search(q, 10, nil), flat.Search(q, 10, nil)); diff != "" {
		t.Errorf("exact phase (-got +want):\n%s", diff)
	}
	a.Delete(3)
	flat.Delete(3)
	a.Add(below-1, vecs[(below-1)*dim:below*dim]) // back to below−1 ids
	flat.Add(below-1, vecs[(below-1)*dim:below*dim])
	if !a.Exact() {
		t.Fatal("switched before reaching the threshold")
	}
	a.Add(below, vecs[below*dim:(below+1)*dim])
	flat.Add(below, vecs[below*dim:(below+1)*dim])
	if a.Exact() || a.Len() != below {
		t.Fatalf("Exact, Len = %v, %d at the threshold, want false, %d", a.Exact(), a.Len(), below)
	}
	if err := a.Build(seq(n)[below+1:], vecs[(below+1)*dim:]); err != nil {
		t.Fatal(err)
	}
	for i := below + 1; i < n; i++ {
		flat.Add(int32(i), vecs[i*dim:(i+1)*dim])
	}
	if a.Len() != flat.Len() || a.Dim() != dim {
		t.Fatalf("Len, Dim = %d, %d, want %d, %d", a.Len(), a.Dim(), flat.Len(), dim)
	}
	got, want := a.Search(q, 10, nil), flat.Search(q, 10, nil)
	if r := recall(got, want); r < 0.9 {
		t.Errorf("graph phase recall %.2f: got %v, want %v", r, got, want)
	}
	for _, hit := range a.Search(q, 50, nil) {
		if hit.ID == 3 {
			t.Error("deleted id 3 returned after the switch")
		}
	}
	if diff := cmp.Diff(a.SearchIDs(q, 2, []int32{5, 6, 3}), flat.SearchIDs(q, 2, []int32{5, 6, 3})); diff != "" {
		t.Errorf("SearchIDs (-got +want):\n%s", diff)
	}
}

func TestAutoBuild(t *testing.T) {
	const dim = 8
	rng := rand.New(rand.NewPCG(19, 20))
	vecs := randomUnit(rng, 300, dim)
	small := New(dim, Config{ExactBelow: 1000})
	if err := small.Build(seq(300), vecs); err != nil || !small.Exact() || small.Len() != 300 {
		t.Errorf("below the threshold: err %v, Exact %v, Len %d", err, small.Exact(), small.Len())
	}
	big := New(dim, Config{ExactBelow: 200})
	if err := big.Build(seq(300), vecs); err != nil || big.Exact() || big.Len() != 300 {
		t.Errorf("above the threshold: err %v, Exact %v, Len %d", err, big.Exact(), big.Len())
	}
	always := New(dim, Config{ExactBelow: -1})
	if always.Exact() {
		t.Error("ExactBelow < 0 gave an exact index")
	}
	if err := small.Build(seq(2), vecs[:dim]); err == nil {
		t.Error("Build with too few floats: no error")
	}
}
