package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/google/renameio/v2"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/extract"
)

// vocabularyFile holds, in the data directory, the catalog vocabulary
// attribute extraction uses (known brands, title word frequencies). It is
// learned once, after the first import, and kept, so an item's extracted
// attributes do not change while its text does not.
const vocabularyFile = "vocabulary.json"

// vocabulary is the store's attribute extractor, with the vocabulary of
// its data directory; learn replaces it.
type vocabulary struct {
	path string
	ex   atomic.Pointer[extract.Extractor]
}

// loadVocabulary reads dir's vocabulary; a missing file is the empty one.
func loadVocabulary(dir string) (*vocabulary, error) {
	v := &vocabulary{path: filepath.Join(dir, vocabularyFile)}
	var voc extract.Vocabulary
	b, err := os.ReadFile(v.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("read vocabulary: %w", err)
	default:
		if err := json.Unmarshal(b, &voc); err != nil {
			return nil, fmt.Errorf("read vocabulary %s: %w", v.path, err)
		}
	}
	v.ex.Store(extract.New(voc))
	return v, nil
}

// Extract implements sqlite.Options.Extract.
func (v *vocabulary) Extract(it *aisle.Item) *aisle.Extracted { return v.ex.Load().Extract(it) }

// learnOnce learns the vocabulary from db's catalog if none was learned
// yet, writes every item again so that their attributes are extracted with
// it, then saves it. It returns the number of items rewritten.
func (v *vocabulary) learnOnce(ctx context.Context, db *sqlite.DB) (int, error) {
	if _, err := os.Stat(v.path); err == nil {
		return 0, nil
	}
	items, err := aisle.AllItems(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("learn vocabulary: %w", err)
	}
	if len(items) == 0 {
		return 0, nil
	}
	voc := extract.Learn(items)
	b, err := json.Marshal(voc)
	if err != nil {
		return 0, fmt.Errorf("learn vocabulary: %w", err)
	}
	v.ex.Store(extract.New(voc))
	for start := 0; start < len(items); start += sqlite.MaxListLimit {
		if _, err := db.UpsertItems(ctx, items[start:min(start+sqlite.MaxListLimit, len(items))]); err != nil {
			return 0, fmt.Errorf("extract attributes: %w", err)
		}
	}
	// The file marks the vocabulary learned, so it is written only once
	// every item was rewritten with it: an interrupted rewrite is done
	// again by the next import.
	if err := renameio.WriteFile(v.path, b, 0o644); err != nil {
		return 0, fmt.Errorf("learn vocabulary: %w", err)
	}
	return len(items), nil
}
