package photo_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle/image/photo"
)

func TestCheckRoot(t *testing.T) {
	base := t.TempDir()
	data := filepath.Join(base, "data")
	images := filepath.Join(base, "images")
	for _, d := range []string{filepath.Join(data, "images"), images} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(base, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(base, "link")
	if err := os.Symlink(filepath.Join(data, "images"), link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, deny string
		want             error
	}{
		{"a folder apart", images, data, nil},
		{"a folder, deny absent", images, filepath.Join(base, "nope"), nil},
		{"missing", filepath.Join(base, "nope"), data, photo.ErrRootNotFolder},
		{"a file", file, data, photo.ErrRootNotFolder},
		{"the denied folder", data, data, photo.ErrRootDenied},
		{"inside the denied folder", filepath.Join(data, "images"), data, photo.ErrRootDenied},
		{"a symlink into the denied folder", link, data, photo.ErrRootDenied},
		{"relative into the denied folder", mustRel(t, filepath.Join(data, "images")), data, photo.ErrRootDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := photo.CheckRoot(tt.root, tt.deny); !errors.Is(err, tt.want) {
				t.Errorf("CheckRoot(%s, %s) = %v, want %v", tt.root, tt.deny, err, tt.want)
			}
		})
	}
}

// mustRel returns p relative to the working directory.
func mustRel(t *testing.T, p string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
