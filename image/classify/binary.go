package classify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"unicode/utf8"
)

// The binary format, all little-endian:
//
//	magic    [8]byte "AISLECLS"
//	version  uint32  1
//	classes  uint32  k, 2 to MaxClasses
//	dim      uint32  d, 1 to MaxDim
//	flags    uint32  bit 0: standardised
//	lambda   float64
//	labels   k × (uint32 length, UTF-8 bytes), sorted, distinct, not empty
//	weights  k·d float32, row-major
//	biases   k float32
//	mean     d float32, when standardised
//	scale    d float32, when standardised
//	checksum uint32  CRC-32 (IEEE) of everything before it
const (
	magic         = "AISLECLS"
	formatVersion = 1
	headerSize    = len(magic) + 4*4 + 8
	checksumSize  = 4
	flagStandard  = 1
)

// Limits of the binary format, checked by UnmarshalBinary before it
// allocates anything.
const (
	// MaxClasses is the most classes a model may have.
	MaxClasses = 1 << 16
	// MaxDim is the longest input a model may take.
	MaxDim = 1 << 16
	// MaxLabelBytes is the longest class name.
	MaxLabelBytes = 1 << 10
)

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a model it can read.
var ErrFormat = errors.New("not a classify model")

// MarshalBinary encodes the model (not its cross-validation scores) in the
// versioned, checksummed format above. It never fails.
func (m *Softmax) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	out := make([]byte, 0, headerSize+4*(len(m.w)+len(m.b)+2*len(m.mean))+checksumSize)
	out = append(out, magic...)
	var flags uint32
	if m.mean != nil {
		flags |= flagStandard
	}
	for _, v := range []uint32{formatVersion, uint32(len(m.labels)), uint32(m.dim), flags} {
		out = le.AppendUint32(out, v)
	}
	out = le.AppendUint64(out, math.Float64bits(m.lambda))
	for _, l := range m.labels {
		out = le.AppendUint32(out, uint32(len(l)))
		out = append(out, l...)
	}
	for _, part := range [][]float32{m.w, m.b, m.mean, m.scale} {
		for _, v := range part {
			out = le.AppendUint32(out, math.Float32bits(v))
		}
	}
	return le.AppendUint32(out, crc32.ChecksumIEEE(out)), nil
}

// UnmarshalBinary replaces m with the model encoded in data by
// MarshalBinary. It returns an error wrapping ErrFormat for data that is
// truncated, corrupt, of another version or out of the format's limits,
// and leaves m unchanged then. It must not run concurrently with any other
// method of m.
func (m *Softmax) UnmarshalBinary(data []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("classify: unmarshal: %w: %s", ErrFormat, fmt.Sprintf(format, args...))
	}
	if len(data) < headerSize+checksumSize || string(data[:len(magic)]) != magic {
		return bad("no header")
	}
	le := binary.LittleEndian
	body, sum := data[:len(data)-checksumSize], le.Uint32(data[len(data)-checksumSize:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return bad("checksum %08x, want %08x", got, sum)
	}
	h := body[len(magic):]
	version, k, d, flags := le.Uint32(h), le.Uint32(h[4:]), le.Uint32(h[8:]), le.Uint32(h[12:])
	lambda := math.Float64frombits(le.Uint64(h[16:]))
	switch {
	case version != formatVersion:
		return bad("version %d, want %d", version, formatVersion)
	case k < 2 || k > MaxClasses:
		return bad("%d classes, want 2 to %d", k, MaxClasses)
	case d < 1 || d > MaxDim:
		return bad("dimension %d, want 1 to %d", d, MaxDim)
	case flags&^flagStandard != 0:
		return bad("unknown flags %#x", flags)
	case !(lambda > 0) || math.IsInf(lambda, 0):
		return bad("penalty %v, want positive and finite", lambda)
	}
	rest := body[headerSize:]
	labels := make([]string, 0, min(int(k), len(rest)/4))
	for i := range int(k) {
		if len(rest) < 4 {
			return bad("truncated in label %d", i)
		}
		n := le.Uint32(rest)
		if n == 0 || n > MaxLabelBytes || uint64(n) > uint64(len(rest)-4) {
			return bad("label %d has %d bytes, want 1 to %d within the data", i, n, MaxLabelBytes)
		}
		l := string(rest[4 : 4+n])
		if !utf8.ValidString(l) {
			return bad("label %d is not UTF-8", i)
		}
		if i > 0 && l <= labels[i-1] {
			return bad("label %d %q is not after %q", i, l, labels[i-1])
		}
		labels = append(labels, l)
		rest = rest[4+n:]
	}
	floats := uint64(k)*uint64(d) + uint64(k)
	if flags&flagStandard != 0 {
		floats += 2 * uint64(d)
	}
	if uint64(len(rest)) != 4*floats {
		return bad("%d bytes of parameters, want %d", len(rest), 4*floats)
	}
	vals := make([]float32, floats)
	for i := range vals {
		v := math.Float32frombits(le.Uint32(rest[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return bad("parameter %d is %v", i, v)
		}
		vals[i] = v
	}
	kd := int(k) * int(d)
	nm := &Softmax{labels: labels, dim: int(d), lambda: lambda,
		w: vals[:kd:kd], b: slices.Clip(vals[kd : kd+int(k)])}
	if flags&flagStandard != 0 {
		at := kd + int(k)
		nm.mean, nm.scale = vals[at:at+int(d):at+int(d)], vals[at+int(d):]
	}
	*m = *nm
	return nil
}
