package modelfile

import (
	"errors"
	"fmt"
	"hash/crc32"
)

// MagicSize is the length of every format's magic.
const MagicSize = 8

// headerSize is the magic and the version word; checksumSize the trailer.
const (
	headerSize   = MagicSize + 4
	checksumSize = 4
)

// Errors wrapped by every decoding error, beside the format's own Err.
var (
	// ErrCorrupt marks data that is not a well-formed file of the format:
	// wrong magic, bad checksum, truncated, trailing bytes, or a value out
	// of the format's limits.
	ErrCorrupt = errors.New("corrupt model file")
	// ErrVersion marks a well-formed file of another version of the
	// format than the one this build reads.
	ErrVersion = errors.New("unsupported model file version")
)

// Checksum names the checksum a format's trailer holds.
type Checksum uint8

// The checksums. The zero value, CRC32C, is the one new formats use.
const (
	// CRC32C is CRC-32 with the Castagnoli polynomial.
	CRC32C Checksum = iota
	// CRC32IEEE is CRC-32 with the IEEE polynomial, kept for the formats
	// that used it before this package, so their files stay readable and
	// their bytes unchanged.
	CRC32IEEE
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// table returns c's CRC table.
func (c Checksum) table() *crc32.Table {
	if c == CRC32IEEE {
		return crc32.IEEETable
	}
	return castagnoli
}

// Sum returns c's checksum of b, as a file's trailer holds it.
func (c Checksum) Sum(b []byte) uint32 { return crc32.Checksum(b, c.table()) }

// Format describes one binary file format. Its files are, little-endian:
//
//	magic    [MagicSize]byte
//	version  uint32
//	payload  what the format's own code writes through an Encoder
//	checksum uint32, Checksum of every byte before it
//
// A Format is a value, safe for concurrent use.
type Format struct {
	// Magic starts every file; it must be MagicSize bytes (NewEncoder
	// and NewWriter panic otherwise).
	Magic string
	// Version is the version Encoder writes and Open accepts; a file of
	// another version is an error wrapping ErrVersion.
	Version uint32
	// Checksum is the trailer's checksum; the zero value is CRC32C.
	Checksum Checksum
	// Err, when non-nil, is wrapped by every error the Format's decoders
	// return, so callers can test for the format's own sentinel.
	Err error
}

// errorf returns an error wrapping f.Err and kind with the message.
func (f Format) errorf(kind error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if f.Err == nil {
		return fmt.Errorf("%w: %s", kind, msg)
	}
	return fmt.Errorf("%w: %w: %s", f.Err, kind, msg)
}

// checkVersion returns an error wrapping ErrVersion unless v is f.Version.
func (f Format) checkVersion(v uint32) error {
	switch {
	case v < f.Version:
		return f.errorf(ErrVersion, "version %d written by an older Aisle, want %d; retrain", v, f.Version)
	case v > f.Version:
		return f.errorf(ErrVersion, "version %d written by a newer Aisle, want %d", v, f.Version)
	}
	return nil
}
