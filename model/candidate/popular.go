package candidate

import (
	"cmp"
	"errors"
	"slices"

	"github.com/aislehq/aisle/internal/modelfile"
	"github.com/aislehq/aisle/model/dataset"
)

// Popular scores every item by the number of shoppers who interacted
// with it in training (each shopper once, however often they came back,
// so one client cannot lift an item): the same list for everyone, the
// cold-start fallback and the floor every personalised model must beat.
type Popular struct {
	counts []float32
	order  []int32 // items by count, most first, ties by index
}

// TrainPopular counts, per item of d, the sequences (shoppers) that hold
// it.
func TrainPopular(d *dataset.Dataset) *Popular {
	counts := make([]float32, d.NumItems())
	mark := make([]bool, d.NumItems())
	var items []int32
	for _, seq := range d.Seqs {
		items = distinct(seq, mark, items[:0])
		for _, i := range items {
			counts[i]++
		}
	}
	return newPopular(counts)
}

func newPopular(counts []float32) *Popular {
	order := make([]int32, len(counts))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(counts[b], counts[a]) })
	return &Popular{counts: counts, order: order}
}

// Score writes each item's shopper count.
func (p *Popular) Score(_ []int32, scores []float32) {
	copy(scores, p.counts)
}

// Top returns the k most popular items, most first, and their counts.
func (p *Popular) Top(_ []int32, k int) ([]int32, []float32) {
	items := slices.Clone(p.order[:min(k, len(p.order))])
	scores := make([]float32, len(items))
	for j, i := range items {
		scores[j] = p.counts[i]
	}
	return items, scores
}

// ScoreItems writes items' shopper counts into out.
func (p *Popular) ScoreItems(_ []int32, items []int32, out []float32) {
	for j, i := range items {
		out[j] = 0
		if i >= 0 && int(i) < len(p.counts) {
			out[j] = p.counts[i]
		}
	}
}

// The popularity model's binary format (modelfile, CRC-32C): magic
// "AISLEPOP", version 2, then the count of items n uint32 and their n
// float32 counts. Version 1 (magic "AISLEPO1", no version word, CRC-32
// IEEE) is still read.
var (
	popularFormat   = modelfile.Format{Magic: "AISLEPOP", Version: 2, Err: ErrPopularFormat}
	popularFormatV1 = modelfile.Format{Magic: "AISLEPO1", Checksum: modelfile.CRC32IEEE, Err: ErrPopularFormat}
)

// ErrPopularFormat is wrapped by Popular.UnmarshalBinary's errors.
var ErrPopularFormat = errors.New("recall: not a popularity model")

// MarshalBinary encodes the counts. It never fails.
func (p *Popular) MarshalBinary() ([]byte, error) {
	e := popularFormat.NewEncoder(4 + 4*len(p.counts))
	e.Uint32(uint32(len(p.counts)))
	e.Float32s(p.counts)
	return e.Finish()
}

// UnmarshalBinary decodes what MarshalBinary wrote, or version 1. Corrupt
// or truncated input gives an error wrapping ErrPopularFormat and leaves p
// unchanged.
func (p *Popular) UnmarshalBinary(data []byte) error {
	d, err := openVersioned(data, popularFormat, popularFormatV1)
	if err != nil {
		return err
	}
	counts := d.Float32s(uint64(d.Uint32()))
	if err := d.Finish(); err != nil {
		return err
	}
	*p = *newPopular(counts)
	return nil
}
