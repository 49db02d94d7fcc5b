package assistant_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/openai"
)

// benchReply is the fake model's final text: the first item found named,
// and a claim no tool result supports, for the checker to remove.
func benchReply(title string) string {
	return fmt.Sprintf("I found the %s. It is a great choice for a busy office. It comes with a 25 year warranty.", title)
}

// scriptedModel is an in-process Model answering at once: a search for
// staplers, then benchReply.
type scriptedModel struct{}

func (scriptedModel) Complete(_ context.Context, msgs []openai.Message, _ openai.ChatOptions) (openai.Completion, error) {
	last := msgs[len(msgs)-1]
	if last.Role == "user" {
		return openai.Completion{ToolCalls: []openai.ToolCall{{ID: "call_1", Name: "search", Arguments: `{"query":"stapler","brand":"Swingline"}`}}, FinishReason: "tool_calls"}, nil
	}
	var res map[string]any
	_ = json.Unmarshal([]byte(last.Content), &res)
	_, title := firstItem(res)
	return openai.Completion{Content: benchReply(title), FinishReason: "stop"}, nil
}

// BenchmarkChatTurn times one turn ("I need a Swingline stapler", a new
// session each) over the Office catalog: built in; with an in-process
// model that answers at once (Aisle's own overhead in model mode: the
// prompt, two rounds, the search tool, fact sheets and the claim
// checker); and with the fake OpenAI-compatible server on loopback (the
// same plus the client, HTTP and SSE).
func BenchmarkChatTurn(b *testing.B) {
	tools := newOfficeTools(b)
	fake := newFakeModel(b, func(_ int, req wireReq) step {
		if req.Messages[len(req.Messages)-1].Role == "user" {
			return step{calls: []call{{"search", `{"query":"stapler","brand":"Swingline"}`}}}
		}
		_, title := firstItem(req.lastToolResult())
		return step{text: benchReply(title)}
	})
	for _, c := range []struct {
		name  string
		model assistant.Model
		mode  string
	}{
		{"builtin", nil, assistant.ModeBuiltin},
		{"llm-inprocess", scriptedModel{}, assistant.ModeLLM},
		{"llm-http", fake.model(b), assistant.ModeLLM},
	} {
		b.Run(c.name, func(b *testing.B) {
			a := assistant.New(tools, assistant.Options{Model: c.model, MaxSessions: 1 << 20})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				r, err := a.Chat(ctx, assistant.Request{Message: "I need a Swingline stapler"})
				if err != nil || r.Mode != c.mode || len(r.Items) == 0 {
					b.Fatalf("mode %s, %d items, %v", r.Mode, len(r.Items), err)
				}
			}
		})
	}
}
