package vector

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// castagnoli is the HNSW format's checksum table.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// smallGraph returns a graph of n random vectors with some deleted and
// updated, so tombstones and upper layers are in the file.
func smallGraph(tb testing.TB, n, dim int) *HNSW {
	tb.Helper()
	rng := rand.New(rand.NewPCG(13, 14))
	vecs := randomUnit(rng, n, dim)
	h := NewHNSW(dim, HNSWConfig{M: 4, EfConstruction: 20, Seed: 4})
	if err := h.Build(seq(n), vecs, 2); err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < n; i += 5 {
		h.Delete(int32(i))
	}
	h.Add(1, vecs[:dim])
	return h
}

func TestHNSWRoundTrip(t *testing.T) {
	const n, dim = 600, 8
	h := smallGraph(t, n, dim)
	data, err := h.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if w, err := h.WriteTo(&buf); err != nil || w != int64(len(data)) || !bytes.Equal(buf.Bytes(), data) {
		t.Fatalf("WriteTo = %d, %v; differs from MarshalBinary (%d bytes)", w, err, len(data))
	}
	var u HNSW
	if err := u.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	r, err := ReadHNSW(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(15, 16))
	queries := randomUnit(rng, 50, dim)
	for i := range 50 {
		q := queries[i*dim : (i+1)*dim]
		want := h.Search(q, 10, nil)
		for name, g := range map[string]*HNSW{"UnmarshalBinary": &u, "ReadHNSW": r} {
			if diff := cmp.Diff(g.Search(q, 10, nil), want); diff != "" {
				t.Fatalf("%s: query %d (-got +want):\n%s", name, i, diff)
			}
		}
	}
	if u.Len() != h.Len() || u.Dim() != dim || u.Nodes() != h.Nodes() {
		t.Errorf("Len, Dim, Nodes = %d, %d, %d, want %d, %d, %d", u.Len(), u.Dim(), u.Nodes(), h.Len(), dim, h.Nodes())
	}
	again, err := u.MarshalBinary()
	if err != nil || !bytes.Equal(again, data) {
		t.Errorf("re-marshalled file differs (err %v)", err)
	}
	// The decoded graph takes writes.
	u.Add(5000, queries[:dim])
	if got := u.Search(queries[:dim], 1, nil); len(got) != 1 || got[0].ID != 5000 {
		t.Errorf("after Add on the decoded graph: %v", got)
	}
}

func TestHNSWDecodeCorrupt(t *testing.T) {
	data, err := smallGraph(t, 200, 4).MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		d := bytes.Clone(data)
		d[i] ^= 0x40
		return d
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"magic", flip(0)},
		{"version", flip(8)},
		{"header truncated", data[:20]},
		{"body truncated", data[:len(data)/2]},
		{"checksum missing", data[:len(data)-4]},
		{"vector bit", flip(len(data) / 2)},
		{"last neighbour", flip(len(data) - 5)},
		{"checksum", flip(len(data) - 1)},
		{"trailing byte", append(bytes.Clone(data), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h HNSW
			if err := h.UnmarshalBinary(tt.data); !errors.Is(err, ErrCorrupt) {
				t.Errorf("UnmarshalBinary error = %v, want ErrCorrupt", err)
			}
		})
	}
}

func FuzzHNSWDecode(f *testing.F) {
	f.Add([]byte(nil))
	empty, err := NewHNSW(3, HNSWConfig{}).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(empty)
	small, err := smallGraph(f, 40, 3).MarshalBinary()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	// Each input is decoded as it is, and again with its last four bytes
	// replaced by the right checksum, so the structural checks past the
	// checksum are reached too.
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw HNSW
		_ = raw.UnmarshalBinary(data)
		if len(data) < 4 {
			return
		}
		data = bytes.Clone(data)
		binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.Checksum(data[:len(data)-4], castagnoli))
		var h HNSW
		err := h.UnmarshalBinary(data)
		if _, rerr := ReadHNSW(bytes.NewReader(data)); (rerr == nil) != (err == nil) {
			t.Fatalf("UnmarshalBinary: %v, but ReadHNSW: %v", err, rerr)
		}
		if err != nil {
			return
		}
		again, err := h.MarshalBinary()
		if err != nil || !bytes.Equal(again, data) {
			t.Fatalf("accepted file does not round-trip (err %v)", err)
		}
		q := make([]float32, h.Dim())
		q[0] = 1
		h.Search(q, 5, nil)
		h.Search(q, 5, func(id int32) bool { return id%2 == 0 })
		h.Add(7, q)
		h.Delete(7)
	})
}
