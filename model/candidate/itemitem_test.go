package candidate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aislehq/aisle/model/candidate"
)

func TestSparsifiedModelsKeepTheirRanking(t *testing.T) {
	ctx := context.Background()
	d := shop(t)
	ease, err := candidate.TrainEASE(ctx, d, candidate.EASEConfig{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	slist, err := candidate.TrainSLIST(ctx, d, candidate.SLISTConfig{Lambda: 1})
	if err != nil {
		t.Fatal(err)
	}
	pen, ink, mug, tea := index(t, d, "pen"), index(t, d, "ink"), index(t, d, "mug"), index(t, d, "tea")
	for name, m := range map[string]*candidate.ItemItem{"ease": ease.Sparsify(3), "slist": slist.Sparsify(3)} {
		s := make([]float32, d.NumItems())
		m.Score([]int32{pen}, s)
		if got := argmax(s, pen); got != ink {
			t.Errorf("%s sparse: after pen proposes %q, want ink", name, d.Items[got])
		}
		m.Score([]int32{pen, ink, mug}, s)
		if got := argmax(s, pen, ink, mug); got != tea {
			t.Errorf("%s sparse: after pen, ink, mug proposes %q, want tea", name, d.Items[got])
		}
		items, weights := m.Neighbors(pen)
		if len(items) == 0 || len(items) > 3 || len(items) != len(weights) {
			t.Errorf("%s: neighbours of pen = %v %v", name, items, weights)
		}
		for k := 1; k < len(weights); k++ {
			if weights[k] > weights[k-1] {
				t.Errorf("%s: neighbours not best first: %v", name, weights)
			}
		}

		// Round trip, and corrupt input.
		b, err := m.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back candidate.ItemItem
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		s2 := make([]float32, d.NumItems())
		back.Score([]int32{pen, ink, mug}, s2)
		m.Score([]int32{pen, ink, mug}, s)
		for i := range s {
			if s[i] != s2[i] {
				t.Fatalf("%s: scores differ after round trip: %v vs %v", name, s, s2)
			}
		}
		for _, bad := range [][]byte{nil, b[:10], b[:len(b)-1], append(append([]byte(nil), b[:20]...), b[21:]...)} {
			if err := back.UnmarshalBinary(bad); !errors.Is(err, candidate.ErrItemItemFormat) {
				t.Errorf("%s: corrupt input (%d bytes): err %v", name, len(bad), err)
			}
		}
		flipped := append([]byte(nil), b...)
		flipped[len(flipped)/2] ^= 0xff
		if err := back.UnmarshalBinary(flipped); !errors.Is(err, candidate.ErrItemItemFormat) {
			t.Errorf("%s: flipped byte accepted: %v", name, err)
		}
	}
}

func FuzzItemItemUnmarshal(f *testing.F) {
	m := &candidate.ItemItem{}
	seed, _ := m.MarshalBinary()
	f.Add(seed)
	f.Add([]byte("AISLEII1garbage-garbage-garbage"))
	if sparse, err := candidate.TrainEASE(f.Context(), tinyShop(f), candidate.EASEConfig{Lambda: 1}); err == nil {
		b, _ := sparse.Sparsify(3).MarshalBinary()
		f.Add(b)
		f.Add(version1(b, "AISLEII1"))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var m candidate.ItemItem
		if err := m.UnmarshalBinary(b); err != nil {
			return
		}
		s := make([]float32, m.NumItems())
		m.Score([]int32{0}, s)
	})
}
