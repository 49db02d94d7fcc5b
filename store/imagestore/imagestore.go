// Package imagestore keeps the original bytes of uploaded and fetched
// photos on disk, named by their content hash: the hex SHA-256 of the
// bytes, in <dir>/<first two hex digits>/<hash>. A file is written once,
// atomically (a temporary file in the same directory, fsync, rename, fsync
// of the directory), so a reader never sees a partial original and an
// acknowledged Put survives a crash. Names that are not content hashes are
// refused before they reach the file system: there is no path traversal.
package imagestore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aislehq/aisle/internal/durable"

	"github.com/aislehq/aisle"
)

// Store keeps originals under one directory. It is safe for concurrent use
// (also by several processes sharing the directory): concurrent Puts of the
// same bytes write the same file, and the last rename wins with the same
// content.
type Store struct {
	dir string
}

// New returns a Store over dir, created on the first Put. It does no I/O.
func New(dir string) *Store { return &Store{dir: dir} }

// Dir returns the directory the store keeps its files in.
func (s *Store) Dir() string { return s.dir }

// path returns the file of a content hash, or EINVALID when hash is not one.
func (s *Store) path(hash string) (string, error) {
	if !aisle.IsContentHash(hash) {
		return "", aisle.Errorf(aisle.EINVALID, "image %q: not a content hash (64 lower-case hex digits)", hash)
	}
	return s.file(hash), nil
}

// file returns the file of a hash known to be a content hash.
func (s *Store) file(hash string) string { return filepath.Join(s.dir, hash[:2], hash) }

// Put stores data and returns its content hash. Storing bytes that are
// already present does nothing. Put does not look inside data: limits
// and decoding are the caller's (package photo).
func (s *Store) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	path := s.file(hash)
	if _, err := os.Stat(path); err == nil {
		return hash, nil
	}
	sub := filepath.Dir(path)
	created, err := mkdir(sub)
	if err != nil {
		return "", fmt.Errorf("imagestore: create directory: %w", err)
	}
	if created {
		// The new directory's own entry must be durable too.
		if err := durable.SyncDir(s.dir); err != nil {
			return "", fmt.Errorf("imagestore: sync directory: %w", err)
		}
	}
	if err := durable.WriteFile(path, data); err != nil {
		return "", fmt.Errorf("imagestore: write %s: %w", hash, err)
	}
	return hash, nil
}

// mkdir creates dir and its parents, and reports whether dir was created.
func mkdir(dir string) (bool, error) {
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	return true, nil
}

// Get returns the original bytes stored under hash: ENOTFOUND when there
// are none, EINVALID when hash is not a content hash.
func (s *Store) Get(hash string) ([]byte, error) {
	path, err := s.path(hash)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, openError(hash, err)
	}
	return data, nil
}

// Open opens the original stored under hash for reading (to serve it with
// http.ServeContent, say); the caller closes it. Errors are as for Get.
func (s *Store) Open(hash string) (*os.File, error) {
	path, err := s.path(hash)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(hash, err)
	}
	return f, nil
}

// Has reports whether an original is stored under hash; false for a name
// that is not a content hash.
func (s *Store) Has(hash string) bool {
	path, err := s.path(hash)
	if err != nil {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// openError turns a failure to open hash's file into ENOTFOUND when the
// file does not exist.
func openError(hash string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return aisle.Errorf(aisle.ENOTFOUND, "image %s not found", hash)
	}
	return fmt.Errorf("imagestore: read %s: %w", hash, err)
}
