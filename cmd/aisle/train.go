package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/internal/priority"
	"github.com/aislehq/aisle/model/train"
	"github.com/aislehq/aisle/store/sqlite"
)

// runTrain trains the model set on the store's interactions and saves it
// as a new version under DATA-DIR/models, unless its validation NDCG@10 is
// worse than the newest saved version's.
func runTrain(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	bindPhotos(fs, &cfg)
	bindLog(fs, &cfg)
	seed := fs.Uint64("seed", 1, "random seed: the same store and seed train the same models")
	vectors := fs.String("content-vectors", "auto", "the content model's item vectors: auto (chosen on validation), text (the text encoder's alone: trains in a third of the time) or fused (text, photo and behaviour)")
	background := fs.Bool("background", true, "train at idle CPU priority (Linux SCHED_IDLE, nice 19), so a server on the same machine keeps its latency; false trains at normal priority")
	logger, err := parseFlags(e, fs, &cfg, "aisle train [-data-dir DIR] [-seed N]", args)
	if err != nil {
		return err
	}
	tc := train.Config{Seed: *seed, Progress: train.TerminalProgress(e.stderr)}
	switch *vectors {
	case "auto":
	case train.VectorsText, train.VectorsFused:
		tc.Content.Vectors = *vectors
	default:
		return usageError{fmt.Sprintf("-content-vectors %q: want auto, text or fused", *vectors)}
	}
	if *background {
		if err := priority.Background(); err != nil {
			logger.Warn("training at normal priority", "err", err)
		}
	}
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	ph, err := cfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.Close()
	return trainAndSave(ctx, e.stdout, db, ph.Reader, filepath.Join(cfg.DataDir, "models"), tc, logger)
}

// trainAndSave trains the photo classifier on db's labelled photos (read
// by photos; nil for none) and the model set on db's interactions, and
// saves them in dir: the model set as a new version unless the newest
// version there validates better. It says what it did on out.
func trainAndSave(ctx context.Context, out io.Writer, db *sqlite.DB, photos *visual.Reader, dir string, tc train.Config, logger *slog.Logger) error {
	items, err := aisle.AllItems(ctx, db)
	if err != nil {
		return err
	}
	var vecs map[string][]float32 // photo vectors, by item id
	if photos != nil && photos.HasModel() {
		if vecs, err = visual.StoredVectors(ctx, db, photos.Name()); err != nil {
			return err
		}
		// The content model may fuse them with texts and behaviour.
		tc.Content.Image = func(id string) []float32 { return vecs[id] }
	}
	if err := visual.TrainClassifier(ctx, photos, items, vecs, dir, out); err != nil {
		return err
	}
	return train.NewVersion(ctx, db.Events(ctx, 0), items, dir, tc, out, logger)
}
