package fusion_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aislehq/aisle/fusion"
)

func TestBinaryRoundTrip(t *testing.T) {
	c, _ := classes(100, 6)
	m := train(t, c, fusion.Config{Dim: 8, Epochs: 1, BatchSize: 16, SelfPairs: 1})
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got fusion.Model
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Modalities(), m.Modalities()) || got.Dim() != 8 {
		t.Errorf("shape: %v %d", got.Modalities(), got.Dim())
	}
	for i := range 10 {
		want, _ := m.Fuse(inputs(c, i))
		have, _ := got.Fuse(inputs(c, i))
		if !slices.Equal(want, have) {
			t.Fatalf("item %d fuses to %v after the round trip, %v before", i, have, want)
		}
	}
	for name, data := range map[string][]byte{
		"empty":     nil,
		"truncated": b[:len(b)-9],
		"flipped":   append(append([]byte(nil), b[:40]...), append([]byte{b[40] ^ 1}, b[41:]...)...),
		"magic":     append([]byte("AISLFUSX"), b[8:]...),
	} {
		if err := got.UnmarshalBinary(data); !errors.Is(err, fusion.ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzUnmarshalBinary(f *testing.F) {
	c, _ := classes(40, 7)
	m, err := fusion.Train(context.Background(), c, fusion.Config{Dim: 4, Epochs: 1, BatchSize: 8, SelfPairs: 1}, nil)
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
