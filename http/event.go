package http

import (
	"fmt"
	"net/http"

	"github.com/aislehq/aisle"
)

// eventRoutes registers the event log's routes.
func (s *Server) eventRoutes() []route {
	return []route{
		{"POST /v1/events", s.handle(s.appendEvents), access{role: aisle.RoleWrite, shopperKeys: true}},
	}
}

// appendEvents stores a batch of events atomically: POST /v1/events with
// {"events":[...]}. Once they are durable it hands them to the
// recommender, then replies with the counts of accepted and duplicate
// events.
func (s *Server) appendEvents(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	events, err := decodeList[aisle.Event](body, "events", s.cfg.MaxBatch)
	if err != nil {
		return err
	}
	for i := range events {
		if err := checkShopper(r.Context(), fmt.Sprintf("events[%d].user", i), events[i].User); err != nil {
			return err
		}
	}
	stats, err := s.store.AppendEvents(r.Context(), events)
	if err != nil {
		return err
	}
	if stats.Accepted > 0 {
		// The store filled in ids and timestamps, and a Seq on the events it
		// wrote; duplicates (Seq 0) were already observed once.
		fresh := events[:0]
		for _, e := range events {
			if e.Seq != 0 {
				fresh = append(fresh, e)
			}
		}
		s.rec.Observe(fresh)
	}
	return writeJSON(w, http.StatusOK, stats)
}
