package train

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/ngram"
	"github.com/aislehq/aisle/recall"
)

// ModelContent names the content model: item vectors from the built-in
// text encoder, trained on the catalog's texts and the dataset's
// interactions and searches.
const ModelContent = "content"

// ContentConfig configures the content model. Without Text it is not
// trained.
type ContentConfig struct {
	// Text returns an item's text (aisle.Item.Text) by id, "" for none.
	// When no item of a dataset has text, the content model is skipped.
	Text func(id string) string
	// Encoder configures the built-in text encoder's training.
	Encoder ngram.Config
	// Scorer configures how shoppers' profiles are made of item vectors.
	Scorer recall.ContentConfig
}

// pairWindow is how many places apart in a shopper's history two items
// may be to make a training pair for the text encoder.
const pairWindow = 2

// TrainTextEncoder trains the built-in text encoder on the texts of d's
// items (cfg.Text), the pairs of items at most pairWindow places apart in
// d's histories and d's searches. It also returns the texts, by item
// index; nil, nil, nil when no item has text.
func TrainTextEncoder(ctx context.Context, d *dataset.Dataset, cfg ContentConfig, seed uint64) (*ngram.Model, []string, error) {
	if cfg.Text == nil {
		return nil, nil, nil
	}
	texts := make([]string, d.NumItems())
	any := false
	for i, id := range d.Items {
		texts[i] = cfg.Text(id)
		any = any || texts[i] != ""
	}
	if !any {
		return nil, nil, nil
	}
	corpus := ngram.Corpus{Texts: texts}
	for _, seq := range d.Seqs {
		for k := range seq {
			for j := k + 1; j < len(seq) && j <= k+pairWindow; j++ {
				if seq[j] != seq[k] {
					corpus.Pairs = append(corpus.Pairs, [2]int32{seq[k], seq[j]})
				}
			}
		}
	}
	for _, q := range d.Queries {
		corpus.Queries = append(corpus.Queries, ngram.QueryPair{Query: q.Text, Item: q.Item})
	}
	ec := cfg.Encoder
	if ec.Seed == 0 {
		ec.Seed = seed
	}
	enc, err := ngram.Train(ctx, corpus, ec, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("text encoder: %w", err)
	}
	return enc, texts, nil
}

// trainContent trains the text encoder (TrainTextEncoder) and returns it
// and the content model over its item vectors; nil, nil, nil when no item
// has text.
func trainContent(ctx context.Context, d *dataset.Dataset, cfg ContentConfig, seed uint64) (*ngram.Model, *recall.Content, error) {
	enc, texts, err := TrainTextEncoder(ctx, d, cfg, seed)
	if err != nil || enc == nil {
		return nil, nil, err
	}
	vecs, err := enc.Encode(ctx, texts)
	if err != nil {
		return nil, nil, fmt.Errorf("encode item texts: %w", err)
	}
	for i, t := range texts {
		if t == "" {
			vecs[i] = nil
		}
	}
	c, err := recall.NewContent(vecs, cfg.Scorer)
	if err != nil {
		return nil, nil, err
	}
	return enc, c, nil
}
