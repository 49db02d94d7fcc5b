package fusion

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
)

// The binary format, little-endian:
//
//	magic    [8]byte "AISLFUSE"
//	version  uint32  1
//	dim      uint32
//	count    uint32  modalities
//	count ×  { name length uint32, name bytes, input dim uint32 }
//	weights  float32 × (Σ dim·in_m + dim + count): projections, w, b
//	checksum uint32  CRC-32C of everything before it
const (
	magic         = "AISLFUSE"
	formatVersion = 1
)

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a model it can read.
var ErrFormat = errors.New("not a fusion model")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the model in a versioned, checksummed format.
func (m *Model) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	out := make([]byte, 0, len(magic)+12+len(m.mods)*(8+maxNameLen)+4*len(m.params)+4)
	out = append(out, magic...)
	out = le.AppendUint32(out, formatVersion)
	out = le.AppendUint32(out, uint32(m.dim))
	out = le.AppendUint32(out, uint32(len(m.mods)))
	for _, md := range m.mods {
		out = le.AppendUint32(out, uint32(len(md.Name)))
		out = append(out, md.Name...)
		out = le.AppendUint32(out, uint32(md.Dim))
	}
	for _, x := range m.params {
		out = le.AppendUint32(out, math.Float32bits(x))
	}
	return le.AppendUint32(out, crc32.Checksum(out, castagnoli)), nil
}

// UnmarshalBinary replaces m with the model encoded in data by
// MarshalBinary. It returns an error wrapping ErrFormat for data that is
// truncated, corrupt, of another version or out of the limits, and leaves
// m unchanged then.
func (m *Model) UnmarshalBinary(data []byte) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("fusion unmarshal: %w: %s", ErrFormat, fmt.Sprintf(format, args...))
	}
	le := binary.LittleEndian
	if len(data) < len(magic)+16 || string(data[:len(magic)]) != magic {
		return bad("no header")
	}
	body := data[:len(data)-4]
	if got, want := crc32.Checksum(body, castagnoli), le.Uint32(data[len(body):]); got != want {
		return bad("checksum %08x, want %08x", got, want)
	}
	r := body[len(magic):]
	u32 := func() (uint32, bool) {
		if len(r) < 4 {
			return 0, false
		}
		v := le.Uint32(r)
		r = r[4:]
		return v, true
	}
	version, _ := u32()
	if version != formatVersion {
		return bad("version %d, want %d", version, formatVersion)
	}
	dim, _ := u32()
	count, _ := u32()
	if dim < 1 || dim > maxDim || count < 1 || count > maxModalities {
		return bad("dim %d, %d modalities", dim, count)
	}
	mods := make([]Modality, count)
	for k := range mods {
		n, ok := u32()
		if !ok || n > maxNameLen || uint32(len(r)) < n {
			return bad("modality %d: bad name", k)
		}
		mods[k].Name = string(r[:n])
		r = r[n:]
		d, ok := u32()
		if !ok || d > maxInputDim {
			return bad("modality %d: bad dim", k)
		}
		mods[k].Dim = int(d)
	}
	want := int(dim) + len(mods) // checked before allocating
	for _, md := range mods {
		want += int(dim) * md.Dim
	}
	if len(r) != 4*want {
		return bad("%d bytes of weights, want %d", len(r), 4*want)
	}
	nm, err := newModel(int(dim), mods)
	if err != nil {
		return bad("%v", err)
	}
	for i := range nm.params {
		x := math.Float32frombits(le.Uint32(r[4*i:]))
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return bad("weight %d is %v", i, x)
		}
		nm.params[i] = x
	}
	*m = *nm
	return nil
}
