package http

import (
	"testing"
	"unicode/utf8"

	"github.com/aislehq/aisle"
)

// FuzzParseCompletion checks that any body either parses into a request
// whose last message is the user's, or fails with a client error naming
// where, and never panics.
func FuzzParseCompletion(f *testing.F) {
	for _, s := range []string{
		`{"model":"aisle-assistant","messages":[{"role":"user","content":"pens"}]}`,
		`{"model":"aisle-assistant","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"I need a stapler"},{"role":"assistant","content":[{"type":"text","text":"Here."}]},{"role":"user","content":[{"type":"text","text":"the second one"}]}]}`,
		`{"model":"aisle-assistant","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`,
		`{"model":"aisle-assistant","messages":[{"role":"assistant","content":null,"tool_calls":[]},{"role":"tool","content":"x","tool_call_id":"1"},{"role":"user","content":"ok"}],"n":1,"user":"u1","session":"s","lang":"zh","temperature":0.5}`,
		`{"model":"gpt-4o","messages":[]}`,
		`{"messages":[1,"a",null,{}]}`,
		`[]`, `{}`, ``, `{"model":"aisle-assistant","messages":[{"role":"user","content":{"a":1}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return // readBody refuses these before parsing
		}
		req, err := parseCompletion(body)
		if err != nil {
			switch aisle.ErrorCode(err) {
			case aisle.EINVALID:
			case aisle.ENOTFOUND:
				if aisle.ErrorField(err) != "model" {
					t.Errorf("not found naming %q", aisle.ErrorField(err))
				}
			default:
				t.Errorf("error %v has code %s", err, aisle.ErrorCode(err))
			}
			return
		}
		if req.Model != AssistantModel || len(req.Messages) == 0 || req.last().role != "user" {
			t.Errorf("accepted %+v", req)
		}
		for _, m := range req.Messages {
			if !messageRoles[m.role] {
				t.Errorf("accepted role %q", m.role)
			}
		}
	})
}
