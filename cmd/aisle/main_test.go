package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aislehq/aisle/internal/bench"
	"github.com/aislehq/aisle/store/sqlite"
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
	if code != 0 || !strings.Contains(stdout, "Training on 53258 interactions") || !strings.Contains(stdout, "Saved version") || !strings.Contains(stderr, "train: [19/19] done") {
		t.Errorf("train exit %d, stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	// Training again on the same data gives the same validation NDCG@10,
	// which is not worse, so a second version is saved.
	code, stdout, _ = runCLI(t, "train", "-data-dir", dir, "-log-level", "warn", "-background=false", "-content-vectors", "text")
	if code != 0 || !strings.Contains(stdout, "Saved version") {
		t.Errorf("second train exit %d, stdout:\n%s", code, stdout)
	}
	checkServedRecommendations(t, dir)
	checkServedCart(t, dir)      // cart_test.go
	checkServedDiversity(t, dir) // diversity_test.go
	checkServedRules(t, dir)     // rules_test.go; last: it creates API keys
}

// importOffice imports the real Office dataset with the CLI into a fresh
// data directory and returns it. It skips under -short (saying why) and
// when the data is absent.
func importOffice(t *testing.T, why string) string {
	t.Helper()
	if testing.Short() {
		t.Skip(why)
	}
	src := "../../../shared/data/amazon-office"
	if _, err := os.Stat(src); err != nil {
		t.Skip("shared data not present")
	}
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, "import", "-data-dir", dir, "-format", "lcrec", "-sync", "NORMAL", src); code != 0 {
		t.Fatalf("import exit %d: %s", code, stderr)
	}
	return dir
}

// startServer serves db on cfg's address in this process until the test
// ends, and returns its base URL. The server stops before db closes when
// db's Close was registered with t.Cleanup first.
func startServer(t *testing.T, cfg Config, db *sqlite.DB) string {
	t.Helper()
	logger, err := cfg.logger(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	base, stop, err := bench.StartServer(context.Background(), func(ctx context.Context, started func(string)) error {
		return serve(ctx, &env{stdout: io.Discard, stderr: io.Discard}, cfg, db, logger, started)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return base
}

// openTestStore opens cfg's store until the test ends.
func openTestStore(t *testing.T, cfg *Config) *sqlite.DB {
	t.Helper()
	db, err := cfg.openStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// serveInProcess runs aisle serve with args in this process until ctx
// ends, and returns its base URL once it listens and the channel its exit
// status arrives on.
func serveInProcess(t *testing.T, ctx context.Context, args ...string) (string, <-chan int) {
	t.Helper()
	urls := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve"}, args...), &env{stdout: io.Discard, stderr: io.Discard, ready: func(u string) { urls <- u }})
	}()
	select {
	case base := <-urls:
		return base, done
	case code := <-done:
		t.Fatalf("serve exited with %d", code)
		return "", nil
	}
}
