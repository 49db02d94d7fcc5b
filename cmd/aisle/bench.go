package main

import (
	"context"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aislehq/aisle/internal/bench"
	"github.com/aislehq/aisle/model/train"
)

// runBench imports Amazon Beauty into a temporary store, serves it on
// loopback in this process, and drives it with the load generator
// (package bench).
func runBench(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg, bc := DefaultConfig(), bench.DefaultConfig()
	fs.StringVar(&bc.Data, "data", bc.Data, "`folder` holding amazon-beauty")
	fs.DurationVar(&bc.Duration, "duration", bc.Duration, "how long each load phase runs")
	fs.IntVar(&bc.Concurrency, "concurrency", bc.Concurrency, "concurrent clients for the read phases")
	fs.IntVar(&bc.Writers, "writers", bc.Writers, "concurrent clients posting events")
	fs.IntVar(&bc.Batch, "batch", bc.Batch, "events per POST /v1/events")
	fs.IntVar(&bc.Runs, "runs", bc.Runs, "repetitions of each load phase (medians are reported)")
	asJSON := fs.Bool("json", false, "print results as JSON")
	fs.BoolVar(&bc.Train, "train", bc.Train, "train and save the model set first, so recommendations come from the fused models; then measure serving while `aisle train` runs again")
	fs.Float64Var(&bc.TrainRate, "train-rate", bc.TrainRate, "recommend requests per second while `aisle train` runs (with -train)")
	fs.StringVar(&bc.CPUProfile, "cpuprofile", bc.CPUProfile, "write a CPU profile of the load phases to `file`")
	fs.StringVar(&bc.MemProfile, "memprofile", bc.MemProfile, "write a heap profile of what the server keeps live after the load phases to `file`")
	fs.StringVar(&bc.Trace, "trace", bc.Trace, "with -train, write execution traces of the steady-rate phase with the highest recommend p99, idle and during training, to `prefix`-idle.trace and prefix-train.trace")
	fs.IntVar(&bc.SyntheticItems, "synthetic-items", bc.SyntheticItems, "instead of Beauty, ingest a synthetic catalog of `N` items (package synth), train and serve it: the scale test")
	fs.IntVar(&bc.SyntheticEvents, "synthetic-events", bc.SyntheticEvents, "events of the synthetic log")
	fs.BoolVar(&bc.Search, "search", bc.Search, "instead of Beauty, import and train Amazon Office and measure GET /v1/search (the search benchmark's queries)")
	whileTraining := fs.Bool("while-training", true, "with -train, measure the steady rate again while `aisle train` runs (false: idle only)")
	fs.BoolVar(&bc.Reuse, "reuse", bc.Reuse, "measure the store in -data-dir as an earlier run left it (imported, and trained with -train): skip both")
	keep := fs.String("data-dir", "", "keep the benchmark store in this `directory` (default: a temporary one, removed)")
	fs.StringVar(&cfg.Store.Synchronous, "sync", cfg.Store.Synchronous, "SQLite durability of the benchmark store: FULL or NORMAL")
	cfg.LogLevel = "error"
	bindGC(fs, &cfg)
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle bench [-data DIR] [-duration D] [-concurrency N] [-runs N] [-json]", args)
	if err != nil {
		return err
	}
	cfg.DataDir = *keep
	bc.SkipTrainPhase = !*whileTraining
	if bc.Reuse && *keep == "" {
		return usageError{"-reuse needs -data-dir"}
	}
	if *keep == "" {
		if cfg.DataDir, err = os.MkdirTemp("", "aisle-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(cfg.DataDir)
	}
	cfg.HTTP.Addr = "127.0.0.1:0"
	cfg.HTTP.MaxBatch = max(cfg.HTTP.MaxBatch, bc.Batch)
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	results, err := bench.Run(ctx, bench.Harness{
		Store: db,
		Serve: func(ctx context.Context, started func(string)) error {
			return serve(ctx, &env{stdout: io.Discard, stderr: e.stderr}, cfg, db, logger, started)
		},
		Train: func(ctx context.Context, out io.Writer) error {
			tc := train.Config{Seed: 1, Progress: train.TerminalProgress(e.stderr)}
			return trainAndSave(ctx, out, db, nil, filepath.Join(cfg.DataDir, "models"), tc, logger)
		},
		TrainProcess: func(ctx context.Context) (*exec.Cmd, error) {
			exe, err := os.Executable()
			if err != nil {
				return nil, err
			}
			return exec.CommandContext(ctx, exe, "train", "-data-dir", cfg.DataDir, "-log-level", "error"), nil
		},
		Log: e.stderr,
	}, bc, logger)
	if err != nil {
		return err
	}
	return bench.Write(e.stdout, results, *asJSON)
}
