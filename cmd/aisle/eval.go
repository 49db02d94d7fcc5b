package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aislehq/aisle/dataset"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/train"
)

// runEval imports a dataset into a temporary store and runs the offline
// experiment of package train on it.
func runEval(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	data := fs.String("data", "", "dataset `path`: a file or folder (required)")
	format := fs.String("format", "", "dataset format: s3rec, lcrec or aisle (default: detected)")
	protocol := fs.String("protocol", "full", "full, or sampled100 to print the 100-sampled-negatives protocol alongside full ranking")
	asJSON := fs.Bool("json", false, "print one JSON object per model and protocol")
	seed := fs.Uint64("seed", 1, "random seed (model initialisation, sampled negatives)")
	skip := fs.String("skip", "", "comma-separated models not to train (popular, transition, ease, slist, mf)")
	cfg.LogLevel = "warn"
	bindLog(fs, &cfg)
	if err := parse(fs, "aisle eval -data PATH [-format s3rec|lcrec|aisle] [-protocol full|sampled100] [-json]", args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *data == "" {
		return usageError{"-data is required"}
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
	d, err := dataset.FromEvents(db.Events(ctx, 0), dataset.Options{})
	if err != nil {
		return err
	}
	tc := train.Config{Seed: *seed, Progress: trainProgress(e.stderr)}
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
