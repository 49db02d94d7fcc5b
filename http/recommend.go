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
	if req.Category, err = stringParam(q, "category", aisle.MaxCategoryBytes); err != nil {
		return err
	}
	recs, err := s.rec.Recommend(r.Context(), user, req)
	if err != nil {
		return err
	}
	return writeRecommendations(w, recs)
}

// ContentRecommender is an optional capability of a Recommender: items
// like an item by their texts alone (GET /v1/items/{id}/similar?mode=content).
type ContentRecommender interface {
	// SimilarContent returns up to n items whose texts are most like
	// item's, best first.
	SimilarContent(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
}

// Similarity modes of GET /v1/items/{id}/similar.
const (
	modeBehavior = "behavior" // what shoppers take together (default)
	modeContent  = "content"  // what is described alike
)

// similar finds items like one item: GET /v1/items/{id}/similar?n=&mode=.
// mode is behavior (default: items shoppers take together with it) or
// content (items described alike, which reaches items no shopper has
// touched yet). It replies 404 when the item is not in the catalog.
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
	mode, err := stringParam(q, "mode", 16)
	if err != nil {
		return err
	}
	cr, canContent := s.rec.(ContentRecommender)
	switch mode {
	case "", modeBehavior, modeContent:
	default:
		return aisle.FieldErrorf(aisle.EINVALID, "mode", "must be %s or %s, not %q", modeBehavior, modeContent, clip(mode))
	}
	if mode == modeContent && !canContent {
		return aisle.FieldErrorf(aisle.EINVALID, "mode", "content similarity is not available on this server")
	}
	if _, err := s.store.Item(r.Context(), id); err != nil {
		return err
	}
	var recs []aisle.Recommendation
	if mode == modeContent {
		recs, err = cr.SimilarContent(r.Context(), id, n)
	} else {
		recs, err = s.rec.Similar(r.Context(), id, n)
	}
	if err != nil {
		return err
	}
	return writeRecommendations(w, recs)
}

// writeRecommendations replies with recs as a list.
func writeRecommendations(w http.ResponseWriter, recs []aisle.Recommendation) error {
	for i := range recs {
		recs[i].Models = nonNil(recs[i].Models)
		recs[i].Reasons = nonNil(recs[i].Reasons)
	}
	return writeJSON(w, http.StatusOK, newList(recs, ""))
}

// nonNil returns s, or an empty slice for nil so it encodes as [].
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
