package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/onnx"
)

// Real files beside the repository that aisle eval -task photoqa reads.
var (
	clothingAll     = filepath.Join("..", "..", "..", "shared", "data", "clothing-images-all")
	clothingColours = filepath.Join("..", "..", "eval", "testdata", "clothing-colours.csv")
)

// photoSubset copies a subset of clothing-images-all into a new folder
// with its own labels.csv: the first perClass train photos of each class
// in sorted path order, the first validation photos, and the test photos
// whose colours were annotated by hand.
func photoSubset(t *testing.T, perClass, validation int) string {
	t.Helper()
	f, err := os.Open(filepath.Join(clothingAll, "labels.csv"))
	if err != nil {
		t.Skipf("real clothing photos not found at %s: %v", clothingAll, err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	colours, err := os.ReadFile(clothingColours)
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[1:]
	slices.SortFunc(rows, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	dir := t.TempDir()
	var keep []string
	count := map[string]int{}
	for _, r := range rows {
		path, split, label := r[0], r[1], r[2]
		count[split+"/"+label]++
		switch {
		case split == eval.SplitTrain && count[split+"/"+label] > perClass:
			continue
		case split == eval.SplitValidation && count[split] >= validation:
			continue
		case split == eval.SplitTest && !strings.Contains(string(colours), "\n"+path+","):
			continue
		}
		count[split]++
		data, err := os.ReadFile(filepath.Join(clothingAll, path))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
		keep = append(keep, strings.Join(r, ","))
	}
	if err := os.WriteFile(filepath.Join(dir, "labels.csv"), []byte("path,split,label\n"+strings.Join(keep, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestEvalPhotoQA runs aisle eval -task photoqa on a subset of the real
// clothing photos (15 train photos a class, 5 validation photos, the 62
// test photos with hand-annotated colours) and checks the report: every
// kind of question asked in both languages, the category questions
// answered above their baselines, the colour questions scored against the
// annotations, and "unknown" for every question before the photo is read.
func TestEvalPhotoQA(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 217 photos and trains the category head (about 15 s)")
	}
	if _, err := os.Stat(filepath.Join(mobileNet, "model.onnx")); err != nil {
		t.Skipf("real MobileNet not found at %s: %v", mobileNet, err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		t.Skipf("%v", err)
	}
	data := photoSubset(t, 15, 5)
	code, stdout, stderr := runCLI(t, "eval", "-task", "photoqa", "-data", data, "-image-model", mobileNet, "-colours", clothingColours, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep eval.PhotoQAReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%q: %v", stdout, err)
	}
	if rep.Train != 150 || rep.Test != 62 || rep.Annotated != 62 || rep.Classes != 10 || rep.Failed != 0 {
		t.Fatalf("report %d train, %d test, %d annotated, %d classes, %d failed; want 150, 62, 62, 10, 0", rep.Train, rep.Test, rep.Annotated, rep.Classes, rep.Failed)
	}
	t.Logf("category head right on %.3f of the test photos", rep.HeadAccuracy)
	rows := map[string]eval.PhotoQARow{}
	for _, r := range rep.Rows {
		t.Logf("%-16s %s %3d questions: accuracy %.3f, unknown %.3f, baselines %+v", r.Kind, r.Lang, r.Questions, r.Accuracy, r.Unknown, r.Baselines)
		rows[r.Kind+"/"+r.Lang] = r
		if r.NotReadUnknown != 1 {
			t.Errorf("%s %s: %.3f unknown before the photo is read, want 1", r.Kind, r.Lang, r.NotReadUnknown)
		}
		if len(r.Baselines) == 0 {
			t.Errorf("%s %s: no baseline", r.Kind, r.Lang)
		}
	}
	for _, key := range []string{"category yes/no/en", "category yes/no/zh", "category open/en", "category open/zh", "sleeve yes/no/en", "colour open/en", "colour open/zh", "colour yes/no/en", "colour yes/no/zh"} {
		r, ok := rows[key]
		switch {
		case !ok || r.Questions == 0:
			t.Errorf("%s: no questions", key)
		case strings.HasPrefix(key, "colour") && r.Questions != map[bool]int{true: 62, false: 124}[strings.Contains(key, "open")]:
			t.Errorf("%s: %d questions, want one or two per annotated photo", key, r.Questions)
		}
		if !strings.HasPrefix(key, "category") {
			continue
		}
		for _, b := range r.Baselines {
			if r.Accuracy <= b.Accuracy {
				t.Errorf("%s: accuracy %.3f, want above the baseline %s %.3f", key, r.Accuracy, b.Name, b.Accuracy)
			}
		}
	}
	// The text form names every row.
	code, stdout, stderr = runCLI(t, "eval", "-task", "photoqa", "-data", data, "-image-model", mobileNet, "-colours", "")
	if code != 0 {
		t.Fatalf("text report: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"category yes/no", "category open", "sleeve yes/no", "not read", fmt.Sprintf("%d test photos", 62)} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "colour open") {
		t.Errorf("text report without -colours asks colour questions:\n%s", stdout)
	}
}

// TestEvalPhotoQANoTrain checks that a photo folder without a train
// split is a usage error naming what is missing.
func TestEvalPhotoQANoTrain(t *testing.T) {
	if _, err := os.Stat(filepath.Join(mobileNet, "model.onnx")); err != nil {
		t.Skipf("real MobileNet not found at %s: %v", mobileNet, err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		t.Skipf("%v", err)
	}
	data := photoSubset(t, 0, 3)
	code, _, stderr := runCLI(t, "eval", "-task", "photoqa", "-data", data, "-image-model", mobileNet)
	if code != 2 || !strings.Contains(stderr, "train and test photos") {
		t.Errorf("exit %d, stderr %q; want 2 and the splits named", code, stderr)
	}
}
