package llamacpp

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle/openai"
)

var testTools = []openai.Tool{{Name: "search"}, {Name: "get_item"}}

func TestParseToolCalls(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		rest       string
		calls      []openai.ToolCall
	}{
		{"plain text", "A red shoe.", "A red shoe.", nil},
		{"one call", `<tool_call>{"name": "search", "arguments": {"query": "red shoe"}}</tool_call>`, "",
			[]openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"red shoe"}`}}},
		{"text around calls", "Let me look.\n<tool_call>\n{\"name\":\"search\",\"arguments\":{\"query\":\"a\"}}\n</tool_call>\n<tool_call>{\"name\":\"get_item\",\"arguments\":{\"id\":\"s1\"}}</tool_call> ok",
			"Let me look.\n\n ok",
			[]openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"a"}`}, {ID: "call_1", Name: "get_item", Arguments: `{"id":"s1"}`}}},
		{"unclosed last block", `<tool_call>{"name":"search","arguments":{"query":"b"}}`, "",
			[]openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"b"}`}}},
		{"string arguments", `<tool_call>{"name":"search","arguments":"{\"query\": \"c\"}"}</tool_call>`, "",
			[]openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"c"}`}}},
		{"no arguments", `<tool_call>{"name":"get_item"}</tool_call>`, "",
			[]openai.ToolCall{{ID: "call_0", Name: "get_item", Arguments: `{}`}}},
		{"bare object", ` {"name": "search", "arguments": {"query": "d"}} `, "",
			[]openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"d"}`}}},
		{"fenced object", "```json\n{\"name\": \"search\", \"arguments\": {\"query\": \"e\"}}\n```", "",
			[]openai.ToolCall{{ID: "call_0", Name: "search", Arguments: `{"query":"e"}`}}},
		{"unknown tool stays text", `<tool_call>{"name":"delete_all","arguments":{}}</tool_call>`, `<tool_call>{"name":"delete_all","arguments":{}}</tool_call>`, nil},
		{"bad JSON stays text", `x <tool_call>{"name": "search", </tool_call> y`, `x <tool_call>{"name": "search", </tool_call> y`, nil},
		{"object with more text", `{"name":"search","arguments":{}} and more`, `{"name":"search","arguments":{}} and more`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rest, calls := parseToolCalls(tt.text, testTools)
			if rest != tt.rest {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
			if diff := cmp.Diff(calls, tt.calls); diff != "" {
				t.Errorf("calls (-got +want):\n%s", diff)
			}
		})
	}
}

func TestParseToolCallsCap(t *testing.T) {
	text := strings.Repeat(`<tool_call>{"name":"search","arguments":{}}</tool_call>`, maxToolCalls+3)
	rest, calls := parseToolCalls(text, testTools)
	if len(calls) != maxToolCalls {
		t.Errorf("%d calls, want %d", len(calls), maxToolCalls)
	}
	if strings.Count(rest, callOpen) != 3 {
		t.Errorf("rest keeps %d blocks, want 3", strings.Count(rest, callOpen))
	}
}

// TestFormatToolCallRoundTrip checks the calls sent back in the
// conversation read as the calls they were.
func TestFormatToolCallRoundTrip(t *testing.T) {
	for _, tc := range []openai.ToolCall{
		{ID: "call_0", Name: "search", Arguments: `{"query":"red shoe"}`},
		{ID: "call_0", Name: "get_item", Arguments: `{}`},
	} {
		_, calls := parseToolCalls(formatToolCall(tc), testTools)
		if diff := cmp.Diff(calls, []openai.ToolCall{tc}); diff != "" {
			t.Errorf("round trip (-got +want):\n%s", diff)
		}
	}
}

func FuzzParseToolCalls(f *testing.F) {
	for _, s := range []string{
		"", "plain", `<tool_call>{"name":"search","arguments":{"q":1}}</tool_call>`,
		`<tool_call>{"name":"search"`, "```json\n{\"name\":\"get_item\"}\n```",
		`<tool_call><tool_call></tool_call></tool_call>`, `{"name":"search","arguments":"not json"}`,
		`{"name":"search","arguments":"\"x\""}`,
		"\xff<tool_call>{\"name\":\"search\",\"arguments\":[1,2]}</tool_call>\xfe",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rest, calls := parseToolCalls(text, testTools)
		if len(calls) > maxToolCalls {
			t.Fatalf("%d calls", len(calls))
		}
		if len(rest) > len(text) {
			t.Fatalf("rest %q longer than text %q", rest, text)
		}
		for i, c := range calls {
			if c.Name != "search" && c.Name != "get_item" {
				t.Fatalf("call %d names unknown tool %q", i, c.Name)
			}
			if c.ID == "" {
				t.Fatalf("call %d has no ID", i)
			}
		}
		// A call written back reads as the same call.
		for _, c := range calls {
			if !json.Valid([]byte(c.Arguments)) {
				continue
			}
			_, again := parseToolCalls(formatToolCall(c), testTools)
			if len(again) != 1 || again[0].Name != c.Name || again[0].Arguments != c.Arguments {
				t.Fatalf("call %+v reads back as %+v", c, again)
			}
		}
	})
}
