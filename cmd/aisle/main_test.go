package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &env{stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func TestCommandLine(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{nil, 2, "Commands:"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"help", "import"}, 0, "-strict"},
		{[]string{"serve", "-h"}, 0, "-addr"},
		{[]string{"demo", "-h"}, 0, "-data"},
		{[]string{"bench", "-h"}, 0, "-concurrency"},
		{[]string{"train", "-h"}, 0, "-data-dir"},
		{[]string{"help", "keys"}, 0, "aisle keys create -role"},
		{[]string{"serve", "-h"}, 0, "-insecure"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"serve", "-nope"}, 2, "flag provided but not defined"},
		{[]string{"serve", "extra"}, 2, "unexpected arguments: extra"},
		{[]string{"import"}, 2, "want exactly one PATH"},
		{[]string{"serve", "-log-level", "loud"}, 2, "-log-level"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

// TestImportTrainServe imports Office, trains twice, and serves the
// result to checkServedRecommendations.
func TestImportTrainServe(t *testing.T) {
	if testing.Short() {
		t.Skip("trains every model on real data")
	}
	src := "../../../shared/data/amazon-office"
	if _, err := os.Stat(src); err != nil {
		t.Skip("shared data not present")
	}
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "import", "-data-dir", dir, "-format", "lcrec", "-sync", "NORMAL", src)
	if code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	for _, want := range []string{"2,420 imported", "4,905 imported", "53,258 imported"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("import summary lacks %q:\n%s", want, stdout)
		}
	}
	// -background=false: the test process must not drop to idle priority;
	// text vectors: the fusion has its own tests (train, recommend) and
	// would treble the training time.
	code, stdout, stderr = runCLI(t, "train", "-data-dir", dir, "-log-level", "warn", "-background=false", "-content-vectors", "text")
	// 3 SLIST configurations, 7 models (content included: the items have
	// texts) and the fusion on the train split, then 7 models on everything.
	if code != 0 || !strings.Contains(stdout, "Training on 53258 interactions") || !strings.Contains(stdout, "Saved version") || !strings.Contains(stderr, "train: [18/18] done") {
		t.Errorf("train exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Training again on the same data gives the same validation NDCG@10,
	// which is not worse, so a second version is saved.
	code, stdout, _ = runCLI(t, "train", "-data-dir", dir, "-log-level", "warn", "-background=false", "-content-vectors", "text")
	if code != 0 || !strings.Contains(stdout, "Saved version") {
		t.Errorf("second train exit %d, stdout:\n%s", code, stdout)
	}
	checkServedRecommendations(t, dir)
}

func TestTrainProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := trainProgress(&b)
	p(0, 2, "slist on all interactions")
	p(1, 2, "mf on all interactions, iteration 3/10")
	p(2, 2, "done")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "train: [0/2] slist on all interactions (") || !strings.HasPrefix(lines[2], "train: [2/2] done (") {
		t.Errorf("progress lines:\n%s", b.String())
	}
	if trainProgress(nil) != nil {
		t.Error("progress for no writer is not nil")
	}
}

func TestDemoDirIsWipedOnlyIfTheDemoMadeIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	if err := freshDemoDir(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "aisle.db"), []byte("old"), 0o644)
	if err := freshDemoDir(dir); err != nil {
		t.Fatalf("re-run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "aisle.db")); !os.IsNotExist(err) {
		t.Errorf("old demo data not wiped: %v", err)
	}
	mine := t.TempDir()
	os.WriteFile(filepath.Join(mine, "precious.txt"), []byte("keep"), 0o644)
	if err := freshDemoDir(mine); err == nil {
		t.Fatal("demo accepted a directory it did not make")
	}
	if _, err := os.Stat(filepath.Join(mine, "precious.txt")); err != nil {
		t.Fatalf("user file touched: %v", err)
	}
}
