package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/photo/phototest"
	"github.com/aislehq/aisle/internal/flagvalue"
	"github.com/aislehq/aisle/store/sqlite"
)

// TestPhotoFetcherConfig checks which files the photo reader may read
// for each command line: none for aisle serve unless -image-files (and
// then inside -image-root, which it needs), the imported folder or
// -image-root for aisle import, never the data directory.
func TestPhotoFetcherConfig(t *testing.T) {
	base := t.TempDir()
	photos := filepath.Join(base, "photos")
	data := filepath.Join(base, "data")
	for _, d := range []string{photos, data, filepath.Join(data, "images")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name     string
		args     []string
		importer string // the folder imported, for aisle import
		root     string // the fetcher's Root
		usage    string // part of a usage error
	}{
		{name: "serve", root: ""},
		{name: "serve -image-root alone", args: []string{"-image-root", photos}, root: ""},
		{name: "serve -image-files", args: []string{"-image-files"}, usage: "-image-files needs -image-root"},
		{name: "serve -image-files -image-root", args: []string{"-image-files", "-image-root", photos}, root: photos},
		{name: "serve -image-root missing", args: []string{"-image-files", "-image-root", filepath.Join(base, "nope")}, usage: "not a folder"},
		{name: "serve -image-root in the data dir", args: []string{"-image-files", "-image-root", filepath.Join(data, "images")}, usage: "inside the data directory"},
		{name: "serve -image-root the data dir", args: []string{"-image-files", "-image-root", data}, usage: "inside the data directory"},
		{name: "import", importer: photos, root: photos},
		{name: "import -image-root", args: []string{"-image-root", base}, importer: photos, root: base},
		{name: "bad -image-allow-hosts", args: []string{"-image-allow-hosts", "10.0.0.0/8,http://x"}, usage: "is not an IP address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			bindPhotos(fs, &cfg)
			err := fs.Parse(tt.args)
			cfg.DataDir = data
			if tt.importer != "" {
				cfg = cfg.filesUnder(tt.importer)
			}
			var f *photo.Fetcher
			if err == nil {
				f, err = cfg.fetcher(nil, slog.New(slog.DiscardHandler))
			}
			if tt.usage != "" {
				if err == nil || !strings.Contains(err.Error(), tt.usage) {
					t.Fatalf("got %v, want an error saying %q", err, tt.usage)
				}
				if !errors.As(err, new(usageError)) && !strings.Contains(err.Error(), "invalid value") {
					t.Errorf("%v is not a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Root != tt.root || len(f.Deny) != 1 || f.Deny[0] != data {
				t.Errorf("Root %q Deny %q, want Root %q and the data directory denied", f.Root, f.Deny, tt.root)
			}
		})
	}
}

func TestPhotoFlags(t *testing.T) {
	cfg := DefaultConfig()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	bindPhotos(fs, &cfg)
	if cfg.Photos.Memory != photo.DefaultBudget || cfg.Photos.MaxPixels != photo.DefaultMaxPixels {
		t.Fatalf("defaults %+v", cfg.Photos)
	}
	if err := fs.Parse([]string{"-photo-memory", "128MiB", "-image-allow-hosts", " photos.internal , 10.0.0.0/8 ", "-photo-max-pixels", "40000000"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Photos.Memory != 128<<20 || strings.Join(cfg.Photos.AllowHosts, "|") != "photos.internal|10.0.0.0/8" || cfg.Photos.MaxPixels != 40_000_000 {
		t.Errorf("parsed %+v", cfg.Photos)
	}
	for _, bad := range []string{"0", "-1", "lots", "12XiB"} {
		if err := fs.Set("photo-memory", bad); err == nil {
			t.Errorf("-photo-memory %s accepted", bad)
		}
	}
	for in, want := range map[string]int64{"1GiB": 1 << 30, "512M": 512 << 20, "4096": 4096, "64KiB": 64 << 10} {
		var b flagvalue.ByteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%s: %d %v, want %d", in, b, err, want)
		}
	}
	if got := fs.Lookup("photo-memory").DefValue; got != "256MiB" {
		t.Errorf("-photo-memory default shown as %q", got)
	}
}

// TestPhotoImportReadsOnlyItsFolder imports an items file whose photos
// are named relative to its folder, by absolute path inside it, outside
// it, and in the data directory (inside the folder too): only those
// inside are read, and with -image-root those inside the root, never the
// data directory.
func TestPhotoImportReadsOnlyItsFolder(t *testing.T) {
	jpg := phototest.SolidPNG(64, 48, 200, 40, 30)
	base := t.TempDir()
	shop := filepath.Join(base, "shop")
	outside := filepath.Join(base, "elsewhere", "a.jpg")
	for p, b := range map[string][]byte{filepath.Join(shop, "photos", "a.jpg"): jpg, outside: jpg} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	items := func(data string) string {
		return strings.Join([]string{
			`{"id":"rel","title":"Relative","images":["photos/a.jpg"]}`,
			`{"id":"abs","title":"Absolute","images":["` + filepath.Join(shop, "photos", "a.jpg") + `"]}`,
			`{"id":"out","title":"Outside","images":["` + outside + `"]}`,
			`{"id":"db","title":"Database","images":["` + filepath.Join(data, "aisle.db") + `"]}`,
		}, "\n") + "\n"
	}
	// importItems imports the items into a new data directory in the
	// shop's folder and returns each item's visual error.
	importItems := func(data string, args ...string) map[string]string {
		t.Helper()
		itemsFile := filepath.Join(shop, "items.jsonl")
		if err := os.WriteFile(itemsFile, []byte(items(data)), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runCLI(t, append(append([]string{"import", "-data-dir", data, "-image-model", "none", "-log-level", "error"}, args...), itemsFile)...)
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		if !strings.Contains(stderr, "photos: file paths are read inside") {
			t.Errorf("import does not say where it reads photos:\n%s", stderr)
		}
		db := sqlite.NewDB(filepath.Join(data, "aisle.db"), nil, sqlite.Options{})
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		out := map[string]string{}
		for _, id := range []string{"rel", "abs", "out", "db"} {
			it, err := db.Item(context.Background(), id)
			if err != nil || it.Visual == nil {
				t.Fatalf("%s: %+v %v", id, it.Visual, err)
			}
			out[id] = it.Visual.Error
		}
		return out
	}
	for _, tt := range []struct {
		name string
		args []string
		want map[string]string // item → part of its visual error, "" for none
	}{
		{"the imported folder", nil, map[string]string{"rel": "", "abs": "", "out": "outside the image folder", "db": "outside the image folder"}},
		// Relative paths are taken against -image-root when it is given.
		{"-image-root over both", []string{"-image-root", base}, map[string]string{"rel": "no such file in the image folder", "abs": "", "out": "", "db": "outside the image folder"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := importItems(filepath.Join(shop, "data-"+strings.ReplaceAll(tt.name, " ", "-")), tt.args...)
			for id, want := range tt.want {
				if want == "" && got[id] != "" || !strings.Contains(got[id], want) {
					t.Errorf("%s: visual error %q, want %q", id, got[id], want)
				}
			}
		})
	}
}

// TestPhotoImportImageDataset imports the real photo dataset: the
// importer names each photo by its absolute path inside the folder
// imported, so every photo is read.
func TestPhotoImportImageDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 713 photos")
	}
	if _, err := os.Stat(filepath.Join(clothingImages, "labels.csv")); err != nil {
		t.Skipf("real clothing photos not found: %v", err)
	}
	code, stdout, stderr := runCLI(t, "import", "-data-dir", t.TempDir(), "-format", "images", "-image-model", "none", "-log-level", "error", clothingImages)
	if code != 0 || !strings.Contains(stdout, "713 with features, 0 unusable") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
}
