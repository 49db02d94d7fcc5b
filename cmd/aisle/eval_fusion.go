package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/model/train"
)

// runFusionEval runs train.FusionExperiment on d with the catalog's texts
// and prints one table per set of cases, or with asJSON one JSON object
// per kind of vectors and set of cases, then one with the attention and
// the gates.
func runFusionEval(ctx context.Context, e *env, path string, items []aisle.Item, d *dataset.Dataset, seed uint64, asJSON bool, logger *slog.Logger) error {
	rep, err := train.FusionExperiment(ctx, d, train.Config{Seed: seed, Content: train.ContentConfig{Text: itemTexts(items)}}, logger)
	if err != nil {
		return err
	}
	sets := []struct {
		name, title string
		rs          []eval.Result
	}{
		{"valid", fmt.Sprintf("Validation (%d second-to-last items; vectors trained on the train split)", rep.ValidCases), rep.Valid},
		{"test", fmt.Sprintf("Test (%d last items, leave-one-out; vectors trained on train+validation)", rep.TestCases), rep.Test},
		{"cold", fmt.Sprintf("Cold items (%d interactions with %d held-out items, which have text but no behaviour vector)", rep.ColdCases, rep.ColdItems), rep.Cold},
		{"warm", fmt.Sprintf("Warm items under the same split (%d test items not held out)", rep.WarmCases), rep.Warm},
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
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
	fmt.Fprintf(e.stdout, "%s: %d users, %d items; the content generator over each kind of item vectors, full ranking, history excluded\n", path, rep.Users, rep.Items)
	fmt.Fprintf(e.stdout, "modalities fused: %s", strings.Join(rep.Modalities, ", "))
	if !slices.Contains(rep.Modalities, fusion.Image) {
		fmt.Fprint(e.stdout, " (no image vectors: the dataset has no photos)")
	}
	fmt.Fprintln(e.stdout)
	for _, s := range sets {
		fmt.Fprintf(e.stdout, "\n%s:\n\n", s.title)
		eval.WriteTable(e.stdout, s.rs, nil)
	}
	fmt.Fprintf(e.stdout, "\nmean attention over items with every modality (test vectors): ")
	for i, m := range rep.Modalities {
		if i > 0 {
			fmt.Fprint(e.stdout, ", ")
		}
		fmt.Fprintf(e.stdout, "%s %.3f", m, rep.Attention[m])
	}
	fmt.Fprintf(e.stdout, "; fusion trained in %.1f s\n", rep.Seconds)
	fmt.Fprintf(e.stdout, "\ngates (test vectors) by the item's interactions:\n\n%-12s", "interactions")
	for _, n := range rep.GateCounts {
		fmt.Fprintf(e.stdout, " %6d", n)
	}
	for _, m := range rep.Modalities {
		fmt.Fprintf(e.stdout, "\n%-12s", m)
		for _, g := range rep.Gates[m] {
			fmt.Fprintf(e.stdout, " %6.3f", g)
		}
	}
	fmt.Fprintln(e.stdout)
	return nil
}
