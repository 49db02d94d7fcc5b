// Package saved is the format of a trained model set as training writes it
// and serving reads it: versions in folders (dir/VERSION/), each a
// meta.json (Meta) beside one file per candidate generator, the built-in
// text encoder and the multimodal fusion model; the names of the models;
// the blend of the generators with the learned weights (Load); and what
// serving needs to give a new item its content vector (Set.ItemVector).
//
// Training (package train) imports it to write versions; the engine
// (package recommend) imports it to read them, and nothing of training.
package saved

import (
	"fmt"

	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/rank"
	"github.com/aislehq/aisle/text/ngram"
	"github.com/aislehq/aisle/vector"
)

// Model names: the candidate generators of a set, as Meta lists them.
const (
	ModelPopular    = "popular"
	ModelTransition = "transition"
	ModelItemCF     = "itemcf"
	ModelEASE       = "ease"
	ModelSLIST      = "slist"
	ModelMF         = "mf"
	// ModelContent names the content model: item vectors from the
	// built-in text encoder, trained on the catalog's texts and the
	// dataset's interactions and searches, or their learned fusion with
	// the items' image and behaviour vectors (Meta.ContentVectors).
	ModelContent = "content"
	// ModelRanker is the second-stage ranker over the fused blend
	// (rank.Reranker); it is no blend member.
	ModelRanker = "ranker"
)

// BlendOrder lists the generators in the order the blend weighs them
// (rank.Tune tunes them in this order; the first present anchors the
// scale with weight 1). Member m of the blend Load returns is
// Meta.BlendMembers()[m].
var BlendOrder = []string{ModelSLIST, ModelEASE, ModelTransition, ModelItemCF, ModelMF, ModelContent, ModelPopular}

// What the content model's item vectors are (Meta.ContentVectors).
const (
	// VectorsText is the built-in text encoder's vectors alone.
	VectorsText = "text"
	// VectorsFused is the learned multimodal fusion (package fusion) of
	// each item's text, image and behaviour vectors.
	VectorsFused = "fused"
)

// ColdMinSimilarity is the least cosine with the shopper's profile a cold
// item needs for a place, as served (recommend.Config.ColdMinSimilarity)
// and as the cold-start experiment measures it. On Office every threshold
// from 0 to 0.7 gave the same rankings: the trained encoder's cosines
// between Office items are 0.62–0.79 (10th–90th percentile) for random
// pairs; it keeps out items of other kinds (Office items against
// clothing-photo labels: median 0.35).
const ColdMinSimilarity = 0.5

// Member is one trained candidate generator.
type Member struct {
	Name         string
	Scorer       rank.Scorer
	TrainSeconds float64
}

// Set is a trained model set over one dataset's items.
type Set struct {
	Members []Member
	N       int // items
	// Encoder is the text encoder the content model's item vectors come
	// from; nil when no content model was trained.
	Encoder *ngram.Model
	// Fusion fuses the text vectors with the image and behaviour ones
	// into the content model's item vectors; nil when they are the text
	// vectors alone (ItemVector gives a new item's vector either way).
	Fusion *fusion.Model
	// Ranker re-ranks the blend's best candidates; nil when validation
	// chose the blend alone.
	Ranker *rank.Reranker
}

// Member returns the member called name, or nil.
func (s *Set) Member(name string) *Member {
	for i := range s.Members {
		if s.Members[i].Name == name {
			return &s.Members[i]
		}
	}
	return nil
}

// Blend returns the blend of the named members with weights.
func (s *Set) Blend(names []string, weights []float64) (*rank.Blend, error) {
	var ms []rank.Scorer
	for _, n := range names {
		m := s.Member(n)
		if m == nil {
			return nil, fmt.Errorf("saved: no model %q in the set", n)
		}
		ms = append(ms, m.Scorer)
	}
	return rank.NewBlend(ms, weights, s.N), nil
}

// ItemVector returns the content model's vector for an item the set was
// not trained with — a new item at serve time, which has no interactions:
// its text's vector from the built-in encoder, fused with image (nil for
// none) when the set has a fusion model. It returns nil when the set has
// no content model or the item has neither usable text nor image, and an
// error for an image vector the fusion model cannot take (wrong length,
// not finite). Safe for concurrent use.
func (s *Set) ItemVector(text string, image []float32) ([]float32, error) {
	if s.Encoder == nil {
		return nil, nil
	}
	var tv []float32
	if text != "" {
		tv = make([]float32, s.Encoder.Dim())
		s.Encoder.EncodeTo(tv, text)
	}
	if s.Fusion == nil {
		if vector.Norm(tv) == 0 {
			return nil, nil
		}
		return tv, nil
	}
	in := fusion.Inputs{fusion.Text: tv}
	if image != nil && s.Fusion.Has(fusion.Image) {
		in[fusion.Image] = image
	}
	v, err := s.Fusion.Fuse(in, 0)
	if err != nil {
		return nil, fmt.Errorf("saved: item vector: %w", err)
	}
	return v, nil
}
