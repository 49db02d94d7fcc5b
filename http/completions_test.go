package http

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/search"
)

// openAIErrorBody is OpenAI's error shape, with every member required.
type openAIErrorBody struct {
	Error struct {
		Message *string `json:"message"`
		Type    *string `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	} `json:"error"`
}

// openAIError decodes an error response in OpenAI's shape, failing t
// when a member is missing.
func openAIError(t *testing.T, resp response) (param, code, typ string) {
	t.Helper()
	var raw map[string]map[string]json.RawMessage
	if err := json.Unmarshal(resp.body, &raw); err != nil {
		t.Fatalf("decode %s: %v", resp.body, err)
	}
	for _, k := range []string{"message", "type", "param", "code"} {
		if _, ok := raw["error"][k]; !ok {
			t.Errorf("error %s has no %s", resp.body, k)
		}
	}
	b := decodeJSON[openAIErrorBody](t, resp.body)
	if b.Error.Message == nil || *b.Error.Message == "" || b.Error.Type == nil {
		t.Errorf("error %s: no message or type", resp.body)
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	return deref(b.Error.Param), deref(b.Error.Code), deref(b.Error.Type)
}

// completionReply is a chat.completion as a client reads it.
type completionReply struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	Model   string `json:"model"`
	Choices []struct {
		Index   int `json:"index"`
		Message struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage completionUsage `json:"usage"`
	Aisle completionExtra `json:"aisle"`
}

// msg is one message of a request.
type msg struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// complete sends a non-streaming completion request and decodes the reply.
func (e *testEnv) complete(body map[string]any, headers ...string) completionReply {
	e.t.Helper()
	if _, ok := body["model"]; !ok {
		body["model"] = AssistantModel
	}
	return decodeJSON[completionReply](e.t, e.expect(http.StatusOK, "POST", "/v1/chat/completions", body, headers...).body)
}

func TestChatCompletion(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	c := e.complete(map[string]any{"user": "u1", "messages": []msg{
		{"system", "You are a helpful assistant."},
		{"user", "I need a pen"},
	}})
	if !strings.HasPrefix(c.ID, "chatcmpl-") || c.Object != "chat.completion" || c.Model != AssistantModel || c.Created == 0 {
		t.Errorf("envelope %+v", c)
	}
	if len(c.Choices) != 1 || c.Choices[0].Message.Role != "assistant" || c.Choices[0].Message.Content == "" || c.Choices[0].FinishReason != "stop" {
		t.Fatalf("choices %+v", c.Choices)
	}
	if c.Aisle.Session == "" || c.Aisle.Act != assistant.ActResults || len(c.Aisle.Items) < 2 || len(c.Aisle.Actions) == 0 {
		t.Errorf("aisle %+v", c.Aisle)
	}
	for _, it := range c.Aisle.Items {
		if !strings.Contains(it.Title, "pen") {
			t.Errorf("item %s %q is not a pen", it.ID, it.Title)
		}
	}
	if c.Usage.PromptTokens != 4 || c.Usage.CompletionTokens != countWords(c.Choices[0].Message.Content) ||
		c.Usage.TotalTokens != c.Usage.PromptTokens+c.Usage.CompletionTokens {
		t.Errorf("usage %+v for %q", c.Usage, c.Choices[0].Message.Content)
	}
	// The turn is the session's, as POST /v1/chat's are.
	v := decodeJSON[assistant.SessionView](t, e.expect(http.StatusOK, "GET", "/v1/chat/"+c.Aisle.Session, nil).body)
	if v.User != "u1" || len(v.Turns) != 1 || v.Turns[0].Message != "I need a pen" {
		t.Errorf("session %+v", v)
	}
	// Text parts, and an explicit session.
	d := e.complete(map[string]any{"user": "u1", "session": c.Aisle.Session, "lang": "en", "messages": []msg{
		{"user", []map[string]string{{"type": "text", "text": "tell me about"}, {"type": "text", "text": "the second one"}}},
	}})
	if d.Aisle.Session != c.Aisle.Session || d.Aisle.Act != assistant.ActDetails || len(d.Aisle.Items) != 1 || d.Aisle.Items[0].ID != c.Aisle.Items[1].ID {
		t.Errorf("the second one, by session: %+v, want details of %s", d.Aisle, c.Aisle.Items[1].ID)
	}
	models := decodeJSON[struct {
		Object string
		Data   []struct{ ID string }
	}](t, e.expect(http.StatusOK, "GET", "/v1/models", nil).body)
	if models.Object != "list" || len(models.Data) != 1 || models.Data[0].ID != AssistantModel {
		t.Errorf("models %+v", models)
	}
}

// streamCompletion sends a streaming request with a plain client (the
// document's checker reads JSON bodies only) and returns the chunks, in
// order, and whether the stream ended with [DONE].
func (e *testEnv) streamCompletion(body string, headers ...string) ([]map[string]json.RawMessage, bool) {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), "POST", e.srv.URL()+"/v1/chat/completions", strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		e.t.Fatalf("status %d, Content-Type %q", resp.StatusCode, ct)
	}
	var chunks []map[string]json.RawMessage
	done := false
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		switch {
		case !ok:
			e.t.Errorf("line %q is not a data line", line)
		case done:
			e.t.Errorf("data after [DONE]: %q", line)
		case data == "[DONE]":
			done = true
		default:
			chunks = append(chunks, decodeJSON[map[string]json.RawMessage](e.t, []byte(data)))
		}
	}
	return chunks, done
}

func TestChatCompletionStream(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	chunks, done := e.streamCompletion(`{"model":"aisle-assistant","stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"messages":[{"role":"user","content":"pens"}]}`)
	if !done || len(chunks) < 5 {
		t.Fatalf("%d chunks, done %t", len(chunks), done)
	}
	type choice struct {
		Delta struct {
			Role    string  `json:"role"`
			Content *string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	}
	var text strings.Builder
	var extra completionExtra
	var usage completionUsage
	id := string(chunks[0]["id"])
	for i, ch := range chunks {
		if string(ch["object"]) != `"chat.completion.chunk"` || string(ch["id"]) != id || string(ch["model"]) != `"aisle-assistant"` {
			t.Errorf("chunk %d envelope: %v", i, ch)
		}
		choices := decodeJSON[[]choice](t, ch["choices"])
		switch {
		case i == 0:
			if len(choices) != 1 || choices[0].Delta.Role != "assistant" {
				t.Errorf("first chunk %v: want the role", choices)
			}
		case i == len(chunks)-1:
			if len(choices) != 0 || ch["usage"] == nil {
				t.Errorf("last chunk: choices %v, usage %s; want the usage only", choices, ch["usage"])
			}
			usage = decodeJSON[completionUsage](t, ch["usage"])
		case i == len(chunks)-2:
			if len(choices) != 1 || choices[0].FinishReason == nil || *choices[0].FinishReason != "stop" || ch["aisle"] == nil {
				t.Errorf("finishing chunk %v: want finish_reason stop and aisle", ch)
			}
			extra = decodeJSON[completionExtra](t, ch["aisle"])
		default:
			if len(choices) != 1 || choices[0].Delta.Content == nil || choices[0].FinishReason != nil {
				t.Errorf("chunk %d: %v, want a piece of text", i, ch)
				continue
			}
			text.WriteString(*choices[0].Delta.Content)
		}
	}
	if text.Len() == 0 || extra.Session == "" || len(extra.Items) < 2 || usage.CompletionTokens != countWords(text.String()) || usage.PromptTokens != 1 {
		t.Errorf("text %q, aisle %+v, usage %+v", text.String(), extra, usage)
	}
	// Without include_usage: no usage chunk, the last one finishes.
	chunks, done = e.streamCompletion(`{"model":"aisle-assistant","stream":true,"messages":[{"role":"user","content":"mugs"}]}`)
	if last := chunks[len(chunks)-1]; !done || last["aisle"] == nil || last["usage"] != nil {
		t.Errorf("done %t, last chunk %v", done, last)
	}
}

func TestChatCompletionStreamStopsWhenClientGoes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w := &cancelAfter{ResponseRecorder: httptest.NewRecorder(), n: 3, cancel: cancel}
	long := strings.Repeat("a line of a long reply\n", 1000)
	c := newCompletion(1, assistant.Reply{Reply: long}, "hi")
	if err := streamCompletion(ctx, w, c, true); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(w.Body.String(), "data: "); got != 3 || strings.Contains(w.Body.String(), "[DONE]") {
		t.Errorf("%d chunks written, want 3 and no [DONE] (the stream stops once the client is gone)", got)
	}
}

// seedOffice stores the whole Office catalog, attributes extracted, and
// indexes it for search; it skips t when the catalog is absent, and
// under -short (as other tests importing whole real datasets do).
func seedOffice(t *testing.T) *testEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("imports the whole Office catalog")
	}
	e := newAskEnv(t, nil)
	items, err := importer.ReadItems(t.Context(), askOfficeDir, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpsertItems(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.UpsertUsers(t.Context(), []aisle.User{{ID: "shopper-1"}}); err != nil {
		t.Fatal(err)
	}
	page, err := e.db.ListItems(t.Context(), aisle.ItemFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	x := search.New(search.Config{}, search.Deps{}, nil)
	for {
		if err := x.Upsert(page.Items, nil); err != nil {
			t.Fatal(err)
		}
		if page.NextCursor == "" {
			break
		}
		if page, err = e.db.ListItems(t.Context(), aisle.ItemFilter{Limit: 1000, Cursor: page.NextCursor}); err != nil {
			t.Fatal(err)
		}
	}
	e.srv.SetSearcher(x)
	return e
}

// TestChatCompletionFollowUp holds a conversation on the Office catalog
// the way chat UIs do, resending the whole history and no session.
func TestChatCompletionFollowUp(t *testing.T) {
	e := seedOffice(t)
	history := []msg{{"system", "You are Aisle."}, {"user", "I need a stapler"}}
	first := e.complete(map[string]any{"user": "shopper-1", "messages": history})
	if first.Aisle.Act != assistant.ActResults || len(first.Aisle.Items) < 3 {
		t.Fatalf("first turn: %q %+v", first.Choices[0].Message.Content, first.Aisle)
	}
	for _, it := range first.Aisle.Items {
		if !strings.Contains(strings.ToLower(it.Title+" "+strings.Join(it.Category, " ")), "stapl") {
			t.Errorf("item %s %q is not a stapler", it.ID, it.Title)
		}
	}
	// A chat UI may trim the reply and change the system prompt.
	history = append(history, msg{"assistant", strings.TrimSpace(first.Choices[0].Message.Content)}, msg{"user", "tell me about the second one"})
	history[0].Content = "You are Aisle. Today is Monday."
	second := e.complete(map[string]any{"user": "shopper-1", "messages": history})
	if second.Aisle.Session != first.Aisle.Session || second.Aisle.Act != assistant.ActDetails ||
		len(second.Aisle.Items) != 1 || second.Aisle.Items[0].ID != first.Aisle.Items[1].ID {
		t.Fatalf("the second one: %+v, want details of %s in session %s", second.Aisle, first.Aisle.Items[1].ID, first.Aisle.Session)
	}
	if !strings.Contains(second.Choices[0].Message.Content, first.Aisle.Items[1].Title) {
		t.Errorf("details %q do not name %q", second.Choices[0].Message.Content, first.Aisle.Items[1].Title)
	}
	// Three turns deep, with array content.
	history = append(history, msg{"assistant", []map[string]string{{"type": "text", "text": second.Choices[0].Message.Content}}}, msg{"user", "in black"})
	third := e.complete(map[string]any{"user": "shopper-1", "messages": history})
	if third.Aisle.Session != first.Aisle.Session || third.Aisle.State == nil || third.Aisle.State.Color != "black" || third.Aisle.State.Topic == "" {
		t.Errorf("in black: %+v", third.Aisle)
	}
	// The same history again (a regenerated reply): that session has
	// moved on, so a new one starts.
	again := e.complete(map[string]any{"user": "shopper-1", "messages": history[:4]})
	if again.Aisle.Session == first.Aisle.Session {
		t.Errorf("a history whose session moved on continued it")
	}
	// Another user, or another key, with the same history: a new session.
	other := e.complete(map[string]any{"user": "someone-else", "messages": history[:4]})
	if other.Aisle.Session == first.Aisle.Session || other.Aisle.Session == again.Aisle.Session {
		t.Errorf("another user's request continued a session")
	}
	// A history this server never answered starts a new session.
	made := e.complete(map[string]any{"messages": []msg{{"user", "I need a stapler"}, {"assistant", "Here are some staplers."}, {"user", "the second one"}}})
	if made.Aisle.Session == first.Aisle.Session || made.Aisle.Session == "" {
		t.Errorf("an unknown history continued session %s", made.Aisle.Session)
	}
}

func TestConversationsBounded(t *testing.T) {
	c := conversations{max: 3}
	key := func(i int) convKey {
		return historyKey("key", "u", []chatMessage{{"user", fmt.Sprint("message ", i)}})
	}
	for i := range 5 {
		c.put(key(i), fmt.Sprint("s", i))
		if i == 2 {
			c.get(key(0)) // 0 is now the most recently used; 1 goes first
		}
	}
	if c.len() != 3 {
		t.Errorf("%d conversations kept, want 3", c.len())
	}
	for i, want := range []string{"s0", "", "", "s3", "s4"} {
		if got, _ := c.get(key(i)); got != want {
			t.Errorf("conversation %d: session %q, want %q", i, got, want)
		}
	}
	c.forget(key(3))
	if _, ok := c.get(key(3)); ok || c.len() != 2 {
		t.Errorf("forgotten conversation still there")
	}
	// The zero value holds maxConversations.
	var z conversations
	for i := range maxConversations + 10 {
		z.put(key(i), "s")
	}
	if z.len() != maxConversations {
		t.Errorf("zero value kept %d, want %d", z.len(), maxConversations)
	}
	// What identifies a conversation.
	base := []chatMessage{{"user", "pens"}, {"assistant", "Here are pens."}}
	k := historyKey("key", "u", base)
	for name, other := range map[string]convKey{
		"other key":     historyKey("key2", "u", base),
		"other user":    historyKey("key", "u2", base),
		"other reply":   historyKey("key", "u", []chatMessage{{"user", "pens"}, {"assistant", "Here are mugs."}}),
		"roles swapped": historyKey("key", "u", []chatMessage{{"assistant", "pens"}, {"user", "Here are pens."}}),
		"split text":    historyKey("key", "u", []chatMessage{{"user", "pens"}, {"assistant", "Here are"}, {"assistant", "pens."}}),
	} {
		if other == k {
			t.Errorf("%s: same key", name)
		}
	}
	if historyKey("key", "u", []chatMessage{{"system", "be nice"}, {"user", " pens\n"}, {"tool", "x"}, {"assistant", "Here are pens."}}) != k {
		t.Errorf("system and tool messages or white space changed the key")
	}
}

func TestChatCompletionBadInput(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	user := func(content string) string {
		return `{"model":"aisle-assistant","messages":[{"role":"user","content":` + content + `}]}`
	}
	tests := []struct {
		name, body  string
		status      int
		param, code string
	}{
		{"other model", `{"model":"gpt-4o","messages":[{"role":"user","content":"pens"}]}`, 404, "model", "model_not_found"},
		{"no model", `{"messages":[{"role":"user","content":"pens"}]}`, 400, "model", "invalid"},
		{"model not a string", `{"model":4,"messages":[{"role":"user","content":"pens"}]}`, 400, "model", "invalid"},
		{"no messages", `{"model":"aisle-assistant"}`, 400, "messages", "invalid"},
		{"empty messages", `{"model":"aisle-assistant","messages":[]}`, 400, "messages", "invalid"},
		{"messages not an array", `{"model":"aisle-assistant","messages":"pens"}`, 400, "messages", "invalid"},
		{"message not an object", `{"model":"aisle-assistant","messages":["pens"]}`, 400, "messages[0]", "invalid"},
		{"role not a string", `{"model":"aisle-assistant","messages":[{"role":1,"content":"pens"}]}`, 400, "messages[0].role", "invalid"},
		{"unknown role", `{"model":"aisle-assistant","messages":[{"role":"robot","content":"pens"}]}`, 400, "messages[0].role", "invalid"},
		{"last not the user's", `{"model":"aisle-assistant","messages":[{"role":"user","content":"pens"},{"role":"assistant","content":"Here."}]}`, 400, "messages[1].role", "invalid"},
		{"content a number", user(`5`), 400, "messages[0].content", "invalid"},
		{"empty content", user(`""`), 400, "messages[0].content", "invalid"},
		{"null content", user(`null`), 400, "messages[0].content", "invalid"},
		{"100 KB message", user(`"` + strings.Repeat("pen ", 25<<10) + `"`), 400, "messages[0].content", "invalid"},
		{"image part", user(`[{"type":"text","text":"like this"},{"type":"image_url","image_url":{"url":"https://x.example/a.png"}}]`), 400, "messages[0].content[1].type", "invalid"},
		{"part without type", user(`[{"text":"pens"}]`), 400, "messages[0].content[0].type", "invalid"},
		{"text part without text", user(`[{"type":"text"}]`), 400, "messages[0].content[0].text", "invalid"},
		{"part not an object", user(`["pens"]`), 400, "messages[0].content[0]", "invalid"},
		{"unknown message field", `{"model":"aisle-assistant","messages":[{"role":"user","content":"pens","mood":"happy"}]}`, 400, "messages[0].mood", "invalid"},
		{"stream not a bool", `{"model":"aisle-assistant","stream":"yes","messages":[{"role":"user","content":"pens"}]}`, 400, "stream", "invalid"},
		{"user not a string", `{"model":"aisle-assistant","user":7,"messages":[{"role":"user","content":"pens"}]}`, 400, "user", "invalid"},
		{"unknown field", `{"model":"aisle-assistant","foo":1,"messages":[{"role":"user","content":"pens"}]}`, 400, "foo", "invalid"},
		{"n of 2", `{"model":"aisle-assistant","n":2,"messages":[{"role":"user","content":"pens"}]}`, 400, "n", "invalid"},
		{"bad lang", `{"model":"aisle-assistant","lang":"fr","messages":[{"role":"user","content":"pens"}]}`, 400, "lang", "invalid"},
		{"unknown session", `{"model":"aisle-assistant","session":"nope","messages":[{"role":"user","content":"pens"}]}`, 404, "session", "not_found"},
		{"not JSON", `pens`, 400, "", "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.expect(tt.status, "POST", "/v1/chat/completions", tt.body)
			param, code, typ := openAIError(t, resp)
			if param != tt.param || code != tt.code || typ != "invalid_request_error" {
				t.Errorf("param %q code %q type %q, want %q %q invalid_request_error; body %s", param, code, typ, tt.param, tt.code, resp.body)
			}
		})
	}
	resp := e.expect(http.StatusUnsupportedMediaType, "POST", "/v1/chat/completions", user(`"pens"`), "Content-Type", "text/plain")
	if _, code, _ := openAIError(t, resp); code != codeUnsupportedMediaType {
		t.Errorf("text/plain: code %q", code)
	}
}

func TestChatCompletionAuth(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	body := `{"model":"aisle-assistant","messages":[{"role":"user","content":"pens"}]}`
	_, read := e.newKey(aisle.RoleRead, "")
	resp := e.expect(http.StatusUnauthorized, "POST", "/v1/chat/completions", body)
	if _, code, typ := openAIError(t, resp); code != aisle.EUNAUTHORIZED || typ != "authentication_error" {
		t.Errorf("no key: code %q type %q", code, typ)
	}
	e.expect(http.StatusUnauthorized, "POST", "/v1/chat", `{"message":"pens"}`)
	e.expect(http.StatusUnauthorized, "GET", "/v1/models", nil)
	e.expect(http.StatusOK, "POST", "/v1/chat/completions", body, read...)
	e.expect(http.StatusOK, "GET", "/v1/models", nil, read...)

	// A key bound to a shopper chats as that shopper, and only as them.
	_, own := e.newKey(aisle.RoleRead, "u1")
	c := decodeJSON[completionReply](t, e.expect(http.StatusOK, "POST", "/v1/chat/completions", body, own...).body)
	v := decodeJSON[assistant.SessionView](t, e.expect(http.StatusOK, "GET", "/v1/chat/"+c.Aisle.Session, nil, own...).body)
	if v.User != "u1" {
		t.Errorf("bound key's session is %q's, want u1's", v.User)
	}
	resp = e.expect(http.StatusForbidden, "POST", "/v1/chat/completions", `{"model":"aisle-assistant","user":"u2","messages":[{"role":"user","content":"pens"}]}`, own...)
	if param, _, typ := openAIError(t, resp); param != "user" || typ != "permission_error" {
		t.Errorf("other shopper: param %q type %q", param, typ)
	}
}
