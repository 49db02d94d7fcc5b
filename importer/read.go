package importer

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle"
)

// ReadItems reads the catalog of the dataset at path (any format Run
// reads; format "" detects it) into memory, normalised and validated as
// Run stores them, skipping bad rows: a dataset's items for an evaluation
// or a test, without a store.
func ReadItems(ctx context.Context, path, format string) ([]aisle.Item, error) {
	var c collector
	if _, err := Run(ctx, &c, path, Options{Format: format, Kind: KindItems}, Deps{}, nil); err != nil {
		return nil, fmt.Errorf("read items: %w", err)
	}
	return c.items, nil
}

// ReadQuestions reads the product questions of the dataset at path (any
// format Run reads; format "" detects it) into memory, skipping bad rows.
func ReadQuestions(ctx context.Context, path, format string) ([]aisle.Question, error) {
	var c collector
	if _, err := Run(ctx, &c, path, Options{Format: format, Kind: KindQuestions}, Deps{}, nil); err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	return c.qs, nil
}

// collector is a Store that keeps the items and questions it is given
// and ignores the rest.
type collector struct {
	items []aisle.Item
	qs    []aisle.Question
}

func (c *collector) UpsertItems(_ context.Context, items []aisle.Item) (aisle.UpsertStats, error) {
	c.items = append(c.items, items...)
	return aisle.UpsertStats{Inserted: len(items)}, nil
}

func (c *collector) UpsertUsers(context.Context, []aisle.User) (aisle.UpsertStats, error) {
	return aisle.UpsertStats{}, nil
}

func (c *collector) AppendEvents(context.Context, []aisle.Event) (aisle.AppendStats, error) {
	return aisle.AppendStats{}, nil
}

func (c *collector) UpsertQuestions(_ context.Context, qs []aisle.Question) (aisle.UpsertStats, error) {
	c.qs = append(c.qs, qs...)
	return aisle.UpsertStats{Inserted: len(qs)}, nil
}

func (c *collector) Items(context.Context, []string) (map[string]aisle.Item, error) {
	return nil, nil
}
