package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/search"
)

// Assistant holds shopping conversations; *assistant.Assistant is one.
// Implementations must be safe for concurrent use.
type Assistant interface {
	// Chat answers one turn; EINVALID naming the field for a bad request,
	// ENOTFOUND naming "session" for an unknown or expired session.
	Chat(ctx context.Context, req assistant.Request) (assistant.Reply, error)
	// Session returns a session's state and turns (ENOTFOUND naming
	// "session" when there is none).
	Session(ctx context.Context, id string) (assistant.SessionView, error)
	// Delete forgets a session (ENOTFOUND naming "session").
	Delete(ctx context.Context, id string) error
}

// SetAssistant makes the /v1/chat routes use a. Until it is called, or
// after it is called with nil, they use the built-in assistant over the
// server's own search, recommender, store and product Q&A, with no store
// policies (see SetChatOptions).
func (s *Server) SetAssistant(a Assistant) {
	s.chat.set(a)
}

// SetChatOptions makes the /v1/chat routes use the built-in assistant
// over the server's own parts with opts: the store's policies, session
// expiry and caps (opts.Events is the server's own). The sessions of the
// assistant used before are forgotten.
func (s *Server) SetChatOptions(opts assistant.Options) {
	s.chat.set(s.builtinAssistant(opts))
}

// assistantOf returns the Assistant the routes use, installing the
// built-in one on first use.
func (s *Server) assistantOf() Assistant {
	return s.chat.getOr(func() Assistant { return s.builtinAssistant(assistant.Options{}) })
}

// builtinAssistant returns the built-in assistant over the server's parts;
// its searches, views and hand-offs are logged as the shopper's events.
func (s *Server) builtinAssistant(opts assistant.Options) *assistant.Assistant {
	opts.Events = chatEvents{s}
	return assistant.New(&assistant.Backend{Index: chatSearcher{s}, Rec: chatRecommender{s}, Items: s.store, QA: chatAsker{s}}, opts)
}

// forgetChats makes the assistant forget the conversations of an erased
// user it holds in memory, when it can.
func (s *Server) forgetChats(user string) {
	if a, ok := s.chat.get(); ok {
		if f, ok := a.(interface{ ForgetUser(user string) }); ok {
			f.ForgetUser(user)
		}
	}
}

// chatSearcher searches with the server's current searcher.
type chatSearcher struct{ s *Server }

func (c chatSearcher) Search(ctx context.Context, req search.Request) (search.Result, error) {
	sr, err := c.s.searcher.need("search is not configured")
	if err != nil {
		return search.Result{}, err
	}
	return sr.Search(ctx, req)
}

// chatRecommender is the server's recommender, with complete-the-cart
// when it has it.
type chatRecommender struct{ s *Server }

func (c chatRecommender) Recommend(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error) {
	return c.s.rec.Recommend(ctx, user, req)
}

func (c chatRecommender) Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	return c.s.rec.Similar(ctx, item, n)
}

func (c chatRecommender) CompleteCart(ctx context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error) {
	cart, ok := c.s.rec.(CartRecommender)
	if !ok {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "complete-the-cart is not available")
	}
	return cart.CompleteCart(ctx, req)
}

// chatAsker answers with the server's current Asker.
type chatAsker struct{ s *Server }

func (c chatAsker) Ask(ctx context.Context, it *aisle.Item, question, lang string) (qa.Answer, error) {
	return c.s.askerOf().Ask(ctx, it, question, lang)
}

// chatEvents logs the assistant's events for shoppers who exist (the
// assistant never creates one) and hands them to the recommender, as
// searches do; a failure is logged, not returned.
type chatEvents struct{ s *Server }

func (c chatEvents) Log(ctx context.Context, events []aisle.Event) {
	if len(events) == 0 {
		return
	}
	if _, err := c.s.store.User(ctx, events[0].User); err != nil {
		if aisle.ErrorCode(err) != aisle.ENOTFOUND {
			c.s.logger.Warn("log chat events", "err", err)
		}
		return
	}
	stats, err := c.s.store.AppendEvents(ctx, events)
	if err != nil {
		c.s.logger.Warn("log chat events", "err", err)
		return
	}
	if stats.Accepted > 0 {
		fresh := events[:0]
		for _, e := range events {
			if e.Seq != 0 {
				fresh = append(fresh, e)
			}
		}
		c.s.rec.Observe(fresh)
	}
}

// chatRoutes registers the shopping assistant's routes, for read keys (a
// key bound to a shopper may chat as that shopper only).
func (s *Server) chatRoutes() []route {
	return []route{
		{"POST /v1/chat", s.handle(s.chatTurn), readOnly},
		{"GET /v1/chat/{session}", s.handle(s.chatSession), readOnly},
		{"DELETE /v1/chat/{session}", s.handle(s.chatDelete), readOnly},
	}
}

// chatTurn answers one turn: POST /v1/chat
// {"session","user","message","lang"} → assistant.Reply. With Accept:
// text/event-stream the reply streams as server-sent events: "delta"
// events carrying {"text"} pieces of the reply, then one "reply" event
// with the whole assistant.Reply; a client that goes away stops it. An
// empty or over-long message, a bad lang, session or user is 400 naming
// the field; an unknown or expired session is 404.
func (s *Server) chatTurn(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var req assistant.Request
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	if err := assistant.CheckRequest(req); err != nil {
		return err
	}
	if err := checkShopper(r.Context(), "user", req.User); err != nil {
		return err
	}
	rep, err := s.assistantOf().Chat(r.Context(), req)
	if err != nil {
		return err
	}
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		return writeJSON(w, http.StatusOK, rep)
	}
	return streamReply(r.Context(), w, rep)
}

// streamReply writes rep as server-sent events, a line of the reply (or
// a few words of a long line) at a time, flushing each, and stops when
// ctx ends.
func streamReply(ctx context.Context, w http.ResponseWriter, rep assistant.Reply) error {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(event string, v any) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	for _, piece := range replyPieces(rep.Reply) {
		if err := send("delta", map[string]string{"text": piece}); err != nil {
			return nil // the client went away: nothing more to write
		}
	}
	_ = send("reply", rep)
	return nil
}

// replyPieces splits a reply into the pieces streamed: its lines, long
// lines cut every eight words, with the separators kept so that the
// pieces join back into the reply.
func replyPieces(text string) []string {
	var out []string
	for _, line := range strings.SplitAfter(text, "\n") {
		words := strings.SplitAfter(line, " ")
		for len(words) > 8 {
			out = append(out, strings.Join(words[:8], ""))
			words = words[8:]
		}
		if len(words) > 0 && strings.Join(words, "") != "" {
			out = append(out, strings.Join(words, ""))
		}
	}
	return out
}

// chatSession returns a session: GET /v1/chat/{session}; 404 when unknown
// or expired.
func (s *Server) chatSession(w http.ResponseWriter, r *http.Request) error {
	id, err := chatSessionID(r)
	if err != nil {
		return err
	}
	v, err := s.assistantOf().Session(r.Context(), id)
	if err != nil {
		return err
	}
	if err := checkShopper(r.Context(), "session", v.User); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// chatDelete forgets a session: DELETE /v1/chat/{session}; 204, or 404
// when unknown.
func (s *Server) chatDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := chatSessionID(r)
	if err != nil {
		return err
	}
	a := s.assistantOf()
	v, err := a.Session(r.Context(), id)
	if err != nil {
		return err
	}
	if err := checkShopper(r.Context(), "session", v.User); err != nil {
		return err
	}
	if err := a.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// chatSessionID returns the {session} path parameter.
func chatSessionID(r *http.Request) (string, error) {
	id := r.PathValue("session")
	if id == "" || len(id) > assistant.MaxSessionBytes {
		return "", aisle.FieldErrorf(aisle.EINVALID, "session", "must be 1..%d bytes", assistant.MaxSessionBytes)
	}
	return id, nil
}
