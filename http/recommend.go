package http

import (
	"context"
	"net/http"

	"github.com/aislehq/aisle"
)

// recommendRoutes registers the recommendation routes.
func (s *Server) recommendRoutes() []route {
	return []route{
		{"GET /v1/recommend/{user}", s.handle(s.recommend)},
		{"GET /v1/items/{id}/similar", s.handle(s.similar)},
	}
}

// recommendation is one ranked item as the API shows it.
type recommendation struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Score   float64  `json:"score"`
	Models  []string `json:"models"`
	Reasons []string `json:"reasons"`
}

// recommend ranks items for a user:
// GET /v1/recommend/{user}?n=&exclude=a,b&include_bought=true. Unknown
// users get recommendations too, never 404.
func (s *Server) recommend(w http.ResponseWriter, r *http.Request) error {
	user, err := pathID(r, "user")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	var req aisle.RecommendRequest
	if req.N, err = intParam(q, "n", aisle.DefaultN, 1, aisle.MaxN); err != nil {
		return err
	}
	if req.Exclude, err = idListParam(q, "exclude", s.cfg.MaxBatch); err != nil {
		return err
	}
	if req.IncludeBought, err = boolParam(q, "include_bought"); err != nil {
		return err
	}
	recs, err := s.rec.Recommend(r.Context(), user, req)
	if err != nil {
		return err
	}
	return s.writeRecommendations(r.Context(), w, recs)
}

// similar finds items like one item: GET /v1/items/{id}/similar?n=. It
// replies 404 when the item is not in the catalog.
func (s *Server) similar(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	n, err := intParam(q, "n", aisle.DefaultN, 1, aisle.MaxN)
	if err != nil {
		return err
	}
	if _, err := s.store.Item(r.Context(), id); err != nil {
		return err
	}
	recs, err := s.rec.Similar(r.Context(), id, n)
	if err != nil {
		return err
	}
	return s.writeRecommendations(r.Context(), w, recs)
}

// writeRecommendations replies with recs as a list, each with its item's
// title. Items no longer in the catalog are dropped.
func (s *Server) writeRecommendations(ctx context.Context, w http.ResponseWriter, recs []aisle.Recommendation) error {
	ids := make([]string, len(recs))
	for i, rec := range recs {
		ids[i] = rec.Item
	}
	items, err := s.store.Items(ctx, ids)
	if err != nil {
		return err
	}
	out := make([]recommendation, 0, len(recs))
	for _, rec := range recs {
		it, ok := items[rec.Item]
		if !ok {
			continue
		}
		out = append(out, recommendation{
			ID:      rec.Item,
			Title:   it.Title,
			Score:   rec.Score,
			Models:  nonNil(rec.Models),
			Reasons: nonNil(rec.Reasons),
		})
	}
	return writeJSON(w, http.StatusOK, newList(out, ""))
}

// nonNil returns s, or an empty slice for nil so it encodes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
