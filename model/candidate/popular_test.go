package candidate_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
)

// TestPopularCountsShoppers checks that the trained popularity counts each
// shopper once per item: one client repeating an event a thousand times
// does not outrank an item three shoppers took.
func TestPopularCountsShoppers(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var evs []aisle.Event
	for k := range 1000 {
		evs = append(evs, aisle.Event{User: "flood", Item: "spam", Type: aisle.EventPurchase, Time: t0.Add(time.Duration(k) * time.Second)})
	}
	for u := range 3 {
		evs = append(evs, aisle.Event{User: fmt.Sprintf("u%d", u), Item: "liked", Type: aisle.EventPurchase, Time: t0})
	}
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	items, counts := candidate.TrainPopular(d).Top(nil, 2)
	if len(items) != 2 || d.Items[items[0]] != "liked" || counts[0] != 3 || counts[1] != 1 {
		t.Errorf("Top = %v %v; want liked (3 shoppers) before spam (1)", items, counts)
	}
}
