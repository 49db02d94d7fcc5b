package search

import (
	"encoding/base64"
	"encoding/binary"
	"hash/fnv"
	"math"

	"github.com/aislehq/aisle"
)

// A cursor is the base64url of the 8-byte hash of the request it
// continues (query, image, user, filters, retrieval) and the uvarint offset of
// the next result, so that a cursor given with another query is
// EINVALID rather than a page of something else.

// maxOffset bounds a cursor's offset.
const maxOffset = 1 << 30

// requestHash identifies the result list of req across pages.
func requestHash(req *Request) uint64 {
	h := fnv.New64a()
	for _, s := range []string{req.Query, req.User, req.Category, req.Brand, req.Color, req.Retrieval} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var b []byte
	for _, p := range []*float64{req.MinPrice, req.MaxPrice} {
		if p == nil {
			b = append(b, 0)
			continue
		}
		b = binary.BigEndian.AppendUint64(append(b, 1), math.Float64bits(*p))
	}
	b = binary.AppendUvarint(b, uint64(len(req.Image)))
	for _, f := range req.Image {
		b = binary.BigEndian.AppendUint32(b, math.Float32bits(f))
	}
	h.Write(b)
	return h.Sum64()
}

// encodeCursor returns the cursor of offset in the results of hash.
func encodeCursor(offset int, hash uint64) string {
	b := binary.BigEndian.AppendUint64(nil, hash)
	b = binary.AppendUvarint(b, uint64(offset))
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the offset cursor points to; "" is 0. A cursor
// that is malformed or made for another request is EINVALID.
func decodeCursor(cursor string, hash uint64) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	bad := aisle.FieldErrorf(aisle.EINVALID, "cursor", "not a cursor of this search")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) < 9 || binary.BigEndian.Uint64(b) != hash {
		return 0, bad
	}
	off, n := binary.Uvarint(b[8:])
	if n <= 0 || 8+n != len(b) || off > maxOffset || encodeCursor(int(off), hash) != cursor {
		return 0, bad // the last test rejects non-canonical spellings
	}
	return int(off), nil
}
