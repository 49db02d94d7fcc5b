package eval_test

import (
	"context"
	"testing"

	"github.com/aislehq/aisle/model/dataset/datasettest"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
)

func TestExperimentOnOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model on real data")
	}
	t.Parallel() // the long tests of the package share its two cores
	d := datasettest.Office(t)
	rep, err := eval.Experiment(context.Background(), d, train.Config{Seed: 7}, eval.ExperimentOptions{Seed: 7}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.TestCases != 4905 || rep.Items != 2420 || rep.Interactions != 53258 {
		t.Errorf("dataset: %d test users, %d items, %d interactions", rep.TestCases, rep.Items, rep.Interactions)
	}
	got := map[string]metric.Result{}
	for _, r := range rep.Results {
		got[r.Model] = r
	}
	for _, m := range []string{saved.ModelPopular, saved.ModelTransition, saved.ModelEASE, saved.ModelSLIST, saved.ModelMF, eval.Baseline, eval.Fused} {
		if _, ok := got[m]; !ok {
			t.Errorf("no result for %s", m)
		}
	}
	for _, r := range rep.Results {
		if r.Protocol == metric.Full && (r.Beyond == nil || r.Beyond.HeadItems != 24) {
			t.Errorf("%s: beyond-accuracy metrics %+v, want them with a head of 24 items", r.Model, r.Beyond)
		}
	}
	fused, base := got[eval.Fused], got[eval.Baseline]
	t.Logf("office test NDCG@10: fused %.4f, baseline %.4f, slist %.4f, ease %.4f", fused.NDCG[10], base.NDCG[10], got[saved.ModelSLIST].NDCG[10], got[saved.ModelEASE].NDCG[10])
	// Measured 2026-11-23 08:51: fused 0.0731 / 0.1225, baseline 0.0681;
	// everything was chosen on validation only, so the margin is real.
	if fused.NDCG[10] < base.NDCG[10] {
		t.Errorf("fused NDCG@10 %.4f below the EASE+transition baseline %.4f", fused.NDCG[10], base.NDCG[10])
	}
	if fused.NDCG[10] < 0.065 || fused.HR[10] < 0.11 {
		t.Errorf("fused NDCG@10 %.4f HR@10 %.4f, measured 0.0731 / 0.1225", fused.NDCG[10], fused.HR[10])
	}
	if got[saved.ModelEASE].NDCG[10] <= got[saved.ModelPopular].NDCG[10] {
		t.Errorf("EASE does not beat popularity")
	}
}
