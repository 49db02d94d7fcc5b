package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
)

// keyRoutes registers the API key routes, for admin keys.
func (s *Server) keyRoutes() []route {
	return []route{
		{"GET /v1/keys", s.handle(s.listKeys), adminOnly},
		{"POST /v1/keys", s.handle(s.createKey), adminOnly},
		{"DELETE /v1/keys/{id}", s.handle(s.revokeKey), adminOnly},
	}
}

// keyRequest is the body of POST /v1/keys.
type keyRequest struct {
	Role aisle.Role `json:"role"`
	Name string     `json:"name,omitempty"`
	User string     `json:"user,omitempty"`
}

// newKeyResponse is the reply of POST /v1/keys: the key itself, shown
// this once, beside what is stored of it.
type newKeyResponse struct {
	aisle.Key
	Secret string `json:"key"`
}

// createKey makes an API key: POST /v1/keys with {"role", "name",
// "user"}. It replies 201 with the key, which is never shown again. The
// first key made ends open access: from then on every /v1 request needs
// one.
func (s *Server) createKey(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var req keyRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	if req.Role == "" {
		return aisle.FieldErrorf(aisle.EINVALID, "role", "required: read, write or admin")
	}
	token, k, seq, err := apikey.Create(r.Context(), s.store, req.Role, req.Name, req.User, principalFrom(r.Context()).actor(), s.now())
	if err != nil {
		return err
	}
	s.keys.Invalidate()
	setAuditSeq(w, seq)
	return writeJSON(w, http.StatusCreated, newKeyResponse{Key: k, Secret: token})
}

// listKeys lists the keys, revoked ones included, without their secrets:
// GET /v1/keys.
func (s *Server) listKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.store.Keys(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(keys, ""))
}

// revokeKey revokes a key at once: DELETE /v1/keys/{id}. It replies 204.
func (s *Server) revokeKey(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	seq, err := apikey.Revoke(r.Context(), s.store, id, principalFrom(r.Context()).actor(), s.now())
	if err != nil {
		return err
	}
	s.keys.Invalidate()
	setAuditSeq(w, seq)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// auditRoutes registers the audit log's route.
func (s *Server) auditRoutes() []route {
	return []route{{"GET /v1/audit", s.handle(s.listAudit), adminOnly}}
}

// listAudit pages through the audit log, oldest first:
// GET /v1/audit?cursor=&limit=.
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", defaultListLimit, 1, maxListLimit)
	if err != nil {
		return err
	}
	after, err := intParam(q, "cursor", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	entries, err := s.store.Audit(r.Context(), int64(after), limit)
	if err != nil {
		return err
	}
	next := ""
	if len(entries) == limit {
		next = fmt.Sprint(entries[len(entries)-1].Seq)
	}
	return writeJSON(w, http.StatusOK, newList(entries, next))
}

// audit appends e to the audit log as done by the request's principal,
// and sets the Aisle-Audit-Seq response header to its number. The store
// change it records has been made, so it is recorded even when the client
// has gone (within auditTimeout); a failure is logged at level Error, not
// returned.
func (s *Server) audit(w http.ResponseWriter, r *http.Request, e aisle.AuditEntry) {
	e.Actor = principalFrom(r.Context()).actor()
	e.Time = s.now()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), auditTimeout)
	defer cancel()
	seq, err := s.store.AppendAudit(ctx, e)
	if err != nil {
		s.logger.Error("audit log", "action", e.Action, "target", e.Target, "err", err)
		return
	}
	setAuditSeq(w, seq)
}

// setAuditSeq sets the Aisle-Audit-Seq header: the number of the audit
// entry that records what the request did.
func setAuditSeq(w http.ResponseWriter, seq int64) {
	w.Header().Set("Aisle-Audit-Seq", strconv.FormatInt(seq, 10))
}

// auditTimeout bounds the write of one audit entry.
const auditTimeout = 5 * time.Second
