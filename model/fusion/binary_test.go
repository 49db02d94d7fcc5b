package fusion_test

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aislehq/aisle/model/fusion"
)

func TestBinaryRoundTrip(t *testing.T) {
	m, err := predicted(t)
	if err != nil {
		t.Fatal(err)
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got fusion.Model
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Modalities(), m.Modalities()) || got.Dim() != m.Dim() {
		t.Errorf("shape: %v %d", got.Modalities(), got.Dim())
	}
	in := randomInputs(rand.New(rand.NewPCG(5, 6)))
	for _, n := range []int{0, 3, 300} {
		want, _ := m.Fuse(without(in, fusion.Behaviour), n)
		have, _ := got.Fuse(without(in, fusion.Behaviour), n)
		if !slices.Equal(want, have) {
			t.Fatalf("%d interactions: fused differently after the round trip", n)
		}
	}
	old := append([]byte(nil), b...)
	old[8] = 1 // version 1, the projection model's, with a valid checksum
	old = binary.LittleEndian.AppendUint32(old[:len(old)-4], crc32.Checksum(old[:len(old)-4], crc32.MakeTable(crc32.Castagnoli)))
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-9],
		"flipped":   append(append([]byte(nil), b[:20]...), append([]byte{b[20] ^ 1}, b[21:]...)...),
		"magic":     append([]byte("AISLFUSX"), b[8:]...),
		"version 1": old,
	} {
		if err := got.UnmarshalBinary(data); !errors.Is(err, fusion.ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	m, err := fusion.New([]fusion.Modality{{Name: fusion.Text, Dim: 3}, {Name: fusion.Behaviour, Dim: 2}}, [][]float32{{0.1, -0.2, 0}, nil})
	if err != nil {
		f.Fatal(err)
	}
	b, _ := m.MarshalBinary()
	f.Add(b)
	f.Add([]byte("AISLFUSE"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m fusion.Model
		if err := m.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, fusion.ErrFormat) {
				t.Fatalf("error not wrapping ErrFormat: %v", err)
			}
			return
		}
		again, _ := m.MarshalBinary()
		if !slices.Equal(again, data) {
			t.Fatal("decoded model encodes differently")
		}
	})
}
