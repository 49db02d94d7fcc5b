package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// userRoutes registers the users' routes.
func (s *Server) userRoutes() []route {
	return []route{
		{"GET /v1/users/{id}", s.handle(s.getUser), access{role: aisle.RoleAdmin, shopper: "id", own: true}},
		{"PUT /v1/users/{id}", s.handle(s.putUser), access{role: aisle.RoleWrite, shopper: "id"}},
		{"DELETE /v1/users/{id}", s.handle(s.deleteUser), access{role: aisle.RoleAdmin, shopper: "id"}},
		{"GET /v1/users/{id}/events", s.handle(s.listUserEvents), access{role: aisle.RoleAdmin, shopper: "id", own: true}},
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
	switch {
	case !u.CreatedAt.IsZero():
		return aisle.FieldErrorf(aisle.EINVALID, "created_at", "read-only: set by the store; leave it out")
	case !u.UpdatedAt.IsZero():
		return aisle.FieldErrorf(aisle.EINVALID, "updated_at", "read-only: set by the store; leave it out")
	}
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
// Once the store has erased them, the recommender forgets them (popularity,
// co-occurrence, recent items: everything it serves from; see
// CatalogObserver.ForgetUser, whose wait for retraining is bounded by
// Config.RequestTimeout), and the audit
// log records the erasure without naming the user; the reply, 204, carries
// the audit entry's number in Aisle-Audit-Seq. An unknown user is 404, but
// the recommender is told to forget them all the same, so a retry after a
// failure completes the erasure.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	erased, delErr := s.store.DeleteUser(r.Context(), id)
	if delErr != nil && aisle.ErrorCode(delErr) != aisle.ENOTFOUND {
		return delErr
	}
	s.forgetChats(id)
	if co := s.catalogObserver(); co != nil {
		// The erasure is stored: finish it even if the client has gone,
		// within the request's time. A recommender whose slow part
		// (retraining what it aggregated) outlasts that has already
		// stopped serving the user's events: it finishes in the
		// background.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.RequestTimeout)
		err := co.ForgetUser(ctx, id)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			s.logger.Warn("erasure: the recommender finishes forgetting the user in the background", "err", err)
		case err != nil:
			return fmt.Errorf("forget erased user: %w", err)
		}
	}
	if delErr != nil {
		return delErr
	}
	s.audit(w, r, aisle.AuditEntry{Action: aisle.AuditEraseUser, Detail: fmt.Sprintf("%d events", erased)})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listUserEvents pages through a user's events, newest first:
// GET /v1/users/{id}/events?type=&limit=&cursor=, for admin keys and the
// user's own key (debugging, erasure checks, data export). type may be
// repeated or comma-separated. A user with no events and no record is
// 404.
func (s *Server) listUserEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	eq := aisle.EventQuery{}
	if eq.Limit, err = intParam(q, "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return err
	}
	cursor, err := stringParam(q, "cursor", 64)
	if err != nil {
		return err
	}
	if cursor != "" {
		if eq.Before, err = parseEventCursor(cursor); err != nil {
			return err
		}
	}
	for _, v := range q["type"] {
		for t := range strings.SplitSeq(v, ",") {
			if !aisle.EventType(t).Valid() {
				return aisle.FieldErrorf(aisle.EINVALID, "type", "unknown event type %q", clip(t))
			}
			eq.Types = append(eq.Types, aisle.EventType(t))
		}
	}
	events, err := s.store.UserEvents(r.Context(), id, eq)
	if err != nil {
		return err
	}
	if len(events) == 0 && cursor == "" {
		if _, err := s.store.User(r.Context(), id); err != nil {
			return err
		}
	}
	next := ""
	if len(events) == eq.Limit {
		next = eventCursor(events[len(events)-1].Position())
	}
	return writeJSON(w, http.StatusOK, newList(events, next))
}

// eventCursor encodes an event's place in a newest-first listing.
func eventCursor(p aisle.EventPosition) string {
	return fmt.Sprintf("%d.%d", p.Time.UnixMicro(), p.Seq)
}

// parseEventCursor decodes eventCursor's encoding; EINVALID naming
// "cursor" otherwise.
func parseEventCursor(c string) (aisle.EventPosition, error) {
	us, seq, ok := strings.Cut(c, ".")
	t, err1 := strconv.ParseInt(us, 10, 64)
	n, err2 := strconv.ParseInt(seq, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return aisle.EventPosition{}, aisle.FieldErrorf(aisle.EINVALID, "cursor", "not a cursor this listing returned")
	}
	return aisle.EventPosition{Time: time.UnixMicro(t).UTC(), Seq: n}, nil
}
