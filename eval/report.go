package eval

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/aislehq/aisle/eval/metric"
)

// Published is a result reported elsewhere, shown beside ours for
// comparison. HR and NDCG hold only the cut-offs the source reports.
type Published struct {
	// Model names the model; Source says where the numbers come from.
	Model, Source string
	// Protocol is the protocol the source measured under.
	Protocol metric.Protocol
	// HR and NDCG are keyed by k, as in metric.Result.
	HR, NDCG map[int]float64
}

// WriteTable writes results as an aligned text table, one row per model
// with HR@k and NDCG@k, MRR, coverage@10 and training seconds, followed by
// the published rows under a "published (not run here)" label. When some
// result has beyond-accuracy metrics (metric.Result.Beyond), columns for
// them follow the source: "novelty@10", "head1%@10" (HeadShare),
// "gini@10" (ExposureGini), and "ild@10_<kind>" for each kind of
// intra-list diversity measured; rows without them show "-". The
// columns are k = 5, 10 and 20 plus any other k in the results or
// published rows; a metric a row does not have shows as "-". Write errors
// are ignored, as with fmt.Fprintf; w may be a bytes.Buffer or os.Stdout.
func WriteTable(w io.Writer, results []metric.Result, published []Published) {
	ksSet := map[int]bool{}
	for _, k := range tableKs {
		ksSet[k] = true
	}
	for _, r := range results {
		for k := range r.HR {
			ksSet[k] = true
		}
		for k := range r.NDCG {
			ksSet[k] = true
		}
	}
	for _, p := range published {
		for k := range p.HR {
			ksSet[k] = true
		}
		for k := range p.NDCG {
			ksSet[k] = true
		}
	}
	ks := slices.Sorted(maps.Keys(ksSet))

	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	// Every row has every cell, so that tabwriter aligns all rows as one
	// block; the last cell is not padded.
	row := func(cells ...string) { fmt.Fprintln(tw, strings.Join(cells, "\t")) }
	metrics := func(cells []string, hr, ndcg map[int]float64) []string {
		for _, m := range []map[int]float64{hr, ndcg} {
			for _, k := range ks {
				cells = append(cells, cell(m, k))
			}
		}
		return cells
	}

	head := []string{"model", "protocol", "cases"}
	for _, name := range []string{"HR", "NDCG"} {
		for _, k := range ks {
			head = append(head, fmt.Sprintf("%s@%d", name, k))
		}
	}
	head = append(head, "MRR", "cov@10", "train s", "source")
	beyondHead, beyondCells := beyondColumns(results)
	row(append(head, beyondHead...)...)
	for _, r := range results {
		cells := metrics([]string{r.Model, string(r.Protocol), fmt.Sprint(r.Cases)}, r.HR, r.NDCG)
		cov := "-"
		if r.Protocol == metric.Full {
			cov = fmt.Sprintf("%.4f", r.Coverage)
		}
		cells = append(cells, fmt.Sprintf("%.4f", r.MRR), cov, fmt.Sprintf("%.1f", r.TrainSeconds), "run here")
		row(append(cells, beyondCells(r.Beyond)...)...)
	}
	if len(published) > 0 {
		label := make([]string, len(head)+len(beyondHead))
		label[0] = "published (not run here):"
		row(label...)
		for _, p := range published {
			cells := metrics([]string{p.Model, string(p.Protocol), "-"}, p.HR, p.NDCG)
			cells = append(cells, "-", "-", "-", p.Source)
			row(append(cells, beyondCells(nil)...)...)
		}
	}
	tw.Flush()
	for line := range strings.Lines(buf.String()) {
		io.WriteString(w, strings.TrimRight(line, " \n")+"\n")
	}
}

// beyondColumns returns the headers of the beyond-accuracy columns that
// results need (none when no result has Beyond) and a function giving a
// result's cells under them, "-" where it has no such metric.
func beyondColumns(results []metric.Result) ([]string, func(*metric.Beyond) []string) {
	has, kinds := false, map[string]bool{}
	for _, r := range results {
		if r.Beyond != nil {
			has = true
			for k := range r.Beyond.ILD {
				kinds[k] = true
			}
		}
	}
	if !has {
		return nil, func(*metric.Beyond) []string { return nil }
	}
	ild := slices.Sorted(maps.Keys(kinds))
	head := []string{"novelty@10", "head1%@10", "gini@10"}
	for _, k := range ild {
		head = append(head, "ild@10_"+k)
	}
	return head, func(b *metric.Beyond) []string {
		cells := make([]string, 0, len(head))
		if b == nil {
			for range head {
				cells = append(cells, "-")
			}
			return cells
		}
		cells = append(cells, fmt.Sprintf("%.3f", b.Novelty), fmt.Sprintf("%.4f", b.HeadShare), fmt.Sprintf("%.4f", b.ExposureGini))
		for _, k := range ild {
			cells = append(cells, cell(b.ILD, k))
		}
		return cells
	}
}

// tableKs are the cut-offs every table shows: those metric.Evaluate
// measures by default.
var tableKs = []int{5, 10, 20}

func cell[K comparable](m map[K]float64, k K) string {
	if v, ok := m[k]; ok {
		return fmt.Sprintf("%.4f", v)
	}
	return "-"
}

// Sources of the published numbers.
const (
	srcS3Rec   = `S3-Rec paper (CIKM 2020), Table "all rank"`
	srcICLRec  = "salesforce/ICLRec README (WWW 2022)"
	srcSampled = "shared/data/README.md (99 sampled negatives)"
	srcIssues  = "issue tracker: NumPy on these files"
	srcOneRec  = "issue #3 / literature"
)

// PublishedFor returns the published results on the named dataset for
// comparison with ours, or nil if there are none. "beauty" (or
// "amazon-beauty") has the full-ranking and sampled-100 results quoted in
// shared/data/README.md and the numbers measured with NumPy on the same
// files quoted in the issue tracker. Each call returns fresh maps.
func PublishedFor(dataset string) []Published {
	switch strings.ToLower(dataset) {
	case "beauty", "amazon-beauty":
	default:
		return nil
	}
	at10 := func(hr, ndcg float64) (map[int]float64, map[int]float64) {
		h := map[int]float64{}
		if hr > 0 {
			h[10] = hr
		}
		return h, map[int]float64{10: ndcg}
	}
	p := func(model, src string, proto metric.Protocol, hr, ndcg float64) Published {
		h, n := at10(hr, ndcg)
		return Published{Model: model, Source: src, Protocol: proto, HR: h, NDCG: n}
	}
	sasrec := p("SASRec", srcS3Rec, metric.Full, 0.0605, 0.0318)
	sasrec.HR[5], sasrec.NDCG[5] = 0.0387, 0.0249
	return []Published{
		p("GRU4Rec", srcS3Rec, metric.Full, 0.0283, 0.0137),
		p("BERT4Rec", srcS3Rec, metric.Full, 0.0347, 0.0170),
		sasrec,
		p("S3-Rec", srcS3Rec, metric.Full, 0.0647, 0.0327),
		p("ICLRec", srcICLRec, metric.Full, 0.0744, 0.0403),
		p("EASE λ=250", srcIssues, metric.Full, 0.0754, 0.0413),
		p("EASE + position-decayed transitions (last 5)", srcIssues, metric.Full, 0.0913, 0.0545),
		p("SASRec (re-trained, cross-entropy)", srcIssues, metric.Full, 0, 0.0421),
		p("OneRec-SFT", srcOneRec, metric.Full, 0, 0.0501),
		p("SASRec", srcSampled, metric.Sampled100, 0.4696, 0.3156),
		p("S3-Rec", srcSampled, metric.Sampled100, 0.5506, 0.3732),
	}
}
