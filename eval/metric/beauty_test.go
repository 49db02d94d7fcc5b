package metric_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/dataset"
)

var beautyPath = flag.String("beauty", filepath.Join("..", "..", "..", "shared", "data", "amazon-beauty", "Beauty.txt"),
	"`path` of the S3-Rec Beauty.txt used by the real-data tests; they skip if it is absent")

// loadBeauty reads Beauty.txt ("user item item ..." a line, in time order)
// into a dataset whose times are the positions in each line.
var loadBeauty = sync.OnceValues(func() (*dataset.Dataset, error) {
	f, err := os.Open(*beautyPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var events []aisle.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			return nil, fmt.Errorf("%s:%d: want a user and items", *beautyPath, line)
		}
		for pos, item := range fields[1:] {
			events = append(events, aisle.Event{User: fields[0], Item: item, Type: aisle.EventPurchase, Time: time.Unix(int64(pos), 0)})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read beauty: %w", err)
	}
	seq := iter.Seq2[aisle.Event, error](func(yield func(aisle.Event, error) bool) {
		for i, e := range events {
			e.Seq = int64(i + 1)
			if !yield(e, nil) {
				return
			}
		}
	})
	return dataset.FromEvents(seq, dataset.Options{})
})

// beautyPopularity returns Beauty's test cases and a popularity scorer
// counted over the training sequences, skipping tb without the data.
func beautyPopularity(tb testing.TB) (*dataset.Split, popularity) {
	tb.Helper()
	if _, err := os.Stat(*beautyPath); err != nil {
		tb.Skipf("no Beauty data: %v", err)
	}
	d, err := loadBeauty()
	if err != nil {
		tb.Fatal(err)
	}
	split := dataset.LeaveOneOut(d)
	pop := make(popularity, d.NumItems())
	for _, s := range split.Train.Seqs {
		for _, i := range s {
			pop[i]++
		}
	}
	return split, pop
}

func TestEvaluateBeautyPopularity(t *testing.T) {
	split, pop := beautyPopularity(t)
	if n := split.Full.NumItems(); n != 12101 {
		t.Fatalf("%d items, want 12101", n)
	}
	full, err := metric.Evaluate(context.Background(), pop, split.Test, split.Full.NumItems(), metric.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sampled, err := metric.Evaluate(context.Background(), pop, split.Test, split.Full.NumItems(), metric.Options{Protocol: metric.Sampled100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	full.Model, sampled.Model = "popularity", "popularity"
	for _, r := range []metric.Result{full, sampled} {
		t.Logf("Beauty test split, %s %s: HR@10 %.4f NDCG@10 %.4f MRR %.4f coverage@10 %.4f", r.Model, r.Protocol, r.HR[10], r.NDCG[10], r.MRR, r.Coverage)
	}

	if full.Cases != 22363 {
		t.Errorf("evaluated %d cases, want 22363", full.Cases)
	}
	if v := full.NDCG[10]; v < 0.001 || v > 0.02 {
		t.Errorf("popularity NDCG@10 = %.4f, want in [0.001, 0.02]", v)
	}
	if v := full.HR[10]; v < 0.005 || v > 0.04 {
		t.Errorf("popularity HR@10 = %.4f, want in [0.005, 0.04]", v)
	}
	if sampled.HR[10] <= full.HR[10] {
		t.Errorf("sampled HR@10 %.4f not above full %.4f", sampled.HR[10], full.HR[10])
	}
}

func BenchmarkEvaluateBeautyPopularity(b *testing.B) {
	split, pop := beautyPopularity(b)
	tests := []struct {
		name string
		opts metric.Options
	}{
		{"full", metric.Options{}},
		{"full/workers=1", metric.Options{Workers: 1}},
		{"sampled100", metric.Options{Protocol: metric.Sampled100}},
		// The beyond-accuracy metrics' extra cost: popularity alone, then
		// with 50 categories and 128-dimensional vectors (Beauty has
		// neither; these are synthetic).
		{"full/popularity", metric.Options{Catalog: beautyCatalog(pop, false)}},
		{"full/catalog", metric.Options{Catalog: beautyCatalog(pop, true)}},
		{"full/catalog/workers=1", metric.Options{Workers: 1, Catalog: beautyCatalog(pop, true)}},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := metric.Evaluate(context.Background(), pop, split.Test, split.Full.NumItems(), tt.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// beautyCatalog returns a metric.Catalog with pop's counts and, with
// content, synthetic categories and vectors.
func beautyCatalog(pop popularity, content bool) *metric.Catalog {
	c := &metric.Catalog{Popularity: make([]int, len(pop))}
	for i, p := range pop {
		c.Popularity[i] = int(p)
	}
	if !content {
		return c
	}
	c.Categories = make([]int32, len(pop))
	vecs := make(vectors, len(pop))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range vecs {
		c.Categories[i] = int32(i % 50)
		vecs[i] = make([]float32, 128)
		for j := range vecs[i] {
			vecs[i][j] = r.Float32() - 0.5
		}
	}
	c.Vectors = vecs
	return c
}

// BenchmarkScoreOnlyBeauty is the cost of scoring alone (copying the
// popularity vector into each case's buffer) on one goroutine, to subtract
// from BenchmarkEvaluateBeautyPopularity/full/workers=1.
func BenchmarkScoreOnlyBeauty(b *testing.B) {
	split, pop := beautyPopularity(b)
	scores := make([]float32, len(pop))
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range split.Test {
			pop.Score(c.History, scores)
		}
	}
}
