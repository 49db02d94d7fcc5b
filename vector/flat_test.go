package vector

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// bruteForce ranks every (id, vector) pair the plain way: score, then a
// full sort, best first, equal scores by smaller id.
func bruteForce(ids []int32, vecs [][]float32, q []float32, k int, keep func(int32) bool) []Hit {
	var all []Hit
	for i, id := range ids {
		if keep == nil || keep(id) {
			all = append(all, Hit{ID: id, Score: Dot(q, vecs[i])})
		}
	}
	slices.SortFunc(all, compareHits)
	return all[:max(min(k, len(all)), 0)]
}

func TestFlatSearch(t *testing.T) {
	// Two-dimensional vectors make ties easy to write: ids 3, 1 and 5 all
	// score 1 against (1, 0).
	ids := []int32{3, 1, 5, 9, 7, 2}
	vecs := [][]float32{{1, 0}, {1, 0}, {1, 0}, {0, 1}, {0.6, 0.8}, {-1, 0}}
	f := NewFlat(2)
	for i, id := range ids {
		f.Add(id, vecs[i])
	}
	even := func(id int32) bool { return id%2 == 0 }
	none := func(int32) bool { return false }
	q := []float32{1, 0}
	tests := []struct {
		name string
		k    int
		keep func(int32) bool
		want []Hit
	}{
		{"ties by smaller id", 4, nil, []Hit{{1, 1}, {3, 1}, {5, 1}, {7, 0.6}}},
		{"tie cut at k", 2, nil, []Hit{{1, 1}, {3, 1}}},
		{"k above n", 10, nil, []Hit{{1, 1}, {3, 1}, {5, 1}, {7, 0.6}, {9, 0}, {2, -1}}},
		{"k zero", 0, nil, nil},
		{"k negative", -1, nil, nil},
		{"filter", 3, even, []Hit{{2, -1}}},
		{"filter keeps none", 3, none, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := f.Search(q, tt.k, tt.keep)
			if diff := cmp.Diff(got, tt.want, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Search (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(got, bruteForce(ids, vecs, q, tt.k, tt.keep), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Search vs brute force (-got +want):\n%s", diff)
			}
		})
	}
}

func TestFlatRandomAgainstBruteForce(t *testing.T) {
	const n, dim = 500, 24
	rng := rand.New(rand.NewPCG(5, 6))
	flatVecs := randomUnit(rng, n, dim)
	ids := make([]int32, n)
	vecs := make([][]float32, n)
	f := NewFlat(dim)
	for i := range n {
		ids[i] = int32(rng.IntN(1 << 30))
		vecs[i] = flatVecs[i*dim : (i+1)*dim]
		f.Add(ids[i], vecs[i])
	}
	q := randomUnit(rng, 1, dim)
	keep := func(id int32) bool { return id%3 == 0 }
	for _, k := range []int{1, 10, 100, n, n + 5} {
		for _, kp := range []func(int32) bool{nil, keep} {
			if diff := cmp.Diff(f.Search(q, k, kp), bruteForce(ids, vecs, q, k, kp), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("k=%d (-got +want):\n%s", k, diff)
			}
		}
	}
}

func TestFlatAddDelete(t *testing.T) {
	f := NewFlat(2)
	f.Add(1, []float32{1, 0})
	f.Add(2, []float32{0, 1})
	f.Add(3, []float32{-1, 0})
	f.Add(1, []float32{0, -1}) // replaces
	f.Delete(2)
	f.Delete(42) // absent: no-op
	if n := f.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	got := f.Search([]float32{0, -1}, 5, nil)
	want := []Hit{{1, 1}, {3, 0}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("after replace and delete (-got +want):\n%s", diff)
	}
	if v, ok := f.Vector(3); !ok || !slices.Equal(v, []float32{-1, 0}) {
		t.Errorf("Vector(3) = %v, %v after the slot moved", v, ok)
	}
	if _, ok := f.Vector(2); ok {
		t.Error("Vector(2) found after Delete")
	}
	if diff := cmp.Diff(f.SearchIDs([]float32{1, 0}, 5, []int32{3, 2, 1}), []Hit{{1, 0}, {3, -1}}); diff != "" {
		t.Errorf("SearchIDs (-got +want):\n%s", diff)
	}
}

func TestDimMismatchPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"flat add":    func() { NewFlat(3).Add(1, []float32{1}) },
		"flat search": func() { NewFlat(3).Search([]float32{1}, 1, nil) },
		"hnsw add":    func() { NewHNSW(3, HNSWConfig{}).Add(1, []float32{1}) },
		"hnsw search": func() { NewHNSW(3, HNSWConfig{}).Search([]float32{1}, 1, nil) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
