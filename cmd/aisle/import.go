package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/extract"
)

func runImport(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	bindStore(fs, &cfg)
	bindPhotos(fs, &cfg)
	bindLog(fs, &cfg)
	readPhotos := fs.Bool("photos", true, "read the imported items' photos (features, colours, labels) before returning; false leaves them to aisle serve")
	var opts importer.Options
	fs.StringVar(&opts.Format, "format", "", "input format (default: detected from PATH): aisle (Aisle's JSON Lines/CSV), s3rec (S3-Rec sequences), lcrec (LC-Rec JSON), images (photo folder with labels.csv), amazonqa (Amazon product Q&A)")
	fs.StringVar(&opts.Kind, "kind", "", "for -format aisle: items, users, questions or events (default: from each file's name)")
	fs.BoolVar(&opts.Strict, "strict", false, "fail the whole import, writing nothing, if any row is bad")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "read and validate everything, write nothing")
	fs.IntVar(&opts.BatchSize, "batch", 0, "rows per transaction (default 5000)")
	if err := parse(fs, "aisle import [-data-dir DIR] -format aisle|s3rec|lcrec|images|amazonqa [-strict] PATH\n\nPATH is a file or a dataset folder.", args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"want exactly one PATH (a file or a dataset folder)"}
	}
	logger, err := cfg.logger(e.stderr)
	if err != nil {
		return err
	}
	db, voc, err := cfg.openStoreVocabulary(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sum, err := importer.Run(ctx, db, fs.Arg(0), opts, importer.Deps{Progress: e.stderr}, logger)
	if sum != nil {
		fmt.Fprint(e.stdout, sum.String())
	}
	if err != nil || opts.DryRun {
		return err
	}
	if err := learnVocabulary(ctx, e, db, voc); err != nil {
		return err
	}
	if !*readPhotos {
		return nil
	}
	// The store engineer's own files are read, but only inside
	// -image-root, or the folder imported, and never the data directory.
	pcfg := cfg.filesUnder(importFolder(fs.Arg(0)))
	ph, err := pcfg.openPhotos(ctx, db, logger)
	if err != nil {
		return err
	}
	defer ph.Close()
	if root, err := filepath.Abs(ph.root); err == nil {
		fmt.Fprintf(e.stderr, "photos: file paths are read inside %s only (-image-root)\n", root)
	}
	return ph.ReadPendingReported(ctx, db, e.stderr, e.stdout)
}

// importFolder returns the folder aisle import reads photo files in by
// default: path itself when it is a folder, else the folder holding it.
func importFolder(path string) string {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return path
	}
	return filepath.Dir(path)
}

// learnVocabulary learns the attribute vocabulary after a data
// directory's first import and says so.
func learnVocabulary(ctx context.Context, e *env, db *sqlite.DB, voc *extract.VocabularyFile) error {
	n, err := voc.LearnOnce(ctx, db)
	if n > 0 {
		fmt.Fprintf(e.stdout, "Learned the catalog's vocabulary (brands, title words) from %d items and extracted their attributes with it.\n", n)
	}
	return err
}
