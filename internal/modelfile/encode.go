package modelfile

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
)

var le = binary.LittleEndian

// flushSize is how much an Encoder writing to an io.Writer buffers.
const flushSize = 1 << 20

// Encoder writes one file of a Format: the header when it is made, then
// the values its methods are given, then the checksum by Finish. Write
// errors (only when writing to an io.Writer) are kept and returned by
// Finish; the methods do nothing after one. An Encoder is not safe for
// concurrent use.
type Encoder struct {
	buf   []byte
	w     io.Writer // nil: buf holds the whole file
	table *crc32.Table
	crc   uint32 // of the bytes already written to w
	n     int64  // bytes written to w
	err   error
}

// NewEncoder returns an Encoder that builds the file in memory; sizeHint
// is the payload's expected size in bytes (0 if unknown).
func (f Format) NewEncoder(sizeHint int) *Encoder {
	e := &Encoder{buf: make([]byte, 0, headerSize+max(sizeHint, 0)+checksumSize), table: f.Checksum.table()}
	e.header(f)
	return e
}

// NewWriter returns an Encoder that streams the file to w through a
// buffer, so a large file is never held in memory whole.
func (f Format) NewWriter(w io.Writer) *Encoder {
	e := &Encoder{buf: make([]byte, 0, flushSize+chunkBytes), w: w, table: f.Checksum.table()}
	e.header(f)
	return e
}

// header writes the magic and version. A magic of another length than
// MagicSize is a programming error, and panics.
func (e *Encoder) header(f Format) {
	if len(f.Magic) != MagicSize {
		panic(fmt.Sprintf("modelfile: magic %q is not %d bytes", f.Magic, MagicSize))
	}
	e.buf = append(e.buf, f.Magic...)
	e.Uint32(f.Version)
}

// spill writes the buffer to w once it is full.
func (e *Encoder) spill() {
	if e.w != nil && len(e.buf) >= flushSize {
		e.flush()
	}
}

// flush adds the buffer to the checksum and writes it to w.
func (e *Encoder) flush() {
	if e.err != nil || len(e.buf) == 0 {
		e.buf = e.buf[:0]
		return
	}
	e.crc = crc32.Update(e.crc, e.table, e.buf)
	n, err := e.w.Write(e.buf)
	e.n += int64(n)
	e.err = err
	e.buf = e.buf[:0]
}

// Uint8 writes v.
func (e *Encoder) Uint8(v uint8) { e.buf = append(e.buf, v); e.spill() }

// Uint32 writes v.
func (e *Encoder) Uint32(v uint32) { e.buf = le.AppendUint32(e.buf, v); e.spill() }

// Int32 writes v.
func (e *Encoder) Int32(v int32) { e.Uint32(uint32(v)) }

// Uint64 writes v.
func (e *Encoder) Uint64(v uint64) { e.buf = le.AppendUint64(e.buf, v); e.spill() }

// Int64 writes v.
func (e *Encoder) Int64(v int64) { e.Uint64(uint64(v)) }

// Float32 writes v's IEEE 754 bits.
func (e *Encoder) Float32(v float32) { e.Uint32(math.Float32bits(v)) }

// Float64 writes v's IEEE 754 bits.
func (e *Encoder) Float64(v float64) { e.Uint64(math.Float64bits(v)) }

// String writes len(s) as a uint32, then s's bytes. Decoder.String reads
// it back.
func (e *Encoder) String(s string) {
	e.Uint32(uint32(len(s)))
	e.buf = append(e.buf, s...)
	e.spill()
}

// Bytes writes b as it is, without its length.
func (e *Encoder) Bytes(b []byte) { putSlice(e, b) }

// Bools writes one byte, 0 or 1, per element of v, without its length.
func (e *Encoder) Bools(v []bool) { putSlice(e, v) }

// Uint32s writes v's elements, without its length.
func (e *Encoder) Uint32s(v []uint32) { putSlice(e, v) }

// Int32s writes v's elements, without its length.
func (e *Encoder) Int32s(v []int32) { putSlice(e, v) }

// Float32s writes v's elements, without its length.
func (e *Encoder) Float32s(v []float32) { putSlice(e, v) }

// putSlice appends v a chunk at a time, so that a streaming Encoder's
// buffer stays bounded.
func putSlice[T fixed](e *Encoder, v []T) {
	for len(v) > 0 {
		c := min(len(v), chunkElems)
		e.buf = appendFixed(e.buf, v[:c])
		v = v[c:]
		e.spill()
	}
}

// appendFixed appends v's elements to b, little-endian. It loops with the
// concrete byte order (binary.Append goes through the ByteOrder interface
// for every element, several times slower on model-sized slices).
func appendFixed[T fixed](b []byte, v []T) []byte {
	switch v := any(v).(type) {
	case []uint8:
		return append(b, v...)
	case []bool:
		for _, x := range v {
			if x {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
	case []uint32:
		for _, x := range v {
			b = le.AppendUint32(b, x)
		}
	case []int32:
		for _, x := range v {
			b = le.AppendUint32(b, uint32(x))
		}
	case []float32:
		for _, x := range v {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
	}
	return b
}

// Finish writes the checksum. In memory it returns the whole file; when
// writing to an io.Writer it returns nil and the first write error.
func (e *Encoder) Finish() ([]byte, error) {
	if e.w == nil {
		return le.AppendUint32(e.buf, crc32.Checksum(e.buf, e.table)), nil
	}
	e.flush()
	e.buf = le.AppendUint32(e.buf, e.crc)
	e.flush()
	return nil, e.err
}

// Written returns the bytes an Encoder made by NewWriter has written to
// its io.Writer so far.
func (e *Encoder) Written() int64 { return e.n }
