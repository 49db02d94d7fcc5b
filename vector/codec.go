package vector

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

	"github.com/aislehq/aisle/internal/modelfile"
)

// hnswFormat is the HNSW file format (modelfile), little-endian throughout:
//
//	magic "AISLEHNS", version uint32 = 1
//	dim, M, EfConstruction, EfSearch uint32; ExactScanFactor float64; Seed uint64
//	nodes, live uint64; entry int64 (top layer<<32 | slot, -1 when empty); upper uint64
//	ids [nodes]int32, levels [nodes]uint8, dead [nodes]bool
//	vectors [nodes·dim]float32, layer 0 [nodes·(2M+1)]int32, upper layers [upper]int32
//	CRC-32C of everything before it, uint32
var hnswFormat = modelfile.Format{Magic: "AISLEHNS", Version: 1, Err: ErrCorrupt}

// ErrCorrupt is returned (wrapped) when an HNSW file fails its checks.
var ErrCorrupt = errors.New("corrupt hnsw file")

// fileHeader is the fixed part of the file after the magic and version.
type fileHeader struct {
	Dim, M, EfConstruction, EfSearch uint32
	ScanFactor                       float64
	Seed, Nodes, Live                uint64
	Entry                            int64
	Upper                            uint64
}

// WriteTo writes the index in the checked binary format that ReadHNSW
// reads. It blocks writers while it runs and may run beside searches.
func (h *HNSW) WriteTo(w io.Writer) (int64, error) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.mu.RLock()
	defer h.mu.RUnlock()
	e := hnswFormat.NewWriter(w)
	e.Uint32(uint32(h.dim))
	e.Uint32(uint32(h.m))
	e.Uint32(uint32(h.efC))
	e.Uint32(uint32(h.efSearch))
	e.Float64(h.scanFactor)
	e.Uint64(h.seed)
	e.Uint64(uint64(len(h.ids)))
	e.Uint64(uint64(h.live))
	e.Int64(h.entry.Load())
	e.Uint64(uint64(len(h.upper)))
	e.Int32s(h.ids)
	e.Bytes(h.levels)
	e.Bools(h.dead)
	e.Float32s(h.vecs)
	e.Int32s(h.layer0)
	e.Int32s(h.upper)
	if _, err := e.Finish(); err != nil {
		return e.Written(), fmt.Errorf("write hnsw: %w", err)
	}
	return e.Written(), nil
}

// MarshalBinary returns the index in WriteTo's format.
func (h *HNSW) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	if _, err := h.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReadHNSW reads an index written by WriteTo. It returns an error wrapping
// ErrCorrupt when the data fails a check (checksum, sizes, neighbour
// slots, ids), or the reader's error; it allocates in step with the data
// actually read, so a corrupt header cannot make it allocate more.
func ReadHNSW(r io.Reader) (*HNSW, error) {
	d, err := hnswFormat.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("read hnsw: %w", err)
	}
	h := &HNSW{}
	if err := h.decode(d); err != nil {
		return nil, fmt.Errorf("read hnsw: %w", err)
	}
	return h, nil
}

// UnmarshalBinary replaces h with the index in data (WriteTo's format),
// with ReadHNSW's checks; trailing bytes are an error. It must not run
// concurrently with any other method of h: to replace an index that is
// serving, decode into a new one and swap the pointer.
func (h *HNSW) UnmarshalBinary(data []byte) error {
	d, err := hnswFormat.Open(data)
	if err == nil {
		err = h.decode(d)
	}
	if err != nil {
		return fmt.Errorf("unmarshal hnsw: %w", err)
	}
	return nil
}

// decode reads and checks the rest of the file from d into h's fields.
func (h *HNSW) decode(d *modelfile.Decoder) error {
	hdr := fileHeader{
		Dim: d.Uint32(), M: d.Uint32(), EfConstruction: d.Uint32(), EfSearch: d.Uint32(),
		ScanFactor: d.Float64(), Seed: d.Uint64(), Nodes: d.Uint64(), Live: d.Uint64(),
		Entry: d.Int64(), Upper: d.Uint64(),
	}
	if err := d.Err(); err != nil {
		return err
	}
	if err := hdr.check(); err != nil {
		return err
	}
	n, dim, m0 := hdr.Nodes, uint64(hdr.Dim), 2*uint64(hdr.M)
	ids := d.Int32s(n)
	levels := d.Bytes(n)
	dead := d.Bools(n)
	vecs := d.Float32s(n * dim)
	layer0 := d.Int32s(n * (m0 + 1))
	upper := d.Int32s(hdr.Upper)
	if err := d.Finish(); err != nil {
		return err
	}

	cfg := HNSWConfig{M: int(hdr.M), EfConstruction: int(hdr.EfConstruction), EfSearch: int(hdr.EfSearch),
		Seed: hdr.Seed, ExactScanFactor: hdr.ScanFactor}
	h.dim, h.m, h.m0, h.efC, h.efSearch, h.seed = int(dim), cfg.M, int(m0), cfg.EfConstruction, cfg.EfSearch, cfg.Seed
	h.ml, h.scanFactor = 1/math.Log(float64(cfg.M)), cfg.ExactScanFactor
	h.rng = rand.New(rand.NewPCG(cfg.Seed^n, cfg.Seed^0x9e3779b97f4a7c15))
	h.ids, h.levels, h.dead, h.vecs, h.layer0, h.upper = ids, levels, dead, vecs, layer0, upper
	h.upperOff = make([]uint32, n)
	h.slot = make(map[int32]int32, hdr.Live)
	h.live = int(hdr.Live)
	h.entry.Store(hdr.Entry)
	return h.checkGraph(hdr)
}

// check validates the header's sizes before anything is allocated.
func (hdr *fileHeader) check() error {
	switch {
	case hdr.Dim == 0 || hdr.Dim > 1<<16:
		return fmt.Errorf("%w: dimension %d", ErrCorrupt, hdr.Dim)
	case hdr.M < 2 || hdr.M > 1<<10 || hdr.EfConstruction == 0 || hdr.EfSearch == 0:
		return fmt.Errorf("%w: M %d, EfConstruction %d, EfSearch %d", ErrCorrupt, hdr.M, hdr.EfConstruction, hdr.EfSearch)
	case math.IsNaN(hdr.ScanFactor) || hdr.ScanFactor == 0:
		return fmt.Errorf("%w: exact scan factor %v", ErrCorrupt, hdr.ScanFactor)
	case hdr.Nodes > math.MaxInt32 || hdr.Live > hdr.Nodes:
		return fmt.Errorf("%w: %d nodes, %d live", ErrCorrupt, hdr.Nodes, hdr.Live)
	case (hdr.Nodes == 0) != (hdr.Entry == -1):
		return fmt.Errorf("%w: entry %d with %d nodes", ErrCorrupt, hdr.Entry, hdr.Nodes)
	}
	return nil
}

// checkGraph validates the decoded graph so that no search can index out
// of range, and fills upperOff and slot.
func (h *HNSW) checkGraph(hdr fileHeader) error {
	n := int32(len(h.ids))
	var off, top uint64
	for s, l := range h.levels {
		if l > maxLevel {
			return fmt.Errorf("%w: node %d on layer %d", ErrCorrupt, s, l)
		}
		h.upperOff[s] = uint32(off)
		off += uint64(l) * uint64(h.m+1)
		top = max(top, uint64(l))
	}
	if off != hdr.Upper {
		return fmt.Errorf("%w: upper layers hold %d entries, want %d", ErrCorrupt, hdr.Upper, off)
	}
	if n > 0 {
		es, el := hdr.Entry&math.MaxUint32, uint64(hdr.Entry)>>32
		if es >= int64(n) || el != top || uint64(h.levels[es]) != top {
			return fmt.Errorf("%w: entry %d", ErrCorrupt, hdr.Entry)
		}
	}
	for s := range n {
		for l := 0; l <= int(h.levels[s]); l++ {
			list := h.list(s, l)
			c := list[0]
			if c < 0 || int(c) > h.maxConn(l) {
				return fmt.Errorf("%w: node %d has %d neighbours on layer %d", ErrCorrupt, s, c, l)
			}
			for _, x := range list[1 : c+1] {
				if x < 0 || x >= n || int(h.levels[x]) < l {
					return fmt.Errorf("%w: node %d links to %d on layer %d", ErrCorrupt, s, x, l)
				}
			}
		}
		if h.dead[s] {
			continue
		}
		if _, dup := h.slot[h.ids[s]]; dup {
			return fmt.Errorf("%w: id %d is live twice", ErrCorrupt, h.ids[s])
		}
		h.slot[h.ids[s]] = s
	}
	if len(h.slot) != h.live {
		return fmt.Errorf("%w: %d live nodes, header says %d", ErrCorrupt, len(h.slot), h.live)
	}
	return nil
}
