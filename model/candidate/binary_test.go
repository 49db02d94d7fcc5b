package candidate_test

import (
	"bytes"
	"encoding"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aislehq/aisle/internal/synth"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
)

// version1 rewrites a file of the current popular, content or item-item
// format as version 1 wrote it: magic, no version word, payload, CRC-32
// (IEEE).
func version1(b []byte, magic string) []byte {
	old := append([]byte(magic), b[12:len(b)-4]...)
	return binary.LittleEndian.AppendUint32(old, crc32.ChecksumIEEE(old))
}

// tinyShop returns a small synthetic dataset: some 30 shoppers over 12
// items.
func tinyShop(tb testing.TB) *dataset.Dataset {
	tb.Helper()
	evs := slices.Collect(synth.Events(synth.Config{Items: 12, Events: 100, MeanHistory: 3, ClusterSize: 4, Categories: 3, Seed: 7}))
	d, err := dataset.FromSlice(evs, dataset.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// scorer is what the version-1 test compares.
type scorer interface {
	encoding.BinaryMarshaler
	encoding.BinaryUnmarshaler
	Score(history []int32, scores []float32)
}

func TestBinaryVersion1(t *testing.T) {
	d := tinyShop(t)
	ease, err := candidate.TrainEASE(t.Context(), d, candidate.EASEConfig{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	content, err := candidate.NewContent(randomUnitVectors(rand.New(rand.NewPCG(1, 2)), d.NumItems(), 6, 4), candidate.ContentConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		magic    string
		model    scorer
		fresh    func() scorer
		errValue error
	}{
		{"popular", "AISLEPO1", candidate.TrainPopular(d), func() scorer { return new(candidate.Popular) }, candidate.ErrPopularFormat},
		{"content", "AISLECT1", content, func() scorer { return new(candidate.Content) }, candidate.ErrContentFormat},
		{"item-item", "AISLEII1", ease.Sparsify(4), func() scorer { return new(candidate.ItemItem) }, candidate.ErrItemItemFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.model.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			old := version1(b, tt.magic)
			got := tt.fresh()
			if err := got.UnmarshalBinary(old); err != nil {
				t.Fatalf("decoding version 1: %v", err)
			}
			want, have := make([]float32, d.NumItems()), make([]float32, d.NumItems())
			for _, h := range [][]int32{nil, {0}, {3, 1, 4}} {
				tt.model.Score(h, want)
				got.Score(h, have)
				if !slices.Equal(have, want) {
					t.Errorf("history %v: version 1 scores %v, want %v", h, have, want)
				}
			}
			if again, _ := got.MarshalBinary(); !bytes.Equal(again, b) {
				t.Error("a version-1 model re-encodes other than the current version")
			}
			old[len(old)/2] ^= 1
			if err := tt.fresh().UnmarshalBinary(old); !errors.Is(err, tt.errValue) {
				t.Errorf("corrupt version 1: %v, want %v", err, tt.errValue)
			}
		})
	}
}

func TestPopularBinary(t *testing.T) {
	p := candidate.TrainPopular(tinyShop(t))
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got candidate.Popular
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	wi, ws := p.Top(nil, 20)
	gi, gs := got.Top(nil, 20)
	if !slices.Equal(gi, wi) || !slices.Equal(gs, ws) {
		t.Errorf("Top after the round trip = %v %v, want %v %v", gi, gs, wi, ws)
	}
	flipped := bytes.Clone(b)
	flipped[len(b)/2] ^= 1
	for name, bad := range map[string][]byte{
		"empty": nil, "truncated": b[:len(b)-1], "trailing": append(bytes.Clone(b), 0),
		"flipped": flipped, "other magic": append([]byte("AISLEPOX"), b[8:]...),
	} {
		before, _ := got.MarshalBinary()
		if err := got.UnmarshalBinary(bad); !errors.Is(err, candidate.ErrPopularFormat) {
			t.Errorf("%s: %v, want ErrPopularFormat", name, err)
		}
		if after, _ := got.MarshalBinary(); !bytes.Equal(after, before) {
			t.Errorf("%s: a failed UnmarshalBinary changed the model", name)
		}
	}
}

func FuzzPopularUnmarshal(f *testing.F) {
	b, _ := candidate.TrainPopular(tinyShop(f)).MarshalBinary()
	f.Add(b)
	f.Add(version1(b, "AISLEPO1"))
	f.Add(b[:16])
	f.Fuzz(func(t *testing.T, data []byte) {
		var p candidate.Popular
		if err := p.UnmarshalBinary(data); err != nil {
			if !errors.Is(err, candidate.ErrPopularFormat) {
				t.Fatalf("error %v does not wrap ErrPopularFormat", err)
			}
			return
		}
		items, _ := p.Top(nil, 5)
		p.ScoreItems(nil, append(items, -1, 1<<30), make([]float32, len(items)+2))
		again, err := p.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var q candidate.Popular
		if err := q.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-encoded model does not decode: %v", err)
		}
		if third, _ := q.MarshalBinary(); !bytes.Equal(third, again) {
			t.Fatal("re-encoding is not stable")
		}
	})
}
