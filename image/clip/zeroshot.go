package clip

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// DefaultLogitScale is the factor similarities are multiplied by before
// the softmax: CLIP's learned temperature, clamped to 100 in training.
const DefaultLogitScale = 100

// DefaultTemplate is the prompt CLIP's paper uses when it has no better.
const DefaultTemplate = "a photo of a {}."

// DefaultTopLabels is how many labels of each set Classify returns.
const DefaultTopLabels = 3

// TextEncoder is what a Classifier needs of a CLIP text tower: one unit
// vector per text, in the space of the image embeddings.
type TextEncoder interface {
	Encode(ctx context.Context, texts []string) ([][]float32, error)
}

// LabelSet is one attribute to tag: its name ("colour") and the labels it
// can take ("red", "navy blue", …).
type LabelSet struct {
	Name   string
	Labels []string
}

// ZeroShotConfig configures NewClassifier. The zero value is valid.
type ZeroShotConfig struct {
	// Templates are the prompts each label is written into, at "{}" (for
	// example "a photo of a {} product"); a label's vector is the mean of
	// its prompts' unit vectors, scaled to unit length again, as in CLIP's
	// prompt ensembling. Default: DefaultTemplate alone.
	Templates []string
	// LogitScale multiplies the cosine similarities before the softmax
	// over a set's labels (default DefaultLogitScale).
	LogitScale float64
	// TopLabels is how many of a set's labels Classify returns, most
	// probable first (default DefaultTopLabels; more than the set has
	// means all).
	TopLabels int
}

// Score is one label of a set and how well it fits an image.
type Score struct {
	Label string
	// Prob is the softmax over the set's labels of the scaled
	// similarities: the probabilities of all the set's labels sum to 1.
	Prob float32
	// Similarity is the cosine of the image and label vectors.
	Similarity float32
}

// Prediction is what Classify finds for one label set.
type Prediction struct {
	// Set is the LabelSet's name.
	Set string
	// Labels are the set's TopLabels most probable labels, most probable
	// first (ties in the set's order).
	Labels []Score
}

// Classifier tags image embeddings with the labels of its sets, CLIP's
// zero-shot classification. Make it with NewClassifier; it is immutable
// and safe for concurrent use.
type Classifier struct {
	sets  []labelVectors
	scale float64
	top   int
}

type labelVectors struct {
	name   string
	labels []string
	vecs   [][]float32
}

// NewClassifier encodes every label of sets in every template with enc.
// It returns an *aisle.Error (EINVALID) naming the field at fault for an
// empty set or label, a repeated set name or label, or a template without
// exactly one "{}", and enc's error, wrapped, when encoding fails.
func NewClassifier(ctx context.Context, enc TextEncoder, sets []LabelSet, cfg ZeroShotConfig) (*Classifier, error) {
	if len(cfg.Templates) == 0 {
		cfg.Templates = []string{DefaultTemplate}
	}
	if cfg.LogitScale == 0 {
		cfg.LogitScale = DefaultLogitScale
	}
	if cfg.TopLabels == 0 {
		cfg.TopLabels = DefaultTopLabels
	}
	if cfg.LogitScale < 0 || math.IsNaN(cfg.LogitScale) || math.IsInf(cfg.LogitScale, 0) {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "logit_scale", "%v is not a positive number", cfg.LogitScale)
	}
	if cfg.TopLabels < 0 {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "top_labels", "%d is negative", cfg.TopLabels)
	}
	for i, t := range cfg.Templates {
		if strings.Count(t, "{}") != 1 {
			return nil, aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("templates[%d]", i), "template %q must hold {} once, where the label goes", t)
		}
	}
	if len(sets) == 0 {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "sets", "no label sets")
	}
	var prompts []string
	names := map[string]bool{}
	for i, s := range sets {
		field := fmt.Sprintf("sets[%d]", i)
		if names[s.Name] {
			return nil, aisle.FieldErrorf(aisle.EINVALID, field+".name", "set %q is named twice", s.Name)
		}
		names[s.Name] = true
		if len(s.Labels) == 0 {
			return nil, aisle.FieldErrorf(aisle.EINVALID, field+".labels", "set %q has no labels", s.Name)
		}
		seen := map[string]bool{}
		for j, l := range s.Labels {
			if strings.TrimSpace(l) == "" || seen[l] {
				return nil, aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("%s.labels[%d]", field, j), "label %q is empty or repeated", l)
			}
			seen[l] = true
			for _, t := range cfg.Templates {
				prompts = append(prompts, strings.Replace(t, "{}", l, 1))
			}
		}
	}
	vecs, err := enc.Encode(ctx, prompts)
	if err != nil {
		return nil, fmt.Errorf("clip: encode label prompts: %w", err)
	}
	if len(vecs) != len(prompts) {
		return nil, fmt.Errorf("clip: encode label prompts: %d vectors for %d prompts", len(vecs), len(prompts))
	}
	c := &Classifier{scale: cfg.LogitScale, top: cfg.TopLabels}
	next := 0
	for _, s := range sets {
		lv := labelVectors{name: s.Name, labels: slices.Clone(s.Labels)}
		for range s.Labels {
			mean := make([]float32, len(vecs[next]))
			for _, v := range vecs[next : next+len(cfg.Templates)] {
				if len(v) != len(mean) {
					return nil, fmt.Errorf("clip: encode label prompts: vectors of %d and %d floats", len(mean), len(v))
				}
				for k, f := range v {
					mean[k] += f
				}
			}
			next += len(cfg.Templates)
			vector.Normalize(mean)
			lv.vecs = append(lv.vecs, mean)
		}
		c.sets = append(c.sets, lv)
	}
	return c, nil
}

// Classify scores image, a unit vector from the image tower of the text
// encoder's model, against every set: one Prediction per set, in the sets'
// order. An image of another length than the label vectors gets
// similarities of 0 (and equal probabilities).
func (c *Classifier) Classify(image []float32) []Prediction {
	out := make([]Prediction, len(c.sets))
	for i, s := range c.sets {
		scores := make([]Score, len(s.labels))
		logits := make([]float64, len(s.labels))
		best := math.Inf(-1)
		for j, v := range s.vecs {
			sim := float32(0)
			if len(v) == len(image) {
				sim = vector.Dot(image, v)
			}
			scores[j] = Score{Label: s.labels[j], Similarity: sim}
			logits[j] = c.scale * float64(sim)
			best = max(best, logits[j])
		}
		total := 0.0
		for j := range logits {
			logits[j] = math.Exp(logits[j] - best)
			total += logits[j]
		}
		for j := range scores {
			scores[j].Prob = float32(logits[j] / total)
		}
		slices.SortStableFunc(scores, func(a, b Score) int {
			switch {
			case a.Prob > b.Prob:
				return -1
			case a.Prob < b.Prob:
				return 1
			}
			return 0
		})
		out[i] = Prediction{Set: s.name, Labels: scores[:min(c.top, len(scores))]}
	}
	return out
}
