package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/model/dataset"
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
	tc := train.Config{Seed: *seed, Progress: trainProgress(e.stderr)}
	switch *vectors {
	case "auto":
	case train.VectorsText, train.VectorsFused:
		tc.Content.Vectors = *vectors
	default:
		return usageError{fmt.Sprintf("-content-vectors %q: want auto, text or fused", *vectors)}
	}
	if *background {
		if err := runInBackground(); err != nil {
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
	defer ph.close()
	return trainAndSave(ctx, e, db, ph.reader, filepath.Join(cfg.DataDir, "models"), tc, logger)
}

// itemTexts returns the texts of items by id (aisle.Item.Text).
func itemTexts(items []aisle.Item) func(string) string {
	texts := make(map[string]string, len(items))
	for i := range items {
		texts[items[i].ID] = items[i].Text()
	}
	return func(id string) string { return texts[id] }
}

// trainAndSave trains the photo classifier on db's labelled photos (read
// by photos) and the model set on db's interactions, and saves them in
// dir: the model set as a new version unless the newest version there
// validates better.
func trainAndSave(ctx context.Context, e *env, db *sqlite.DB, photos *visual.Reader, dir string, tc train.Config, logger *slog.Logger) error {
	items, err := aisle.AllItems(ctx, db)
	if err != nil {
		return err
	}
	var vecs map[string][]float32 // photo vectors, by item id
	if photos != nil && photos.HasModel() {
		if vecs, err = photoVectors(ctx, db, photos.Name()); err != nil {
			return err
		}
		// The content model may fuse them with texts and behaviour.
		tc.Content.Image = func(id string) []float32 { return vecs[id] }
	}
	if err := trainPhotoClassifier(ctx, e, photos, items, vecs, dir); err != nil {
		return err
	}
	d, err := dataset.FromEvents(db.Events(ctx, 0), dataset.Options{})
	if err != nil {
		return err
	}
	if d.Interactions() == 0 {
		fmt.Fprintln(e.stdout, "No interactions: no recommendation models to train.")
		return nil
	}
	// Catalog items no shopper has touched get indices too: the content
	// model ranks them from their texts.
	ids := make([]string, len(items))
	for i := range items {
		ids[i] = items[i].ID
	}
	d = d.WithItems(ids)
	tc.Content.Text = itemTexts(items)
	fmt.Fprintf(e.stdout, "Training on %d interactions of %d users over %d items...\n", d.Interactions(), len(d.Users), d.NumItems())
	set, meta, err := train.Train(ctx, d, tc, logger)
	if err != nil {
		return err
	}
	prev, err := saved.Latest(dir)
	if err != nil && !errors.Is(err, saved.ErrNoModel) {
		return err
	}
	if prev != nil && !saved.Replaces(meta, prev) {
		fmt.Fprintf(e.stdout, "Kept version %s: its validation NDCG@10 %.4f beats the new models' %.4f; nothing saved.\n", prev.Version, prev.ValidNDCG10, meta.ValidNDCG10)
		return nil
	}
	version, err := saved.Save(dir, set, meta, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Saved version %s in %s: validation NDCG@10 %.4f, fusion weights %v.\n", version, dir, meta.ValidNDCG10, meta.Weights)
	return nil
}
