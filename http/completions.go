package http

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
)

// AssistantModel is the model name POST /v1/chat/completions answers to:
// the built-in shopping assistant (or the one SetAssistant installed).
const AssistantModel = "aisle-assistant"

// completionsPattern is the route of the OpenAI-compatible facade; its
// errors are written in OpenAI's error shape (see writeError).
const completionsPattern = "POST /v1/chat/completions"

// completionRoutes registers the OpenAI-compatible facade over the
// shopping assistant, for the same keys as POST /v1/chat.
func (s *Server) completionRoutes() []route {
	return []route{
		{completionsPattern, s.handle(s.chatCompletion), readOnly},
		{"GET /v1/models", s.handle(s.listModels), readOnly},
	}
}

// chatCompletion answers POST /v1/chat/completions: an OpenAI chat
// completion request ({"model":"aisle-assistant","messages":[…],
// "stream","user"} and the extra fields "session" and "lang") answered by
// the shopping assistant, so that OpenAI's clients and chat UIs can talk
// to it.
//
// The assistant reads the last message, which must be the user's, with
// text content (a string or an array of text parts; image, audio and file
// parts are refused). The earlier messages choose the session: with
// "session" that session is continued; without it, a request whose
// earlier user and assistant messages are a conversation this server
// answered (for the same API key and user) continues that conversation's
// session, so that "the second one" means what it meant, and anything
// else starts a new session. A conversation whose session has moved on
// (an edited or regenerated reply, the same history sent twice) starts a
// new one. The mapping is kept in memory for the last maxConversations
// conversations (s.convos). System and developer messages, tools and sampling settings
// are accepted and ignored; "n" must be 1.
//
// The reply is a chat.completion object: the reply's text in
// choices[0].message.content, finish_reason "stop", usage counting words
// (see completionUsage), and the assistant's session, items, actions,
// citations and comparison table in the extra top-level field "aisle".
// With "stream": true the reply comes as server-sent events, each a
// "data:" line holding a chat.completion.chunk: the role, pieces of the
// text, then a chunk with finish_reason "stop" and "aisle"; with
// stream_options.include_usage a last chunk with the usage; then "data:
// [DONE]". A client that goes away stops the turn.
//
// Errors are OpenAI's shape, {"error":{"message","type","param","code"}},
// param naming the field ("messages[2].content"): 400 for a bad body,
// 404 with code model_not_found for another model, 404 naming session
// for an unknown or expired one, and the statuses of POST /v1/chat
// otherwise.
func (s *Server) chatCompletion(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	req, err := parseCompletion(body)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if req.User == "" {
		// A key bound to a shopper chats as that shopper.
		req.User = principalFrom(ctx).shopper()
	}
	if err := checkShopper(ctx, "user", req.User); err != nil {
		return err
	}
	turn := assistant.Request{Session: req.Session, User: req.User, Message: req.last().text, Lang: req.Lang}
	if err := assistant.CheckRequest(turn); err != nil {
		return completionFieldError(err, len(req.Messages)-1)
	}
	a := s.assistantOf()
	actor := principalFrom(ctx).actor()
	var prior convKey
	if turn.Session == "" && len(req.Messages) > 1 {
		prior = historyKey(actor, req.User, req.Messages[:len(req.Messages)-1])
		turn.Session = s.convos.session(ctx, a, prior, req.User, req.Messages[:len(req.Messages)-1])
	}
	rep, err := a.Chat(ctx, turn)
	if err != nil {
		return err
	}
	// The conversation so far, reply included, names this session.
	history := append(req.Messages[:len(req.Messages):len(req.Messages)], chatMessage{role: "assistant", text: rep.Reply})
	s.convos.put(historyKey(actor, req.User, history), rep.Session)

	c := newCompletion(s.now().Unix(), rep, req.last().text)
	if !req.Stream {
		return writeJSON(w, http.StatusOK, c)
	}
	return streamCompletion(ctx, w, c, req.IncludeUsage)
}

// listModels answers GET /v1/models, OpenAI's model list, which chat UIs
// read to offer a model: the one model, aisle-assistant.
func (s *Server) listModels(w http.ResponseWriter, r *http.Request) error {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data":   []model{{ID: AssistantModel, Object: "model", Created: 0, OwnedBy: "aisle"}},
	})
}

// completionFieldError renames the fields of assistant.CheckRequest's
// errors to the request's: message is the last message's content.
func completionFieldError(err error, last int) error {
	if aisle.ErrorField(err) != "message" {
		return err
	}
	return aisle.FieldErrorf(aisle.ErrorCode(err), fmt.Sprintf("messages[%d].content", last), "%s", aisle.ErrorMessage(err))
}

// completion is a chat.completion object, with Aisle's extra field.
type completion struct {
	ID      string             `json:"id"`
	Object  string             `json:"object"`
	Created int64              `json:"created"`
	Model   string             `json:"model"`
	Choices []completionChoice `json:"choices"`
	Usage   completionUsage    `json:"usage"`
	Aisle   completionExtra    `json:"aisle"`
}

// completionChoice is the one choice of a completion.
type completionChoice struct {
	Index        int               `json:"index"`
	Message      completionMessage `json:"message"`
	Logprobs     *struct{}         `json:"logprobs"` // always null
	FinishReason string            `json:"finish_reason"`
}

// completionMessage is the assistant's message.
type completionMessage struct {
	Role    string  `json:"role"`
	Content string  `json:"content"`
	Refusal *string `json:"refusal"` // always null: a refusal is the content
}

// completionUsage counts words, not model tokens (the built-in assistant
// has no tokenizer): runs of letters, digits and marks, each Han, Kana or
// Hangul character counting as one. PromptTokens counts the message the
// assistant read (the last user message), CompletionTokens the reply.
type completionUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// completionExtra is the "aisle" field: what the assistant did beside
// its text.
type completionExtra struct {
	Session   string                 `json:"session"`
	Lang      string                 `json:"lang"`
	Act       string                 `json:"act"`
	Items     []assistant.Item       `json:"items"`
	Actions   []assistant.Action     `json:"actions"`
	Citations []assistant.Citation   `json:"citations"`
	Table     *assistant.Table       `json:"table,omitempty"`
	State     *assistant.Constraints `json:"state,omitempty"`
	Mode      string                 `json:"mode,omitempty"`
}

// newCompletion returns the completion for rep, created at created (Unix
// seconds), answering prompt.
func newCompletion(created int64, rep assistant.Reply, prompt string) completion {
	extra := completionExtra{
		Session: rep.Session, Lang: rep.Lang, Act: rep.Act,
		Items: rep.Items, Actions: rep.Actions, Citations: rep.Citations,
		Table: rep.Table, State: &rep.State, Mode: rep.Mode,
	}
	if extra.Items == nil {
		extra.Items = []assistant.Item{}
	}
	if extra.Actions == nil {
		extra.Actions = []assistant.Action{}
	}
	if extra.Citations == nil {
		extra.Citations = []assistant.Citation{}
	}
	in, out := countWords(prompt), countWords(rep.Reply)
	return completion{
		ID:      newCompletionID(),
		Object:  "chat.completion",
		Created: created,
		Model:   AssistantModel,
		Choices: []completionChoice{{
			Message:      completionMessage{Role: "assistant", Content: rep.Reply},
			FinishReason: "stop",
		}},
		Usage: completionUsage{PromptTokens: in, CompletionTokens: out, TotalTokens: in + out},
		Aisle: extra,
	}
}

// newCompletionID returns "chatcmpl-" and 24 random hex digits.
func newCompletionID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "chatcmpl-" + hex.EncodeToString(b)
}

// countWords counts the words of s as completionUsage says.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if !in {
				n++
			}
			in = true
		default:
			in = false
		}
	}
	return n
}

// completionChunk is a chat.completion.chunk object.
type completionChunk struct {
	ID      string           `json:"id"`
	Object  string           `json:"object"`
	Created int64            `json:"created"`
	Model   string           `json:"model"`
	Choices []chunkChoice    `json:"choices"`
	Usage   *completionUsage `json:"usage,omitempty"`
	Aisle   *completionExtra `json:"aisle,omitempty"`
}

// chunkChoice is a chunk's one choice.
type chunkChoice struct {
	Index        int        `json:"index"`
	Delta        chunkDelta `json:"delta"`
	Logprobs     *struct{}  `json:"logprobs"`      // always null
	FinishReason *string    `json:"finish_reason"` // null until the last
}

// chunkDelta is what a chunk adds to the message.
type chunkDelta struct {
	Role    string  `json:"role,omitempty"`
	Content *string `json:"content,omitempty"`
}

// streamCompletion writes c as server-sent events of chunks (see
// chatCompletion), flushing each, and stops when ctx ends.
func streamCompletion(ctx context.Context, w http.ResponseWriter, c completion, includeUsage bool) error {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(data []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return err
		}
		return rc.Flush()
	}
	chunk := func(ch completionChunk) error {
		ch.ID, ch.Object, ch.Created, ch.Model = c.ID, "chat.completion.chunk", c.Created, c.Model
		if ch.Choices == nil {
			ch.Choices = []chunkChoice{}
		}
		b, err := json.Marshal(ch)
		if err != nil {
			return err
		}
		return send(b)
	}
	empty := ""
	if chunk(completionChunk{Choices: []chunkChoice{{Delta: chunkDelta{Role: "assistant", Content: &empty}}}}) != nil {
		return nil // the client went away: nothing more to write
	}
	for _, piece := range replyPieces(c.Choices[0].Message.Content) {
		if chunk(completionChunk{Choices: []chunkChoice{{Delta: chunkDelta{Content: &piece}}}}) != nil {
			return nil
		}
	}
	stop := "stop"
	if chunk(completionChunk{Choices: []chunkChoice{{FinishReason: &stop}}, Aisle: &c.Aisle}) != nil {
		return nil
	}
	if includeUsage && chunk(completionChunk{Usage: &c.Usage}) != nil {
		return nil
	}
	_ = send([]byte("[DONE]"))
	return nil
}

// writeOpenAIError writes d as OpenAI's error body,
// {"error":{"message","type","param","code"}}, with status: OpenAI's
// clients show the message and read the param. The code is Aisle's
// (invalid, unauthorized, …), or model_not_found for an unknown model.
func writeOpenAIError(w http.ResponseWriter, status int, d errorDetail) {
	type detail struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	}
	e := detail{Message: d.Message, Type: "invalid_request_error", Code: &d.Code}
	if d.Field != "" {
		e.Param = &d.Field
	}
	if d.Code == aisle.ENOTFOUND && d.Field == "model" {
		code := "model_not_found"
		e.Code = &code
	}
	switch {
	case status == http.StatusUnauthorized:
		e.Type = "authentication_error"
	case status == http.StatusForbidden:
		e.Type = "permission_error"
	case status == http.StatusTooManyRequests:
		e.Type = "rate_limit_error"
	case status >= 500:
		e.Type = "server_error"
	}
	writeJSON(w, status, struct {
		Error detail `json:"error"`
	}{e}) // cannot fail: strings only
}

// isCompletionsRoute reports whether r is to the OpenAI-compatible
// route, whose errors are in OpenAI's shape.
func isCompletionsRoute(r *http.Request) bool {
	return r.Pattern == completionsPattern
}

// errNoText is the refusal of content that is not text.
func errNoText(field, typ string) error {
	hint := ""
	if typ == "image_url" {
		hint = "; search by photo with POST /v1/search/image"
	}
	return aisle.FieldErrorf(aisle.EINVALID, field, "%q content is not supported: the assistant reads text parts only%s", clip(typ), hint)
}

// jsonNull reports whether raw is absent or JSON null.
func jsonNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

// trimmed returns s without surrounding white space.
func trimmed(s string) string { return strings.TrimSpace(s) }
