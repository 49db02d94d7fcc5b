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

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/text/ngram"
)

// TestFusionOnOffice runs the fusion experiment on the real Office data
// (text and behaviour; it has no photos) and checks that the learned
// fusion ranks the next item better than either modality alone, and that
// items without behaviour (held out) are still ranked from their text
// and the behaviour it predicts.
func TestFusionOnOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the text encoder, MF and the fusion three times on real data")
	}
	d := office(t)
	rep, err := train.FusionExperiment(context.Background(), d, train.Config{Seed: 1, Content: train.ContentConfig{Text: officeTexts(t)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []struct {
		name string
		rs   []eval.Result
	}{{"valid", rep.Valid}, {"test", rep.Test}, {"cold", rep.Cold}, {"warm", rep.Warm}} {
		for _, r := range set.rs {
			t.Logf("%-5s %-40s HR@10 %.4f NDCG@10 %.4f (%d cases)", set.name, r.Model, r.HR[10], r.NDCG[10], r.Cases)
		}
	}
	t.Logf("attention %v", rep.Attention)
	ndcg := func(rs []eval.Result, name string) float64 {
		for _, r := range rs {
			if r.Model == name {
				return r.NDCG[10]
			}
		}
		t.Fatalf("no result for %s", name)
		return 0
	}
	for _, single := range []string{train.VectorsOfText, train.VectorsOfBehaviour} {
		if f, s := ndcg(rep.Test, train.VectorsOfFusion), ndcg(rep.Test, single); f <= s {
			t.Errorf("test NDCG@10: fused %.4f, %s alone %.4f", f, single, s)
		}
	}
	// A tenth of the items without behaviour must not push the others
	// down, as it does the fixed concatenation's.
	if w, f := ndcg(rep.Warm, train.VectorsOfFusion), ndcg(rep.Test, train.VectorsOfFusion); w < 0.8*f {
		t.Errorf("fused NDCG@10 %.4f on warm items beside cold ones, %.4f on the test items", w, f)
	}
	if w, f := ndcg(rep.Warm, train.VectorsConcat), ndcg(rep.Warm, train.VectorsOfFusion); w >= f {
		t.Errorf("warm NDCG@10: concatenation %.4f, fused %.4f; the concatenation's bias toward items without behaviour is gone?", w, f)
	}
	if c := ndcg(rep.Cold, train.VectorsOfFusion); c < 0.01 {
		t.Errorf("fused NDCG@10 %.4f on cold items: their text alone should place them", c)
	}
}

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
