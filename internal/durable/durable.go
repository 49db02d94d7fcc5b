// Package durable writes files so that they survive a crash once written:
// whole or not at all (a temporary file renamed into place), and synced
// to disk with the folder entry that names them. Model files, the
// vocabulary, photo originals and saved model versions are written
// through it.
package durable

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/renameio/v2"
)

// WriteFile replaces the file at path with data durably and atomically: it
// writes a temporary file in the same folder, fsyncs it, renames it over
// path and fsyncs the folder, so a reader sees either the old file or the
// whole new one, and the new one survives a crash once WriteFile returns
// nil. A new file gets mode 0644; an existing file keeps its mode. On error
// the temporary file is removed and path is left as it was.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := renameio.WriteFile(path, data, 0o644, renameio.WithTempDir(dir)); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := SyncDir(dir); err != nil {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// SyncDir fsyncs a folder, making the entries created or renamed in it
// durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
