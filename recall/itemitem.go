package recall

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
)

// ItemItem is a sparse linear item-to-item model: each item keeps its K
// strongest outgoing weights, and a shopper's score for item j is
// Σ_p w_p · W[history_p][j] over their last Window items, the most recent
// weighing exp(0) = 1 and the p-th before it exp(−p/Tau) (Tau 0 weighs
// every distinct history item 1, as EASE does).
//
// It is how the dense closed-form models (EASE, SLIST) are kept and served:
// a 12,101-item dense matrix is 585 MB, its top-200 rows 19 MB, and scoring
// touches only the rows of the shopper's recent items, whatever the catalog
// size. ItemItem is immutable and safe for concurrent use.
type ItemItem struct {
	n      int
	window int
	tau    float64
	rows   [][]weighted
}

// sparsify keeps the k largest positive entries of each row of the dense
// n×n matrix b.
func sparsify(b []float32, n, k, window int, tau float64) *ItemItem {
	m := &ItemItem{n: n, window: window, tau: tau, rows: make([][]weighted, n)}
	for i := 0; i < n; i++ {
		m.rows[i] = topRow(b[i*n:i*n+n], int32(i), k)
	}
	return m
}

// topRow returns the k largest positive entries of row, best first,
// skipping the diagonal entry self.
func topRow(row []float32, self int32, k int) []weighted {
	var top []weighted
	for j, v := range row {
		if v <= 0 || int32(j) == self || (len(top) == k && v <= top[k-1].w) {
			continue
		}
		at, _ := slices.BinarySearchFunc(top, v, func(x weighted, t float32) int {
			if x.w > t {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, at, weighted{int32(j), v})
		if len(top) > k {
			top = top[:k]
		}
	}
	return slices.Clip(top)
}

// Sparsify returns EASE's top-k item-to-item weights as an ItemItem.
func (m *EASE) Sparsify(k int) *ItemItem { return sparsify(m.b, m.n, k, 0, 0) }

// Sparsify returns SLIST's top-k weights as an ItemItem scoring like SLIST.
func (m *SLIST) Sparsify(k int) *ItemItem {
	return sparsify(m.b, m.n, k, m.cfg.Window, m.cfg.ScoreTau)
}

// NumItems returns the number of items.
func (m *ItemItem) NumItems() int { return m.n }

// Neighbors returns item i's strongest items and weights, best first. The
// slices must not be modified.
func (m *ItemItem) Neighbors(i int32) (items []int32, weights []float32) {
	for _, x := range m.rows[i] {
		items = append(items, x.item)
		weights = append(weights, x.w)
	}
	return items, weights
}

// Score writes the shopper's score of every item into scores.
func (m *ItemItem) Score(history []int32, scores []float32) {
	clear(scores[:m.n])
	recent := history
	if m.window > 0 && len(recent) > m.window {
		recent = recent[len(recent)-m.window:]
	}
	if m.tau == 0 {
		recent = distinctSmall(recent)
	}
	for p, i := range recent {
		if i < 0 || int(i) >= m.n {
			continue
		}
		w := float32(1)
		if m.tau > 0 {
			w = float32(math.Exp(-float64(len(recent)-1-p) / m.tau))
		}
		for _, x := range m.rows[i] {
			scores[x.item] += w * x.w
		}
	}
}

// itemItemMagic starts the binary form of an ItemItem.
const itemItemMagic = "AISLEII1"

// ErrItemItemFormat is wrapped by UnmarshalBinary's errors.
var ErrItemItemFormat = errors.New("recall: not an item-item model")

// MarshalBinary encodes the model: magic, n, window, tau, then per item the
// row length and its (item, weight) pairs, then a CRC-32 of all before it.
func (m *ItemItem) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(itemItemMagic)
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, uint32(m.n)))
	b.Write(le.AppendUint32(nil, uint32(m.window)))
	b.Write(le.AppendUint64(nil, math.Float64bits(m.tau)))
	for _, row := range m.rows {
		b.Write(le.AppendUint32(nil, uint32(len(row))))
		for _, x := range row {
			b.Write(le.AppendUint32(nil, uint32(x.item)))
			b.Write(le.AppendUint32(nil, math.Float32bits(x.w)))
		}
	}
	b.Write(le.AppendUint32(nil, crc32.ChecksumIEEE(b.Bytes())))
	return b.Bytes(), nil
}

// UnmarshalBinary decodes what MarshalBinary wrote. Corrupt or truncated
// input gives an error wrapping ErrItemItemFormat.
func (m *ItemItem) UnmarshalBinary(data []byte) error {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrItemItemFormat, what) }
	le := binary.LittleEndian
	if len(data) < len(itemItemMagic)+20 || string(data[:len(itemItemMagic)]) != itemItemMagic {
		return bad("bad header")
	}
	body, sum := data[:len(data)-4], le.Uint32(data[len(data)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return bad("checksum mismatch")
	}
	r := body[len(itemItemMagic):]
	n, window, tau := int(le.Uint32(r)), int(le.Uint32(r[4:])), math.Float64frombits(le.Uint64(r[8:]))
	r = r[16:]
	if n > len(r)/4 || math.IsNaN(tau) || tau < 0 {
		return bad("bad dimensions")
	}
	rows := make([][]weighted, n)
	for i := range rows {
		if len(r) < 4 {
			return bad("truncated")
		}
		k := int(le.Uint32(r))
		r = r[4:]
		if k > len(r)/8 {
			return bad("truncated row")
		}
		row := make([]weighted, k)
		for j := range row {
			it := int32(le.Uint32(r))
			if it < 0 || int(it) >= n {
				return bad("item out of range")
			}
			row[j] = weighted{it, math.Float32frombits(le.Uint32(r[4:]))}
			r = r[8:]
		}
		rows[i] = row
	}
	if len(r) != 0 {
		return bad("trailing bytes")
	}
	*m = ItemItem{n: n, window: window, tau: tau, rows: rows}
	return nil
}
