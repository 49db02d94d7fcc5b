package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/store/sqlite"
)

// sharedData is the folder holding the real sample datasets.
var sharedData = filepath.Join("..", "..", "..", "shared", "data")

func TestFindSamplesNeedsBoth(t *testing.T) {
	data := t.TempDir()
	os.MkdirAll(filepath.Join(data, "amazon-office"), 0o755)
	_, err := FindSamples(data)
	if err == nil || !strings.Contains(err.Error(), "sample data not found") || !strings.Contains(err.Error(), "clothing-images") {
		t.Errorf("got %v, want an error naming the missing clothing-images", err)
	}
	os.MkdirAll(filepath.Join(data, "clothing-images"), 0o755)
	s, err := FindSamples(data)
	if err != nil || s.Catalog != filepath.Join(data, "amazon-office") || s.Photos != filepath.Join(data, "clothing-images") {
		t.Errorf("FindSamples = %+v, %v", s, err)
	}
}

func TestImportSamples(t *testing.T) {
	if testing.Short() {
		t.Skip("imports Amazon Office")
	}
	s, err := FindSamples(sharedData)
	if err != nil {
		t.Skip(err)
	}
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var out bytes.Buffer
	if err := s.Import(ctx, db, &out, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Importing " + s.Catalog + " (lcrec)...", "Importing " + s.Photos + " (images)...", "53,258 imported"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
