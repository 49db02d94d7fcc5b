package assistant

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aislehq/aisle/openai"
)

// FuzzToolCall runs any tool call the model might make, as untrusted
// input: each gets a JSON object back (a result or an error the model is
// told), never a panic or a failed turn.
func FuzzToolCall(f *testing.F) {
	for _, c := range []struct{ name, args string }{
		{"search", `{"query":"stapler","brand":"Swingline","max_price":30}`}, {"search", `{"query":12}`}, {"search", `{"min_price":-1,"query":"x"}`},
		{"compare", `{"ids":["s1","s2"]}`}, {"compare", `{"ids":["s1"]}`}, {"ask", `{"id":"s1","question":"is it heavy?"}`},
		{"complete_cart", `{"ids":["s1","nope"]}`}, {"item_details", ``}, {"similar", `{"id":"s2"}`}, {"policy", `{"topic":"returns"}`},
		{"handoff", `{}`}, {"recommend", `null`}, {"nope", `{}`}, {"search", `{"query":"\xff"}`},
	} {
		f.Add(c.name, c.args)
	}
	f.Fuzz(func(t *testing.T, name, args string) {
		a := New(newCatalog(), Options{})
		s := &session{id: "s"}
		tu := newTurn(s, Request{Message: "hi"})
		content, err := a.runTool(context.Background(), tu, &modelTurn{sheetOf: map[string]bool{}}, openai.ToolCall{ID: "c", Name: name, Arguments: args})
		if err != nil {
			t.Fatalf("%s(%q): %v", name, args, err)
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(content), &obj); err != nil || obj == nil {
			t.Fatalf("%s(%q): %q is not a JSON object", name, args, content)
		}
	})
}
