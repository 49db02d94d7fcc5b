package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle/eval"
)

// appliancesQA is the real Amazon Appliances Q&A beside the repository.
var appliancesQA = filepath.Join("..", "..", "..", "shared", "data", "amazon-qa-appliances")

// TestEvalQA runs aisle eval -task qa on the Appliances Q&A and checks the
// report's shape and the numbers docs/BENCHMARKS.md gives.
func TestEvalQA(t *testing.T) {
	if testing.Short() {
		t.Skip("ranks 1,153 held-out answers (about 10 s)")
	}
	if _, err := os.Stat(appliancesQA); err != nil {
		t.Skipf("Appliances Q&A not found at %s: %v", appliancesQA, err)
	}
	code, stdout, stderr := runCLI(t, "eval", "-task", "qa", "-data", appliancesQA, "-json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep eval.QAReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%q: %v", stdout, err)
	}
	if rep.Test != 1153 || rep.YesNo.N != 303 || len(rep.Rankings) != 2 {
		t.Fatalf("report %+v", rep)
	}
	if got := rep.Rankings[1].MRR; got < 0.49 || got > 0.50 {
		t.Errorf("Aisle MRR %.4f, want 0.4935 as documented", got)
	}
}
