package dataset_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/google/go-cmp/cmp"
)

func at(min int) time.Time { return time.Date(2024, 1, 1, 0, min, 0, 0, time.UTC) }

func TestFromEventsOrdersByTimeAndFiltersTypes(t *testing.T) {
	d, err := dataset.FromSlice([]aisle.Event{
		{User: "u1", Item: "b", Type: aisle.EventPurchase, Time: at(5)},
		{User: "u1", Item: "a", Type: aisle.EventView, Time: at(1)},
		{User: "u2", Item: "c", Type: aisle.EventClick, Time: at(1)},
		{User: "u1", Type: aisle.EventSearch, Query: "x", Time: at(2)},
		{User: "u1", Item: "c", Type: aisle.EventCustom, Name: "wish", Time: at(3)},
		{User: "u1", Item: "c", Type: aisle.EventView, Time: at(5)}, // same time as b: order given breaks the tie
	}, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Items, []string{"b", "a", "c"}); diff != "" {
		t.Errorf("items (-got +want):\n%s", diff)
	}
	// u1: a (t1), b (t5, seq 1), c (t5, seq 6).
	if diff := cmp.Diff(d.Seqs, [][]int32{{1, 0, 2}, {2}}); diff != "" {
		t.Errorf("seqs (-got +want):\n%s", diff)
	}
	if d.Interactions() != 4 || d.NumItems() != 3 {
		t.Errorf("interactions %d items %d", d.Interactions(), d.NumItems())
	}
	if i, ok := d.ItemIndex("c"); !ok || i != 2 {
		t.Errorf("ItemIndex(c) = %d, %v", i, ok)
	}
}

func TestLeaveOneOutHasNoLeakage(t *testing.T) {
	d := &dataset.Dataset{
		Items: []string{"0", "1", "2", "3", "4", "5"},
		Users: []string{"u0", "u1", "u2"},
		Seqs:  [][]int32{{0, 1, 2, 3}, {4, 5}, {5, 4, 3}},
		Times: [][]int64{{1, 2, 3, 4}, {1, 2}, {1, 2, 3}},
	}
	s := dataset.LeaveOneOut(d)
	if diff := cmp.Diff(s.Train.Seqs, [][]int32{{0, 1}, {4, 5}, {5}}); diff != "" {
		t.Errorf("train (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(s.Full.Seqs, [][]int32{{0, 1, 2}, {4, 5}, {5, 4}}); diff != "" {
		t.Errorf("full (-got +want):\n%s", diff)
	}
	wantTest := []dataset.Case{{User: 0, History: []int32{0, 1, 2}, Target: 3}, {User: 2, History: []int32{5, 4}, Target: 3}}
	if diff := cmp.Diff(s.Test, wantTest); diff != "" {
		t.Errorf("test (-got +want):\n%s", diff)
	}
	wantValid := []dataset.Case{{User: 0, History: []int32{0, 1}, Target: 2}, {User: 2, History: []int32{5}, Target: 4}}
	if diff := cmp.Diff(s.Valid, wantValid); diff != "" {
		t.Errorf("valid (-got +want):\n%s", diff)
	}
	// The split's slices must not alias in a way that lets appends leak.
	s.Train.Seqs[0] = append(s.Train.Seqs[0], 99)
	if d.Seqs[0][2] != 2 {
		t.Fatal("appending to a train sequence overwrote the source")
	}
	// No user's test target sits at its own position in train or full.
	for _, c := range s.Test {
		full := s.Full.Seqs[c.User]
		if len(full) != len(c.History) {
			t.Errorf("user %d: full sequence includes the test position", c.User)
		}
	}
}

func TestHeadKeepsTheMostInteractedItems(t *testing.T) {
	var evs []aisle.Event
	add := func(u, i string, m int) {
		evs = append(evs, aisle.Event{User: u, Item: i, Type: aisle.EventView, Time: at(m)})
	}
	add("u1", "a", 0)
	add("u1", "b", 1)
	add("u1", "c", 2)
	add("u2", "c", 0)
	add("u2", "d", 1)
	add("u2", "c", 2)
	add("u3", "b", 0)
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h, orig := d.Head(2)
	if h.NumItems() != 2 || h.Items[0] != "c" || h.Items[1] != "b" {
		t.Fatalf("head items %v, want [c b]", h.Items)
	}
	for j, i := range orig {
		if d.Items[i] != h.Items[j] {
			t.Errorf("orig[%d] = %d (%s), head has %s", j, i, d.Items[i], h.Items[j])
		}
	}
	want := [][]int32{{1, 0}, {0, 0}, {1}}
	for u := range want {
		if !slices.Equal(h.Seqs[u], want[u]) || len(h.Times[u]) != len(want[u]) {
			t.Errorf("user %s: %v, want %v", h.Users[u], h.Seqs[u], want[u])
		}
	}
	if i, ok := h.ItemIndex("b"); !ok || i != 1 {
		t.Errorf("ItemIndex(b) = %d, %v", i, ok)
	}
	if same, _ := d.Head(4); same != d {
		t.Error("Head(n) of an n-item dataset is not the dataset")
	}
}

func TestHoldOutItems(t *testing.T) {
	var events []aisle.Event
	for u := range 40 {
		for k := range 6 {
			events = append(events, aisle.Event{User: fmt.Sprint("u", u), Item: fmt.Sprint("i", (u+k*3)%20), Type: aisle.EventPurchase, Time: time.Unix(int64(1000+k), 0)})
		}
	}
	d, err := dataset.FromSlice(events, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := dataset.HoldOutItems(d, 0.1, 1)
	ncold := 0
	for _, c := range s.Cold {
		if c {
			ncold++
		}
	}
	if ncold != 2 {
		t.Fatalf("%d cold items of 20, want 2", ncold)
	}
	train := d.Without(s.Cold)
	if train.NumItems() != d.NumItems() {
		t.Errorf("train has %d items, want the whole catalog's %d", train.NumItems(), d.NumItems())
	}
	for u, seq := range train.Seqs {
		for _, i := range seq {
			if s.Cold[i] {
				t.Fatalf("user %d trains on cold item %d", u, i)
			}
		}
	}
	if len(s.Test) == 0 {
		t.Fatal("no test cases")
	}
	for _, c := range s.Test {
		if !s.Cold[c.Target] || len(c.History) == 0 || slices.ContainsFunc(c.History, func(i int32) bool { return s.Cold[i] }) {
			t.Fatalf("bad case %+v", c)
		}
	}
	if again := dataset.HoldOutItems(d, 0.1, 1); !slices.Equal(again.Cold, s.Cold) {
		t.Error("same seed picked other items")
	}
	w := d.WithItems([]string{"i3", "new1", "new2"})
	if w.NumItems() != d.NumItems()+2 || w.Items[d.NumItems()] != "new1" {
		t.Errorf("WithItems: %d items ending %v", w.NumItems(), w.Items[d.NumItems():])
	}
	if i, ok := w.ItemIndex("new2"); !ok || int(i) != d.NumItems()+1 {
		t.Errorf("WithItems: new2 at %d, %v", i, ok)
	}
}

func TestFromEventsQueries(t *testing.T) {
	events := []aisle.Event{
		{User: "a", Type: aisle.EventSearch, Query: "red pen", Time: at(0)},
		{User: "a", Item: "pen", Type: aisle.EventView, Time: at(2)},
		{User: "a", Item: "ink", Type: aisle.EventView, Time: at(3)},
		{User: "b", Type: aisle.EventSearch, Query: "stapler", Time: at(0)},
		{User: "b", Item: "clip", Type: aisle.EventView, Time: at(45)}, // too late
		{User: "c", Type: aisle.EventSearch, Query: "ink", Item: "ink", Time: at(1)},
		{User: "d", Type: aisle.EventSearch, Query: "nobody clicks", Time: at(1)},
	}
	d, err := dataset.FromSlice(events, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, q := range d.Queries {
		got = append(got, q.Text+"→"+d.Items[q.Item])
	}
	slices.Sort(got)
	if want := []string{"ink→ink", "red pen→pen"}; !slices.Equal(got, want) {
		t.Errorf("queries %v, want %v", got, want)
	}
}
