package recommend

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTopScoredMatchesASort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 100, 1000} {
		scores := make([]float32, n)
		ids := make([]string, n)
		for i := range scores {
			scores[i] = float32(rng.IntN(50)) // many ties
			ids[i] = fmt.Sprint(i)
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int {
			if c := cmp.Compare(scores[b], scores[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		for _, k := range []int{1, 3, 10, n + 5} {
			got := topScored(scores, ids, k)
			want := idx[:min(k, n)]
			if len(got) != len(want) {
				t.Fatalf("n=%d k=%d: %d items, want %d", n, k, len(got), len(want))
			}
			for j := range want {
				if got[j].id != ids[want[j]] {
					t.Fatalf("n=%d k=%d: position %d is %s, want %s", n, k, j, got[j].id, ids[want[j]])
				}
			}
		}
	}
}
