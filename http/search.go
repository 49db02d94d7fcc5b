package http

import (
	"context"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
)

// Searcher finds catalog items for a query; *search.Index satisfies it.
// Implementations must be safe for concurrent use.
type Searcher interface {
	// Search returns one page of the items matching req; see
	// search.Index.Search for its errors.
	Search(ctx context.Context, req search.Request) (search.Result, error)
}

var _ Searcher = (*search.Index)(nil)

// SetSearcher makes GET /v1/search use sr; until it is called (or after
// SetSearcher(nil)) the route replies 503. It may be called at any time,
// also while serving, e.g. once an index built in the background is ready.
func (s *Server) SetSearcher(sr Searcher) { s.searcher.set(sr) }

// searchRoutes registers the search routes.
func (s *Server) searchRoutes() []route {
	return []route{
		{"GET /v1/search", s.handle(s.search), readOnly},
		{"POST /v1/search/image", s.handle(s.searchImage), access{role: aisle.RoleRead, photo: true}},
	}
}

// search finds items: GET
// /v1/search?q=&user=&n=&cursor=&category=&brand=&color=&min_price=&max_price=.
// An empty or over-long q is 400, so is a bad filter (naming its
// parameter); a query that matches nothing is an empty 200. user
// personalises the order. The request changes nothing: clients log a
// shopper's searches as search events (POST /v1/events), unless the
// server logs them itself (Config.LogSearches).
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	req, err := searchRequest(q)
	if err != nil {
		return err
	}
	return s.runSearch(w, r, req)
}

// searchParams are the parameters of a search, in the query string of
// GET /v1/search and in that or the form of POST /v1/search/image.
var searchParams = []string{"q", "user", "n", "cursor", "category", "brand", "color", "min_price", "max_price"}

// searchRequest reads the search parameters of q (searchParams). A bad
// value is EINVALID naming its parameter; whether q is required is the
// searcher's to say.
func searchRequest(q url.Values) (search.Request, error) {
	var (
		req search.Request
		err error
	)
	if req.Query, err = stringParam(q, "q", aisle.MaxQueryBytes); err != nil {
		return req, err
	}
	if req.User, err = stringParam(q, "user", aisle.MaxIDBytes); err != nil {
		return req, err
	}
	if req.User != "" {
		if err := aisle.ValidateID("user", req.User); err != nil {
			return req, err
		}
	}
	if req.N, err = intParam(q, "n", aisle.DefaultN, 1, aisle.MaxN); err != nil {
		return req, err
	}
	if req.Cursor, err = stringParam(q, "cursor", 4*aisle.MaxIDBytes); err != nil {
		return req, err
	}
	if req.Category, err = stringParam(q, "category", aisle.MaxCategoryBytes); err != nil {
		return req, err
	}
	req.Brand, req.Color, req.MinPrice, req.MaxPrice, err = attributeParams(q)
	return req, err
}

// attributeParams reads the attribute filters search and recommendations
// share: brand, color, min_price and max_price.
func attributeParams(q url.Values) (brand, color string, minPrice, maxPrice *float64, err error) {
	if brand, err = stringParam(q, "brand", aisle.MaxBrandBytes); err != nil {
		return
	}
	if color, err = stringParam(q, "color", maxAttributeParamBytes); err != nil {
		return
	}
	if minPrice, err = priceParam(q, "min_price"); err != nil {
		return
	}
	if maxPrice, err = priceParam(q, "max_price"); err != nil {
		return
	}
	if minPrice != nil && maxPrice != nil && *maxPrice < *minPrice {
		err = aisle.FieldErrorf(aisle.EINVALID, "max_price", "%g is below min_price %g", *maxPrice, *minPrice)
	}
	return
}

// priceParam returns query parameter name as a price (a finite number
// ≥ 0), or nil when it is absent.
func priceParam(q url.Values, name string) (*float64, error) {
	v, err := param(q, name)
	if err != nil || v == "" {
		return nil, err
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return nil, aisle.FieldErrorf(aisle.EINVALID, name, "must be a number ≥ 0, not %q", clip(v))
	}
	return &f, nil
}

// runSearch answers req from the searcher and writes the result. With
// Config.LogSearches, when req has a user and a query, the query is
// logged as a search event with the first page.
func (s *Server) runSearch(w http.ResponseWriter, r *http.Request, req search.Request) error {
	if err := checkShopper(r.Context(), "user", req.User); err != nil {
		return err
	}
	sr, err := s.searcher.need("search is not ready")
	if err != nil {
		return err
	}
	res, err := sr.Search(r.Context(), req)
	if err != nil {
		return err
	}
	if s.cfg.LogSearches && req.User != "" && strings.TrimSpace(req.Query) != "" && req.Cursor == "" {
		s.logSearch(r.Context(), req.User, req.Query)
	}
	if res.Items == nil {
		res.Items = []search.Hit{}
	}
	return writeJSON(w, http.StatusOK, res)
}

// logSearch appends a search event for user, when the user exists (a
// search never creates a shopper, nor brings an erased one back), and
// hands it to the recommender; a failure is logged, not returned.
func (s *Server) logSearch(ctx context.Context, user, query string) {
	if _, err := s.store.User(ctx, user); err != nil {
		if aisle.ErrorCode(err) != aisle.ENOTFOUND {
			s.logger.Warn("log search event", "err", err)
		}
		return
	}
	events := []aisle.Event{{User: user, Type: aisle.EventSearch, Query: query}}
	stats, err := s.store.AppendEvents(ctx, events)
	if err != nil {
		s.logger.Warn("log search event", "err", err)
		return
	}
	if stats.Accepted > 0 {
		s.rec.Observe(events)
	}
}
