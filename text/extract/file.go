package extract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/durable"
)

// VocabularyFileName is the file a data directory keeps its catalog
// vocabulary in (see VocabularyFile).
const VocabularyFileName = "vocabulary.json"

// rewriteBatch is how many items LearnOnce writes back at a time.
const rewriteBatch = 1000

// VocabularyFile is an attribute extractor whose vocabulary (known
// brands, title word frequencies) is kept in a JSON file. The vocabulary
// is learned once, after a store's first import, and kept, so an item's
// extracted attributes do not change while its text does not. It is safe
// for concurrent use.
type VocabularyFile struct {
	path string
	ex   atomic.Pointer[Extractor]
}

// NewVocabularyFile returns the extractor whose vocabulary is kept at
// path; until Load or LearnOnce it has the empty vocabulary. It does no
// I/O.
func NewVocabularyFile(path string) *VocabularyFile {
	v := &VocabularyFile{path: path}
	v.ex.Store(New(Vocabulary{}))
	return v
}

// Load reads the vocabulary from the file; a missing file is the empty
// vocabulary. It returns an error when the file cannot be read or is not
// a vocabulary.
func (v *VocabularyFile) Load() error {
	var voc Vocabulary
	b, err := os.ReadFile(v.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("read vocabulary: %w", err)
	default:
		if err := json.Unmarshal(b, &voc); err != nil {
			return fmt.Errorf("read vocabulary %s: %w", v.path, err)
		}
	}
	v.ex.Store(New(voc))
	return nil
}

// Extract reads an item's attributes with the current vocabulary; it
// suits the extract argument of sqlite.NewDB.
func (v *VocabularyFile) Extract(it *aisle.Item) *aisle.Extracted { return v.ex.Load().Extract(it) }

// Catalog is the store whose items LearnOnce learns from and rewrites;
// *sqlite.DB is one.
type Catalog interface {
	aisle.ItemLister
	// UpsertItems writes a batch of items (aisle.ItemStore).
	UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error)
}

// LearnOnce learns the vocabulary from s's catalog if the file does not
// exist yet, writes every item again so that their attributes are
// extracted with it (when v is s's extractor), then saves it. It returns
// the number of items rewritten: 0 when the vocabulary was learned
// before or the catalog is empty.
func (v *VocabularyFile) LearnOnce(ctx context.Context, s Catalog) (int, error) {
	if _, err := os.Stat(v.path); err == nil {
		return 0, nil
	}
	items, err := aisle.AllItems(ctx, s)
	if err != nil {
		return 0, fmt.Errorf("learn vocabulary: %w", err)
	}
	if len(items) == 0 {
		return 0, nil
	}
	voc := Learn(items)
	b, err := json.Marshal(voc)
	if err != nil {
		return 0, fmt.Errorf("learn vocabulary: %w", err)
	}
	v.ex.Store(New(voc))
	for start := 0; start < len(items); start += rewriteBatch {
		if _, err := s.UpsertItems(ctx, items[start:min(start+rewriteBatch, len(items))]); err != nil {
			return 0, fmt.Errorf("extract attributes: %w", err)
		}
	}
	// The file marks the vocabulary learned, so it is written only once
	// every item was rewritten with it: an interrupted rewrite is done
	// again by the next import.
	if err := durable.WriteFile(v.path, b); err != nil {
		return 0, fmt.Errorf("learn vocabulary: %w", err)
	}
	return len(items), nil
}
