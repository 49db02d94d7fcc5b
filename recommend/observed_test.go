package recommend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
	aislehttp "github.com/aislehq/aisle/http"
	"github.com/aislehq/aisle/recommend"
)

// Observed keeps what the server serves and observes through it.
var (
	_ aislehttp.Recommender        = (*recommend.Observed)(nil)
	_ aislehttp.CatalogObserver    = (*recommend.Observed)(nil)
	_ aislehttp.ContentRecommender = (*recommend.Observed)(nil)
	_ aislehttp.VisualRecommender  = (*recommend.Observed)(nil)
	_ aislehttp.FusedRecommender   = (*recommend.Observed)(nil)
)

// callLog is a CatalogIndex and an ItemWatcher that logs its calls.
type callLog struct {
	name  string
	calls *[]string
}

func (l callLog) add(s string)                    { *l.calls = append(*l.calls, l.name+" "+s) }
func (l callLog) ObserveItems(items []aisle.Item) { l.add("items " + itemIDs(items)) }
func (l callLog) ForgetItem(id string)            { l.add("forget item " + id) }
func (l callLog) ForgetUser(id string)            { l.add("forget user " + id) }
func (l callLog) Observe(items []aisle.Item)      { l.add("observe " + itemIDs(items)) }

func itemIDs(items []aisle.Item) string {
	var s []string
	for _, it := range items {
		s = append(s, it.ID)
	}
	return strings.Join(s, ",")
}

func TestObservedTellsEveryObserver(t *testing.T) {
	ctx := context.Background()
	_, e := fixture(t)
	tests := []struct {
		name   string
		photos bool
		call   func(o *recommend.Observed) error
		want   []string
	}{
		{"items", true, func(o *recommend.Observed) error { o.ObserveItems([]aisle.Item{{ID: "x", Title: "X"}}); return nil },
			[]string{"index items x", "photos observe x"}},
		{"items without photos", false, func(o *recommend.Observed) error { o.ObserveItems([]aisle.Item{{ID: "y", Title: "Y"}}); return nil },
			[]string{"index items y"}},
		{"forget item", true, func(o *recommend.Observed) error { o.ForgetItem("x"); return nil },
			[]string{"index forget item x"}},
		{"forget user", true, func(o *recommend.Observed) error { return o.ForgetUser(ctx, "a0") },
			[]string{"index forget user a0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			o := &recommend.Observed{Engine: e, Index: callLog{"index", &calls}}
			if tt.photos {
				o.Photos = callLog{"photos", &calls}
			}
			if err := tt.call(o); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(calls, tt.want); diff != "" {
				t.Errorf("calls (-got +want):\n%s", diff)
			}
		})
	}
}
