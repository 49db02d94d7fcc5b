package recall

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"

	"github.com/aislehq/aisle/dataset"
)

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
	p.counts = counts
	return nil
}
