package imagestore_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/imagestore"
)

// realPhotos returns up to n of the shared clothing photos' bytes,
// skipping the test when the shared data is absent.
func realPhotos(tb testing.TB, n int) [][]byte {
	tb.Helper()
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "data", "clothing-images", "*", "*", "*.jpg"))
	if len(paths) == 0 {
		tb.Skip("no clothing photos in ../../shared/data (shared data absent)")
	}
	var out [][]byte
	for _, p := range paths[:min(n, len(paths))] {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestPutGet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "originals")
	s := imagestore.New(dir)
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("New touched the disk: %v", err)
	}
	data := realPhotos(t, 1)[0]
	hash, err := s.Put(data)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	if hash != sha(data) {
		t.Fatalf("Put = %s, want the SHA-256 %s", hash, sha(data))
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, hash[:2], hash))
	if err != nil || !bytes.Equal(onDisk, data) {
		t.Fatalf("file at <dir>/%s/%s: %d bytes, %v", hash[:2], hash, len(onDisk), err)
	}
	if !s.Has(hash) {
		t.Error("Has = false after Put")
	}
	got, err := s.Get(hash)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Get: %d bytes, %v", len(got), err)
	}
	f, err := s.Open(hash)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	got, err = io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Open then read: %d bytes, %v", len(got), err)
	}

	// Idempotent: the same bytes again leave the file as it is.
	before, _ := os.Stat(filepath.Join(dir, hash[:2], hash))
	if again, err := s.Put(bytes.Clone(data)); err != nil || again != hash {
		t.Fatalf("Put again = %s, %v", again, err)
	}
	after, _ := os.Stat(filepath.Join(dir, hash[:2], hash))
	if !os.SameFile(before, after) {
		t.Error("Put of stored bytes rewrote the file")
	}
	assertNoTempFiles(t, dir)
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", path)
		}
		return nil
	})
}

func TestAbsentAndInvalid(t *testing.T) {
	dir := t.TempDir()
	s := imagestore.New(filepath.Join(dir, "originals"))
	// A file outside the store that a traversal would reach.
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	absent := sha([]byte("never stored"))
	tests := []struct {
		name, hash, code string
	}{
		{"absent", absent, aisle.ENOTFOUND},
		{"empty", "", aisle.EINVALID},
		{"traversal", "../secret", aisle.EINVALID},
		{"traversal of hash length", "../../" + strings.Repeat("a", 58), aisle.EINVALID},
		{"not hex", strings.Repeat("zz", 32), aisle.EINVALID},
		{"upper case", strings.ToUpper(absent), aisle.EINVALID},
		{"short", absent[:63], aisle.EINVALID},
		{"long", absent + "0", aisle.EINVALID},
		{"upload ref", aisle.UploadRef(absent), aisle.EINVALID},
		{"slash", absent[:2] + "/" + absent[3:], aisle.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if s.Has(tt.hash) {
				t.Error("Has = true")
			}
			_, err := s.Get(tt.hash)
			if got := aisle.ErrorCode(err); got != tt.code {
				t.Errorf("Get: code %q (%v), want %q", got, err, tt.code)
			}
			f, err := s.Open(tt.hash)
			if f != nil {
				f.Close()
			}
			if got := aisle.ErrorCode(err); got != tt.code {
				t.Errorf("Open: code %q (%v), want %q", got, err, tt.code)
			}
		})
	}
}

func TestConcurrentPuts(t *testing.T) {
	dir := t.TempDir()
	s := imagestore.New(dir)
	photos := realPhotos(t, 8)
	const workers = 8
	hashes := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// Every worker puts every photo, each starting elsewhere, so
			// the same bytes are written at the same time.
			for i := range photos {
				p := photos[(i+w)%len(photos)]
				h, err := s.Put(p)
				if err != nil {
					t.Errorf("worker %d: Put: %v", w, err)
					return
				}
				hashes[w] = append(hashes[w], h)
				if got, err := s.Get(h); err != nil || !bytes.Equal(got, p) {
					t.Errorf("worker %d: Get(%s) right after Put: %d bytes, %v", w, h, len(got), err)
				}
			}
		})
	}
	wg.Wait()
	for _, p := range photos {
		got, err := s.Get(sha(p))
		if err != nil || !bytes.Equal(got, p) {
			t.Errorf("Get(%s): %d bytes, %v", sha(p), len(got), err)
		}
	}
	var files int
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return nil
	})
	distinct := map[string]bool{}
	for _, p := range photos {
		distinct[sha(p)] = true
	}
	if files != len(distinct) {
		t.Errorf("%d files for %d distinct photos", files, len(distinct))
	}
	assertNoTempFiles(t, dir)
}

func TestPutUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// The store's directory is a regular file: Put cannot create it.
	_, err := imagestore.New(blocker).Put([]byte("x"))
	if err == nil || aisle.ErrorCode(err) != aisle.EINTERNAL || !strings.HasPrefix(err.Error(), "imagestore: ") {
		t.Errorf("Put into a file: %v, want an internal imagestore error", err)
	}
}

// BenchmarkPut writes real photos: new ones (each made unique by a suffix,
// so every Put writes and fsyncs a file) and ones already stored.
func BenchmarkPut(b *testing.B) {
	photos := realPhotos(b, 64)
	for _, existing := range []bool{false, true} {
		b.Run(fmt.Sprintf("existing=%v", existing), func(b *testing.B) {
			s := imagestore.New(b.TempDir())
			for _, p := range photos {
				if _, err := s.Put(p); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(photos[0])))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := photos[i%len(photos)]
				if !existing {
					p = fmt.Appendf(bytes.Clone(p), "%d", i)
				}
				if _, err := s.Put(p); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
