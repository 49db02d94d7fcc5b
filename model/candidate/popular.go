package candidate

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"

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

const popularMagic = "AISLEPO1"

// ErrPopularFormat is wrapped by Popular.UnmarshalBinary's errors.
var ErrPopularFormat = errors.New("recall: not a popularity model")

// MarshalBinary encodes the counts: magic, n, n float32s, CRC-32.
func (p *Popular) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	b := append([]byte(popularMagic), le.AppendUint32(nil, uint32(len(p.counts)))...)
	for _, c := range p.counts {
		b = le.AppendUint32(b, math.Float32bits(c))
	}
	return le.AppendUint32(b, crc32.ChecksumIEEE(b)), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (p *Popular) UnmarshalBinary(data []byte) error {
	le := binary.LittleEndian
	h := len(popularMagic)
	if len(data) < h+8 || string(data[:h]) != popularMagic {
		return fmt.Errorf("%w: bad header", ErrPopularFormat)
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != le.Uint32(data[len(data)-4:]) {
		return fmt.Errorf("%w: checksum mismatch", ErrPopularFormat)
	}
	n := int(le.Uint32(body[h:]))
	if len(body) != h+4+4*n {
		return fmt.Errorf("%w: length mismatch", ErrPopularFormat)
	}
	counts := make([]float32, n)
	for i := range counts {
		counts[i] = math.Float32frombits(le.Uint32(body[h+4+4*i:]))
	}
	*p = *newPopular(counts)
	return nil
}
