package vector

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
)

// The HNSW file format, little-endian throughout:
//
//	magic "AISLEHNS", version uint32 = 1
//	dim, M, EfConstruction, EfSearch uint32; ExactScanFactor float64; Seed uint64
//	nodes, live uint64; entry int64 (top layer<<32 | slot, -1 when empty); upper uint64
//	ids [nodes]int32, levels [nodes]uint8, dead [nodes]bool
//	vectors [nodes·dim]float32, layer 0 [nodes·(2M+1)]int32, upper layers [upper]int32
//	CRC-32C of everything before it, uint32
const (
	fileMagic   = "AISLEHNS"
	fileVersion = 1
	chunkElems  = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt is returned (wrapped) when an HNSW file fails its checks.
var ErrCorrupt = errors.New("corrupt hnsw file")

// fileHeader is the fixed part of the file after the magic.
type fileHeader struct {
	Version, Dim, M, EfConstruction, EfSearch uint32
	ScanFactor                                float64
	Seed, Nodes, Live                         uint64
	Entry                                     int64
	Upper                                     uint64
}

// WriteTo writes the index in the checked binary format that ReadHNSW
// reads. It blocks writers while it runs and may run beside searches.
func (h *HNSW) WriteTo(w io.Writer) (int64, error) {
	h.wmu.Lock()
	defer h.wmu.Unlock()
	h.mu.RLock()
	defer h.mu.RUnlock()
	cw := &countWriter{w: w}
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(cw, crc), 1<<20)
	hdr := fileHeader{
		Version: fileVersion, Dim: uint32(h.dim), M: uint32(h.m), EfConstruction: uint32(h.efC),
		EfSearch: uint32(h.efSearch), ScanFactor: h.scanFactor, Seed: h.seed,
		Nodes: uint64(len(h.ids)), Live: uint64(h.live), Entry: h.entry.Load(), Upper: uint64(len(h.upper)),
	}
	_, err := bw.WriteString(fileMagic)
	for _, part := range []any{&hdr, h.ids, h.levels, h.dead, h.vecs, h.layer0, h.upper} {
		if err != nil {
			break
		}
		err = writeChunks(bw, part)
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = binary.Write(cw, binary.LittleEndian, crc.Sum32())
	}
	if err != nil {
		return cw.n, fmt.Errorf("write hnsw: %w", err)
	}
	return cw.n, nil
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
	h := &HNSW{}
	if err := h.decode(r); err != nil {
		return nil, fmt.Errorf("read hnsw: %w", err)
	}
	return h, nil
}

// UnmarshalBinary replaces h with the index in data (WriteTo's format),
// with ReadHNSW's checks; trailing bytes are an error. It must not run
// concurrently with any other method of h: to replace an index that is
// serving, decode into a new one and swap the pointer.
func (h *HNSW) UnmarshalBinary(data []byte) error {
	r := bytes.NewReader(data)
	if err := h.decode(r); err != nil {
		return fmt.Errorf("unmarshal hnsw: %w", err)
	}
	if r.Len() != 0 {
		return fmt.Errorf("unmarshal hnsw: %w: %d trailing bytes", ErrCorrupt, r.Len())
	}
	return nil
}

// decode reads and checks the format into h's fields.
func (h *HNSW) decode(r io.Reader) error {
	crc := crc32.New(castagnoli)
	tr := io.TeeReader(r, crc)
	magic := make([]byte, len(fileMagic))
	if _, err := io.ReadFull(tr, magic); err != nil {
		return eofCorrupt(err)
	}
	if string(magic) != fileMagic {
		return fmt.Errorf("%w: bad magic %q", ErrCorrupt, magic)
	}
	var hdr fileHeader
	if err := binary.Read(tr, binary.LittleEndian, &hdr); err != nil {
		return eofCorrupt(err)
	}
	if err := hdr.check(); err != nil {
		return err
	}
	n, dim, m0 := hdr.Nodes, uint64(hdr.Dim), 2*uint64(hdr.M)
	ids, err := readChunks[int32](tr, n)
	if err != nil {
		return err
	}
	levels, err := readChunks[uint8](tr, n)
	if err != nil {
		return err
	}
	dead, err := readChunks[bool](tr, n)
	if err != nil {
		return err
	}
	vecs, err := readChunks[float32](tr, n*dim)
	if err != nil {
		return err
	}
	layer0, err := readChunks[int32](tr, n*(m0+1))
	if err != nil {
		return err
	}
	upper, err := readChunks[int32](tr, hdr.Upper)
	if err != nil {
		return err
	}
	sum := crc.Sum32()
	var stored uint32
	if err := binary.Read(r, binary.LittleEndian, &stored); err != nil {
		return eofCorrupt(err)
	}
	if stored != sum {
		return fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, sum, stored)
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
	case hdr.Version != fileVersion:
		return fmt.Errorf("%w: version %d, want %d", ErrCorrupt, hdr.Version, fileVersion)
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

// eofCorrupt reports a short read as corruption.
func eofCorrupt(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", ErrCorrupt)
	}
	return err
}

// writeChunks writes v (a pointer to a fixed-size struct or a slice of
// fixed-size elements) in pieces of at most chunkElems elements, so no copy
// of a large slice is made at once.
func writeChunks(w io.Writer, v any) error {
	switch s := v.(type) {
	case []int32:
		return writeSlice(w, s)
	case []uint8:
		return writeSlice(w, s)
	case []bool:
		return writeSlice(w, s)
	case []float32:
		return writeSlice(w, s)
	}
	return binary.Write(w, binary.LittleEndian, v)
}

func writeSlice[T int32 | uint8 | bool | float32](w io.Writer, s []T) error {
	for len(s) > 0 {
		c := min(len(s), chunkElems)
		if err := binary.Write(w, binary.LittleEndian, s[:c]); err != nil {
			return err
		}
		s = s[c:]
	}
	return nil
}

// readChunks reads n elements in pieces, growing the result only as data
// arrives.
func readChunks[T int32 | uint8 | bool | float32](r io.Reader, n uint64) ([]T, error) {
	out := make([]T, 0, min(n, chunkElems))
	buf := make([]T, min(n, chunkElems))
	for left := n; left > 0; {
		c := min(left, chunkElems)
		if err := binary.Read(r, binary.LittleEndian, buf[:c]); err != nil {
			return nil, eofCorrupt(err)
		}
		out = append(out, buf[:c]...)
		left -= c
	}
	return out, nil
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
