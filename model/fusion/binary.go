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
//	version  uint32  2 (1 was the projection model, no longer read)
//	count    uint32  modalities
//	count ×  { name length uint32, name bytes, input dim uint32, a float64, b float64,
//	           centre float32 × input dim }
//	count ×  { source int32 (−1: no predictor), weights float32 × (input dim × source's input dim) }
//	checksum uint32  CRC-32C of everything before it
const (
	magic         = "AISLFUSE"
	formatVersion = 2
)

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a model it can read.
var ErrFormat = errors.New("not a fusion model")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// MarshalBinary encodes the model in a versioned, checksummed format.
func (m *Model) MarshalBinary() ([]byte, error) {
	le := binary.LittleEndian
	out := make([]byte, 0, len(magic)+8+len(m.mods)*(24+maxNameLen)+4*m.dim+4)
	out = append(out, magic...)
	out = le.AppendUint32(out, formatVersion)
	out = le.AppendUint32(out, uint32(len(m.mods)))
	for k, md := range m.mods {
		out = le.AppendUint32(out, uint32(len(md.Name)))
		out = append(out, md.Name...)
		out = le.AppendUint32(out, uint32(md.Dim))
		out = le.AppendUint64(out, math.Float64bits(m.a[k]))
		out = le.AppendUint64(out, math.Float64bits(m.b[k]))
		for _, x := range m.centre[k] {
			out = le.AppendUint32(out, math.Float32bits(x))
		}
	}
	for k, w := range m.pred {
		src := int32(-1)
		if w != nil {
			src = int32(m.src[k])
		}
		out = le.AppendUint32(out, uint32(src))
		for _, x := range w {
			out = le.AppendUint32(out, math.Float32bits(x))
		}
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
	if len(data) < len(magic)+12 || string(data[:len(magic)]) != magic {
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
	f64 := func() (float64, bool) {
		if len(r) < 8 {
			return 0, false
		}
		v := math.Float64frombits(le.Uint64(r))
		r = r[8:]
		return v, true
	}
	f32 := func() (float32, bool) {
		v, ok := u32()
		return math.Float32frombits(v), ok
	}
	version, _ := u32()
	if version != formatVersion {
		return bad("version %d, want %d", version, formatVersion)
	}
	count, _ := u32()
	if count < 1 || count > maxModalities {
		return bad("%d modalities", count)
	}
	mods := make([]Modality, count)
	a, b, centres := make([]float64, count), make([]float64, count), make([][]float32, count)
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
		var okA, okB bool
		a[k], okA = f64()
		b[k], okB = f64()
		if !okA || !okB || len(r) < 4*int(d) {
			return bad("modality %d: truncated", k)
		}
		centres[k] = make([]float32, d)
		for j := range centres[k] {
			centres[k][j], _ = f32()
		}
	}
	nm, err := newModel(mods, a, b, centres)
	if err != nil {
		return bad("%v", err)
	}
	for k := range mods {
		v, ok := u32()
		src := int(int32(v))
		switch {
		case !ok || src < -1 || src >= len(mods):
			return bad("modality %d: bad predictor source", k)
		case src == -1:
			continue
		case len(r) < 4*mods[k].Dim*mods[src].Dim:
			return bad("modality %d: truncated predictor", k)
		}
		w := make([]float32, mods[k].Dim*mods[src].Dim)
		for j := range w {
			w[j], _ = f32()
		}
		if nm, err = nm.WithPredictor(mods[k].Name, mods[src].Name, w); err != nil {
			return bad("%v", err)
		}
	}
	if len(r) != 0 {
		return bad("%d trailing bytes", len(r))
	}
	*m = *nm
	return nil
}
