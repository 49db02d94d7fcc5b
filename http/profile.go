package http

import (
	"context"
	"net/http"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/profile"
)

// ProfileServer is an optional capability of a Recommender that keeps
// shoppers' interest profiles (package profile): it serves the profile
// routes, which are 404 without it.
type ProfileServer interface {
	// Profile returns user's profile and its one-line summary in lang
	// ("", "en" or "zh"; else EINVALID naming lang); ENOTFOUND when it
	// has none.
	Profile(ctx context.Context, user, lang string) (profile.View, string, error)
	// ExcludeInterest removes the interest tag ("kind:value") from user's
	// profile and keeps it out, durably; EINVALID naming tag for a
	// malformed one.
	ExcludeInterest(ctx context.Context, user, tag string) error
}

// profileRoutes registers the profile routes: admin keys and the
// shopper's own key, as GET /v1/users/{id}.
func (s *Server) profileRoutes() []route {
	own := access{role: aisle.RoleAdmin, shopper: "id", own: true}
	return []route{
		{"GET /v1/users/{id}/profile", s.handle(s.getProfile), own},
		{"DELETE /v1/users/{id}/profile/interests/{tag}", s.handle(s.deleteInterest), own},
	}
}

// profileResponse is the body of GET /v1/users/{id}/profile: the
// profile, its summary, and the interest centres' example items with
// their titles.
type profileResponse struct {
	profile.View
	Summary string          `json:"summary"`
	Centers []centerExample `json:"centers"`
}

// centerExample is one interest centre with its example items.
type centerExample struct {
	profile.CenterView
	Examples []example `json:"examples"`
}

// example is an item as a profile shows it.
type example struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// profileServer returns the recommender's ProfileServer, ENOTFOUND
// (as an unknown route) without one.
func (s *Server) profileServer() (ProfileServer, error) {
	if ps, ok := s.rec.(ProfileServer); ok {
		return ps, nil
	}
	return nil, aisle.Errorf(aisle.ENOTFOUND, "this server keeps no shopper profiles")
}

// getProfile returns a shopper's interest profile:
// GET /v1/users/{id}/profile?lang=en|zh. A user the store knows who has
// no profile yet gets an empty one; anyone else is 404.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	lang, err := stringParam(q, "lang", 16)
	if err != nil {
		return err
	}
	ps, err := s.profileServer()
	if err != nil {
		return err
	}
	v, summary, err := ps.Profile(r.Context(), id, lang)
	if aisle.ErrorCode(err) == aisle.ENOTFOUND {
		if _, uerr := s.store.User(r.Context(), id); uerr != nil {
			return uerr
		}
		v, err = profile.View{User: id}, nil
		summary = profile.Summary(v, lang)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.profileBody(r.Context(), v, summary))
}

// profileBody returns v as GET /v1/users/{id}/profile shows it, with
// the titles of its centres' examples (ids alone when the store cannot
// say).
func (s *Server) profileBody(ctx context.Context, v profile.View, summary string) profileResponse {
	var ids []string
	for _, c := range v.Centers {
		ids = append(ids, c.Items...)
	}
	titles := map[string]aisle.Item{}
	if len(ids) > 0 {
		if items, err := s.store.Items(ctx, ids); err == nil {
			titles = items
		} else {
			s.logger.Warn("profile: titles of example items", "err", err)
		}
	}
	body := profileResponse{View: v, Summary: summary, Centers: make([]centerExample, len(v.Centers))}
	if body.Tags == nil {
		body.Tags = []profile.TagView{}
	}
	for i, c := range v.Centers {
		body.Centers[i] = centerExample{CenterView: c, Examples: make([]example, len(c.Items))}
		for j, id := range c.Items {
			body.Centers[i].Examples[j] = example{ID: id, Title: titles[id].Title}
		}
	}
	return body
}

// deleteInterest removes one interest from a shopper's profile and keeps
// it out: DELETE /v1/users/{id}/profile/interests/{tag}, the tag
// "kind:value" URL-escaped (brand%3ABrother). 204 whether or not the
// profile had it; 404 for a user neither the store nor the profiles know.
func (s *Server) deleteInterest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tag := r.PathValue("tag")
	if err := aisle.ValidateInterest("tag", tag); err != nil {
		return err
	}
	if _, err := profile.ParseTag(tag); err != nil {
		return aisle.FieldErrorf(aisle.EINVALID, "tag", "%v", err)
	}
	ps, err := s.profileServer()
	if err != nil {
		return err
	}
	if _, _, err := ps.Profile(r.Context(), id, ""); aisle.ErrorCode(err) == aisle.ENOTFOUND {
		if _, err := s.store.User(r.Context(), id); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if err := ps.ExcludeInterest(r.Context(), id, tag); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
