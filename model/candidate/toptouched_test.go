package candidate

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTopTouchedIsTheSortedPrefix checks the bounded selection against
// sorting every touched item and keeping k, on scores with ties,
// negatives and repeated items (an accumulator can touch an item twice
// when its sum passes through 0), for every k.
func TestTopTouchedIsTheSortedPrefix(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		n := 1 + rng.IntN(60)
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.IntN(7) - 2) // few values: many ties
		}
		touched := make([]int32, rng.IntN(2*n))
		for j := range touched {
			touched[j] = int32(rng.IntN(n))
		}
		want := slices.Clone(touched)
		slices.SortFunc(want, func(x, y int32) int {
			if v[x] != v[y] {
				if v[x] > v[y] {
					return -1
				}
				return 1
			}
			return int(x - y)
		})
		for k := 0; k <= len(touched)+2; k++ {
			got := topTouched(touched, v, k)
			if w := want[:min(k, len(want))]; !slices.Equal(got, w) {
				t.Fatalf("trial %d, k %d: got %v, want %v", trial, k, got, w)
			}
		}
	}
}

// BenchmarkItemItemTop measures Top for a shopper whose 50 recent items
// each carry 200 neighbours in a 12,000-item catalog (Beauty's sparsified
// EASE and SLIST), asking for serving's 100 candidates.
func BenchmarkItemItemTop(b *testing.B) {
	const n, per = 12_000, 200
	rng := rand.New(rand.NewPCG(3, 4))
	rows := make([][]weighted, n)
	for i := range rows {
		for range per {
			rows[i] = append(rows[i], weighted{int32(rng.IntN(n)), rng.Float32()})
		}
	}
	m := newItemItem(n, 0, 0, rows)
	history := make([]int32, 50)
	for i := range history {
		history[i] = int32(rng.IntN(n))
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Top(history, 100)
	}
}
