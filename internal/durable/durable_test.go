package durable_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle/internal/durable"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.bin")
	for _, data := range [][]byte{[]byte("first"), []byte("second, longer")} {
		if err := durable.WriteFile(path, data); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
			t.Errorf("read back %q, %v; want %q", got, err, data)
		}
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := durable.WriteFile(path, []byte("third")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after replacing = %v, %v; want 0600 kept", fi.Mode().Perm(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the file (no temporary left)", len(entries))
	}
	if err := durable.WriteFile(filepath.Join(dir, "missing", "x.bin"), nil); err == nil {
		t.Error("WriteFile into a missing folder: no error")
	}
}
