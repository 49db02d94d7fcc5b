package http

import (
	"context"
	"net/http"

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

// searcherBox holds a Searcher in an atomic.Pointer.
type searcherBox struct{ s Searcher }

// SetSearcher makes GET /v1/search use sr; until it is called (or after
// SetSearcher(nil)) the route replies 503. It may be called at any time,
// also while serving, e.g. once an index built in the background is ready.
func (s *Server) SetSearcher(sr Searcher) {
	if sr == nil {
		s.searcher.Store(nil)
		return
	}
	s.searcher.Store(&searcherBox{sr})
}

// searchRoutes registers the search route.
func (s *Server) searchRoutes() []route {
	return []route{
		{"GET /v1/search", s.handle(s.search)},
	}
}

// search finds items: GET /v1/search?q=&user=&n=&cursor=&category=&brand=.
// An empty or over-long q is 400; a query that matches nothing is an
// empty 200. When user is given, the query is logged as a search event
// through the store with the first page (best effort: a failure is
// logged, not returned), so that search events feed the training of the
// text encoder and the recommender sees them; later pages are not logged
// again.
func (s *Server) search(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	var req search.Request
	if req.Query, err = stringParam(q, "q", aisle.MaxQueryBytes); err != nil {
		return err
	}
	if req.User, err = stringParam(q, "user", aisle.MaxIDBytes); err != nil {
		return err
	}
	if req.User != "" {
		if err := aisle.ValidateID("user", req.User); err != nil {
			return err
		}
	}
	if req.N, err = intParam(q, "n", aisle.DefaultN, 1, aisle.MaxN); err != nil {
		return err
	}
	if req.Cursor, err = stringParam(q, "cursor", 4*aisle.MaxIDBytes); err != nil {
		return err
	}
	if req.Category, err = stringParam(q, "category", aisle.MaxCategoryBytes); err != nil {
		return err
	}
	if req.Brand, err = stringParam(q, "brand", aisle.MaxBrandBytes); err != nil {
		return err
	}
	box := s.searcher.Load()
	if box == nil {
		return aisle.Errorf(aisle.EUNAVAILABLE, "search is not ready")
	}
	res, err := box.s.Search(r.Context(), req)
	if err != nil {
		return err
	}
	if req.User != "" && req.Cursor == "" {
		s.logSearch(r.Context(), req.User, req.Query)
	}
	if res.Items == nil {
		res.Items = []search.Hit{}
	}
	return writeJSON(w, http.StatusOK, res)
}

// logSearch appends a search event for user and hands it to the
// recommender; a failure is logged, not returned.
func (s *Server) logSearch(ctx context.Context, user, query string) {
	events := []aisle.Event{{User: user, Type: aisle.EventSearch, Query: query}}
	stats, err := s.store.AppendEvents(ctx, events)
	if err != nil {
		s.logger.Warn("log search event", "user", user, "err", err)
		return
	}
	if stats.Accepted > 0 {
		s.rec.Observe(events)
	}
}
