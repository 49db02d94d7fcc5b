package http

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aislehq/aisle"
)

// pingTimeout bounds the store check of GET /readyz.
const pingTimeout = 2 * time.Second

// healthRoutes registers the liveness and readiness checks.
func (s *Server) healthRoutes() []route {
	return []route{
		{"GET /healthz", s.handle(s.healthz), public},
		{"GET /readyz", s.handle(s.readyz), public},
	}
}

// healthStatus is the reply of the health checks.
type healthStatus struct {
	Status string `json:"status"`
}

// healthz reports that the process is alive: GET /healthz.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, healthStatus{Status: "ok"})
}

// readyz reports whether the server can serve requests: the store answers
// a ping and the recommender is ready. Otherwise it replies 503 with code
// "unavailable".
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), pingTimeout)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return errors.Join(aisle.Errorf(aisle.EUNAVAILABLE, "store is not reachable"), err)
	}
	if !s.rec.Ready() {
		return aisle.Errorf(aisle.EUNAVAILABLE, "recommender is not ready")
	}
	return writeJSON(w, http.StatusOK, healthStatus{Status: "ready"})
}
