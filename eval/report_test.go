package eval_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/eval"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestResultJSON(t *testing.T) {
	r := eval.Result{
		Model: "pop", Protocol: eval.Full, Cases: 3,
		HR:   map[int]float64{5: 0.1, 10: 0.2, 20: 0.3},
		NDCG: map[int]float64{5: 0.01, 10: 0.02, 20: 0.03},
		MRR:  0.05, Coverage: 0.5, TrainSeconds: 1.5,
	}
	want := map[string]any{
		"model": "pop", "protocol": "full", "cases": 3.0,
		"hr@5": 0.1, "hr@10": 0.2, "hr@20": 0.3,
		"ndcg@5": 0.01, "ndcg@10": 0.02, "ndcg@20": 0.03,
		"mrr": 0.05, "coverage@10": 0.5, "train_seconds": 1.5,
	}
	got := r.JSON()
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("JSON (-got +want):\n%s", diff)
	}
	// Encoding and decoding gives the same map back: numbers are float64.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(back, want); diff != "" {
		t.Errorf("JSON round trip (-got +want):\n%s", diff)
	}
}

func TestWriteTable(t *testing.T) {
	results := []eval.Result{
		{Model: "popularity", Protocol: eval.Full, Cases: 22363,
			HR:   map[int]float64{5: 0.0078, 10: 0.0116, 20: 0.0198},
			NDCG: map[int]float64{5: 0.0049, 10: 0.0061, 20: 0.0082},
			MRR:  0.0071, Coverage: 0.0012, TrainSeconds: 0.04},
		{Model: "popularity", Protocol: eval.Sampled100, Cases: 22363,
			HR:   map[int]float64{5: 0.2, 10: 0.3, 20: 0.45},
			NDCG: map[int]float64{5: 0.12, 10: 0.15, 20: 0.19},
			MRR:  0.13},
	}
	var b strings.Builder
	eval.WriteTable(&b, results, eval.PublishedFor("beauty"))
	got := b.String()
	golden := filepath.Join("testdata", "table.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, string(want)); diff != "" {
		t.Errorf("table (-got +want):\n%s", diff)
	}
	if !strings.Contains(got, "published (not run here)") {
		t.Error("published rows are not labelled")
	}
	// Every row starts its HR@10 cell at the same column.
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	col := strings.Index(lines[0], "HR@10")
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "published") {
			continue
		}
		if len([]rune(l)) <= col || []rune(l)[col-1] != ' ' || []rune(l)[col] == ' ' {
			t.Errorf("row not aligned at column %d: %q", col, l)
		}
	}
}

func TestPublishedFor(t *testing.T) {
	got := eval.PublishedFor("beauty")
	if len(got) != 11 {
		t.Fatalf("%d published rows for beauty, want 11", len(got))
	}
	find := func(model string, p eval.Protocol) eval.Published {
		for _, r := range got {
			if r.Model == model && r.Protocol == p {
				return r
			}
		}
		t.Fatalf("no %s %s row", model, p)
		return eval.Published{}
	}
	tests := []struct {
		model    string
		protocol eval.Protocol
		hr, ndcg map[int]float64
	}{
		{"GRU4Rec", eval.Full, map[int]float64{10: 0.0283}, map[int]float64{10: 0.0137}},
		{"BERT4Rec", eval.Full, map[int]float64{10: 0.0347}, map[int]float64{10: 0.0170}},
		{"SASRec", eval.Full, map[int]float64{5: 0.0387, 10: 0.0605}, map[int]float64{5: 0.0249, 10: 0.0318}},
		{"S3-Rec", eval.Full, map[int]float64{10: 0.0647}, map[int]float64{10: 0.0327}},
		{"ICLRec", eval.Full, map[int]float64{10: 0.0744}, map[int]float64{10: 0.0403}},
		{"EASE λ=250", eval.Full, map[int]float64{10: 0.0754}, map[int]float64{10: 0.0413}},
		{"EASE + position-decayed transitions (last 5)", eval.Full, map[int]float64{10: 0.0913}, map[int]float64{10: 0.0545}},
		{"SASRec (re-trained, cross-entropy)", eval.Full, map[int]float64{}, map[int]float64{10: 0.0421}},
		{"OneRec-SFT", eval.Full, map[int]float64{}, map[int]float64{10: 0.0501}},
		{"SASRec", eval.Sampled100, map[int]float64{10: 0.4696}, map[int]float64{10: 0.3156}},
		{"S3-Rec", eval.Sampled100, map[int]float64{10: 0.5506}, map[int]float64{10: 0.3732}},
	}
	for _, tt := range tests {
		t.Run(tt.model+"/"+string(tt.protocol), func(t *testing.T) {
			r := find(tt.model, tt.protocol)
			if diff := cmp.Diff(r.HR, tt.hr); diff != "" {
				t.Errorf("HR (-got +want):\n%s", diff)
			}
			if diff := cmp.Diff(r.NDCG, tt.ndcg); diff != "" {
				t.Errorf("NDCG (-got +want):\n%s", diff)
			}
			if r.Source == "" {
				t.Error("no source")
			}
		})
	}
	if s := find("OneRec-SFT", eval.Full).Source; s != "issue #3 / literature" {
		t.Errorf("OneRec-SFT source %q", s)
	}
	got[0].HR[10] = 1
	if eval.PublishedFor("beauty")[0].HR[10] == 1 {
		t.Error("PublishedFor shares its maps between calls")
	}
	if p := eval.PublishedFor("office"); p != nil {
		t.Errorf("office: %v, want nil", p)
	}
}
