package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/store/sqlite"
)

// runPhotoQA runs aisle eval -task photoqa on the photo dataset already
// imported into db: the photo reader aisle import would open (opts.Model
// as its image model, file paths read inside the dataset's folder only),
// then eval.RunPhotoQA. A dataset without train and test photos is a
// usage error, and so is an image model that is not there.
func runPhotoQA(ctx context.Context, e *env, cfg Config, db *sqlite.DB, opts eval.PhotoQAOptions, logger *slog.Logger) error {
	cfg = cfg.filesUnder(importFolder(opts.Path))
	cfg.Photos.Model = opts.Model
	ph, err := cfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.Close()
	if !ph.HasModel() {
		return usageError{"eval -task photoqa: no image model at -image-model " + opts.Model}
	}
	opts.Progress = e.stderr
	err = eval.RunPhotoQA(ctx, db, ph.Reader, opts, e.stdout)
	if errors.Is(err, eval.ErrNoPhotos) {
		return usageError{"eval -task photoqa: " + err.Error()}
	}
	return err
}
