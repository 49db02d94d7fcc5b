package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/saved"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/text/analyze"
)

// Tasks Run runs.
const (
	// TaskRecommend is next-item recommendation: Experiment, then
	// ColdStart when the items have texts (RunOptions.Cold).
	TaskRecommend = "recommend"
	// TaskSearch is the search benchmark on the catalog's categories
	// (SearchBenchmark), plain and hard.
	TaskSearch = "search"
	// TaskFusion is FusionExperiment: the content generator over text,
	// behaviour and fused item vectors.
	TaskFusion = "fusion"
)

// Store is what Run reads a dataset from, once Import has written it
// there; package sqlite's DB is one.
type Store interface {
	aisle.ItemLister
	// Events returns the events after afterSeq, in order.
	Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error]
}

// Import imports the dataset at path (in any format package importer
// reads; format "" detects it) into dst, writing the importer's progress
// and a line about rejected rows, if any, to progress (nil: none).
func Import(ctx context.Context, dst importer.Store, path, format string, progress io.Writer, logger *slog.Logger) error {
	sum, err := importer.Run(ctx, dst, path, importer.Options{Format: format}, importer.Deps{Progress: progress}, logger)
	if err != nil {
		return err
	}
	if sum.RejectedTotal > 0 && progress != nil {
		fmt.Fprintf(progress, "eval: %d rows rejected on import (first: %v)\n", sum.RejectedTotal, sum.Rejected[0])
	}
	return nil
}

// RunOptions configure Run. The zero value runs TaskRecommend under full
// ranking, without the cold-start experiment, with seed 0.
type RunOptions struct {
	// Task is TaskRecommend (the default when empty), TaskSearch or
	// TaskFusion.
	Task string
	// Path is the dataset's path, named in the reports; TaskRecommend
	// compares with the results published for the dataset it names (see
	// PublishedFor).
	Path string
	// Protocol is TaskRecommend's: metric.Full (the default when empty),
	// or metric.Sampled100 to measure it beside full ranking.
	Protocol metric.Protocol
	// Cold also runs ColdStart after TaskRecommend's experiment when the
	// items have texts.
	Cold bool
	// Seed seeds the models and sampled negatives.
	Seed uint64
	// Skip names models not to train (train.Config.Skip).
	Skip []string
	// JSON prints one JSON object a line instead of text tables.
	JSON bool
	// Progress, if not nil, is called once for each training run (the
	// experiment, the cold-start experiment) for the train.Progress that
	// receives its steps.
	Progress func() train.Progress
}

// Run runs opts.Task on the dataset in store and writes its report to w:
// text tables, or with opts.JSON one JSON object a line. logger (nil
// discards) receives what the experiments log.
func Run(ctx context.Context, store Store, opts RunOptions, w io.Writer, logger *slog.Logger) error {
	switch opts.Task {
	case "", TaskRecommend, TaskSearch, TaskFusion:
	default:
		return fmt.Errorf("eval: task %q: want %s, %s or %s", opts.Task, TaskRecommend, TaskSearch, TaskFusion)
	}
	switch opts.Protocol {
	case "", metric.Full, metric.Sampled100:
	default:
		return fmt.Errorf("eval: protocol %q: want %s or %s", opts.Protocol, metric.Full, metric.Sampled100)
	}
	d, err := dataset.FromEvents(store.Events(ctx, 0), dataset.Options{})
	if err != nil {
		return err
	}
	items, err := aisle.AllItems(ctx, store)
	if err != nil {
		return err
	}
	switch opts.Task {
	case TaskSearch:
		return runSearch(ctx, w, opts.Path, items, d, opts.Seed, opts.JSON)
	case TaskFusion:
		return runFusion(ctx, w, opts.Path, items, d, opts.Seed, opts.JSON, logger)
	}
	return runRecommend(ctx, w, items, d, opts, logger)
}

// progress returns a fresh train.Progress from o.Progress, nil without it.
func (o RunOptions) progress() train.Progress {
	if o.Progress == nil {
		return nil
	}
	return o.Progress()
}

// runRecommend runs Experiment on d with the catalog's texts and, with
// opts.Cold and a content model, ColdStart, and writes their tables, or
// with opts.JSON only the experiment's results, one JSON object each.
func runRecommend(ctx context.Context, w io.Writer, items []aisle.Item, d *dataset.Dataset, opts RunOptions, logger *slog.Logger) error {
	tc := train.Config{Seed: opts.Seed, Skip: opts.Skip, Progress: opts.progress(), Content: train.ContentConfig{Text: train.ItemTexts(items)}}
	rep, err := Experiment(ctx, d, tc, ExperimentOptions{Sampled: opts.Protocol == metric.Sampled100, Seed: opts.Seed, Categories: itemCategories(items), Items: train.ItemInfos(items)}, logger)
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(w)
		for _, r := range rep.Results {
			if err := enc.Encode(r.JSON()); err != nil {
				return err
			}
		}
		return runCart(ctx, w, d, items, rep, tc, true) // cart.go
	}
	fmt.Fprintf(w, "%s: %d users, %d items, %d interactions; %d test users (leave-one-out, history excluded)\n\n",
		opts.Path, rep.Users, rep.Items, rep.Interactions, rep.TestCases)
	WriteTable(w, rep.Results, PublishedFor(datasetName(opts.Path)))
	fmt.Fprintln(w)
	for _, name := range []string{Baseline, Fused} {
		if wt, ok := rep.Weights[name]; ok {
			fmt.Fprintf(w, "%s weights (tuned on validation, NDCG@10 %.4f there): %v\n", name, rep.ValidNDCG10[name], wt)
		}
	}
	if err := runCart(ctx, w, d, items, rep, tc, false); err != nil { // cart.go
		return err
	}
	if r := rep.Ranker; r.Trees > 0 {
		serves := "the fusion serves"
		if rep.RankerServes {
			serves = "the ranker serves"
		}
		fmt.Fprintf(w, "second-stage ranker: %d trees from %d validation cases (%.0f s); on the %d held out to choose, NDCG@10 %.4f vs the fusion's %.4f: %s\n",
			r.Trees, r.Cases, r.Seconds, r.SelectionCases, r.Ranker, r.Blend, serves)
	}
	if !opts.Cold || !slices.ContainsFunc(rep.Results, func(r metric.Result) bool { return r.Model == saved.ModelContent }) {
		return nil
	}
	tc.Progress = opts.progress()
	cr, err := ColdStart(ctx, d, tc, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\nCold start: every interaction of %d random items (%.0f%%) held out of training; %d test interactions hit them (history: the user's warm items before each), full ranking:\n\n",
		cr.ColdItems, 100*ColdFraction, cr.TestCases)
	WriteTable(w, cr.Results, nil)
	fmt.Fprintf(w, "\nThe same models on the %d leave-one-out test items that are warm (what the cold places cost):\n\n", cr.WarmCases)
	WriteTable(w, cr.Warm, nil)
	fmt.Fprintf(w, "\nfused weights (tuned on warm validation items): %v\n", cr.Weights)
	return nil
}

// itemCategories returns each item's category path by id, for
// ExperimentOptions.Categories; nil when no item has one.
func itemCategories(items []aisle.Item) func(string) []string {
	paths := map[string][]string{}
	for i := range items {
		if len(items[i].Categories) > 0 {
			paths[items[i].ID] = items[i].Categories
		}
	}
	if len(paths) == 0 {
		return nil
	}
	return func(id string) []string { return paths[id] }
}

// datasetName guesses the published-results key from a dataset path.
func datasetName(path string) string {
	base := strings.ToLower(filepath.Base(filepath.Clean(path)))
	if strings.Contains(base, "beauty") {
		return "beauty"
	}
	return base
}

// runSearch runs the search benchmark (SearchBenchmark) on the catalog
// at path, plain and hard, with BM25 alone and, through the built-in text
// encoder trained on the indexed texts and on d's histories, dense alone
// and hybrid.
func runSearch(ctx context.Context, w io.Writer, path string, items []aisle.Item, d *dataset.Dataset, seed uint64, asJSON bool) error {
	newEncoder := func(ctx context.Context, indexed []aisle.Item) (aisle.TextEncoder, error) {
		return trainSearchEncoder(ctx, indexed, d, seed)
	}
	var results []SearchResult
	for _, hard := range []bool{false, true} {
		rs, err := SearchBenchmark(ctx, items, SearchOptions{Hard: hard}, SearchDeps{
			Analyzer:   analyze.New(analyze.Config{}),
			NewEncoder: newEncoder,
		})
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(w, "%s: %d items, %d search queries (category leaves and brand + leaf)\n\n", path, len(items), results[0].Queries)
	WriteSearchTable(w, results)
	return nil
}

// trainSearchEncoder trains the built-in text encoder as aisle train
// does, on the texts of the indexed items and d's histories.
func trainSearchEncoder(ctx context.Context, items []aisle.Item, d *dataset.Dataset, seed uint64) (aisle.TextEncoder, error) {
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	m, _, err := train.TrainTextEncoder(ctx, d.WithItems(ids), train.ContentConfig{Text: train.ItemTexts(items)}, seed)
	if err != nil {
		return nil, fmt.Errorf("search encoder: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("search encoder: no item has text")
	}
	return m, nil
}
