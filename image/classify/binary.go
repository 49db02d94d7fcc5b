package classify

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/aislehq/aisle/internal/modelfile"
)

// format is the binary format (modelfile), all little-endian:
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
var format = modelfile.Format{Magic: magic, Version: 1, Checksum: modelfile.CRC32IEEE, Err: ErrFormat}

const (
	magic        = "AISLECLS"
	flagStandard = 1
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
	var flags uint32
	if m.mean != nil {
		flags |= flagStandard
	}
	e := format.NewEncoder(20 + 4*(len(m.w)+len(m.b)+2*len(m.mean)))
	for _, v := range []uint32{uint32(len(m.labels)), uint32(m.dim), flags} {
		e.Uint32(v)
	}
	e.Float64(m.lambda)
	for _, l := range m.labels {
		e.String(l)
	}
	for _, part := range [][]float32{m.w, m.b, m.mean, m.scale} {
		e.Float32s(part)
	}
	return e.Finish()
}

// UnmarshalBinary replaces m with the model encoded in data by
// MarshalBinary. It returns an error wrapping ErrFormat for data that is
// truncated, corrupt, of another version or out of the format's limits,
// and leaves m unchanged then. It must not run concurrently with any other
// method of m.
func (m *Softmax) UnmarshalBinary(data []byte) error {
	nm, err := decode(data)
	if err != nil {
		return fmt.Errorf("classify: unmarshal: %w", err)
	}
	*m = *nm
	return nil
}

// decode reads a model in the format above.
func decode(data []byte) (*Softmax, error) {
	d, err := format.Open(data)
	if err != nil {
		return nil, err
	}
	k, dim, flags := d.Uint32(), d.Uint32(), d.Uint32()
	lambda := d.Float64()
	switch {
	case d.Err() != nil:
		return nil, d.Err()
	case k < 2 || k > MaxClasses:
		return nil, d.Errorf("%d classes, want 2 to %d", k, MaxClasses)
	case dim < 1 || dim > MaxDim:
		return nil, d.Errorf("dimension %d, want 1 to %d", dim, MaxDim)
	case flags&^flagStandard != 0:
		return nil, d.Errorf("unknown flags %#x", flags)
	case !(lambda > 0) || math.IsInf(lambda, 0):
		return nil, d.Errorf("penalty %v, want positive and finite", lambda)
	}
	labels := make([]string, 0, min(k, 1<<10))
	for i := range int(k) {
		l := d.String(MaxLabelBytes)
		switch {
		case d.Err() != nil:
			return nil, d.Err()
		case l == "":
			return nil, d.Errorf("label %d is empty", i)
		case !utf8.ValidString(l):
			return nil, d.Errorf("label %d is not UTF-8", i)
		case i > 0 && l <= labels[i-1]:
			return nil, d.Errorf("label %d %q is not after %q", i, l, labels[i-1])
		}
		labels = append(labels, l)
	}
	floats := uint64(k)*uint64(dim) + uint64(k)
	if flags&flagStandard != 0 {
		floats += 2 * uint64(dim)
	}
	vals := d.FiniteFloat32s(floats)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	kd := int(k) * int(dim)
	nm := &Softmax{labels: labels, dim: int(dim), lambda: lambda,
		w: vals[:kd:kd], b: slices.Clip(vals[kd : kd+int(k)])}
	if flags&flagStandard != 0 {
		at := kd + int(k)
		nm.mean, nm.scale = vals[at:at+int(dim):at+int(dim)], vals[at+int(dim):]
	}
	return nm, nil
}
