package llamacpp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aislehq/aisle/openai"
)

// maxToolCalls caps the tool calls read from one reply.
const maxToolCalls = 16

// Tool-call tags of the Hermes format.
const (
	callOpen  = "<tool_call>"
	callClose = "</tool_call>"
)

// checkTools validates tools and choice as openai.Client does, and
// reports whether the model is to be offered the tools.
func checkTools(tools []openai.Tool, choice string) (bool, error) {
	names := make(map[string]bool, len(tools))
	for i, t := range tools {
		if !validToolName(t.Name) {
			return false, fmt.Errorf("tool %d: name %q must be 1 to 64 letters, digits, '_' or '-'", i, t.Name)
		}
		if names[t.Name] {
			return false, fmt.Errorf("tool %d: duplicate name %q", i, t.Name)
		}
		names[t.Name] = true
		if t.Parameters != nil {
			var obj map[string]any
			if err := json.Unmarshal(t.Parameters, &obj); err != nil || obj == nil {
				return false, fmt.Errorf("tool %d (%s): parameters must be a JSON Schema object", i, t.Name)
			}
		}
	}
	switch {
	case choice == "" || choice == "auto" || choice == "required":
	case choice == "none":
		return false, nil
	case !names[choice]:
		return false, fmt.Errorf("tool choice %q is not auto, none, required or the name of a tool", choice)
	}
	return len(tools) > 0, nil
}

// validToolName reports whether name is 1 to 64 of [A-Za-z0-9_-].
func validToolName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// toolSpec is a tool as the prompt lists it.
type toolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// toolPrompt is the system prompt's part that offers tools.
func toolPrompt(tools []openai.Tool, choice string) string {
	var b strings.Builder
	b.WriteString("You may call functions to help answer. The functions, with the JSON Schema of their arguments:\n")
	for _, t := range tools {
		spec, _ := json.Marshal(toolSpec{Name: t.Name, Description: t.Description, Parameters: t.Parameters})
		b.Write(spec)
		b.WriteByte('\n')
	}
	b.WriteString("To call a function, answer with only\n" + callOpen + `{"name": "<function name>", "arguments": {<arguments>}}` + callClose +
		"\none such line per call. The results come back in the next message; then answer the user.")
	switch choice {
	case "", "auto":
	case "required":
		b.WriteString("\nYou must call at least one function.")
	default:
		fmt.Fprintf(&b, "\nYou must call the function %s.", choice)
	}
	return b.String()
}

// wireCall is a tool call as the model writes it.
type wireCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// formatToolCall writes tc as the model is asked to write calls, for
// assistant messages sent back in the conversation.
func formatToolCall(tc openai.ToolCall) string {
	args := json.RawMessage(tc.Arguments)
	if !json.Valid(args) {
		args, _ = json.Marshal(tc.Arguments)
	}
	b, err := json.Marshal(wireCall{Name: tc.Name, Arguments: args})
	if err != nil {
		return callOpen + tc.Name + callClose
	}
	return callOpen + string(b) + callClose
}

// parseToolCalls reads the tool calls in a model's reply text: every
// <tool_call>…</tool_call> block holding {"name": …, "arguments": …} with
// the name of one of tools (the last block's closing tag may be missing,
// cut off by the token limit), or, when there are no tags, a reply that
// is only such an object, bare or in a ``` fence. It returns the text
// left when the calls are taken out, trimmed, and the calls, IDs "call_0"
// on; Arguments is the arguments' compact JSON ("{}" when absent; a
// string holding a JSON object, as some models write, is unquoted).
// Blocks it cannot read stay in the text. It never fails: untrusted text
// yields no calls.
func parseToolCalls(text string, tools []openai.Tool) (string, []openai.ToolCall) {
	known := make(map[string]bool, len(tools))
	for _, t := range tools {
		known[t.Name] = true
	}
	var calls []openai.ToolCall
	add := func(body string) bool {
		if len(calls) >= maxToolCalls {
			return false
		}
		name, args, err := decodeCall(body)
		if err != nil || !known[name] {
			return false
		}
		calls = append(calls, openai.ToolCall{ID: fmt.Sprintf("call_%d", len(calls)), Name: name, Arguments: args})
		return true
	}
	if !strings.Contains(text, callOpen) {
		if add(text) {
			return "", calls
		}
		return strings.TrimSpace(text), nil
	}
	var rest strings.Builder
	s := text
	for {
		i := strings.Index(s, callOpen)
		if i < 0 {
			rest.WriteString(s)
			break
		}
		rest.WriteString(s[:i])
		body := s[i+len(callOpen):]
		j := strings.Index(body, callClose)
		next := ""
		if j >= 0 {
			body, next = body[:j], body[j+len(callClose):]
		}
		if !add(body) {
			rest.WriteString(s[i : len(s)-len(next)])
		}
		if j < 0 {
			break
		}
		s = next
	}
	return strings.TrimSpace(rest.String()), calls
}

// decodeCall reads one call's JSON object, bare or fenced.
func decodeCall(body string) (string, string, error) {
	body = strings.TrimSpace(body)
	if strings.HasPrefix(body, "```") {
		body = strings.TrimPrefix(body, "```")
		body = strings.TrimPrefix(body, "json")
		body = strings.TrimSuffix(strings.TrimSpace(body), "```")
		body = strings.TrimSpace(body)
	}
	if !strings.HasPrefix(body, "{") {
		return "", "", errors.New("not a JSON object")
	}
	var c wireCall
	if err := json.Unmarshal([]byte(body), &c); err != nil {
		return "", "", err
	}
	args := bytes.TrimSpace(c.Arguments)
	switch {
	case len(args) == 0 || bytes.Equal(args, []byte("null")):
		return c.Name, "{}", nil
	case args[0] == '"':
		var s string
		if err := json.Unmarshal(args, &s); err != nil {
			return "", "", err
		}
		if t := strings.TrimSpace(s); strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
			return c.Name, compact(t), nil
		}
	}
	return c.Name, compact(string(args)), nil
}

// compact returns the JSON text s without insignificant space.
func compact(s string) string {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		return s
	}
	return b.String()
}
