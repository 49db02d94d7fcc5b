package importer_test

import (
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle/importer"
)

// TestReadItemsAndQuestions reads a catalog and its questions into memory
// as Run would store them, skipping a file's bad rows.
func TestReadItemsAndQuestions(t *testing.T) {
	items, err := importer.ReadItems(t.Context(), filepath.Join("testdata", "jsonl", "items.jsonl"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 || items[0].ID != "p1" {
		t.Fatalf("read %d items (first %+v), want the file's 3 (a blank line is no row)", len(items), items)
	}
	qs, err := importer.ReadQuestions(t.Context(), filepath.Join("testdata", "jsonl", "questions.jsonl"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != 2 || qs[0].ID != "q1" || qs[0].Item != "p1" {
		t.Fatalf("read %+v, want q1 and q2 of p1", qs)
	}
	bad, err := importer.ReadItems(t.Context(), filepath.Join("testdata", "bad", "items.jsonl"), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) >= 11 {
		t.Errorf("read %d of the bad file's 11 rows: the bad ones should be skipped", len(bad))
	}
	if _, err := importer.ReadItems(t.Context(), filepath.Join("testdata", "missing.jsonl"), ""); err == nil {
		t.Error("a missing file read without error")
	}
}
