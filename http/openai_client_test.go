package http

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// openAIPackage is where make deps installs OpenAI's official JavaScript
// client (npm openai).
var openAIPackage = filepath.Join("..", "lib", "npm", "node_modules", "openai")

// TestOpenAIClient talks to POST /v1/chat/completions over the Office
// catalog with OpenAI's official client (testdata/openai_client.mjs):
// a turn, its follow-up with the history resent, a streamed turn, an
// error and the model list.
func TestOpenAIClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH; it runs OpenAI's JavaScript client")
	}
	pkg, err := filepath.Abs(openAIPackage)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(pkg, "index.mjs")); err != nil {
		t.Skipf("OpenAI's JavaScript client is not installed at %s (make deps installs it): %v", pkg, err)
	}
	e := seedOffice(t)
	_, auth := e.newKey(aisle.RoleRead, "")
	// A bound on a hung client, not a timing assertion.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "openai_client.mjs"))
	cmd.Env = append(os.Environ(),
		"AISLE_OPENAI_PKG="+pkg,
		"AISLE_BASE_URL="+e.srv.URL()+"/v1",
		"AISLE_API_KEY="+strings.TrimPrefix(auth[1], "Bearer "),
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	type reply struct {
		ID, Object, Model, Content string
		FinishReason               string `json:"finish_reason"`
		Usage                      map[string]int
		Aisle                      *completionExtra
	}
	got := decodeJSON[struct {
		First, Second reply
		Streamed      struct {
			Chunks       int
			Content      string
			FinishReason string `json:"finish_reason"`
			Aisle        *completionExtra
			Usage        map[string]int
		}
		Error *struct {
			Status                     int
			Code, Param, Type, Message string
		}
		Models []string
	}](t, stdout)

	t.Logf("the client saw: %s", stdout)
	first := got.First
	if !strings.HasPrefix(first.ID, "chatcmpl-") || first.Object != "chat.completion" || first.Model != AssistantModel || first.Content == "" || first.FinishReason != "stop" {
		t.Errorf("first turn: %+v", first)
	}
	if first.Aisle == nil || first.Aisle.Session == "" || len(first.Aisle.Items) < 3 || first.Usage["total_tokens"] == 0 {
		t.Fatalf("first turn's aisle %+v, usage %v", first.Aisle, first.Usage)
	}
	second := got.Second
	if second.Aisle == nil || second.Aisle.Session != first.Aisle.Session || len(second.Aisle.Items) != 1 || second.Aisle.Items[0].ID != first.Aisle.Items[1].ID {
		t.Errorf("the second one: %+v, want details of %s", second.Aisle, first.Aisle.Items[1].ID)
	}
	if !strings.Contains(second.Content, first.Aisle.Items[1].Title) {
		t.Errorf("details %q do not name %q", second.Content, first.Aisle.Items[1].Title)
	}
	s := got.Streamed
	if s.Chunks < 4 || s.Content == "" || s.FinishReason != "stop" || s.Usage["completion_tokens"] != countWords(s.Content) {
		t.Errorf("streamed: %+v", s)
	}
	if s.Aisle == nil || s.Aisle.Session != first.Aisle.Session || s.Aisle.State == nil || s.Aisle.State.Color != "black" {
		t.Errorf("streamed turn's aisle: %+v", s.Aisle)
	}
	if e := got.Error; e == nil || e.Status != 404 || e.Code != "model_not_found" || e.Param != "model" || !strings.Contains(e.Message, "aisle-assistant") {
		t.Errorf("error as the client sees it: %+v", got.Error)
	}
	if len(got.Models) != 1 || got.Models[0] != AssistantModel {
		t.Errorf("models %v", got.Models)
	}
}
