package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/analyze"
)

// runEval imports a dataset into a temporary store and runs the offline
// experiment of package train on it.
func runEval(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	data := fs.String("data", "", "dataset `path`: a file or folder (required)")
	format := fs.String("format", "", "dataset format: s3rec, lcrec or aisle (default: detected)")
	protocol := fs.String("protocol", "full", "full, or sampled100 to print the 100-sampled-negatives protocol alongside full ranking")
	asJSON := fs.Bool("json", false, "print one JSON object per model and protocol")
	cold := fs.Bool("cold", true, "when items have texts, also run the cold-start experiment (a tenth of the items' interactions held out)")
	seed := fs.Uint64("seed", 1, "random seed (model initialisation, sampled negatives)")
	skip := fs.String("skip", "", "comma-separated models not to train (popular, transition, ease, slist, mf)")
	task := fs.String("task", "recommend", "recommend (next-item recommendation), search (the search benchmark on the catalog's categories), image (photo categories and visual search on a photo folder), or fusion (the content generator over text, behaviour and fused item vectors)")
	imageModel := fs.String("image-model", filepath.Join("..", "shared", "models", "mobilenet-v1-0.75-224"), "image model `dir` for -task image (model.onnx, labels.txt)")
	cfg.LogLevel = "warn"
	bindLog(fs, &cfg)
	if err := parse(fs, "aisle eval -data PATH [-format s3rec|lcrec|aisle] [-task recommend|search|image|fusion] [-protocol full|sampled100] [-json]", args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *data == "" {
		return usageError{"-data is required"}
	}
	if *task != "recommend" && *task != "search" && *task != "image" && *task != "fusion" {
		return usageError{fmt.Sprintf("-task %q: want recommend, search, image or fusion", *task)}
	}
	if *protocol != string(eval.Full) && *protocol != string(eval.Sampled100) {
		return usageError{fmt.Sprintf("-protocol %q: want full or sampled100", *protocol)}
	}
	logger, err := cfg.logger(e.stderr)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "aisle-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir = dir
	cfg.Store.Synchronous = "NORMAL"
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := importer.Run(ctx, db, *data, importer.Options{Format: *format, Progress: e.stderr, Logger: logger})
	if err != nil {
		return err
	}
	if sum.RejectedTotal > 0 {
		fmt.Fprintf(e.stderr, "eval: %d rows rejected on import (first: %v)\n", sum.RejectedTotal, sum.Rejected[0])
	}
	if *task == "image" {
		return runImageEval(ctx, e, *data, db, *imageModel, *asJSON)
	}
	d, err := dataset.FromEvents(db.Events(ctx, 0), dataset.Options{})
	if err != nil {
		return err
	}
	items, err := aisle.AllItems(ctx, db)
	if err != nil {
		return err
	}
	if *task == "search" {
		return runSearchEval(ctx, e, *data, items, d, *seed, *asJSON)
	}
	if *task == "fusion" {
		return runFusionEval(ctx, e, *data, items, d, *seed, *asJSON, logger)
	}
	tc := train.Config{Seed: *seed, Progress: trainProgress(e.stderr), Content: train.ContentConfig{Text: itemTexts(items)}}
	if *skip != "" {
		tc.Skip = strings.Split(*skip, ",")
	}
	rep, err := train.Experiment(ctx, d, tc, train.ExperimentOptions{Sampled: *protocol == string(eval.Sampled100), Seed: *seed, Logger: logger})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, r := range rep.Results {
			if err := enc.Encode(r.JSON()); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: %d users, %d items, %d interactions; %d test users (leave-one-out, history excluded)\n\n",
		*data, rep.Users, rep.Items, rep.Interactions, rep.TestCases)
	eval.WriteTable(e.stdout, rep.Results, eval.PublishedFor(datasetName(*data)))
	fmt.Fprintln(e.stdout)
	for _, name := range []string{train.Baseline, train.Fused} {
		if w, ok := rep.Weights[name]; ok {
			fmt.Fprintf(e.stdout, "%s weights (tuned on validation, NDCG@10 %.4f there): %v\n", name, rep.ValidNDCG10[name], w)
		}
	}
	if !*cold || !slices.ContainsFunc(rep.Results, func(r eval.Result) bool { return r.Model == saved.ModelContent }) {
		return nil
	}
	tc.Progress = trainProgress(e.stderr)
	cr, err := train.ColdStart(ctx, d, tc, logger)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "\nCold start: every interaction of %d random items (%.0f%%) held out of training; %d test interactions hit them (history: the user's warm items before each), full ranking:\n\n",
		cr.ColdItems, 100*train.ColdFraction, cr.TestCases)
	eval.WriteTable(e.stdout, cr.Results, nil)
	fmt.Fprintf(e.stdout, "\nThe same models on the %d leave-one-out test items that are warm (what the cold places cost):\n\n", cr.WarmCases)
	eval.WriteTable(e.stdout, cr.Warm, nil)
	fmt.Fprintf(e.stdout, "\nfused weights (tuned on warm validation items): %v\n", cr.Weights)
	return nil
}

// datasetName guesses the published-results key from a dataset path.
func datasetName(path string) string {
	base := strings.ToLower(filepath.Base(filepath.Clean(path)))
	if strings.Contains(base, "beauty") {
		return "beauty"
	}
	return base
}

// runSearchEval runs the search benchmark (eval.SearchBenchmark) on the
// catalog at path, plain and hard, with BM25 alone and, through the
// built-in text encoder trained on the indexed texts and on d's
// histories, dense alone and hybrid.
func runSearchEval(ctx context.Context, e *env, path string, items []aisle.Item, d *dataset.Dataset, seed uint64, asJSON bool) error {
	newEncoder := func(ctx context.Context, indexed []aisle.Item) (aisle.TextEncoder, error) {
		return trainSearchEncoder(ctx, indexed, d, seed)
	}
	var results []eval.SearchResult
	for _, hard := range []bool{false, true} {
		rs, err := eval.SearchBenchmark(ctx, items, eval.SearchOptions{
			Index:      search.Config{Analyzer: analyze.New(analyze.Config{})},
			NewEncoder: newEncoder,
			Hard:       hard,
		})
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		for _, r := range results {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: %d items, %d search queries (category leaves and brand + leaf)\n\n", path, len(items), results[0].Queries)
	eval.WriteSearchTable(e.stdout, results)
	return nil
}

// trainSearchEncoder trains the built-in text encoder as aisle train
// does, on the texts of the indexed items and d's histories.
func trainSearchEncoder(ctx context.Context, items []aisle.Item, d *dataset.Dataset, seed uint64) (aisle.TextEncoder, error) {
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	m, _, err := train.TrainTextEncoder(ctx, d.WithItems(ids), train.ContentConfig{Text: itemTexts(items)}, seed)
	if err != nil {
		return nil, fmt.Errorf("search encoder: %w", err)
	}
	if m == nil {
		return nil, fmt.Errorf("search encoder: no item has text")
	}
	return m, nil
}
