package train_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/train"
)

// synthetic returns shoppers who walk a catalog of 40 items in steps of
// one or two, so the next item is predictable from the last ones.
func synthetic(t *testing.T) *dataset.Dataset {
	t.Helper()
	d, err := dataset.FromEvents(walkEvents(), dataset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestTrainSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	d := synthetic(t)
	set, meta, err := train.Train(ctx, d, train.Config{Seed: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if meta.ValidNDCG10 < 0.5 {
		t.Errorf("validation NDCG@10 %.3f on a predictable walk", meta.ValidNDCG10)
	}
	dir := filepath.Join(t.TempDir(), "models")
	if _, err := saved.Latest(dir); !errors.Is(err, saved.ErrNoModel) {
		t.Fatalf("Latest on no models: %v", err)
	}
	version, err := saved.Save(dir, set, meta, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	latest, err := saved.Latest(dir)
	if err != nil || latest.Version != version || len(latest.Items) != d.NumItems() {
		t.Fatalf("Latest = %+v, %v", latest, err)
	}
	_, loaded, fused, err := saved.Load(dir, version)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var weights []float64
	for n, w := range meta.Weights {
		names, weights = append(names, n), append(weights, w)
	}
	want, err := set.Blend(names, weights)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := make([]float32, d.NumItems()), make([]float32, d.NumItems())
	for _, h := range [][]int32{{0}, d.Seqs[7], d.Seqs[123]} {
		want.Score(h, s1)
		fused.Score(h, s2)
		for i := range s1 {
			if d := s1[i] - s2[i]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("history %v item %d: trained %v, loaded %v", h, i, s1[i], s2[i])
			}
		}
	}
	if len(loaded.Members) != len(set.Members) {
		t.Errorf("loaded %d members, trained %d", len(loaded.Members), len(set.Members))
	}
	if (set.Ranker == nil) != (meta.Ranker == "") || (set.Ranker == nil) != (loaded.Ranker == nil) {
		t.Fatalf("ranker trained %v, in meta %q, loaded %v", set.Ranker != nil, meta.Ranker, loaded.Ranker != nil)
	}
	if set.Ranker != nil {
		a, _ := set.Ranker.MarshalBinary()
		b, _ := loaded.Ranker.MarshalBinary()
		if !bytes.Equal(a, b) {
			t.Error("the loaded ranker differs from the saved one")
		}
	}

	// A corrupt file fails the load with an error, not a panic.
	os.WriteFile(filepath.Join(dir, version, "slist.bin"), []byte("garbage"), 0o644)
	if _, _, _, err := saved.Load(dir, version); err == nil {
		t.Error("corrupt model file loaded")
	}
}

func TestReplacesOnlyIfNotWorse(t *testing.T) {
	prev := &saved.Meta{ValidNDCG10: 0.05}
	tests := []struct {
		next float64
		want bool
	}{{0.06, true}, {0.05, true}, {0.049, false}}
	for _, tt := range tests {
		if got := saved.Replaces(&saved.Meta{ValidNDCG10: tt.next}, prev); got != tt.want {
			t.Errorf("Replaces(%v over 0.05) = %v", tt.next, got)
		}
	}
	if !saved.Replaces(&saved.Meta{}, nil) {
		t.Error("a first version does not replace nothing")
	}
}
