package gbdt

import (
	"errors"
	"math"

	"github.com/aislehq/aisle/internal/modelfile"
)

// ErrFormat marks data that is not a model of this package's format.
var ErrFormat = errors.New("gbdt: not a tree ensemble file")

var format = modelfile.Format{Magic: "AISLGBDT", Version: 1, Err: ErrFormat}

// The format (modelfile), little-endian:
//
//	magic    [8]byte "AISLGBDT"
//	version  uint32  1
//	features uint32
//	base     int32 feature, float32 scale (0: none)
//	trees    uint32 × { nodes uint32, feature int32 × nodes, threshold float32 × nodes,
//	                    left int32 × nodes, right int32 × nodes, value float32 × (nodes+1) }
//	checksum uint32  CRC-32C of everything before it

// Limits on what a model file may hold.
const (
	maxFeatures = 1 << 12
	maxTrees    = 1 << 14
	maxNodes    = 1 << 12 // internal nodes per tree
)

// MarshalBinary implements encoding.BinaryMarshaler.
func (m *Model) MarshalBinary() ([]byte, error) {
	e := format.NewEncoder(0)
	e.Uint32(uint32(m.F))
	e.Int32(int32(m.base.Feature))
	e.Float32(m.base.Scale)
	e.Uint32(uint32(len(m.trees)))
	for _, t := range m.trees {
		e.Uint32(uint32(len(t.feature)))
		e.Int32s(t.feature)
		e.Float32s(t.threshold)
		e.Int32s(t.left)
		e.Int32s(t.right)
		e.Float32s(t.value)
	}
	return e.Finish()
}

// UnmarshalBinary implements encoding.BinaryUnmarshaler. Every tree is
// checked: features in range, finite thresholds and values, and children
// that form a tree (each node and leaf reached exactly once from the
// root, children after their parent), so Predict cannot loop or index out
// of range.
func (m *Model) UnmarshalBinary(data []byte) error {
	d, err := format.Open(data)
	if err != nil {
		return err
	}
	f := d.Uint32()
	base := Base{Feature: int(d.Int32()), Scale: d.Float32()}
	n := d.Uint32()
	if d.Err() == nil && (f == 0 || f > maxFeatures || n > maxTrees) {
		return d.Errorf("%d features and %d trees", f, n)
	}
	if d.Err() == nil && (math.IsNaN(float64(base.Scale)) || math.IsInf(float64(base.Scale), 0) || (base.Scale != 0 && (base.Feature < 0 || base.Feature >= int(f)))) {
		return d.Errorf("base feature %d scaled by %v of %d features", base.Feature, base.Scale, f)
	}
	trees := make([]tree, 0, min(n, 1024))
	for k := uint32(0); k < n && d.Err() == nil; k++ {
		nodes := d.Uint32()
		if d.Err() == nil && nodes > maxNodes {
			return d.Errorf("tree %d has %d nodes", k, nodes)
		}
		t := tree{
			feature: d.Int32s(uint64(nodes)), threshold: d.FiniteFloat32s(uint64(nodes)),
			left: d.Int32s(uint64(nodes)), right: d.Int32s(uint64(nodes)), value: d.FiniteFloat32s(uint64(nodes) + 1),
		}
		if d.Err() != nil {
			break
		}
		if err := t.check(int32(f)); err != nil {
			return d.Errorf("tree %d: %v", k, err)
		}
		trees = append(trees, t)
	}
	if err := d.Finish(); err != nil {
		return err
	}
	m.F, m.base, m.trees = int(f), base, trees
	return nil
}

// check reports a tree Predict could not walk safely.
func (t *tree) check(features int32) error {
	nodes := int32(len(t.feature))
	seenNode := make([]bool, nodes)
	seenLeaf := make([]bool, nodes+1)
	for k := range nodes {
		if t.feature[k] < 0 || t.feature[k] >= features {
			return errors.New("a split on a feature out of range")
		}
		for _, c := range []int32{t.left[k], t.right[k]} {
			switch {
			case c < 0 && ^c <= nodes && !seenLeaf[^c]:
				seenLeaf[^c] = true
			case c > k && c < nodes && !seenNode[c]:
				seenNode[c] = true
			default:
				return errors.New("children that do not form a tree")
			}
		}
	}
	for k := int32(1); k < nodes; k++ {
		if !seenNode[k] {
			return errors.New("an unreachable node")
		}
	}
	for _, v := range t.value {
		if math.IsInf(float64(v), 0) {
			return errors.New("an infinite leaf value")
		}
	}
	return nil
}
