package train_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/text/ngram"
)

// TestTrainSavesFusion trains the set with the content model over fused
// vectors of text, generated image vectors (invented: no real dataset
// has photos and behaviour) and behaviour, saves and loads it, and fuses
// a new item from its text and image alone.
func TestTrainSavesFusion(t *testing.T) {
	ctx := context.Background()
	d := synthetic(t)
	text := func(id string) string {
		var n int
		fmt.Sscanf(id, "i%d", &n)
		return fmt.Sprintf("widget %d of line %d", n, n/5)
	}
	image := func(id string) []float32 {
		var n int
		fmt.Sscanf(id, "i%d", &n)
		v := make([]float32, 12)
		v[n%12], v[(n/5)%12] = 1, 0.5
		return v
	}
	kinds := []string{train.VectorsFused, train.VectorsAuto}
	if testing.Short() {
		kinds = kinds[:1]
	}
	for _, vectors := range kinds {
		cfg := train.Config{Seed: 3, Skip: []string{saved.ModelEASE, saved.ModelSLIST, saved.ModelItemCF}, MF: candidate.MFConfig{Factors: 8}, Content: train.ContentConfig{
			Text: text, Image: image, Vectors: vectors,
			Encoder: ngram.Config{Buckets: 1 << 10, Dim: 16},
			Fusion:  fusion.Config{Step: 1, MinStep: 1, Rounds: 1},
		}}
		set, meta, err := train.Train(ctx, d, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		if vectors == train.VectorsAuto {
			if meta.ContentVectors != train.VectorsText && meta.ContentVectors != train.VectorsFused {
				t.Errorf("auto: content vectors %q", meta.ContentVectors)
			}
			if (meta.ContentVectors == train.VectorsFused) != (set.Fusion != nil) {
				t.Errorf("auto chose %q, fusion model %v", meta.ContentVectors, set.Fusion != nil)
			}
			continue
		}
		if set.Fusion == nil || meta.ContentVectors != train.VectorsFused {
			t.Fatalf("fused: no fusion model (%q)", meta.ContentVectors)
		}
		var names []string
		for _, m := range set.Fusion.Modalities() {
			names = append(names, m.Name)
		}
		if want := []string{fusion.Text, fusion.Image, fusion.Behaviour}; !slices.Equal(names, want) {
			t.Errorf("modalities %v, want %v", names, want)
		}
		dir := filepath.Join(t.TempDir(), "models")
		version, err := saved.Save(dir, set, meta, time.Unix(1700000000, 0))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, version, "fusion.bin")); err != nil {
			t.Fatal(err)
		}
		_, loaded, _, err := saved.Load(dir, version)
		if err != nil {
			t.Fatal(err)
		}
		want, err := set.ItemVector("widget 41 of line 8", image("i41"))
		if set.Fusion.Dim() != 16+12+8 {
			t.Errorf("fused length %d, want text 16 + image 12 + behaviour 8", set.Fusion.Dim())
		}
		if err != nil || len(want) != set.Fusion.Dim() {
			t.Fatalf("new item: %v, %v", want, err)
		}
		if got, _ := loaded.ItemVector("widget 41 of line 8", image("i41")); !slices.Equal(got, want) {
			t.Errorf("loaded set fuses a new item to %v, saved one to %v", got, want)
		}
		if _, err := loaded.ItemVector("widget", make([]float32, 3)); err == nil {
			t.Error("image of the wrong length: no error")
		}
		if v, err := loaded.ItemVector("", nil); v != nil || err != nil {
			t.Errorf("no text, no image: %v, %v", v, err)
		}
		c := loaded.Member(saved.ModelContent).Scorer.(*candidate.Content)
		if c.Dim() != set.Fusion.Dim() {
			t.Errorf("content model over %d-d vectors, want the fused %d", c.Dim(), set.Fusion.Dim())
		}
	}
}
