package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/aislehq/aisle/importer"
)

// Samples are the sample datasets the demo imports.
type Samples struct {
	// Catalog is Amazon Office (LC-Rec: catalog, users, purchases).
	Catalog string
	// Photos is the clothing photo folder (photos with labels.csv), whose
	// photos also make the search-by-photo example.
	Photos string
}

// FindSamples returns the samples in the folder data (amazon-office and
// clothing-images), or an error saying which is missing.
func FindSamples(data string) (Samples, error) {
	s := Samples{Catalog: filepath.Join(data, "amazon-office"), Photos: filepath.Join(data, "clothing-images")}
	for _, dir := range []string{s.Catalog, s.Photos} {
		if _, err := os.Stat(dir); err != nil {
			return Samples{}, fmt.Errorf("sample data not found: %w (set -data to the folder holding amazon-office and clothing-images)", err)
		}
	}
	return s, nil
}

// Import imports the samples into dst, saying what it imports and the
// importer's summaries on out, and the importer's progress on progress.
func (s Samples) Import(ctx context.Context, dst importer.Store, out, progress io.Writer, logger *slog.Logger) error {
	for _, src := range []struct{ dir, format string }{{s.Catalog, importer.FormatLCRec}, {s.Photos, importer.FormatImages}} {
		fmt.Fprintf(out, "Importing %s (%s)...\n", src.dir, src.format)
		sum, err := importer.Run(ctx, dst, src.dir, importer.Options{Format: src.format}, importer.Deps{Progress: progress}, logger)
		if err != nil {
			return err
		}
		fmt.Fprint(out, sum.String())
	}
	return nil
}
