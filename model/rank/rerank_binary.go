package rank

import (
	"errors"

	"github.com/aislehq/aisle/internal/modelfile"
	"github.com/aislehq/aisle/model/gbdt"
)

// ErrRerankerFormat marks data that is not a Reranker of this format.
var ErrRerankerFormat = errors.New("rank: not a second-stage ranker file")

// rerankerFormat is a Reranker's file (modelfile), little-endian:
//
//	magic    [8]byte "AISLRANK"
//	version  uint32  1
//	depth    uint32
//	members  uint32 × string (length uint32, bytes)
//	items    uint32, then popularity, recent, price, age, idle float32 × items
//	         and leaf, brand int32 × items
//	model    uint32 length, then a gbdt model file of that many bytes
//	checksum uint32  CRC-32C of everything before it
var rerankerFormat = modelfile.Format{Magic: "AISLRANK", Version: 1, Err: ErrRerankerFormat}

// Limits of the format.
const (
	maxRerankMembers = 64
	maxNameBytes     = 64
	maxDepth         = 10000
)

// MarshalBinary implements encoding.BinaryMarshaler.
func (r *Reranker) MarshalBinary() ([]byte, error) {
	model, err := r.Model.MarshalBinary()
	if err != nil {
		return nil, err
	}
	e := rerankerFormat.NewEncoder(len(model))
	e.Uint32(uint32(r.Depth))
	e.Uint32(uint32(len(r.Members)))
	for _, m := range r.Members {
		e.String(m)
	}
	s := &r.Side
	e.Uint32(uint32(len(s.Popularity)))
	for _, v := range [][]float32{s.Popularity, s.Recent, s.Price, s.Age, s.Idle} {
		e.Float32s(v)
	}
	e.Int32s(s.Leaf)
	e.Int32s(s.Brand)
	e.Uint32(uint32(len(model)))
	e.Bytes(model)
	return e.Finish()
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. The trees must
// read exactly the features of the members named, and every fact must
// be finite.
func (r *Reranker) UnmarshalBinary(data []byte) error {
	d, err := rerankerFormat.Open(data)
	if err != nil {
		return err
	}
	depth, m := d.Uint32(), d.Uint32()
	if d.Err() == nil && (depth > maxDepth || m == 0 || m > maxRerankMembers) {
		return d.Errorf("depth %d over %d members", depth, m)
	}
	var out Reranker
	out.Depth = int(depth)
	for k := uint32(0); k < m && d.Err() == nil; k++ {
		out.Members = append(out.Members, d.String(maxNameBytes))
	}
	n := uint64(d.Uint32())
	s := &out.Side
	for _, v := range []*[]float32{&s.Popularity, &s.Recent, &s.Price, &s.Age, &s.Idle} {
		*v = d.FiniteFloat32s(n)
	}
	s.Leaf, s.Brand = d.Int32s(n), d.Int32s(n)
	model := d.Bytes(uint64(d.Uint32()))
	if err := d.Finish(); err != nil {
		return err
	}
	out.Model = new(gbdt.Model)
	if err := out.Model.UnmarshalBinary(model); err != nil {
		return d.Errorf("its trees: %v", err)
	}
	if out.Model.F != NumFeatures(len(out.Members)) {
		return d.Errorf("trees over %d features, %d members have %d", out.Model.F, len(out.Members), NumFeatures(len(out.Members)))
	}
	*r = out
	return nil
}
