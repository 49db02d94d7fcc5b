package modelfile

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"slices"
)

// chunkElems is how many elements a slice is read or written in at a time
// when streaming; chunkBytes the most bytes that makes.
const (
	chunkElems = 1 << 16
	chunkBytes = 4 * chunkElems
)

// Decoder reads one file of a Format. Every length it reads is checked
// against what remains before anything is allocated (a streaming Decoder,
// which cannot know what remains, grows what it reads a chunk at a time as
// data arrives), so corrupt or hostile data gives an error, never a panic
// or a huge allocation.
//
// The first error sticks: later reads return zero values and nil slices,
// and Err and Finish return it. Decoding code reads a run of values, then
// checks Err (or validates the values, which are harmless zeros after an
// error) before it allocates by them. A Decoder is not safe for concurrent
// use.
type Decoder struct {
	f    Format
	data []byte // in memory: the unread payload, checksum already checked
	// Streaming (r != nil): the source, the running checksum, scratch.
	r       io.Reader
	table   *crc32.Table
	crc     uint32
	scratch []byte

	version uint32
	err     error
}

// Open checks data's size, magic, checksum and version, and returns a
// Decoder over its payload. Its errors wrap f.Err and ErrCorrupt or
// ErrVersion.
func (f Format) Open(data []byte) (*Decoder, error) {
	if err := f.checkFrame(data, headerSize); err != nil {
		return nil, err
	}
	d := &Decoder{f: f, data: data[MagicSize : len(data)-checksumSize]}
	d.version = d.Uint32()
	if err := f.checkVersion(d.version); err != nil {
		return nil, err
	}
	return d, nil
}

// OpenUnversioned returns a Decoder over a file with no version word
// (magic, payload, checksum), as some formats were written before they had
// versions; Version reports 0. f.Version is not checked.
func (f Format) OpenUnversioned(data []byte) (*Decoder, error) {
	if err := f.checkFrame(data, MagicSize); err != nil {
		return nil, err
	}
	return &Decoder{f: f, data: data[MagicSize : len(data)-checksumSize]}, nil
}

// checkFrame checks data's size (at least head bytes and the checksum),
// magic and checksum.
func (f Format) checkFrame(data []byte, head int) error {
	if len(data) < head+checksumSize || string(data[:MagicSize]) != f.Magic {
		return f.errorf(ErrCorrupt, "no %q header", f.Magic)
	}
	body := data[:len(data)-checksumSize]
	if got, want := f.Checksum.Sum(body), le.Uint32(data[len(body):]); got != want {
		return f.errorf(ErrCorrupt, "checksum %08x, want %08x", got, want)
	}
	return nil
}

// NewReader reads and checks the magic and version from r and returns a
// streaming Decoder for the rest; Finish reads and checks the checksum.
// Its errors wrap f.Err and ErrCorrupt or ErrVersion, or are r's.
func (f Format) NewReader(r io.Reader) (*Decoder, error) {
	d := &Decoder{f: f, r: r, table: f.Checksum.table()}
	if magic := d.next(MagicSize); d.err == nil && string(magic) != f.Magic {
		return nil, f.errorf(ErrCorrupt, "no %q header", f.Magic)
	}
	d.version = d.Uint32()
	if d.err != nil {
		return nil, d.err
	}
	if err := f.checkVersion(d.version); err != nil {
		return nil, err
	}
	return d, nil
}

// Version returns the file's format version.
func (d *Decoder) Version() uint32 { return d.version }

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Errorf records, unless one is already recorded, and returns an error
// wrapping the Format's Err and ErrCorrupt with the message: for values
// the format's own code finds out of its limits.
func (d *Decoder) Errorf(format string, args ...any) error {
	if d.err == nil {
		d.err = d.f.errorf(ErrCorrupt, format, args...)
	}
	return d.err
}

// Finish ends decoding: it returns the first error met, or an error if
// payload bytes are left unread; a streaming Decoder then reads the
// checksum and checks it.
func (d *Decoder) Finish() error {
	if d.err != nil {
		return d.err
	}
	if d.r == nil {
		if len(d.data) != 0 {
			return d.Errorf("%d trailing bytes", len(d.data))
		}
		return nil
	}
	sum := d.crc
	b := make([]byte, checksumSize)
	if _, err := io.ReadFull(d.r, b); err != nil {
		return d.readError(err)
	}
	if want := le.Uint32(b); sum != want {
		return d.Errorf("checksum %08x, want %08x", sum, want)
	}
	return nil
}

// readError records err from the stream, a short read as ErrCorrupt.
func (d *Decoder) readError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.Errorf("truncated")
	}
	if d.err == nil {
		d.err = err
	}
	return d.err
}

// next returns the next n bytes (n at most chunkBytes when streaming), or
// nil after recording an error when there are fewer.
func (d *Decoder) next(n int) []byte {
	if d.err != nil {
		return nil
	}
	if d.r == nil {
		if n > len(d.data) {
			d.Errorf("truncated: %d bytes left, want %d", len(d.data), n)
			return nil
		}
		b := d.data[:n:n]
		d.data = d.data[n:]
		return b
	}
	if cap(d.scratch) < n {
		d.scratch = make([]byte, n)
	}
	b := d.scratch[:n]
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.readError(err)
		return nil
	}
	d.crc = crc32.Update(d.crc, d.table, b)
	return b
}

// Uint8 reads a byte.
func (d *Decoder) Uint8() uint8 {
	if b := d.next(1); b != nil {
		return b[0]
	}
	return 0
}

// Uint32 reads a uint32.
func (d *Decoder) Uint32() uint32 {
	if b := d.next(4); b != nil {
		return le.Uint32(b)
	}
	return 0
}

// Int32 reads an int32.
func (d *Decoder) Int32() int32 { return int32(d.Uint32()) }

// Uint64 reads a uint64.
func (d *Decoder) Uint64() uint64 {
	if b := d.next(8); b != nil {
		return le.Uint64(b)
	}
	return 0
}

// Int64 reads an int64.
func (d *Decoder) Int64() int64 { return int64(d.Uint64()) }

// Float32 reads a float32.
func (d *Decoder) Float32() float32 { return math.Float32frombits(d.Uint32()) }

// Float64 reads a float64.
func (d *Decoder) Float64() float64 { return math.Float64frombits(d.Uint64()) }

// String reads what Encoder.String wrote. A length over maxLen is an
// error.
func (d *Decoder) String(maxLen int) string {
	n := d.Uint32()
	if d.err != nil {
		return ""
	}
	if uint64(n) > uint64(maxLen) {
		d.Errorf("string of %d bytes, want at most %d", n, maxLen)
		return ""
	}
	if d.r == nil {
		return string(d.next(int(n)))
	}
	return string(d.Bytes(uint64(n)))
}

// fixed are the element types of the slices the codec reads and writes.
type fixed interface {
	uint8 | bool | uint32 | int32 | float32
}

// Bytes reads n bytes into a new slice.
func (d *Decoder) Bytes(n uint64) []byte { return getSlice[byte](d, n) }

// Bools reads n bytes, each 0 (false) or 1 (true); another byte is an
// error, so what decodes re-encodes to the same bytes.
func (d *Decoder) Bools(n uint64) []bool {
	raw := d.Bytes(n)
	v := make([]bool, len(raw))
	for i, b := range raw {
		if b > 1 {
			d.Errorf("bool %d is byte %d, not 0 or 1", i, b)
			return nil
		}
		v[i] = b == 1
	}
	return v
}

// Uint32s reads n uint32s.
func (d *Decoder) Uint32s(n uint64) []uint32 { return getSlice[uint32](d, n) }

// Int32s reads n int32s.
func (d *Decoder) Int32s(n uint64) []int32 { return getSlice[int32](d, n) }

// Float32s reads n float32s.
func (d *Decoder) Float32s(n uint64) []float32 { return getSlice[float32](d, n) }

// FiniteFloat32s reads n float32s, and records an error if one is NaN or
// infinite.
func (d *Decoder) FiniteFloat32s(n uint64) []float32 {
	v := d.Float32s(n)
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			d.Errorf("value %d is %v", i, x)
			return nil
		}
	}
	return v
}

// getSlice reads n elements. In memory it checks n against what remains
// before it allocates; streaming, it grows the slice a chunk at a time as
// the data arrives.
func getSlice[T fixed](d *Decoder, n uint64) []T {
	if d.err != nil {
		return nil
	}
	size := fixedSize[T]()
	if d.r == nil {
		if n > uint64(len(d.data)/size) {
			d.Errorf("truncated: %d bytes left, want %d values of %d", len(d.data), n, size)
			return nil
		}
		out := make([]T, n)
		decodeFixed(out, d.next(int(n)*size))
		return out
	}
	out := make([]T, 0, min(n, chunkElems))
	for left := n; left > 0; {
		c := int(min(left, chunkElems))
		b := d.next(c * size)
		if b == nil {
			return nil
		}
		out = slices.Grow(out, c)
		decodeFixed(out[len(out):len(out)+c], b)
		out = out[:len(out)+c]
		left -= uint64(c)
	}
	return out
}

// fixedSize returns the encoded size of a T.
func fixedSize[T fixed]() int {
	var zero T
	return binary.Size(zero)
}

// decodeFixed fills out from b, little-endian, len(out) elements; see
// appendFixed for why it does not use binary.Decode.
func decodeFixed[T fixed](out []T, b []byte) {
	switch out := any(out).(type) {
	case []uint8:
		copy(out, b)
	case []bool:
		for i := range out {
			out[i] = b[i] != 0
		}
	case []uint32:
		for i := range out {
			out[i] = le.Uint32(b[4*i:])
		}
	case []int32:
		for i := range out {
			out[i] = int32(le.Uint32(b[4*i:]))
		}
	case []float32:
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	}
}
