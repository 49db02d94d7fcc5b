package aisle_test

import (
	"testing"

	"github.com/aislehq/aisle"
)

// TestTextHash pins TextHash to FNV-1a 64: stored vectors depend on it
// never changing.
func TestTextHash(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0xcbf29ce484222325},
		{"a", 0xaf63dc4c8601ec8c},
		{"foobar", 0x85944171f73967e8},
	}
	for _, tt := range tests {
		if got := aisle.TextHash(tt.in); got != tt.want {
			t.Errorf("TextHash(%q) = %#x, want %#x", tt.in, got, tt.want)
		}
	}
}
