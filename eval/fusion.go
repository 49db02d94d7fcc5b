package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/vector"
)

// Names of the item vectors FusionExperiment compares, each ranked by the
// content model (candidate.Content) over them.
const (
	VectorsOfText      = "text (ngram)"
	VectorsOfBehaviour = "behaviour (ALS item factors)"
	VectorsConcat      = "text ⊕ behaviour (fixed concatenation)"
	VectorsEqualGates  = "gated blocks, equal gates"
	VectorsOfFusion    = "fused (learned gates)"
)

// FusionReport is what FusionExperiment measured.
type FusionReport struct {
	// Valid and Test have one result per kind of item vectors (the
	// Vectors* names above), the content model over them scored on the
	// leave-one-out validation items (models trained on the train split)
	// and test items (trained on train+validation).
	Valid, Test []metric.Result
	// Cold and Warm are the same under ColdStart's split (every vector
	// trained on train+validation without the held-out items, which then
	// have text but no behaviour vector): Cold on the interactions with
	// held-out items, Warm on the test items that are not held out.
	Cold, Warm []metric.Result
	// Attention is the mean attention weight (squared gate) of each
	// modality over the items that have every modality, in the test
	// models.
	Attention map[string]float64
	// Gates are the test model's gates of each modality at each of
	// GateCounts interactions.
	Gates      map[string][]float64
	GateCounts []int
	// Modalities names the modalities fused.
	Modalities []string
	// Seconds is the fusion's training time on train+validation.
	Seconds                                                              float64
	Users, Items, ValidCases, TestCases, ColdItems, ColdCases, WarmCases int
}

// FusionExperiment compares the content candidate generator over text
// vectors, behaviour vectors (matrix factorisation's item factors), their
// fixed concatenation and their learned fusion (cfg.Content.Fusion), on
// d's leave-one-out split and on ColdStart's held-out items, under full
// ranking. Text comes from cfg.Content.Text and image vectors, if any,
// from cfg.Content.Image.
func FusionExperiment(ctx context.Context, d *dataset.Dataset, cfg train.Config, logger *slog.Logger) (*FusionReport, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Content.Text == nil {
		return nil, fmt.Errorf("fusion experiment: no item texts")
	}
	sp := dataset.LeaveOneOut(d)
	cs := dataset.HoldOutItems(d, ColdFraction, cfg.Seed+1)
	warm := warmCases(sp, cs)
	if len(sp.Test) == 0 || len(cs.Test) == 0 || len(warm) == 0 {
		return nil, fmt.Errorf("fusion experiment: too few interactions for leave-one-out and cold items")
	}
	rep := &FusionReport{Users: len(d.Users), Items: d.NumItems(), ValidCases: len(sp.Valid), TestCases: len(sp.Test), ColdCases: len(cs.Test), WarmCases: len(warm)}
	for _, c := range cs.Cold {
		if c {
			rep.ColdItems++
		}
	}
	type cases struct {
		what  string
		cases []dataset.Case
		out   *[]metric.Result
	}
	runs := []struct {
		on   *dataset.Dataset
		sets []cases
	}{
		{sp.Train, []cases{{"validation", sp.Valid, &rep.Valid}}},
		{sp.Full, []cases{{"test", sp.Test, &rep.Test}}},
		{sp.Full.Without(cs.Cold), []cases{{"cold", cs.Test, &rep.Cold}, {"warm", warm, &rep.Warm}}},
	}
	for k, r := range runs {
		start := time.Now()
		vs, err := vectorKinds(ctx, r.on, cfg)
		if err != nil {
			return nil, fmt.Errorf("fusion experiment: %w", err)
		}
		if k == 1 {
			rep.Attention, rep.Modalities, rep.Seconds = vs.attention, vs.modalities, vs.seconds
			rep.Gates, rep.GateCounts = vs.gates, gateCounts()
		}
		logger.Info("item vectors trained", "on", r.sets[0].what, "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()))
		for _, kind := range vs.kinds {
			c, err := candidate.NewContent(kind.vecs, cfg.Content.Scorer)
			if err != nil {
				return nil, fmt.Errorf("fusion experiment: %w", err)
			}
			for _, set := range r.sets {
				res, err := metric.Evaluate(ctx, c, set.cases, d.NumItems(), metric.Options{})
				if err != nil {
					return nil, fmt.Errorf("fusion experiment: %w", err)
				}
				res.Model = kind.name
				*set.out = append(*set.out, res)
				logger.Info("evaluated", "cases", set.what, "vectors", kind.name, "ndcg@10", fmt.Sprintf("%.4f", res.NDCG[10]), "hr@10", fmt.Sprintf("%.4f", res.HR[10]))
			}
		}
	}
	return rep, nil
}

// vectorKind is one kind of item vectors, by item index.
type vectorKind struct {
	name string
	vecs [][]float32
}

// vectorSet is one training run's item vectors of every kind.
type vectorSet struct {
	kinds      []vectorKind
	attention  map[string]float64
	modalities []string
	gates      map[string][]float64
	seconds    float64 // the fusion's training
}

// vectorKinds trains the text encoder, matrix factorisation and the
// fusion on d as training does (train.TrainItemVectors), and returns the
// item vectors of each kind FusionExperiment compares.
func vectorKinds(ctx context.Context, d *dataset.Dataset, cfg train.Config) (*vectorSet, error) {
	v, err := train.TrainItemVectors(ctx, d, cfg)
	if err != nil {
		return nil, err
	}
	m := v.Fusion
	fused, err := v.Fuse(m)
	if err != nil {
		return nil, err
	}
	equal, err := v.EqualGates()
	if err != nil {
		return nil, err
	}
	equalVecs, err := v.Fuse(equal)
	if err != nil {
		return nil, err
	}
	vs := &vectorSet{attention: map[string]float64{}, seconds: v.FusionSeconds, modalities: v.Modalities()}
	all := 0
	for i := range v.Text {
		in := v.Inputs(i)
		if len(in) < len(vs.modalities) {
			continue
		}
		a, err := m.Attention(in, v.Counts[i])
		if err != nil {
			return nil, err
		}
		for name, w := range a {
			vs.attention[name] += float64(w)
		}
		all++
	}
	for name := range vs.attention {
		vs.attention[name] /= float64(max(all, 1))
	}
	vs.gates = gateTable(m)
	add := func(name string, vecs [][]float32) {
		vs.kinds = append(vs.kinds, vectorKind{name, vecs})
	}
	add(VectorsOfText, v.Text)
	add(VectorsOfBehaviour, v.Behaviour)
	add(VectorsConcat, concat(v.Text, v.Behaviour, v.BehaviourDim))
	add(VectorsEqualGates, equalVecs)
	add(VectorsOfFusion, fused)
	return vs, nil
}

// gateCounts returns the interaction counts FusionReport.Gates shows.
func gateCounts() []int { return []int{0, 1, 2, 5, 10, 20, 50} }

// gateTable returns m's gates at each of gateCounts, by modality name.
func gateTable(m *fusion.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, n := range gateCounts() {
		for k, g := range m.Gates(nil, n) {
			name := m.Modalities()[k].Name
			out[name] = append(out[name], float64(g))
		}
	}
	return out
}

// concat returns each item's unit text and unit behaviour vectors end to
// end (zeros for a missing one), scaled to unit length: its cosine with
// another item's is the mean of the two cosines when both have both.
func concat(text, behaviour [][]float32, bdim int) [][]float32 {
	tdim := 0
	for _, v := range text {
		tdim = max(tdim, len(v))
	}
	out := make([][]float32, len(text))
	for i := range out {
		if text[i] == nil && behaviour[i] == nil {
			continue
		}
		v := make([]float32, tdim+bdim)
		copy(v, text[i])
		vector.Normalize(v[:tdim])
		copy(v[tdim:], behaviour[i])
		vector.Normalize(v[tdim:])
		vector.Normalize(v)
		out[i] = v
	}
	return out
}

// runFusion runs FusionExperiment on d with the catalog's texts and
// writes one table per set of cases, or with asJSON one JSON object per
// kind of vectors and set of cases, then one with the attention and the
// gates.
func runFusion(ctx context.Context, w io.Writer, path string, items []aisle.Item, d *dataset.Dataset, seed uint64, asJSON bool, logger *slog.Logger) error {
	rep, err := FusionExperiment(ctx, d, train.Config{Seed: seed, Content: train.ContentConfig{Text: train.ItemTexts(items)}}, logger)
	if err != nil {
		return err
	}
	sets := []struct {
		name, title string
		rs          []metric.Result
	}{
		{"valid", fmt.Sprintf("Validation (%d second-to-last items; vectors trained on the train split)", rep.ValidCases), rep.Valid},
		{"test", fmt.Sprintf("Test (%d last items, leave-one-out; vectors trained on train+validation)", rep.TestCases), rep.Test},
		{"cold", fmt.Sprintf("Cold items (%d interactions with %d held-out items, which have text but no behaviour vector)", rep.ColdCases, rep.ColdItems), rep.Cold},
		{"warm", fmt.Sprintf("Warm items under the same split (%d test items not held out)", rep.WarmCases), rep.Warm},
	}
	if asJSON {
		enc := json.NewEncoder(w)
		for _, s := range sets {
			for _, r := range s.rs {
				m := r.JSON()
				m["cases_set"] = s.name
				if err := enc.Encode(m); err != nil {
					return err
				}
			}
		}
		return enc.Encode(map[string]any{"modalities": rep.Modalities, "attention": rep.Attention, "gates": rep.Gates, "gate_interactions": rep.GateCounts, "fusion_train_seconds": rep.Seconds})
	}
	fmt.Fprintf(w, "%s: %d users, %d items; the content generator over each kind of item vectors, full ranking, history excluded\n", path, rep.Users, rep.Items)
	fmt.Fprintf(w, "modalities fused: %s", strings.Join(rep.Modalities, ", "))
	if !slices.Contains(rep.Modalities, fusion.Image) {
		fmt.Fprint(w, " (no image vectors: the dataset has no photos)")
	}
	fmt.Fprintln(w)
	for _, s := range sets {
		fmt.Fprintf(w, "\n%s:\n\n", s.title)
		WriteTable(w, s.rs, nil)
	}
	fmt.Fprintf(w, "\nmean attention over items with every modality (test vectors): ")
	for i, m := range rep.Modalities {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprintf(w, "%s %.3f", m, rep.Attention[m])
	}
	fmt.Fprintf(w, "; fusion trained in %.1f s\n", rep.Seconds)
	fmt.Fprintf(w, "\ngates (test vectors) by the item's interactions:\n\n%-12s", "interactions")
	for _, n := range rep.GateCounts {
		fmt.Fprintf(w, " %6d", n)
	}
	for _, m := range rep.Modalities {
		fmt.Fprintf(w, "\n%-12s", m)
		for _, g := range rep.Gates[m] {
			fmt.Fprintf(w, " %6.3f", g)
		}
	}
	fmt.Fprintln(w)
	return nil
}
