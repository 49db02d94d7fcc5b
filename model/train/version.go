package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/saved"
)

// NewVersion trains the model set on the interactions of events over the
// catalog items and saves it in dir (saved.Save, stamped with the time
// now) as a new version, unless the newest version there validates better
// (saved.Replaces). Items no shopper has touched get indices too: the
// content model ranks them from their texts, which NewVersion sets as
// cfg.Content.Text. It says what it does on out (nil discards): that
// there is nothing to train, which version it trains on, and whether it
// saved or kept a version. No interactions is no error.
func NewVersion(ctx context.Context, events iter.Seq2[aisle.Event, error], items []aisle.Item, dir string, cfg Config, out io.Writer, logger *slog.Logger) error {
	if out == nil {
		out = io.Discard
	}
	d, err := dataset.FromEvents(events, dataset.Options{})
	if err != nil {
		return err
	}
	if d.Interactions() == 0 {
		fmt.Fprintln(out, "No interactions: no recommendation models to train.")
		return nil
	}
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	d = d.WithItems(ids)
	cfg.Content.Text = ItemTexts(items)
	cfg.Items = ItemInfos(items)
	fmt.Fprintf(out, "Training on %d interactions of %d users over %d items...\n", d.Interactions(), len(d.Users), d.NumItems())
	set, meta, err := Train(ctx, d, cfg, logger)
	if err != nil {
		return err
	}
	prev, err := saved.Latest(dir)
	if err != nil && !errors.Is(err, saved.ErrNoModel) {
		return err
	}
	if prev != nil && !saved.Replaces(meta, prev) {
		fmt.Fprintf(out, "Kept version %s: its validation NDCG@10 %.4f beats the new models' %.4f; nothing saved.\n", prev.Version, prev.ValidNDCG10, meta.ValidNDCG10)
		return nil
	}
	version, err := saved.Save(dir, set, meta, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "Saved version %s in %s: validation NDCG@10 %.4f, blend weights %v.\n", version, dir, meta.ValidNDCG10, meta.Weights)
	return nil
}

// ItemTexts returns the texts of items by id (aisle.Item.Text), "" for
// an id not among them.
func ItemTexts(items []aisle.Item) func(string) string {
	texts := make(map[string]string, len(items))
	for i := range items {
		texts[items[i].ID] = items[i].Text()
	}
	return func(id string) string { return texts[id] }
}
