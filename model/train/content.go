package train

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/text/ngram"
)

// ContentConfig configures the content model. Without Text it is not
// trained.
type ContentConfig struct {
	// Text returns an item's text (aisle.Item.Text) by id, "" for none.
	// When no item of a dataset has text, the content model is skipped.
	Text func(id string) string
	// Encoder configures the built-in text encoder's training.
	Encoder ngram.Config
	// Scorer configures how shoppers' profiles are made of item vectors.
	Scorer candidate.ContentConfig
	// Image returns an item's image vector by id, nil for none. When nil,
	// or nil for every item, there is no image modality.
	Image func(id string) []float32
	// Fusion configures the learned fusion of each item's text, image and
	// behaviour (matrix factorisation's item factors) vectors.
	Fusion fusion.Config
	// Vectors chooses the content model's item vectors: VectorsAuto (the
	// zero value), VectorsText or VectorsFused.
	Vectors string
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
	corpus := ngram.Corpus{Texts: texts, Pairs: coPairs(d)}
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

// coPairs returns the pairs of distinct items at most pairWindow places
// apart in d's histories.
func coPairs(d *dataset.Dataset) [][2]int32 {
	var pairs [][2]int32
	for _, seq := range d.Seqs {
		for k := range seq {
			for j := k + 1; j < len(seq) && j <= k+pairWindow; j++ {
				if seq[j] != seq[k] {
					pairs = append(pairs, [2]int32{seq[k], seq[j]})
				}
			}
		}
	}
	return pairs
}

// textVectors returns enc's vector for each of texts, nil for "".
func textVectors(ctx context.Context, enc *ngram.Model, texts []string) ([][]float32, error) {
	vecs, err := enc.Encode(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("encode item texts: %w", err)
	}
	for i, t := range texts {
		if t == "" {
			vecs[i] = nil
		}
	}
	return vecs, nil
}

// content is what trainContent trained: the text encoder, the fusion
// model (nil when the vectors are text alone) and the content model over
// the chosen vectors, with the text-alone one beside it when the choice is
// left to validation.
type content struct {
	enc         *ngram.Model
	fusion      *fusion.Model
	model, text *candidate.Content
}

// trainContent trains the text encoder (TrainTextEncoder) and, unless
// full.Content.Vectors is VectorsText, the fusion of the item texts'
// vectors with their image vectors (full.Content.Image) and behaviour
// vectors (mf's item factors; nil for none) (trainFusion), and returns
// them with the content model over the fused vectors; nil, nil when no
// item has text.
func trainContent(ctx context.Context, d *dataset.Dataset, full Config, mf *candidate.MF) (*content, error) {
	cfg := full.Content
	enc, texts, err := TrainTextEncoder(ctx, d, cfg, full.Seed)
	if err != nil || enc == nil {
		return nil, err
	}
	vecs, err := textVectors(ctx, enc, texts)
	if err != nil {
		return nil, err
	}
	text, err := candidate.NewContent(vecs, cfg.Scorer)
	if err != nil {
		return nil, err
	}
	out := &content{enc: enc, model: text}
	if cfg.Vectors == VectorsText {
		return out, nil
	}
	iv, err := modalities(d, cfg, vecs, mf)
	if err != nil {
		return nil, err
	}
	if out.fusion, err = trainFusion(ctx, d, full, iv); err != nil {
		return nil, err
	}
	fused, err := fuseAll(out.fusion, iv, interactionCounts(d), nil)
	if err != nil {
		return nil, err
	}
	if out.model, err = candidate.NewContent(fused, cfg.Scorer); err != nil {
		return nil, err
	}
	if cfg.Vectors == VectorsAuto {
		out.text = text
	}
	return out, nil
}
