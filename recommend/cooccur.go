package recommend

import (
	"context"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/recall"
)

// CoOccurrence is item-to-item collaborative filtering rebuilt from the
// whole log in the background (recall.TrainItemCF over the engine's last
// build), keyed by item id: it gives similar items for items newer than
// the trained model version. It is immutable and safe for concurrent use.
type CoOccurrence struct {
	m       *recall.ItemItem
	catalog *dataset.Dataset // the build's item ids, without its sequences
}

// isInteraction reports whether an event of type t says a shopper was
// interested in its item: the types package dataset keeps by default.
func isInteraction(t aisle.EventType) bool {
	return slices.Contains(dataset.DefaultTypes, t)
}

// buildCoOccurrence trains item-to-item CF over d's sequences: items
// within window positions of each other in a session co-occur, and each
// item keeps its keep best neighbours.
func buildCoOccurrence(ctx context.Context, d *dataset.Dataset, window, keep int) (*CoOccurrence, error) {
	m, err := recall.TrainItemCF(ctx, d, recall.ItemCFConfig{Window: window, Keep: keep})
	if err != nil {
		return nil, err
	}
	return &CoOccurrence{m: m, catalog: d.Catalog()}, nil
}

// neighbors returns item's neighbours, best first, with their weights.
func (c *CoOccurrence) neighbors(item string) []scored {
	i, ok := c.catalog.ItemIndex(item)
	if !ok {
		return nil
	}
	items, weights := c.m.Neighbors(i)
	out := make([]scored, len(items))
	for k, j := range items {
		out[k] = scored{c.catalog.Items[j], float64(weights[k])}
	}
	return out
}
