package http

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
)

func TestChatBadInput(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"empty message", `{"message":""}`, 400, "message"},
		{"blank message", `{"message":"   "}`, 400, "message"},
		{"no message", `{"user":"u1"}`, 400, "message"},
		{"100 KB message", `{"message":"` + strings.Repeat("pen ", 25<<10) + `"}`, 400, "message"},
		{"bad lang", `{"message":"pens","lang":"fr"}`, 400, "lang"},
		{"long session", `{"message":"pens","session":"` + strings.Repeat("s", 65) + `"}`, 400, "session"},
		{"unknown session", `{"message":"pens","session":"nope"}`, 404, "session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := e.expect(tt.status, "POST", "/v1/chat", tt.body)
			if got := apiError(t, resp).Field; got != tt.field {
				t.Errorf("field %q, want %q", got, tt.field)
			}
		})
	}
	for _, m := range []string{"GET", "DELETE"} {
		if got := apiError(t, e.expect(404, m, "/v1/chat/nope", nil)).Field; got != "session" {
			t.Errorf("%s unknown session: field %q, want session", m, got)
		}
	}
}

// chat sends one turn and decodes the reply.
func (e *testEnv) chat(req assistant.Request) assistant.Reply {
	e.t.Helper()
	return decodeJSON[assistant.Reply](e.t, e.expect(http.StatusOK, "POST", "/v1/chat", req).body)
}

func TestChatDialogue(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	r := e.chat(assistant.Request{User: "u1", Message: "I need a pen"})
	if r.Session == "" || r.Act != assistant.ActResults || len(r.Items) < 2 {
		t.Fatalf("first turn: %+v", r)
	}
	for _, it := range r.Items {
		if !strings.Contains(it.Title, "pen") {
			t.Errorf("item %s %q is not a pen", it.ID, it.Title)
		}
	}
	second := r.Items[1].ID
	d := e.chat(assistant.Request{Session: r.Session, User: "u1", Message: "tell me about the second one"})
	if d.Act != assistant.ActDetails || len(d.Items) != 1 || d.Items[0].ID != second {
		t.Errorf("the second one: %+v, want details of %s", d, second)
	}
	b := e.chat(assistant.Request{Session: r.Session, User: "u1", Message: "only Bic"})
	if len(b.Items) != 1 || b.Items[0].ID != "pen-3" || b.State.Brand != "Bic" {
		t.Errorf("only Bic: %+v, want pen-3 and the brand kept", b)
	}
	off := e.chat(assistant.Request{Session: r.Session, Message: "tell me a joke"})
	if off.Act != assistant.ActRefuse || len(off.Items) != 0 {
		t.Errorf("off-topic: %+v", off)
	}
	h := e.chat(assistant.Request{Session: r.Session, User: "u1", Message: "I want to talk to a human"})
	if h.Act != assistant.ActHandoff || len(h.Actions) == 0 || h.Actions[0].Tool != "handoff" {
		t.Errorf("hand-off: %+v", h)
	}
	zh := e.chat(assistant.Request{Session: r.Session, Message: "退货政策是什么？"})
	if zh.Lang != "zh" || zh.Act != assistant.ActHandoff || !strings.Contains(zh.Reply, "不知道") {
		t.Errorf("policy with none configured: %+v", zh)
	}
	// The searches, the view and the hand-off are the shopper's events.
	evs, err := e.db.UserEvents(t.Context(), "u1", aisle.EventQuery{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, ev := range evs {
		if ev.Session == r.Session {
			kinds[string(ev.Type)+":"+ev.Name]++
		}
	}
	// Hand-offs: the one asked for, and the one offered for the policy
	// question nothing answers.
	if kinds["search:"] != 2 || kinds["view:"] != 1 || kinds["custom:handoff"] != 2 {
		t.Errorf("events %v, want 2 searches, a view and 2 hand-offs", kinds)
	}
	v := decodeJSON[assistant.SessionView](t, e.expect(http.StatusOK, "GET", "/v1/chat/"+r.Session, nil).body)
	if len(v.Turns) != 6 || v.User != "u1" || v.State.Brand != "Bic" {
		t.Errorf("session: %d turns, user %q, state %+v", len(v.Turns), v.User, v.State)
	}
	e.expect(http.StatusNoContent, "DELETE", "/v1/chat/"+r.Session, nil)
	e.expect(http.StatusNotFound, "GET", "/v1/chat/"+r.Session, nil)
	e.expect(http.StatusNotFound, "POST", "/v1/chat", assistant.Request{Session: r.Session, Message: "pens"})
}

func TestChatPolicies(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	pol, err := assistant.ParseMarkdownPolicies("# Returns\nItems can be returned within 30 days.\n# Shipping\nFree over $35.\n")
	if err != nil {
		t.Fatal(err)
	}
	e.srv.SetChatOptions(assistant.Options{Policies: pol})
	r := e.chat(assistant.Request{Message: "Can I return an opened pen?"})
	if r.Act != assistant.ActPolicy || !strings.Contains(r.Reply, "Items can be returned within 30 days.") ||
		len(r.Citations) != 1 || r.Citations[0].Title != "Returns" {
		t.Errorf("policy answer: %+v", r)
	}
}

func TestChatStream(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	// A plain client: the document's checker reads JSON bodies only.
	req, err := http.NewRequestWithContext(t.Context(), "POST", e.srv.URL()+"/v1/chat", strings.NewReader(`{"message":"pens","lang":"en"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		t.Fatalf("status %d, Content-Type %q", resp.StatusCode, ct)
	}
	var text strings.Builder
	var final assistant.Reply
	deltas := 0
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data := []byte(strings.TrimPrefix(line, "data: "))
			switch event {
			case "delta":
				var d struct{ Text string }
				if err := json.Unmarshal(data, &d); err != nil {
					t.Fatal(err)
				}
				text.WriteString(d.Text)
				deltas++
			case "reply":
				if err := json.Unmarshal(data, &final); err != nil {
					t.Fatal(err)
				}
			default:
				t.Errorf("unexpected event %q", event)
			}
		}
	}
	if deltas < 2 || final.Session == "" || text.String() != final.Reply || len(final.Items) < 2 {
		t.Errorf("%d deltas joining to %q; final reply %+v", deltas, text.String(), final)
	}
}

func TestReplyPieces(t *testing.T) {
	for _, s := range []string{"", "one", "a b c d e f g h i j k l m n o p q r s t", "line 1\nline 2\n\nend", "中文 回复\n第二行"} {
		if got := strings.Join(replyPieces(s), ""); got != s {
			t.Errorf("pieces of %q join to %q", s, got)
		}
	}
}

// cancelAfter is a ResponseWriter whose client goes away after n writes.
type cancelAfter struct {
	*httptest.ResponseRecorder
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(b []byte) (int, error) {
	c.n--
	if c.n == 0 {
		c.cancel()
	}
	return c.ResponseRecorder.Write(b)
}

func TestChatStreamStopsWhenClientGoes(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	w := &cancelAfter{ResponseRecorder: httptest.NewRecorder(), n: 3, cancel: cancel}
	long := strings.Repeat("a line of a long reply\n", 1000)
	if err := streamReply(ctx, w, assistant.Reply{Reply: long}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(w.Body.String(), "event: "); got != 3 {
		t.Errorf("%d events written, want 3 (the stream stops once the client is gone)", got)
	}
}

func TestChatForgottenWithUser(t *testing.T) {
	e := newEnv(t, nil)
	e.seedSearch()
	mine := e.chat(assistant.Request{User: "u1", Message: "pens"})
	other := e.chat(assistant.Request{User: "u2", Message: "pens"})
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1", nil)
	e.expect(http.StatusNotFound, "GET", "/v1/chat/"+mine.Session, nil)
	e.expect(http.StatusOK, "GET", "/v1/chat/"+other.Session, nil)
}
