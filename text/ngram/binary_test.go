package ngram

import (
	"encoding/binary"
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The format's frame: the magic and version, and the checksum trailer.
const (
	headerSize   = len(magic) + 6*4
	checksumSize = 4
)

// checksum is the format's checksum of b.
func checksum(b []byte) uint32 { return format.Checksum.Sum(b) }

// marshalled returns the bytes of a model trained on the shop corpus.
func marshalled(tb testing.TB) []byte {
	tb.Helper()
	b, err := trainShop(tb, small).MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestMarshalRoundTrip(t *testing.T) {
	m := trainShop(t, small)
	data, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Model
	if err := got.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if got.Dim() != m.Dim() {
		t.Fatalf("Dim %d after the round trip, want %d", got.Dim(), m.Dim())
	}
	texts := append(slices.Clone(shop), "", "a new text never seen")
	want, err := m.Encode(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	vecs, err := got.Encode(t.Context(), texts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(vecs, want); diff != "" {
		t.Errorf("vectors differ after the round trip (-got +want):\n%s", diff)
	}
	again, err := got.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again, data) {
		t.Error("marshalling the unmarshalled model gives other bytes")
	}
}

func TestUnmarshalErrors(t *testing.T) {
	good := marshalled(t)
	edit := func(f func(b []byte) []byte) []byte { return f(slices.Clone(good)) }
	// reseal fixes the checksum after an edit of the header.
	reseal := func(b []byte) []byte {
		body := b[:len(b)-checksumSize]
		return binary.LittleEndian.AppendUint32(body, checksum(body))
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"header only", good[:headerSize]},
		{"truncated", good[:len(good)-1]},
		{"trailing byte", append(slices.Clone(good), 0)},
		{"bad magic", edit(func(b []byte) []byte { b[0] = 'X'; return b })},
		{"other version", edit(func(b []byte) []byte { b[8] = 2; return reseal(b) })},
		{"flipped weight", edit(func(b []byte) []byte { b[headerSize+5] ^= 1; return b })},
		{"bad checksum", edit(func(b []byte) []byte { b[len(b)-1] ^= 0xff; return b })},
		{"zero dim", edit(func(b []byte) []byte { clear(b[12:16]); return reseal(b) })},
		{"huge buckets", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[16:], 1<<31); return reseal(b) })},
		{"n-grams reversed", edit(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[20:], 9); return reseal(b) })},
		{"NaN weight", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[headerSize:], 0x7fc00000)
			return reseal(b)
		})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(small)
			before, _ := m.MarshalBinary()
			err := m.UnmarshalBinary(tc.data)
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("UnmarshalBinary: %v, want ErrFormat", err)
			}
			after, _ := m.MarshalBinary()
			if !slices.Equal(before, after) {
				t.Error("a failed UnmarshalBinary changed the model")
			}
		})
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	// A tiny trained model: the fuzzer minimises every interesting input,
	// which takes minutes from a 64 KB seed like marshalled's.
	tiny := small
	tiny.Dim, tiny.Buckets = 4, 16
	good, err := trainShop(f, tiny).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:headerSize+checksumSize])
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m Model
		if err := m.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		out, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out, data) {
			t.Fatal("accepted bytes do not round-trip")
		}
		v := make([]float32, m.Dim())
		m.EncodeTo(v, "blue pen 黑色")
	})
}
