package http

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/aislehq/aisle"
)

// recommendRoutes registers the recommendation routes.
func (s *Server) recommendRoutes() []route {
	return []route{
		{"GET /v1/recommend/{user}", s.handle(s.recommend), access{role: aisle.RoleRead, shopper: "user"}},
		{"GET /v1/items/{id}/similar", s.handle(s.similar), readOnly},
	}
}

// recommend ranks items for a user: GET /v1/recommend/{user}?n=
// &exclude=a,b&include_bought=true&category=&brand=&color=&min_price=
// &max_price=&max_per_category=&diversity=. Unknown
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
	if req.Brand, req.Color, req.MinPrice, req.MaxPrice, err = attributeParams(q); err != nil {
		return err
	}
	if req.MaxPerCategory, err = intParam(q, "max_per_category", 0, 1, aisle.MaxN); err != nil {
		return err
	}
	if req.Diversity, err = fractionParam(q, "diversity"); err != nil {
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

// VisualRecommender is an optional capability of a Recommender: items
// that look like an item (GET /v1/items/{id}/similar?mode=visual).
type VisualRecommender interface {
	// SimilarVisual returns up to n items whose photos are most like
	// item's, best first.
	SimilarVisual(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
}

// FusedRecommender is an optional capability of a Recommender: items like
// an item by everything known of them, text, photo and behaviour fused
// (GET /v1/items/{id}/similar?mode=auto).
type FusedRecommender interface {
	// SimilarFused returns up to n items most like item by their fused
	// vectors, best first.
	SimilarFused(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
}

// Similarity modes of GET /v1/items/{id}/similar.
const (
	modeBehavior = "behavior" // what shoppers take together (default)
	modeContent  = "content"  // what is described alike
	modeVisual   = "visual"   // what looks alike
	modeAuto     = "auto"     // text, photo and behaviour fused
)

// similarity is how one mode finds similar items.
type similarity func(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)

// similarity returns the recommender's method for mode, EINVALID naming
// "mode" when it is unknown or this server cannot serve it.
func (s *Server) similarity(mode string) (similarity, error) {
	var f similarity
	switch mode {
	case "", modeBehavior:
		return s.rec.Similar, nil
	case modeContent:
		if r, ok := s.rec.(ContentRecommender); ok {
			f = r.SimilarContent
		}
	case modeVisual:
		if r, ok := s.rec.(VisualRecommender); ok {
			f = r.SimilarVisual
		}
	case modeAuto:
		if r, ok := s.rec.(FusedRecommender); ok {
			f = r.SimilarFused
		}
	default:
		return nil, aisle.FieldErrorf(aisle.EINVALID, "mode", "must be %s, %s, %s or %s, not %q", modeBehavior, modeContent, modeVisual, modeAuto, clip(mode))
	}
	if f == nil {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "mode", "%s similarity is not available on this server", mode)
	}
	return f, nil
}

// similar finds items like one item: GET /v1/items/{id}/similar?n=&mode=.
// mode is behavior (default: items shoppers take together with it),
// content (items described alike, which reaches items no shopper has
// touched yet), visual (items whose photos look alike) or auto (text,
// photo and behaviour fused). It replies 404 when the item is not in the
// catalog.
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
	find, err := s.similarity(mode)
	if err != nil {
		return err
	}
	if _, err := s.store.Item(r.Context(), id); err != nil {
		return err
	}
	recs, err := find(r.Context(), id, n)
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

// fractionParam returns query parameter name as a number from 0 to 1, 0
// when absent.
func fractionParam(q url.Values, name string) (float64, error) {
	v, err := param(q, name)
	if err != nil || v == "" {
		return 0, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= 0 && f <= 1) {
		return 0, aisle.FieldErrorf(aisle.EINVALID, name, "must be a number from 0 to 1, not %q", clip(v))
	}
	return f, nil
}
