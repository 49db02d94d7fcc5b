package classify

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// The format's frame: the magic, version and fixed header fields, and the
// checksum trailer.
const (
	headerSize   = len(magic) + 4*4 + 8
	checksumSize = 4
)

// trained returns a small trained model, standardised or not.
func trained(tb testing.TB, standardize bool) *Softmax {
	tb.Helper()
	xs, labels := blobs(3, 6, 5, 0.3, 1)
	m, err := Train(context.Background(), xs, labels, Config{Standardize: standardize, Lambdas: []float64{1e-2, 1e-3}, Folds: 3})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestBinaryRoundTrip(t *testing.T) {
	for _, std := range []bool{false, true} {
		m := trained(t, std)
		data, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Softmax
		if err := got.UnmarshalBinary(data); err != nil {
			t.Fatalf("standardised %v: %v", std, err)
		}
		if got.Lambda() != m.Lambda() || got.Standardized() != std || got.CV() != nil {
			t.Errorf("decoded λ %g, standardised %v, CV %v; want %g, %v, nil", got.Lambda(), got.Standardized(), got.CV(), m.Lambda(), std)
		}
		xs, _ := blobs(3, 6, 5, 0.3, 2)
		for _, x := range xs {
			p, _ := m.Probs(x)
			q, _ := got.Probs(x)
			for k := range p {
				if p[k] != q[k] {
					t.Fatalf("decoded model gives %v, want %v", q, p)
				}
			}
		}
		again, _ := got.MarshalBinary()
		if !bytes.Equal(again, data) {
			t.Error("re-encoding the decoded model changed its bytes")
		}
	}
}

func TestUnmarshalBinaryErrors(t *testing.T) {
	good, _ := trained(t, true).MarshalBinary()
	// reseal rewrites the checksum, so that the check behind it is reached.
	reseal := func(b []byte) []byte {
		b = bytes.Clone(b)
		body := b[:len(b)-checksumSize]
		binary.LittleEndian.PutUint32(b[len(body):], crc32.ChecksumIEEE(body))
		return b
	}
	edit := func(at int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[at:], v)
		return reseal(b)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"bad magic", append([]byte("AISLEXXX"), good[8:]...)},
		{"truncated", good[:len(good)-9]},
		{"bad checksum", append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1)},
		{"version", edit(8, 2)},
		{"one class", edit(12, 1)},
		{"too many classes", edit(12, MaxClasses+1)},
		{"zero dim", edit(16, 0)},
		{"unknown flag", edit(20, 3)},
		{"label too long", edit(headerSize, MaxLabelBytes+1)},
		{"labels out of order", func() []byte {
			b := bytes.Clone(good)
			b[headerSize+4+len("class-")] = '9' // "class-0" → "class-9", before "class-1"
			return reseal(b)
		}()},
		{"NaN weight", edit(len(good)-checksumSize-4, 0x7fc00000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := trained(t, false)
			before, _ := m.MarshalBinary()
			if err := m.UnmarshalBinary(tt.data); !errors.Is(err, ErrFormat) {
				t.Errorf("UnmarshalBinary: %v, want ErrFormat", err)
			}
			if after, _ := m.MarshalBinary(); !bytes.Equal(after, before) {
				t.Error("a failed UnmarshalBinary changed the model")
			}
		})
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	for _, std := range []bool{false, true} {
		b, _ := trained(f, std).MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Softmax
		if err := m.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		again, _ := m.MarshalBinary()
		if !bytes.Equal(again, data) {
			t.Fatal("a decoded model re-encodes differently")
		}
		if _, err := m.Probs(make([]float32, m.Dim())); err != nil {
			t.Fatal(err)
		}
	})
}
