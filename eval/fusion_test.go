package eval_test

import (
	"context"
	"testing"

	"github.com/aislehq/aisle/model/dataset/datasettest"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/train"
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
	t.Parallel() // the long tests of the package share its two cores
	d := datasettest.Office(t)
	rep, err := eval.FusionExperiment(context.Background(), d, train.Config{Seed: 1, Content: train.ContentConfig{Text: officeTexts(t)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []struct {
		name string
		rs   []metric.Result
	}{{"valid", rep.Valid}, {"test", rep.Test}, {"cold", rep.Cold}, {"warm", rep.Warm}} {
		for _, r := range set.rs {
			t.Logf("%-5s %-40s HR@10 %.4f NDCG@10 %.4f (%d cases)", set.name, r.Model, r.HR[10], r.NDCG[10], r.Cases)
		}
	}
	t.Logf("attention %v", rep.Attention)
	ndcg := func(rs []metric.Result, name string) float64 {
		for _, r := range rs {
			if r.Model == name {
				return r.NDCG[10]
			}
		}
		t.Fatalf("no result for %s", name)
		return 0
	}
	for _, single := range []string{eval.VectorsOfText, eval.VectorsOfBehaviour} {
		if f, s := ndcg(rep.Test, eval.VectorsOfFusion), ndcg(rep.Test, single); f <= s {
			t.Errorf("test NDCG@10: fused %.4f, %s alone %.4f", f, single, s)
		}
	}
	// A tenth of the items without behaviour must not push the others
	// down, as it does the fixed concatenation's.
	if w, f := ndcg(rep.Warm, eval.VectorsOfFusion), ndcg(rep.Test, eval.VectorsOfFusion); w < 0.8*f {
		t.Errorf("fused NDCG@10 %.4f on warm items beside cold ones, %.4f on the test items", w, f)
	}
	if w, f := ndcg(rep.Warm, eval.VectorsConcat), ndcg(rep.Warm, eval.VectorsOfFusion); w >= f {
		t.Errorf("warm NDCG@10: concatenation %.4f, fused %.4f; the concatenation's bias toward items without behaviour is gone?", w, f)
	}
	if c := ndcg(rep.Cold, eval.VectorsOfFusion); c < 0.01 {
		t.Errorf("fused NDCG@10 %.4f on cold items: their text alone should place them", c)
	}
}
