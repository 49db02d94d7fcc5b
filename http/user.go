package http

import (
	"net/http"

	"github.com/aislehq/aisle"
)

// userRoutes registers the users' routes.
func (s *Server) userRoutes() []route {
	return []route{
		{"GET /v1/users/{id}", s.handle(s.getUser)},
		{"PUT /v1/users/{id}", s.handle(s.putUser)},
		{"DELETE /v1/users/{id}", s.handle(s.deleteUser)},
	}
}

// putUser creates or replaces one user: PUT /v1/users/{id}. It replies 201
// with the stored user when it was created, 200 otherwise.
func (s *Server) putUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var u aisle.User
	if err := decodeObject(body, &u); err != nil {
		return err
	}
	if u.ID != "" && u.ID != id {
		return aisle.FieldErrorf(aisle.EUNPROCESSABLE, "id", "%q in the body differs from %q in the path", clip(u.ID), clip(id))
	}
	u.ID = id
	stats, err := s.store.UpsertUsers(r.Context(), []aisle.User{u})
	if err != nil {
		return unprefixField(err, "users[0]")
	}
	stored, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if stats.Inserted > 0 {
		status = http.StatusCreated
	}
	return writeJSON(w, status, stored)
}

// getUser returns one user: GET /v1/users/{id}.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.store.User(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, u)
}

// deleteUser erases a user and all their events: DELETE /v1/users/{id}.
// It replies 204.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeleteUser(r.Context(), id); err != nil {
		return err
	}
	if co := s.catalogObserver(); co != nil {
		co.ForgetUser(id)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
