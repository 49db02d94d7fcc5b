package eval

import (
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/saved"
	"github.com/google/go-cmp/cmp"
)

// TestExperimentCatalog checks what the beyond-accuracy metrics are given:
// popularity counted on the training data, one id per whole category path,
// and the content model's vectors.
func TestExperimentCatalog(t *testing.T) {
	var events []aisle.Event
	for k, e := range []struct{ user, item string }{
		{"u1", "pen"}, {"u1", "ink"}, {"u1", "pen"}, {"u2", "pad"}, {"u2", "pen"}, {"u2", "tape"},
	} {
		events = append(events, aisle.Event{User: e.user, Item: e.item, Type: aisle.EventPurchase, Time: time.Unix(int64(k), 0)})
	}
	d, err := dataset.FromSlice(events, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	items := []aisle.Item{
		{ID: "pen", Categories: []string{"Office", "Writing", "Pens"}},
		{ID: "ink", Categories: []string{"Office", "Writing", "Ink"}},
		{ID: "pad", Categories: []string{"Office", "Paper", "Pens"}}, // same leaf name, other path
		{ID: "tape"},
	}
	content, err := candidate.NewContent([][]float32{{1, 0}, {0, 1}, {1, 1}, nil}, candidate.ContentConfig{})
	if err != nil {
		t.Fatal(err)
	}
	set := &saved.Set{N: d.NumItems(), Members: []saved.Member{{Name: saved.ModelContent, Scorer: content}}}

	// Items by index: pen 0, ink 1, pad 2, tape 3.
	got := experimentCatalog(d, set, itemCategories(items))
	want := &metric.Catalog{Popularity: []int{3, 1, 1, 1}, Categories: []int32{0, 1, 2, -1}, Vectors: content}
	if diff := cmp.Diff(got, want, cmp.Comparer(func(a, b *candidate.Content) bool { return a == b })); diff != "" {
		t.Errorf("catalog (-got +want):\n%s", diff)
	}

	got = experimentCatalog(d, &saved.Set{N: d.NumItems()}, itemCategories([]aisle.Item{{ID: "pen"}}))
	want = &metric.Catalog{Popularity: []int{3, 1, 1, 1}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("no categories nor content model (-got +want):\n%s", diff)
	}
}
