package http

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
)

// ruleParts are what the rule routes serve.
type ruleParts struct {
	store aisle.RuleStore
	live  *rules.Live
}

// SetRules makes the rule routes serve: st keeps the store's rules and
// live is the set that recommendations and search apply, reloaded from
// st after every change so that the next request sees it. Until it is
// called the routes reply 503.
func (s *Server) SetRules(st aisle.RuleStore, live *rules.Live) {
	s.rules.set(ruleParts{store: st, live: live})
}

// ruleRoutes registers the merchandising rule routes, for admin keys.
func (s *Server) ruleRoutes() []route {
	return []route{
		{"GET /v1/rules", s.handle(s.listRules), adminOnly},
		{"GET /v1/rules/{name}", s.handle(s.getRule), adminOnly},
		{"PUT /v1/rules/{name}", s.handle(s.putRule), adminOnly},
		{"DELETE /v1/rules/{name}", s.handle(s.deleteRule), adminOnly},
	}
}

// ruleBody is the body of PUT /v1/rules/{name}: a rule without its
// name, which the path gives, and without the times the store sets.
type ruleBody struct {
	Action   aisle.RuleAction `json:"action"`
	Match    json.RawMessage  `json:"match"`
	Position int              `json:"position,omitempty"`
	Strength int              `json:"strength,omitempty"`
	Start    time.Time        `json:"starts_at,omitzero"`
	End      time.Time        `json:"ends_at,omitzero"`
}

// decodeMatch decodes a rule's match strictly, its errors naming the
// field under "match" ("match.brands"); a missing match is an empty one.
func decodeMatch(raw json.RawMessage, m *aisle.RuleMatch) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if raw[0] != '{' {
		return aisle.FieldErrorf(aisle.EINVALID, "match", "must be an object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(m); err != nil {
		return jsonError(err, "match", raw)
	}
	return nil
}

// ruleService returns what the rule routes serve; EUNAVAILABLE before
// SetRules.
func (s *Server) ruleService() (ruleParts, error) {
	return s.rules.need("rules are not available on this server")
}

// putRule creates or replaces a rule: PUT /v1/rules/{name} with the rule
// as JSON. It replies 201 with the stored rule when it was created, 200
// otherwise; a bad field is 400 naming it. The rule applies from the
// next request on.
func (s *Server) putRule(w http.ResponseWriter, r *http.Request) error {
	box, err := s.ruleService()
	if err != nil {
		return err
	}
	name, err := pathID(r, "name")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var b ruleBody
	if err := decodeObject(body, &b); err != nil {
		return err
	}
	var match aisle.RuleMatch
	if err := decodeMatch(b.Match, &match); err != nil {
		return err
	}
	rule := aisle.Rule{Name: name, Action: b.Action, Match: match, Position: b.Position, Strength: b.Strength, Start: b.Start, End: b.End}
	stored, created, err := box.store.PutRule(r.Context(), rule)
	if err != nil {
		return err
	}
	s.reloadRules(r, box)
	s.audit(w, r, aisle.AuditEntry{Action: aisle.AuditPutRule, Target: name, Detail: string(stored.Action)})
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, stored)
}

// reloadRules reloads the live rules after a change; a failure (a
// stored rule that cannot be read) is logged, and the rules read are
// in force.
func (s *Server) reloadRules(r *http.Request, box ruleParts) {
	if err := box.live.Load(r.Context(), box.store); err != nil {
		s.logger.Error("reload rules", "err", err)
	}
}

// getRule returns one rule: GET /v1/rules/{name}; 404 when unknown.
func (s *Server) getRule(w http.ResponseWriter, r *http.Request) error {
	box, err := s.ruleService()
	if err != nil {
		return err
	}
	name, err := pathID(r, "name")
	if err != nil {
		return err
	}
	rule, err := box.store.Rule(r.Context(), name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

// listRules lists every rule in name order, those outside their time
// window included: GET /v1/rules. A stored rule that cannot be read is
// logged and left out.
func (s *Server) listRules(w http.ResponseWriter, r *http.Request) error {
	box, err := s.ruleService()
	if err != nil {
		return err
	}
	rs, err := box.store.Rules(r.Context())
	if err != nil {
		if rs == nil {
			return err
		}
		s.logger.Error("list rules", "err", err)
	}
	return writeJSON(w, http.StatusOK, newList(rs, ""))
}

// deleteRule removes a rule: DELETE /v1/rules/{name}. It replies 204, or
// 404 when there is no such rule.
func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request) error {
	box, err := s.ruleService()
	if err != nil {
		return err
	}
	name, err := pathID(r, "name")
	if err != nil {
		return err
	}
	if err := box.store.DeleteRule(r.Context(), name); err != nil {
		return err
	}
	s.reloadRules(r, box)
	s.audit(w, r, aisle.AuditEntry{Action: aisle.AuditDeleteRule, Target: name})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
