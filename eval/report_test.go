package eval_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestWriteTable(t *testing.T) {
	results := []metric.Result{
		{Model: "popularity", Protocol: metric.Full, Cases: 22363,
			HR:   map[int]float64{5: 0.0078, 10: 0.0116, 20: 0.0198},
			NDCG: map[int]float64{5: 0.0049, 10: 0.0061, 20: 0.0082},
			MRR:  0.0071, Coverage: 0.0012, TrainSeconds: 0.04},
		{Model: "popularity", Protocol: metric.Sampled100, Cases: 22363,
			HR:   map[int]float64{5: 0.2, 10: 0.3, 20: 0.45},
			NDCG: map[int]float64{5: 0.12, 10: 0.15, 20: 0.19},
			MRR:  0.13},
	}
	var b strings.Builder
	eval.WriteTable(&b, results, eval.PublishedFor("beauty"))
	got := b.String()
	checkGolden(t, "table.golden", got)
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

// TestWriteTableBeyond checks the beyond-accuracy columns: after the
// existing ones, one per kind of intra-list diversity any row has, "-"
// where a row lacks a metric.
func TestWriteTableBeyond(t *testing.T) {
	at := func(v float64) map[int]float64 { return map[int]float64{5: v / 2, 10: v, 20: 2 * v} }
	results := []metric.Result{
		{Model: "popularity", Protocol: metric.Full, Cases: 4905, HR: at(0.02), NDCG: at(0.01), MRR: 0.01, Coverage: 0.0041,
			Beyond: &metric.Beyond{Novelty: 5.1234, HeadItems: 24, HeadShare: 1, ExposureGini: 0.9959,
				ILD: map[string]float64{metric.ILDCategory: 0.7111}}},
		{Model: "fused", Protocol: metric.Full, Cases: 4905, HR: at(0.124), NDCG: at(0.0771), MRR: 0.07, Coverage: 0.8,
			Beyond: &metric.Beyond{Novelty: 9.8765, HeadItems: 24, HeadShare: 0.0812, ExposureGini: 0.6543,
				ILD: map[string]float64{metric.ILDCategory: 0.5, metric.ILDCosine: 0.4321}}},
		{Model: "fused", Protocol: metric.Sampled100, Cases: 4905, HR: at(0.3), NDCG: at(0.2), MRR: 0.2},
	}
	var b strings.Builder
	eval.WriteTable(&b, results, eval.PublishedFor("beauty"))
	got := b.String()
	checkGolden(t, "table_beyond.golden", got)
	lines := strings.Split(strings.TrimRight(got, "\n"), "\n")
	head := strings.Fields(lines[0])
	wantTail := []string{"source", "novelty@10", "head1%@10", "gini@10", "ild@10_category", "ild@10_cosine"}
	if diff := cmp.Diff(head[len(head)-len(wantTail):], wantTail); diff != "" {
		t.Errorf("last headers (-got +want):\n%s", diff)
	}
	for _, tt := range []struct{ line, want string }{
		{lines[1], "1.0000  0.9959  0.7111  -"},
		{lines[2], "9.877  0.0812  0.6543  0.5000  0.4321"},
		{lines[3], "run  here  -  -  -  -  -"},
	} {
		if !strings.HasSuffix(strings.Join(strings.Fields(tt.line), "  "), tt.want) {
			t.Errorf("row %q does not end with %q", tt.line, tt.want)
		}
	}
	col := strings.Index(lines[0], "gini@10")
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "published (not run here)") {
			continue
		}
		if r := []rune(l); len(r) <= col || r[col-1] != ' ' || r[col] == ' ' {
			t.Errorf("row not aligned at column %d: %q", col, l)
		}
	}
}

func TestPublishedFor(t *testing.T) {
	got := eval.PublishedFor("beauty")
	if len(got) != 11 {
		t.Fatalf("%d published rows for beauty, want 11", len(got))
	}
	find := func(model string, p metric.Protocol) eval.Published {
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
		protocol metric.Protocol
		hr, ndcg map[int]float64
	}{
		{"GRU4Rec", metric.Full, map[int]float64{10: 0.0283}, map[int]float64{10: 0.0137}},
		{"BERT4Rec", metric.Full, map[int]float64{10: 0.0347}, map[int]float64{10: 0.0170}},
		{"SASRec", metric.Full, map[int]float64{5: 0.0387, 10: 0.0605}, map[int]float64{5: 0.0249, 10: 0.0318}},
		{"S3-Rec", metric.Full, map[int]float64{10: 0.0647}, map[int]float64{10: 0.0327}},
		{"ICLRec", metric.Full, map[int]float64{10: 0.0744}, map[int]float64{10: 0.0403}},
		{"EASE λ=250", metric.Full, map[int]float64{10: 0.0754}, map[int]float64{10: 0.0413}},
		{"EASE + position-decayed transitions (last 5)", metric.Full, map[int]float64{10: 0.0913}, map[int]float64{10: 0.0545}},
		{"SASRec (re-trained, cross-entropy)", metric.Full, map[int]float64{}, map[int]float64{10: 0.0421}},
		{"OneRec-SFT", metric.Full, map[int]float64{}, map[int]float64{10: 0.0501}},
		{"SASRec", metric.Sampled100, map[int]float64{10: 0.4696}, map[int]float64{10: 0.3156}},
		{"S3-Rec", metric.Sampled100, map[int]float64{10: 0.5506}, map[int]float64{10: 0.3732}},
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
	if s := find("OneRec-SFT", metric.Full).Source; s != "issue #3 / literature" {
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

// checkGolden compares got with testdata/name, which -update rewrites.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
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
		t.Errorf("%s (-got +want):\n%s", name, diff)
	}
}
