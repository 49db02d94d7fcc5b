package importer

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestCapitalize(t *testing.T) {
	for in, want := range map[string]string{"dress": "Dress", "t-shirt": "T-shirt", "longsleeve": "Longsleeve", "élan": "Élan", "": "", "\xff": "\xff"} {
		if got := capitalize(in); got != want {
			t.Errorf("capitalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestImagesSmall(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "test", "hat"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, filepath.Join("test", "hat", "h1.jpg"), "jpeg")
	writeFile(t, dir, filepath.Join("test", "hat", "h2.png"), "png")
	labels := writeFile(t, dir, "labels.csv", "path,split,label\n"+
		"test/hat/h1.jpg,test,hat\n"+
		"test/hat/missing.jpg,test,hat\n"+
		"test/hat/h2.png,validation,t-shirt\n"+
		"test/hat/h1.jpg,test,hat\n"+
		"test/hat,test,hat\n")
	db := openStore(t)
	sum := mustRun(t, db, dir, Options{})
	abs, _ := filepath.Abs(dir)
	want := Summary{
		Items: KindCounts{Read: 5, Imported: 2, Rejected: 3},
		Rejected: []RowError{
			{labels, 3, "path: no such file: " + filepath.Join(abs, "test", "hat", "missing.jpg")},
			{labels, 5, `image id "h1" already used at line 2`},
			{labels, 6, "path: not a regular file: " + filepath.Join(abs, "test", "hat")},
		},
		RejectedTotal: 3,
	}
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	got, err := db.Item(context.Background(), "h2")
	if err != nil {
		t.Fatal(err)
	}
	wantItem := aisle.Item{
		ID: "h2", Title: "T-shirt", Categories: []string{"Clothing", "t-shirt"},
		Attributes:   map[string]string{"split": "validation", "label": "t-shirt"},
		Images:       []string{filepath.Join(abs, "test", "hat", "h2.png")},
		Availability: aisle.AvailabilityInStock,
	}
	if d := cmp.Diff(got, wantItem, cmpopts.IgnoreFields(aisle.Item{}, "CreatedAt", "UpdatedAt")); d != "" {
		t.Errorf("item h2 (-got +want):\n%s", d)
	}
}

func TestImportClothingImages(t *testing.T) {
	dir := dataPath(t, "clothing-images")
	db := openStore(t)
	sum := mustRun(t, db, dir, Options{Format: FormatImages})
	if sum.Items.Imported != 713 || sum.RejectedTotal != 0 {
		t.Errorf("summary = %+v", sum)
	}
	if got, want := mustCounts(t, db), (aisle.Counts{Items: 713}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	it, err := db.Item(context.Background(), "06a00c0f-5f9a-410d-a7da-3881a9df3a71")
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(filepath.Join(dir, "test", "dress", "06a00c0f-5f9a-410d-a7da-3881a9df3a71.jpg"))
	want := aisle.Item{
		ID: "06a00c0f-5f9a-410d-a7da-3881a9df3a71", Title: "Dress", Categories: []string{"Clothing", "dress"},
		Attributes: map[string]string{"split": "test", "label": "dress"}, Images: []string{abs},
		Availability: aisle.AvailabilityInStock,
	}
	if d := cmp.Diff(it, want, cmpopts.IgnoreFields(aisle.Item{}, "CreatedAt", "UpdatedAt")); d != "" {
		t.Errorf("item (-got +want):\n%s", d)
	}
	if f, err := DetectFormat(dir); err != nil || f != FormatImages {
		t.Errorf("DetectFormat = %q, %v", f, err)
	}
}
