package onnx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestModelNameChangesWithTheModel(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "minilm")
	if _, err := ModelName(dir); err == nil {
		t.Fatal("a folder without model.onnx was named")
	}
	os.MkdirAll(dir, 0o755)
	model := filepath.Join(dir, "model.onnx")
	os.WriteFile(model, []byte("weights"), 0o644)
	first, err := ModelName(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := ModelName(dir); again != first || !strings.HasPrefix(first, "minilm-") || len(first) != len("minilm-")+12 {
		t.Errorf("names %q and %q, want one stable minilm-<12 hex digits>", first, again)
	}
	os.WriteFile(model, []byte("new weights"), 0o644)
	if next, _ := ModelName(dir); next == first {
		t.Error("a replaced model keeps its name")
	}
}

func TestCLIPNameChangesWithAnyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clip-b32")
	if _, err := CLIPName(dir); err == nil {
		t.Fatal("a missing folder was named")
	}
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "visual.onnx"), []byte("v"), 0o644)
	first, err := CLIPName(dir)
	if err != nil || !strings.HasPrefix(first, "clip-b32-") {
		t.Fatalf("CLIPName = %q, %v", first, err)
	}
	tok := filepath.Join(dir, "tokenizer.json")
	os.WriteFile(tok, []byte("{}"), 0o644)
	second, _ := CLIPName(dir)
	if second == first {
		t.Error("a new file keeps the name")
	}
	os.Chtimes(tok, time.Now(), time.Now().Add(time.Hour))
	if third, _ := CLIPName(dir); third == second {
		t.Error("a touched file keeps the name")
	}
}
