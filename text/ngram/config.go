package ngram

import (
	"fmt"
	"runtime"
)

// Config holds the encoder's shape and the training settings. The zero
// value of every field means its default.
type Config struct {
	// Dim is the length of the vectors. Default 128.
	Dim int
	// Buckets is the number of rows of the hashed embedding table.
	// Default 1<<17 (64 MiB of float32 at Dim 128).
	Buckets int
	// MinN and MaxN bound the character n-grams, in runes, boundary
	// marks included. Default 3 and 4: 3 to 5 costs 30% more features,
	// and 3 alone scored within noise of 3 to 4 on Office.
	MinN, MaxN int
	// MaxWords is how many words of a text are featurised; the rest is
	// ignored. Default 32: a title, brand and category path fit, and a
	// long description is cut.
	MaxWords int
	// Epochs is the number of passes over the training pairs. Default 2
	// (more overfits the Office co-purchases).
	Epochs int
	// LearningRate is Adagrad's step size. Default 0.01.
	LearningRate float64
	// Temperature divides the cosines in the contrastive loss. Default 0.05.
	Temperature float64
	// BatchSize is the number of positive pairs per step; the other pairs
	// of the batch are the negatives. Default 256.
	BatchSize int
	// Seed makes the random initial table and the order of training
	// deterministic. Zero is a valid seed (the default).
	Seed uint64
	// Workers is the number of goroutines for training and for Encode.
	// Default runtime.GOMAXPROCS(0). It does not change the result.
	Workers int
}

// Limits on the encoder's shape, checked by Train, New and UnmarshalBinary.
const (
	maxDim     = 4096
	maxBuckets = 1 << 26
	maxGram    = 16
)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Dim, 128)
	def(&c.Buckets, 1<<17)
	def(&c.MinN, 3)
	def(&c.MaxN, 4)
	def(&c.MaxWords, 32)
	def(&c.Epochs, 2)
	def(&c.BatchSize, 256)
	def(&c.Workers, runtime.GOMAXPROCS(0))
	if c.LearningRate == 0 {
		c.LearningRate = 0.01
	}
	if c.Temperature == 0 {
		c.Temperature = 0.05
	}
	return c
}

// validate checks a config that has its defaults filled in.
func (c Config) validate() error {
	switch {
	case c.Dim < 1 || c.Dim > maxDim:
		return fmt.Errorf("dim %d: want 1 to %d", c.Dim, maxDim)
	case c.Buckets < 1 || c.Buckets > maxBuckets:
		return fmt.Errorf("buckets %d: want 1 to %d", c.Buckets, maxBuckets)
	case c.MinN < 1 || c.MaxN < c.MinN || c.MaxN > maxGram:
		return fmt.Errorf("n-gram sizes %d..%d: want 1 ≤ MinN ≤ MaxN ≤ %d", c.MinN, c.MaxN, maxGram)
	case c.MaxWords < 1:
		return fmt.Errorf("max words %d: want at least 1", c.MaxWords)
	case c.Epochs < 1:
		return fmt.Errorf("epochs %d: want at least 1", c.Epochs)
	case c.BatchSize < 2:
		return fmt.Errorf("batch size %d: want at least 2", c.BatchSize)
	case c.Workers < 1:
		return fmt.Errorf("workers %d: want at least 1", c.Workers)
	case !(c.LearningRate > 0):
		return fmt.Errorf("learning rate %g: want > 0", c.LearningRate)
	case !(c.Temperature > 0):
		return fmt.Errorf("temperature %g: want > 0", c.Temperature)
	}
	return nil
}
