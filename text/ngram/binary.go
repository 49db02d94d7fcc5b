package ngram

import (
	"errors"
	"fmt"
	"math"

	"github.com/aislehq/aisle/internal/modelfile"
)

// format is the binary format (modelfile), little-endian:
//
//	magic    [8]byte "AISLNGRM"
//	version  uint32  1
//	dim, buckets, minN, maxN, maxWords uint32
//	table    buckets×dim float32, row-major
//	checksum uint32  CRC-32C of everything before it
var format = modelfile.Format{Magic: magic, Version: 1, Err: ErrFormat}

const magic = "AISLNGRM"

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a model it can read.
var ErrFormat = errors.New("not an ngram model")

// MarshalBinary encodes the model's shape and table (not its training
// settings) in a versioned, checksummed format.
func (m *Model) MarshalBinary() ([]byte, error) {
	c := m.cfg
	e := format.NewEncoder(20 + 4*len(m.table))
	for _, v := range []int{c.Dim, c.Buckets, c.MinN, c.MaxN, c.MaxWords} {
		e.Uint32(uint32(v))
	}
	e.Float32s(m.table)
	return e.Finish()
}

// UnmarshalBinary replaces m's shape and table with those encoded in data
// by MarshalBinary. The training settings take their defaults, except
// Workers, which m keeps when it has one. It returns an error wrapping
// ErrFormat for data that is truncated, corrupt, of another version or
// out of the limits, and leaves m unchanged then. It must not run
// concurrently with any other method of m.
func (m *Model) UnmarshalBinary(data []byte) error {
	cfg, table, err := decode(data, m.cfg.Workers)
	if err != nil {
		return fmt.Errorf("ngram unmarshal: %w", err)
	}
	m.cfg, m.feat, m.table = cfg, featurizerFor(cfg), table
	return nil
}

// decode reads a model's shape and table; workers is the Workers setting
// the shape gets.
func decode(data []byte, workers int) (Config, []float32, error) {
	d, err := format.Open(data)
	if err != nil {
		return Config{}, nil, err
	}
	var h [5]uint32
	for i := range h {
		h[i] = d.Uint32()
	}
	if err := d.Err(); err != nil {
		return Config{}, nil, err
	}
	for i, v := range h {
		if v > math.MaxInt32 {
			return Config{}, nil, d.Errorf("header field %d is %d", i+1, v)
		}
	}
	cfg := Config{Dim: int(h[0]), Buckets: int(h[1]), MinN: int(h[2]), MaxN: int(h[3]), MaxWords: int(h[4])}
	if cfg.Dim == 0 || cfg.Buckets == 0 || cfg.MinN == 0 || cfg.MaxN == 0 || cfg.MaxWords == 0 {
		return Config{}, nil, d.Errorf("zero size in header")
	}
	cfg.Workers = workers
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Config{}, nil, d.Errorf("%v", err)
	}
	table := d.FiniteFloat32s(uint64(cfg.Buckets) * uint64(cfg.Dim)) // at most maxBuckets·maxDim
	if err := d.Finish(); err != nil {
		return Config{}, nil, err
	}
	return cfg, table, nil
}
