package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/eval"
)

// TestEvalAssistant runs aisle eval -task assistant on Office with the
// repository's dialogues and checks the report against the bar.
func TestEvalAssistant(t *testing.T) {
	if testing.Short() {
		t.Skip("imports Office and replays the dialogues from 8 clients")
	}
	src := filepath.Join("..", "..", "..", "shared", "data", "amazon-office")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("Office not found at %s: %v", src, err)
	}
	code, stdout, stderr := runCLI(t, "eval", "-task", "assistant", "-data", src, "-format", "lcrec", "-json",
		"-dialogues", filepath.Join("..", "..", "assistant", "testdata", "dialogues.json"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep eval.AssistantReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%q: %v", stdout, err)
	}
	if rep.Dialogues < 60 || rep.TurnSuccess < 0.9 || rep.TimedTurns != 8*rep.Turns {
		t.Errorf("report %+v", rep)
	}
}

// TestServeChatPolicies serves with -policies: a policy question quotes
// the file, and the session is still there after a restart; a bad file is
// a usage error.
func TestServeChatPolicies(t *testing.T) {
	pol := filepath.Join(t.TempDir(), "policies.yaml")
	if err := os.WriteFile(pol, []byte("returns: |\n  Unopened items can be returned within 30 days.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	base, done := serveInProcess(t, ctx, "-data-dir", dir, "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error", "-policies", pol)
	var r assistant.Reply
	call(t, "POST", base+"/v1/chat", `{"message":"What is your return policy?"}`, http.StatusOK, &r)
	if r.Act != assistant.ActPolicy || !strings.Contains(r.Reply, "Unopened items can be returned within 30 days.") {
		t.Errorf("reply %+v", r)
	}
	call(t, "POST", base+"/v1/chat", `{"message":"hi","session":"nope"}`, http.StatusNotFound, nil)
	cancel()
	<-done

	ctx, cancel = context.WithCancel(context.Background())
	base, done = serveInProcess(t, ctx, "-data-dir", dir, "-addr", "127.0.0.1:0", "-image-model", "none", "-log-level", "error")
	defer func() {
		cancel()
		<-done
	}()
	var v assistant.SessionView
	call(t, "GET", base+"/v1/chat/"+r.Session, "", http.StatusOK, &v)
	if len(v.Turns) != 1 || v.Turns[0].Reply.Act != assistant.ActPolicy {
		t.Errorf("session after a restart: %+v", v)
	}

	bad := filepath.Join(t.TempDir(), "bad.md")
	if err := os.WriteFile(bad, []byte("no headings here"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "serve", "-data-dir", t.TempDir(), "-image-model", "none", "-policies", bad); code != 2 || !strings.Contains(stderr, "-policies") {
		t.Errorf("bad policies: exit %d, stderr %q", code, stderr)
	}
}
