package rank_test

import (
	"math"
	"slices"
	"testing"

	"github.com/aislehq/aisle/model/rank"
)

func TestInterleave(t *testing.T) {
	main := []string{"a", "b", "c", "d", "e", "f"}
	extra := []string{"X", "Y"}
	tests := []struct {
		every, n int
		main     []string
		want     []string
	}{
		{5, 10, main, []string{"a", "b", "c", "d", "X", "e", "f", "Y"}},
		{2, 5, main, []string{"a", "X", "b", "Y", "c"}},
		{3, 3, main, []string{"a", "b", "X"}},
		{0, 10, main, []string{"a", "b", "c", "d", "e", "f", "X", "Y"}},
		{5, 10, nil, []string{"X", "Y"}},
		{5, 0, main, []string{}},
	}
	for _, tt := range tests {
		got := rank.Interleave(tt.main, extra, tt.every, tt.n)
		if !slices.Equal(got, tt.want) {
			t.Errorf("Interleave(every %d, n %d) = %v, want %v", tt.every, tt.n, got, tt.want)
		}
	}
}

// fixedProposer proposes the same items with the same scores for any history.
type fixedProposer struct {
	items  []int32
	scores []float32
}

func (p fixedProposer) Top(_ []int32, k int) ([]int32, []float32) {
	k = min(k, len(p.items))
	return p.items[:k], p.scores[:k]
}

func (p fixedProposer) Score(_ []int32, scores []float32) {
	clear(scores)
	for j, i := range p.items {
		scores[i] = p.scores[j]
	}
}

func (p fixedProposer) ScoreItems(_ []int32, items []int32, out []float32) {
	for j, i := range items {
		out[j] = 0
		for k, x := range p.items {
			if x == i {
				out[j] = p.scores[k]
			}
		}
	}
}

func TestColdSlots(t *testing.T) {
	// Items 0..5 are warm (the blend ranks 0 first), 6..8 cold; the
	// content model likes 7 (0.9), then 8 (0.6), then 6 (0.2).
	warm := fixedProposer{items: []int32{0, 1, 2, 3, 4, 5}, scores: []float32{6, 5, 4, 3, 2, 1}}
	content := fixedProposer{items: []int32{7, 8, 0, 6}, scores: []float32{0.9, 0.6, 0.5, 0.2}}
	f := rank.NewBlend([]rank.Scorer{warm}, []float64{1}, 9)
	cold := []bool{6: true, 7: true, 8: true}
	s := rank.ColdSlots{Blend: f, PerMember: 10, Content: content, Cold: cold, Every: 3, Places: 9, MinScore: 0.5}
	scores := make([]float32, 9)
	s.Score([]int32{1}, scores)
	order := make([]int32, 9)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	// Places 3 and 6 go to 7 and 8; 6 is below MinScore and not ranked.
	if want := []int32{0, 1, 7, 2, 3, 8, 4, 5}; !slices.Equal(order[:8], want) {
		t.Errorf("served order %v, want %v", order[:8], want)
	}
	if !math.IsInf(float64(scores[6]), -1) {
		t.Errorf("cold item below MinScore scores %v, want -Inf", scores[6])
	}
}
