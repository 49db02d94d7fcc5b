package ngram

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// The binary format, little-endian:
//
//	magic    [8]byte "AISLNGRM"
//	version  uint32  1
//	dim, buckets, minN, maxN, maxWords uint32
//	table    buckets×dim float32, row-major
//	checksum uint32  CRC-32C of everything before it
const (
	magic         = "AISLNGRM"
	formatVersion = 1
	headerSize    = len(magic) + 6*4
	checksumSize  = 4
)

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a model it can read.
var ErrFormat = errors.New("not an ngram model")

// MarshalBinary encodes the model's shape and table (not its training
// settings) in a versioned, checksummed format.
func (m *Model) MarshalBinary() ([]byte, error) {
	c := m.cfg
	out := make([]byte, 0, headerSize+4*len(m.table)+checksumSize)
	out = append(out, magic...)
	for _, v := range []int{formatVersion, c.Dim, c.Buckets, c.MinN, c.MaxN, c.MaxWords} {
		out = binary.LittleEndian.AppendUint32(out, uint32(v))
	}
	for _, x := range m.table {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
	}
	return binary.LittleEndian.AppendUint32(out, checksum(out)), nil
}

// checksum is the format's checksum of b: CRC-32C.
func checksum(b []byte) uint32 {
	return crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli))
}

// UnmarshalBinary replaces m's shape and table with those encoded in data
// by MarshalBinary. The training settings take their defaults, except
// Workers, which m keeps when it has one. It returns an error wrapping
// ErrFormat for data that is truncated, corrupt, of another version or
// out of the limits, and leaves m unchanged then. It must not run
// concurrently with any other method of m.
func (m *Model) UnmarshalBinary(data []byte) error {
	if len(data) < headerSize+checksumSize || string(data[:len(magic)]) != magic {
		return fmt.Errorf("ngram unmarshal: %w: no header", ErrFormat)
	}
	var h [6]uint32
	for i := range h {
		h[i] = binary.LittleEndian.Uint32(data[len(magic)+4*i:])
	}
	if h[0] != formatVersion {
		return fmt.Errorf("ngram unmarshal: %w: version %d, want %d", ErrFormat, h[0], formatVersion)
	}
	var cfg Config
	for i, v := range h[1:] {
		if v > math.MaxInt32 {
			return fmt.Errorf("ngram unmarshal: %w: header field %d is %d", ErrFormat, i+1, v)
		}
	}
	cfg.Dim, cfg.Buckets, cfg.MinN, cfg.MaxN, cfg.MaxWords = int(h[1]), int(h[2]), int(h[3]), int(h[4]), int(h[5])
	if cfg.Dim == 0 || cfg.Buckets == 0 || cfg.MinN == 0 || cfg.MaxN == 0 || cfg.MaxWords == 0 {
		return fmt.Errorf("ngram unmarshal: %w: zero size in header", ErrFormat)
	}
	cfg.Workers = m.cfg.Workers
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return fmt.Errorf("ngram unmarshal: %w: %w", ErrFormat, err)
	}
	n := cfg.Buckets * cfg.Dim // at most maxBuckets·maxDim: no overflow
	if want := headerSize + 4*n + checksumSize; len(data) != want {
		return fmt.Errorf("ngram unmarshal: %w: %d bytes, want %d for %d×%d", ErrFormat, len(data), want, cfg.Buckets, cfg.Dim)
	}
	body := data[:len(data)-checksumSize]
	if got, want := checksum(body), binary.LittleEndian.Uint32(data[len(body):]); got != want {
		return fmt.Errorf("ngram unmarshal: %w: checksum %08x, want %08x", ErrFormat, got, want)
	}
	table := make([]float32, n)
	for i := range table {
		x := math.Float32frombits(binary.LittleEndian.Uint32(body[headerSize+4*i:]))
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("ngram unmarshal: %w: weight %d is %v", ErrFormat, i, x)
		}
		table[i] = x
	}
	m.cfg, m.feat, m.table = cfg, featurizerFor(cfg), table
	return nil
}
