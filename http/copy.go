package http

import (
	"context"
	"net/http"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/copywriter"
	"github.com/aislehq/aisle/grounding"
)

// Copywriter writes product copy from an item's fact sheet;
// *copywriter.Writer is one. Implementations must be safe for concurrent
// use.
type Copywriter interface {
	// Write returns the copy of the item whose facts are f, personalised
	// with f.Profile; EINVALID naming the field for a bad request.
	Write(ctx context.Context, f *grounding.Facts, r copywriter.Request) (copywriter.Copy, error)
}

// SetCopywriter makes POST /v1/items/{id}/copy write with w (one with a
// language model, say). Until it is called, or after it is called with
// nil, the route writes built-in copy (copywriter.Builtin).
func (s *Server) SetCopywriter(w Copywriter) { s.copywriter.set(w) }

// copyRoutes registers the product copy route, for read keys (a key bound
// to a shopper may personalise for that shopper only).
func (s *Server) copyRoutes() []route {
	return []route{
		{"POST /v1/items/{id}/copy", s.handle(s.writeCopy), readOnly},
	}
}

// copyRequest is the body of POST /v1/items/{id}/copy.
type copyRequest struct {
	User     string           `json:"user"`
	Lang     string           `json:"lang"`
	Style    copywriter.Style `json:"style"`
	MaxWords int              `json:"max_words"`
}

// maxCopyQuestions bounds the answered questions a fact sheet reads.
const maxCopyQuestions = 50

// writeCopy writes an item's product copy: POST /v1/items/{id}/copy
// {"user","lang","style","max_words"} → {"text","facts","personalised_for","mode"}.
// An unknown item is 404, and so is an unknown user; a bad lang, style
// or max_words is 400 naming it. A user with no profile yet gets copy
// that is not personalised.
func (s *Server) writeCopy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var req copyRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	creq := copywriter.Request{Lang: req.Lang, Style: req.Style, MaxWords: req.MaxWords}
	if err := creq.Validate(); err != nil {
		return err
	}
	if req.User != "" {
		if err := aisle.ValidateID("user", req.User); err != nil {
			return err
		}
		if err := checkShopper(r.Context(), "user", req.User); err != nil {
			return err
		}
	}
	ctx := r.Context()
	it, err := s.store.Item(ctx, id)
	if err != nil {
		return err
	}
	qs, err := s.store.Questions(ctx, id, maxCopyQuestions)
	if err != nil {
		return err
	}
	var tags []string
	if req.User != "" {
		if tags, err = s.profileTags(ctx, req.User, req.Lang); err != nil {
			return err
		}
	}
	f := grounding.New(&it, qs, tags)
	cw, ok := s.copywriter.get()
	if !ok {
		cw = copywriter.New(copywriter.Options{})
	}
	c, err := cw.Write(ctx, f, creq)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// profileTags returns user's interest tags, heaviest first: none when
// the server keeps no profiles, they are not built yet, or the user has
// none; ENOTFOUND naming user when the store does not know the user.
func (s *Server) profileTags(ctx context.Context, user, lang string) ([]string, error) {
	if _, err := s.store.User(ctx, user); err != nil {
		if aisle.ErrorCode(err) == aisle.ENOTFOUND {
			return nil, aisle.FieldErrorf(aisle.ENOTFOUND, "user", "no user %q", clip(user))
		}
		return nil, err
	}
	ps, ok := s.rec.(ProfileServer)
	if !ok {
		return nil, nil
	}
	v, _, err := ps.Profile(ctx, user, lang)
	switch aisle.ErrorCode(err) {
	case "":
	case aisle.ENOTFOUND, aisle.EUNAVAILABLE:
		return nil, nil
	default:
		return nil, err
	}
	tags := make([]string, 0, len(v.Tags))
	for _, t := range v.Tags {
		tags = append(tags, t.ID)
	}
	return tags, nil
}
