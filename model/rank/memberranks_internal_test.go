package rank

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMemberRanksMatchesStableSort checks memberRanks against the plain
// stable sort of candidate indices it replaces, with ties, zeros and NaN
// among the scores.
func TestMemberRanksMatchesStableSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sz := range [][2]int{{1, 1}, {3, 2}, {50, 4}, {1500, 3}} {
		n, m := sz[0], sz[1]
		F := 2*m + 3
		c := Candidates{Members: make([]float32, n*m)}
		for i := range c.Members {
			switch rng.IntN(6) {
			case 0:
				c.Members[i] = 0
			case 1:
				c.Members[i] = 0.5
			case 2:
				c.Members[i] = float32(math.NaN())
			default:
				c.Members[i] = rng.Float32()
			}
		}
		got, want := make([]float32, n*F), make([]float32, n*F)
		memberRanks(c, m, n, F, got)
		rank := make([]int32, n)
		for mm := range m {
			for j := range rank {
				rank[j] = int32(j)
			}
			slices.SortStableFunc(rank, func(a, b int32) int { return cmp.Compare(c.Members[int(b)*m+mm], c.Members[int(a)*m+mm]) })
			for pos, j := range rank {
				want[int(j)*F+m+mm] = float32(math.Log2(float64(pos) + 2))
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("n=%d m=%d: memberRanks differs from the stable sort", n, m)
		}
	}
}
