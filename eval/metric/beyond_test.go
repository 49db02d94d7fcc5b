package metric_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// vectors is a metric.ItemVectors over a fixed table.
type vectors [][]float32

func (v vectors) Vector(i int32) []float32 { return v[i] }

// twoLists are two cases over 4 items whose top 10s, after exclusion, are
// every item but the history's: {0, 1, 2} and {1, 2, 3}.
var twoLists = []dataset.Case{
	{User: 0, History: []int32{3}, Target: 0},
	{User: 1, History: []int32{0}, Target: 1},
}

func TestBeyondHandComputed(t *testing.T) {
	// Popularity 4, 2, 1, 1 of 8: self-information 1, 2, 3, 3 bits; the
	// head (1% of 4 items, at least one) is item 0.
	pop := []int{4, 2, 1, 1}
	s2 := math.Sqrt2
	tests := []struct {
		name  string
		cases []dataset.Case
		cat   metric.Catalog
		want  metric.Beyond
	}{
		{
			name:  "popularity only",
			cases: twoLists,
			cat:   metric.Catalog{Popularity: pop},
			want: metric.Beyond{
				// Lists: (1+2+3)/3 = 2 and (2+3+3)/3 = 8/3.
				Novelty:   (2 + 8.0/3) / 2,
				HeadItems: 1,
				// Item 0 takes 1 of 6 slots.
				HeadShare: 1.0 / 6,
				// Exposure 1, 2, 2, 1 → sorted 1, 1, 2, 2:
				// (−3·1 − 1·1 + 1·2 + 3·2) / (4·6) = 4/24.
				ExposureGini: 4.0 / 24,
				ILD:          map[string]float64{},
			},
		},
		{
			name:  "categories and vectors",
			cases: twoLists,
			cat: metric.Catalog{
				Popularity: pop,
				// Items 0 and 1 share a leaf; item 3 has none.
				Categories: []int32{0, 0, 1, -1},
				// Item 3 has no vector.
				Vectors: vectors{{1, 0}, {0, 2}, {3, 3}, nil},
			},
			want: metric.Beyond{
				Novelty: (2 + 8.0/3) / 2, HeadItems: 1, HeadShare: 1.0 / 6, ExposureGini: 4.0 / 24,
				ILD: map[string]float64{
					// {0,1,2}: pairs 01 same, 02 and 12 differ → 2/3;
					// {1,2,3}: only 12, differ → 1.
					metric.ILDCategory: (2.0/3 + 1) / 2,
					// {0,1,2}: 1−0, 1−1/√2, 1−1/√2; {1,2,3}: 1−1/√2.
					metric.ILDCosine: ((3-2/s2)/3 + 1 - 1/s2) / 2,
				},
			},
		},
		{
			name: "one list, ties in popularity",
			// History {0}: the list is {1, 2, 3}.
			cases: twoLists[1:],
			// Items 1 and 2 tie for the most popular; the lower index,
			// 1, is the head.
			cat: metric.Catalog{Popularity: []int{1, 3, 3, 1}, Categories: []int32{5, 5, 5, 5}},
			want: metric.Beyond{
				// Shares 3/8, 3/8, 1/8.
				Novelty:   (2*math.Log2(8.0/3) + 3) / 3,
				HeadItems: 1,
				HeadShare: 1.0 / 3,
				// Exposure 0, 1, 1, 1: (−3·0 − 1 + 1 + 3) / (4·3).
				ExposureGini: 3.0 / 12,
				ILD:          map[string]float64{metric.ILDCategory: 0},
			},
		},
		{
			name:  "no item with a category or a vector",
			cases: twoLists,
			cat:   metric.Catalog{Popularity: pop, Categories: []int32{-1, -1, -1, -1}, Vectors: vectors{nil, {0, 0}, nil, nil}},
			want: metric.Beyond{
				Novelty: (2 + 8.0/3) / 2, HeadItems: 1, HeadShare: 1.0 / 6, ExposureGini: 4.0 / 24,
				ILD: map[string]float64{},
			},
		},
		{
			name: "unseen item counts as seen once",
			// Item 3 never interacted with: −log2(1/7).
			cases: twoLists[1:],
			cat:   metric.Catalog{Popularity: []int{4, 2, 1, 0}},
			want: metric.Beyond{
				Novelty:   (math.Log2(7.0/2) + 2*math.Log2(7)) / 3,
				HeadItems: 1, HeadShare: 0, ExposureGini: 3.0 / 12,
				ILD: map[string]float64{},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, workers := range []int{1, 2} {
				got, err := metric.Evaluate(context.Background(), random, tt.cases, 4, metric.Options{Catalog: &tt.cat, Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if got.Beyond == nil {
					t.Fatal("no Beyond")
				}
				if diff := cmp.Diff(*got.Beyond, tt.want, cmpopts.EquateApprox(0, 1e-12)); diff != "" {
					t.Errorf("workers %d: Beyond (-got +want):\n%s", workers, diff)
				}
			}
		})
	}
}

func TestGini(t *testing.T) {
	tests := []struct {
		name     string
		exposure []int32
		want     float64
	}{
		{"even", []int32{3, 3, 3, 3}, 0},
		{"all on one of 4", []int32{0, 0, 5, 0}, 3.0 / 4},
		{"all on one of 10", []int32{0, 0, 0, 0, 0, 0, 0, 0, 0, 9}, 9.0 / 10},
		{"none shown", []int32{0, 0, 0}, 0},
		{"one item", []int32{7}, 0},
		{"no items", nil, 0},
		// Sorted 1, 1, 2, 2: (−3 − 1 + 2 + 6) / (4·6).
		{"unsorted", []int32{2, 1, 2, 1}, 4.0 / 24},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := metric.Gini(tt.exposure); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Gini(%v) = %v, want %v", tt.exposure, got, tt.want)
			}
		})
	}
}

// TestBeyondChangesNothingElse checks that measuring the beyond-accuracy
// metrics leaves every other metric as it was, and that they do not depend
// on the number of workers.
func TestBeyondChangesNothingElse(t *testing.T) {
	const numItems = 500
	cases, pop := syntheticCases(3000, numItems, 5)
	counts := make([]int, numItems)
	cats := make([]int32, numItems)
	vecs := make(vectors, numItems)
	for i, p := range pop {
		counts[i] = int(p)
		cats[i] = int32(i % 7)
		vecs[i] = []float32{float32(i % 3), float32(i % 5), 1}
	}
	cat := &metric.Catalog{Popularity: counts, Categories: cats, Vectors: vecs}
	for _, s := range []metric.Scorer{random, pop} {
		plain, err := metric.Evaluate(context.Background(), s, cases, numItems, metric.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var first *metric.Beyond
		for _, workers := range []int{1, 3, 8} {
			got, err := metric.Evaluate(context.Background(), s, cases, numItems, metric.Options{Catalog: cat, Workers: workers})
			if err != nil {
				t.Fatal(err)
			}
			b := got.Beyond
			got.Beyond = nil
			if diff := cmp.Diff(got, plain); diff != "" {
				t.Errorf("workers %d: other metrics moved (-got +want):\n%s", workers, diff)
			}
			if first == nil {
				first = b
				continue
			}
			if diff := cmp.Diff(b, first); diff != "" {
				t.Errorf("workers %d: Beyond differs from 1 worker's (-got +want):\n%s", workers, diff)
			}
		}
		if len(first.ILD) != 2 || first.HeadItems != 5 {
			t.Errorf("Beyond %+v: want both ILDs and a head of 5", first)
		}
	}
	// The popularity ranking recommends the head: more of it, less novel
	// and less evenly than random scores.
	rnd, _ := metric.Evaluate(context.Background(), random, cases, numItems, metric.Options{Catalog: cat})
	popular, _ := metric.Evaluate(context.Background(), pop, cases, numItems, metric.Options{Catalog: cat})
	r, p := rnd.Beyond, popular.Beyond
	if p.HeadShare <= r.HeadShare || p.Novelty >= r.Novelty || p.ExposureGini <= r.ExposureGini {
		t.Errorf("popularity %+v not more head-heavy than random %+v", p, r)
	}

	sampled, err := metric.Evaluate(context.Background(), random, cases, numItems, metric.Options{Protocol: metric.Sampled100, Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	if sampled.Beyond != nil {
		t.Errorf("Sampled100 measured Beyond: %+v", sampled.Beyond)
	}
}

func TestBeyondBadCatalog(t *testing.T) {
	pop := []int{4, 2, 1, 1}
	tests := []struct {
		name string
		cat  metric.Catalog
	}{
		{"short popularity", metric.Catalog{Popularity: pop[:3]}},
		{"no popularity", metric.Catalog{}},
		{"negative popularity", metric.Catalog{Popularity: []int{4, -1, 1, 1}}},
		{"no interactions", metric.Catalog{Popularity: []int{0, 0, 0, 0}}},
		{"short categories", metric.Catalog{Popularity: pop, Categories: []int32{1, 2}}},
		{"vector lengths differ", metric.Catalog{Popularity: pop, Vectors: vectors{{1}, {1, 2}, nil, nil}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := metric.Evaluate(context.Background(), random, twoLists, 4, metric.Options{Catalog: &tt.cat})
			if !errors.Is(err, metric.ErrBadOptions) {
				t.Errorf("err = %v, want ErrBadOptions", err)
			}
		})
	}
}

func TestResultJSONBeyond(t *testing.T) {
	r := metric.Result{
		Model: "pop", Protocol: metric.Full, Cases: 3,
		HR: map[int]float64{10: 0.2}, NDCG: map[int]float64{10: 0.02},
		MRR: 0.05, Coverage: 0.5,
		Beyond: &metric.Beyond{Novelty: 9.5, HeadItems: 24, HeadShare: 0.4, ExposureGini: 0.9,
			ILD: map[string]float64{metric.ILDCategory: 0.6, metric.ILDCosine: 0.7}},
	}
	want := map[string]any{
		"model": "pop", "protocol": "full", "cases": 3.0,
		"hr@10": 0.2, "ndcg@10": 0.02, "mrr": 0.05, "coverage@10": 0.5, "train_seconds": 0.0,
		"novelty@10": 9.5, "head_items": 24.0, "head_share@10": 0.4, "exposure_gini@10": 0.9,
		"ild@10_category": 0.6, "ild@10_cosine": 0.7,
	}
	if diff := cmp.Diff(r.JSON(), want); diff != "" {
		t.Errorf("JSON (-got +want):\n%s", diff)
	}
}
