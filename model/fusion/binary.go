package fusion

import (
	"errors"
	"fmt"

	"github.com/aislehq/aisle/internal/modelfile"
)

// format is the binary format (modelfile), little-endian:
//
//	magic    [8]byte "AISLFUSE"
//	version  uint32  2 (1 was the projection model, no longer read)
//	count    uint32  modalities
//	count ×  { name length uint32, name bytes, input dim uint32, a float64, b float64,
//	           centre float32 × input dim }
//	count ×  { source int32 (−1: no predictor), weights float32 × (input dim × source's input dim) }
//	checksum uint32  CRC-32C of everything before it
var format = modelfile.Format{Magic: "AISLFUSE", Version: 2, Err: ErrFormat}

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a model it can read.
var ErrFormat = errors.New("not a fusion model")

// MarshalBinary encodes the model in a versioned, checksummed format.
func (m *Model) MarshalBinary() ([]byte, error) {
	e := format.NewEncoder(4 + len(m.mods)*(24+maxNameLen) + 4*m.dim)
	e.Uint32(uint32(len(m.mods)))
	for k, md := range m.mods {
		e.String(md.Name)
		e.Uint32(uint32(md.Dim))
		e.Float64(m.a[k])
		e.Float64(m.b[k])
		e.Float32s(m.centre[k])
	}
	for k, w := range m.pred {
		src := int32(-1)
		if w != nil {
			src = int32(m.src[k])
		}
		e.Int32(src)
		e.Float32s(w)
	}
	return e.Finish()
}

// UnmarshalBinary replaces m with the model encoded in data by
// MarshalBinary. It returns an error wrapping ErrFormat for data that is
// truncated, corrupt, of another version or out of the limits, and leaves
// m unchanged then.
func (m *Model) UnmarshalBinary(data []byte) error {
	nm, err := decode(data)
	if err != nil {
		return fmt.Errorf("fusion unmarshal: %w", err)
	}
	*m = *nm
	return nil
}

// decode reads a model in the format above.
func decode(data []byte) (*Model, error) {
	d, err := format.Open(data)
	if err != nil {
		return nil, err
	}
	count := d.Uint32()
	if d.Err() == nil && (count < 1 || count > maxModalities) {
		return nil, d.Errorf("%d modalities", count)
	}
	mods := make([]Modality, count)
	a, b, centres := make([]float64, count), make([]float64, count), make([][]float32, count)
	for k := range mods {
		mods[k].Name = d.String(maxNameLen)
		dim := d.Uint32()
		if d.Err() == nil && dim > maxInputDim {
			return nil, d.Errorf("modality %d: dim %d", k, dim)
		}
		mods[k].Dim = int(dim)
		a[k], b[k] = d.Float64(), d.Float64()
		centres[k] = d.Float32s(uint64(dim))
	}
	if d.Err() != nil {
		return nil, d.Err()
	}
	nm, err := newModel(mods, a, b, centres)
	if err != nil {
		return nil, d.Errorf("%v", err)
	}
	for k := range mods {
		src := int(d.Int32())
		switch {
		case d.Err() != nil:
			return nil, d.Err()
		case src < -1 || src >= len(mods):
			return nil, d.Errorf("modality %d: bad predictor source", k)
		case src == -1:
			continue
		}
		w := d.Float32s(uint64(mods[k].Dim) * uint64(mods[src].Dim))
		if d.Err() != nil {
			return nil, d.Err()
		}
		if nm, err = nm.WithPredictor(mods[k].Name, mods[src].Name, w); err != nil {
			return nil, d.Errorf("%v", err)
		}
	}
	if err := d.Finish(); err != nil {
		return nil, err
	}
	return nm, nil
}
