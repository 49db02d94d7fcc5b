package candidate_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
)

// seqs builds a dataset whose users have the given item sequences; items
// are named by their index so "0".."n-1" map to indices 0..n-1 when every
// index first appears in order.
func seqs(t *testing.T, ss ...[]string) *dataset.Dataset {
	t.Helper()
	var evs []aisle.Event
	for u, s := range ss {
		for k, it := range s {
			evs = append(evs, aisle.Event{User: string(rune('A' + u)), Item: it, Type: aisle.EventPurchase, Time: time.Unix(int64(k), 0), Seq: int64(len(evs) + 1)})
		}
	}
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func index(t *testing.T, d *dataset.Dataset, id string) int32 {
	t.Helper()
	i, ok := d.ItemIndex(id)
	if !ok {
		t.Fatalf("no item %q", id)
	}
	return i
}

// argmax returns the best item not in skip.
func argmax(s []float32, skip ...int32) int32 {
	best, bi := float32(math.Inf(-1)), int32(-1)
outer:
	for i, v := range s {
		for _, k := range skip {
			if int32(i) == k {
				continue outer
			}
		}
		if v > best {
			best, bi = v, int32(i)
		}
	}
	return bi
}

// Shoppers who buy a pen buy ink; shoppers who buy a mug buy tea.
func shop(t *testing.T) *dataset.Dataset {
	return seqs(t,
		[]string{"pen", "ink", "paper"}, []string{"pen", "ink"}, []string{"pen", "ink", "mug"},
		[]string{"mug", "tea"}, []string{"mug", "tea"}, []string{"mug", "tea", "pen"},
		[]string{"paper", "pen", "ink"},
	)
}

func TestEASE(t *testing.T) {
	d := shop(t)
	m, err := candidate.TrainEASE(context.Background(), d, candidate.EASEConfig{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, d.NumItems())
	pen, ink, mug, tea := index(t, d, "pen"), index(t, d, "ink"), index(t, d, "mug"), index(t, d, "tea")
	m.Score([]int32{pen}, s)
	if s[pen] != 0 {
		t.Errorf("EASE scores an item from itself: %v", s[pen])
	}
	if got := argmax(s, pen); got != ink {
		t.Errorf("after pen EASE proposes %q, want ink", d.Items[got])
	}
	m.Score([]int32{mug, mug}, s) // repeats count once
	if got := argmax(s, mug); got != tea {
		t.Errorf("after mug EASE proposes %q, want tea", d.Items[got])
	}
	if _, err := candidate.TrainEASE(context.Background(), d, candidate.EASEConfig{MaxItems: 2}); !candidate.IsTooLarge(err) {
		t.Errorf("catalog over MaxItems: err %v, want TooLargeError", err)
	}
}

func TestTransition(t *testing.T) {
	d := shop(t)
	m, err := candidate.TrainTransition(context.Background(), d, candidate.TransitionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, d.NumItems())
	pen, ink, mug, tea := index(t, d, "pen"), index(t, d, "ink"), index(t, d, "mug"), index(t, d, "tea")
	m.Score([]int32{pen}, s)
	// pen was followed by ink 4 times out of 4.
	if s[ink] != 1 || argmax(s) != ink {
		t.Errorf("P(ink | pen) = %v, want 1", s[ink])
	}
	// The most recent item votes most: mug (recent) beats pen (older).
	m.Score([]int32{pen, mug}, s)
	if argmax(s, pen, mug) != tea {
		t.Errorf("after pen, mug: best %q, want tea", d.Items[argmax(s, pen, mug)])
	}
	if s[tea] <= s[ink] {
		t.Errorf("recent item outvoted: tea %v ink %v", s[tea], s[ink])
	}
}

func TestSLIST(t *testing.T) {
	d := shop(t)
	m, err := candidate.TrainSLIST(context.Background(), d, candidate.SLISTConfig{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, d.NumItems())
	pen, ink, mug, tea := index(t, d, "pen"), index(t, d, "ink"), index(t, d, "mug"), index(t, d, "tea")
	m.Score([]int32{pen}, s)
	if got := argmax(s, pen); got != ink {
		t.Errorf("after pen SLIST proposes %q, want ink", d.Items[got])
	}
	m.Score([]int32{pen, ink, mug}, s)
	if got := argmax(s, pen, ink, mug); got != tea {
		t.Errorf("after pen, ink, mug SLIST proposes %q, want tea", d.Items[got])
	}
	if _, err := candidate.TrainSLIST(context.Background(), d, candidate.SLISTConfig{MaxItems: 2}); !candidate.IsTooLarge(err) {
		t.Errorf("catalog over MaxItems: err %v, want TooLargeError", err)
	}
}

func TestPopular(t *testing.T) {
	d := shop(t)
	p := candidate.TrainPopular(d)
	s := make([]float32, d.NumItems())
	p.Score(nil, s)
	if got := argmax(s); d.Items[got] != "pen" {
		t.Errorf("most popular = %q, want pen (5 buyers)", d.Items[got])
	}
}

func TestCancelledTraining(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	d := shop(t)
	if _, err := candidate.TrainEASE(ctx, d, candidate.EASEConfig{}); err == nil {
		t.Error("EASE trained under a cancelled context")
	}
}

func TestItemCF(t *testing.T) {
	d := shop(t)
	m, err := candidate.TrainItemCF(context.Background(), d, candidate.ItemCFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, d.NumItems())
	pen, ink, mug, tea := index(t, d, "pen"), index(t, d, "ink"), index(t, d, "mug"), index(t, d, "tea")
	m.Score([]int32{pen}, s)
	if argmax(s, pen) != ink {
		t.Errorf("after pen proposes %q, want ink", d.Items[argmax(s, pen)])
	}
	// Co-occurrence runs both ways, the order they happened in weighing more.
	m.Score([]int32{ink}, s)
	if s[pen] <= 0 {
		t.Errorf("ink→pen scores %v: co-occurrence should run both ways", s[pen])
	}
	if got := m.WithNeighbors(); got != d.NumItems() {
		t.Errorf("%d items with neighbours, want all %d", got, d.NumItems())
	}
	m.Score([]int32{tea}, s)
	back := s[mug]
	m.Score([]int32{mug}, s)
	if s[tea] <= back {
		t.Errorf("mug→tea %v not above tea→mug %v", s[tea], back)
	}

	// Sessions: items more than a day apart do not co-occur.
	days := func(k int) time.Time { return time.Unix(int64(k)*86400*2, 0) }
	var evs []aisle.Event
	for u := range 3 {
		for k, it := range []string{"tent", "stove"} {
			evs = append(evs, aisle.Event{User: fmt.Sprint(u), Item: it, Type: aisle.EventView, Time: days(k), Seq: int64(len(evs) + 1)})
		}
	}
	far, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m, err = candidate.TrainItemCF(context.Background(), far, candidate.ItemCFConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if items, _ := m.Neighbors(index(t, far, "tent")); len(items) != 0 || m.WithNeighbors() != 0 {
		t.Errorf("tent and stove two days apart co-occur: %v", items)
	}
}
