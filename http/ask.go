package http

import (
	"context"
	"net/http"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/qa"
)

// Asker answers shoppers' questions about items and captions their
// photos; *qa.Answerer is one. Implementations must be safe for
// concurrent use.
type Asker interface {
	// Ask answers question about it in lang ("", "en" or "zh"); EINVALID
	// naming "question" or "lang" for a bad request.
	Ask(ctx context.Context, it *aisle.Item, question, lang string) (qa.Answer, error)
	// Caption describes the photo of it in lang; EINVALID naming "lang",
	// EUNPROCESSABLE naming "visual" when the photo has not been read.
	Caption(ctx context.Context, it *aisle.Item, lang string) (qa.Caption, error)
}

// SetAsker makes POST /v1/items/{id}/ask and GET /v1/items/{id}/caption
// use a (one with a vision model, say). Until it is called, or after it
// is called with nil, they use the built-in qa.Answerer over the store's
// questions and the recommender's similar items.
func (s *Server) SetAsker(a Asker) { s.asker.set(a) }

// askerOf returns the Asker the routes use, installing the built-in one
// on first use when none is set (it keeps tokenised questions between
// requests, so it is made once).
func (s *Server) askerOf() Asker {
	return s.asker.getOr(func() Asker { return qa.New(s.store, s.rec, qa.Options{}) })
}

// askRoutes registers the product Q&A and photo caption routes, for read
// keys.
func (s *Server) askRoutes() []route {
	return []route{
		{"POST /v1/items/{id}/ask", s.handle(s.ask), readOnly},
		{"GET /v1/items/{id}/caption", s.handle(s.caption), readOnly},
	}
}

// askRequest is the body of POST /v1/items/{id}/ask.
type askRequest struct {
	Question string `json:"question"`
	Lang     string `json:"lang"`
}

// ask answers a question about an item: POST /v1/items/{id}/ask
// {"question","lang"} → {"answer","answer_type","confidence","sources"}.
// An empty or over-long question, or a lang other than en or zh, is 400
// naming the field; an unknown item is 404. A question nothing answers
// gets answer_type "unknown".
func (s *Server) ask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var req askRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	if err := qa.CheckRequest(req.Question, req.Lang); err != nil {
		return err
	}
	it, err := s.store.Item(r.Context(), id)
	if err != nil {
		return err
	}
	ans, err := s.askerOf().Ask(r.Context(), &it, req.Question, req.Lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ans)
}

// caption describes an item's photo: GET /v1/items/{id}/caption?lang=.
// An unknown item is 404, a lang other than en or zh 400, and an item
// whose photo has not been read (or has none) 422.
func (s *Server) caption(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	lang, err := stringParam(q, "lang", 8)
	if err != nil {
		return err
	}
	if lang != "" && lang != "en" && lang != "zh" {
		return aisle.FieldErrorf(aisle.EINVALID, "lang", "must be en or zh")
	}
	it, err := s.store.Item(r.Context(), id)
	if err != nil {
		return err
	}
	c, err := s.askerOf().Caption(r.Context(), &it, lang)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}
