package search

import (
	"testing"

	"github.com/aislehq/aisle"
)

func TestCursorRoundTrip(t *testing.T) {
	tests := []struct {
		offset int
		hash   uint64
	}{{0, 0}, {10, 1}, {200, 1<<64 - 1}, {maxOffset, 42}}
	for _, tt := range tests {
		c := encodeCursor(tt.offset, tt.hash)
		got, err := decodeCursor(c, tt.hash)
		if err != nil || got != tt.offset {
			t.Errorf("decodeCursor(encodeCursor(%d, %d)) = %d, %v", tt.offset, tt.hash, got, err)
		}
		if _, err := decodeCursor(c, tt.hash+1); aisle.ErrorCode(err) != aisle.EINVALID {
			t.Errorf("cursor of hash %d accepted for another hash: %v", tt.hash, err)
		}
	}
}

// FuzzDecodeCursor checks that any string either decodes to an offset
// that encodes back to the same cursor, or is EINVALID.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor(10, 7), uint64(7))
	f.Add("", uint64(0))
	f.Add("AAAAAAAAAAcK", uint64(7))
	f.Add("%%%", uint64(1))
	f.Fuzz(func(t *testing.T, cursor string, hash uint64) {
		off, err := decodeCursor(cursor, hash)
		switch {
		case err != nil:
			if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != "cursor" {
				t.Fatalf("error %v, want EINVALID on cursor", err)
			}
		case cursor == "":
			if off != 0 {
				t.Fatalf("empty cursor gave offset %d", off)
			}
		case off < 0 || off > maxOffset || encodeCursor(off, hash) != cursor:
			t.Fatalf("cursor %q decoded to %d, which encodes to %q", cursor, off, encodeCursor(off, hash))
		}
	})
}
