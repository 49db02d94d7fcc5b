package train_test

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

// walkEvents returns the events of shoppers who walk a catalog of 40
// items in steps of one or two, so the next item is predictable from the
// last ones, as a store's log.
func walkEvents() iter.Seq2[aisle.Event, error] {
	var evs []aisle.Event
	for u := range 200 {
		item, step := u%40, 1+u%2
		for k := range 8 {
			evs = append(evs, aisle.Event{User: fmt.Sprint("u", u), Item: fmt.Sprint("i", item), Type: aisle.EventPurchase, Time: time.Unix(int64(k), 0), Seq: int64(len(evs) + 1)})
			item = (item + step) % 40
		}
	}
	return func(yield func(aisle.Event, error) bool) {
		for _, e := range evs {
			if !yield(e, nil) {
				return
			}
		}
	}
}

func TestNewVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the model set twice")
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "models")
	var items []aisle.Item
	for i := range 45 { // five items no shopper touched
		items = append(items, aisle.Item{ID: fmt.Sprint("i", i), Title: fmt.Sprintf("Item %d", i)})
	}
	cfg := train.Config{Seed: 3, Skip: []string{"mf"}}
	var out bytes.Buffer
	if err := train.NewVersion(ctx, walkEvents(), items, dir, cfg, &out, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Training on 1600 interactions of 200 users over 45 items...") || !strings.Contains(out.String(), "Saved version ") {
		t.Errorf("first version said:\n%s", out.String())
	}
	first, err := saved.Latest(dir)
	if err != nil || len(first.Items) != 45 {
		t.Fatalf("Latest = %+v, %v; want a version over 45 items", first, err)
	}
	// The same data validates as well, which is not worse: saved again.
	out.Reset()
	if err := train.NewVersion(ctx, walkEvents(), items, dir, cfg, &out, nil); err != nil || !strings.Contains(out.String(), "Saved version ") {
		t.Errorf("second version: %v, said:\n%s", err, out.String())
	}
}

func TestNewVersionWithoutInteractions(t *testing.T) {
	none := func(yield func(aisle.Event, error) bool) {}
	var out bytes.Buffer
	dir := filepath.Join(t.TempDir(), "models")
	if err := train.NewVersion(context.Background(), none, []aisle.Item{{ID: "a"}}, dir, train.Config{}, &out, nil); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "No interactions: no recommendation models to train.\n" {
		t.Errorf("said %q", got)
	}
	if _, err := saved.Latest(dir); err == nil {
		t.Error("a version was saved without interactions")
	}
}
