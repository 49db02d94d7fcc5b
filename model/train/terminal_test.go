package train_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aislehq/aisle/model/train"
)

func TestTrainProgressLines(t *testing.T) {
	var b bytes.Buffer
	p := train.TerminalProgress(&b)
	p(0, 2, "slist on all interactions")
	p(1, 2, "mf on all interactions, iteration 3/10")
	p(2, 2, "done")
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "train: [0/2] slist on all interactions (") || !strings.HasPrefix(lines[2], "train: [2/2] done (") {
		t.Errorf("progress lines:\n%s", b.String())
	}
	if train.TerminalProgress(nil) != nil {
		t.Error("progress for no writer is not nil")
	}
}
