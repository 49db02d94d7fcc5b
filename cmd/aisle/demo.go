package main

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"

	"github.com/aislehq/aisle/internal/demo"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
)

// runDemo imports the sample datasets into a fresh data directory, trains
// the models, serves the API and prints example requests.
func runDemo(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	cfg.DataDir = "./aisle-demo"
	cfg.Store.Synchronous = sqlite.SyncNormal // a demo store: a crash can only lose the last commits
	data := fs.String("data", "../shared/data", "`folder` holding the sample datasets (amazon-office, clothing-images)")
	bindStore(fs, &cfg)
	bindHTTP(fs, &cfg)
	bindEngine(fs, &cfg)
	bindPhotos(fs, &cfg)
	bindGC(fs, &cfg)
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle demo [-addr HOST:PORT] [-data DIR] [-data-dir DIR]", args)
	if err != nil {
		return err
	}
	samples, err := demo.FindSamples(*data)
	if err != nil {
		return err
	}
	if err := demo.FreshDir(cfg.DataDir); err != nil {
		return err
	}
	db, voc, err := cfg.openStoreVocabulary(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := samples.Import(ctx, db, e.stdout, e.stderr, logger); err != nil {
		return err
	}
	if err := learnVocabulary(ctx, e, db, voc); err != nil {
		return err
	}
	if err := readPhotosAndTrain(ctx, e, cfg.filesUnder(*data), db, logger); err != nil {
		return err
	}
	return serve(ctx, e, cfg, db, logger, func(base string) {
		if err := demo.PrintExamples(ctx, e.stdout, base, samples.Photos); err != nil {
			logger.Error("demo examples", "err", err)
		}
	})
}

// readPhotosAndTrain reads the imported photos, then trains the photo
// classifier and the models; the image model is closed before serving
// opens its own.
func readPhotosAndTrain(ctx context.Context, e *env, cfg Config, db *sqlite.DB, logger *slog.Logger) error {
	ph, err := cfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.Close()
	if err := ph.ReadPendingReported(ctx, db, e.stderr, e.stdout); err != nil {
		return err
	}
	return trainAndSave(ctx, e.stdout, db, ph.Reader, filepath.Join(cfg.DataDir, "models"), train.Config{Seed: 1, Progress: train.TerminalProgress(e.stderr)}, logger)
}
