package recall

import "github.com/aislehq/aisle/dataset"

// Popular scores every item by its number of interactions in training: the
// same list for everyone, the cold-start fallback and the floor every
// personalised model must beat.
type Popular struct {
	counts []float32
}

// TrainPopular counts interactions per item in d.
func TrainPopular(d *dataset.Dataset) *Popular {
	p := &Popular{counts: make([]float32, d.NumItems())}
	for _, seq := range d.Seqs {
		for _, i := range seq {
			p.counts[i]++
		}
	}
	return p
}

// Score writes each item's interaction count.
func (p *Popular) Score(_ []int32, scores []float32) {
	copy(scores, p.counts)
}
