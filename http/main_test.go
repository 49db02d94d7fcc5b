package http

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeRecommender is a Recommender whose answers the test sets. By
// default it recommends and finds nothing.
type fakeRecommender struct {
	recommend func(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error)
	similar   func(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
	cart      func(ctx context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error)
	notReady  atomic.Bool

	// mu guards the two following fields.
	mu       sync.Mutex
	observed []aisle.Event
	requests []string // "user n=.. exclude=.. bought=.." or "similar item n=.."
}

var (
	_ Recommender        = (*fakeRecommender)(nil)
	_ CatalogObserver    = (*fakeRecommender)(nil)
	_ ContentRecommender = (*fakeRecommender)(nil)
	_ CartRecommender    = (*fakeRecommender)(nil)
)

// ObserveItems, ForgetItem and ForgetUser record catalog changes as
// requests ("items a,b", "forget-item a", "forget-user u").
func (f *fakeRecommender) ObserveItems(items []aisle.Item) {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	f.record("items " + strings.Join(ids, ","))
}

func (f *fakeRecommender) ForgetItem(id string) { f.record("forget-item " + id) }

func (f *fakeRecommender) ForgetUser(_ context.Context, id string) error {
	f.record("forget-user " + id)
	return nil
}

func (f *fakeRecommender) Recommend(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error) {
	f.record(fmt.Sprintf("%s n=%d exclude=%s bought=%t", user, req.N, strings.Join(req.Exclude, ","), req.IncludeBought))
	if f.recommend == nil {
		return nil, nil
	}
	return f.recommend(ctx, user, req)
}

func (f *fakeRecommender) Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	f.record(fmt.Sprintf("similar %s n=%d", item, n))
	if f.similar == nil {
		return nil, nil
	}
	return f.similar(ctx, item, n)
}

// CompleteCart records "cart a,b user=.. n=.." and answers with cart, by
// default nothing.
func (f *fakeRecommender) CompleteCart(ctx context.Context, req aisle.CartRequest) ([]aisle.Recommendation, error) {
	f.record(fmt.Sprintf("cart %s user=%s n=%d", strings.Join(req.Items, ","), req.User, req.N))
	if f.cart == nil {
		return nil, nil
	}
	return f.cart(ctx, req)
}

// SimilarContent records "content item n=.." and answers as Similar does.
func (f *fakeRecommender) SimilarContent(ctx context.Context, item string, n int) ([]aisle.Recommendation, error) {
	f.record(fmt.Sprintf("content %s n=%d", item, n))
	if f.similar == nil {
		return nil, nil
	}
	return f.similar(ctx, item, n)
}

func (f *fakeRecommender) Observe(events []aisle.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.observed = append(f.observed, events...)
}

func (f *fakeRecommender) Ready() bool { return !f.notReady.Load() }

func (f *fakeRecommender) record(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, s)
}

func (f *fakeRecommender) Observed() []aisle.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]aisle.Event(nil), f.observed...)
}

func (f *fakeRecommender) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// lockedBuffer is a bytes.Buffer safe for concurrent use, to capture logs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testEnv is a Server on 127.0.0.1:0 over a real SQLite store in a
// temporary directory, with a client whose every response is checked
// against the OpenAPI document.
type testEnv struct {
	t      *testing.T
	db     *sqlite.DB
	rec    *fakeRecommender
	reg    *prometheus.Registry
	srv    *Server
	logs   *lockedBuffer
	client *http.Client
	spec   *specTransport
}

// newEnv starts a test server. configure, if not nil, may change the
// config and the recommender before the server is created.
func newEnv(t *testing.T, configure func(*Config, *fakeRecommender)) *testEnv {
	t.Helper()
	ctx := t.Context()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	rec := &fakeRecommender{}
	if configure != nil {
		configure(&cfg, rec)
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	reg := prometheus.NewRegistry()
	srv := NewServer(db, rec, cfg, logger, reg, nil)
	srv.SetRules(db, rules.New(nil))
	if err := srv.Open(); err != nil {
		t.Fatalf("open server: %v", err)
	}
	base := http.DefaultTransport.(*http.Transport).Clone()
	spec := newSpecTransport(t, base)
	e := &testEnv{
		t: t, db: db, rec: rec, reg: reg, srv: srv, logs: logs, spec: spec,
		client: &http.Client{Transport: spec, Timeout: 30 * time.Second},
	}
	t.Cleanup(func() {
		// A test that shut the server down itself with a deadline sees
		// that deadline's error again here.
		if err := srv.Close(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("close server: %v", err)
		}
		base.CloseIdleConnections()
	})
	return e
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request. body is nil (no body), a string or []byte (sent as
// is), or any other value (sent as its JSON). headers are name, value
// pairs; a JSON Content-Type is set unless given.
func (e *testEnv) do(method, path string, body any, headers ...string) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode request body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.srv.URL()+path, r)
	if err != nil {
		e.t.Fatalf("new request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i] == "Host" {
			req.Host = headers[i+1]
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// expect sends a request and fails the test unless the status is want.
func (e *testEnv) expect(want int, method, path string, body any, headers ...string) response {
	e.t.Helper()
	resp := e.do(method, path, body, headers...)
	if resp.status != want {
		e.t.Fatalf("%s %s: status %d, want %d; body: %s", method, path, resp.status, want, resp.body)
	}
	return resp
}

// decodeJSON decodes b into a T, failing the test on error.
func decodeJSON[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// apiError decodes an error response.
func apiError(t *testing.T, resp response) errorDetail {
	t.Helper()
	if ct := resp.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	return decodeJSON[errorBody](t, resp.body).Error
}

func ptr[T any](v T) *T { return &v }

// seed fills the store with a small catalog, two users, their events and
// some questions, through the store itself.
func (e *testEnv) seed() {
	e.t.Helper()
	ctx := e.t.Context()
	items := []aisle.Item{
		{ID: "pen-1", Title: "Blue pen", Brand: "Acme", Categories: []string{"Office", "Writing", "Pens"}, Price: ptr(1.5), Currency: "USD"},
		{ID: "pen-2", Title: "Red pen", Brand: "Acme", Categories: []string{"Office", "Writing", "Pens"}},
		{ID: "pen-3", Title: "Black pen", Brand: "Bic", Categories: []string{"Office", "Writing", "Pens"}},
		{ID: "paper-1", Title: "A4 paper", Brand: "Acme", Categories: []string{"Office", "Paper"}},
		{ID: "mug-1", Title: "Mug", Brand: "Homey", Categories: []string{"Kitchen"}},
		{ID: "mug-2", Title: "Big mug", Brand: "Homey", Categories: []string{"Kitchen"}, Availability: aisle.AvailabilityOutOfStock},
		{ID: "lamp-1", Title: "Desk lamp", Brand: "Lumo", Categories: []string{"Office", "Lighting"}, Attributes: map[string]string{"colour": "white"}},
	}
	if _, err := e.db.UpsertItems(ctx, items); err != nil {
		e.t.Fatalf("seed items: %v", err)
	}
	if _, err := e.db.UpsertUsers(ctx, []aisle.User{{ID: "u1", Attributes: map[string]string{"tier": "gold"}}, {ID: "u2"}}); err != nil {
		e.t.Fatalf("seed users: %v", err)
	}
	t0 := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	events := []aisle.Event{
		{ID: "e1", User: "u1", Item: "pen-1", Type: aisle.EventView, Time: t0},
		{ID: "e2", User: "u1", Item: "pen-1", Type: aisle.EventPurchase, Time: t0.Add(time.Minute)},
		{ID: "e3", User: "u2", Item: "mug-1", Type: aisle.EventRating, Value: ptr(4.0), Time: t0.Add(2 * time.Minute)},
	}
	if _, err := e.db.AppendEvents(ctx, events); err != nil {
		e.t.Fatalf("seed events: %v", err)
	}
	qs := []aisle.Question{
		{ID: "q1", Item: "pen-1", Type: "yes/no", Question: "Is it blue?", Answer: "Yes", AnswerType: "Y", AnsweredAt: t0},
		{ID: "q2", Item: "pen-1", Type: "open-ended", Question: "How long does it last?", Answer: "A year", AnsweredAt: t0.Add(time.Hour)},
		{ID: "q3", Item: "gone-1", Question: "Is this still sold?", Answer: "No"},
	}
	if _, err := e.db.UpsertQuestions(ctx, qs); err != nil {
		e.t.Fatalf("seed questions: %v", err)
	}
}

// snapshot is everything a failed request must leave as it was.
type snapshot struct {
	Counts    aisle.Counts
	Items     []aisle.Item
	Users     map[string]aisle.User
	Events    []aisle.Event
	Questions []aisle.Question
}

// snapshot reads the whole (small) store.
func (e *testEnv) snapshot() snapshot {
	e.t.Helper()
	ctx := e.t.Context()
	var s snapshot
	var err error
	if s.Counts, err = e.db.Counts(ctx); err != nil {
		e.t.Fatalf("counts: %v", err)
	}
	page, err := e.db.ListItems(ctx, aisle.ItemFilter{Limit: 1000})
	if err != nil {
		e.t.Fatalf("list items: %v", err)
	}
	s.Items = page.Items
	s.Users = map[string]aisle.User{}
	for _, id := range []string{"u1", "u2", "u3", "new-user"} {
		if u, err := e.db.User(ctx, id); err == nil {
			s.Users[id] = u
		}
	}
	for ev, err := range e.db.Events(ctx, 0) {
		if err != nil {
			e.t.Fatalf("events: %v", err)
		}
		s.Events = append(s.Events, ev)
	}
	for _, it := range []string{"pen-1", "gone-1"} {
		qs, err := e.db.Questions(ctx, it, 0)
		if err != nil {
			e.t.Fatalf("questions: %v", err)
		}
		s.Questions = append(s.Questions, qs...)
	}
	return s
}

// specTransport checks every response against the OpenAPI document and
// remembers which operations and statuses it has checked.
type specTransport struct {
	t    *testing.T
	base http.RoundTripper

	// mu guards checked.
	mu      sync.Mutex
	checked map[string]map[int]bool // "GET /v1/items/{id}" → statuses
}

// loadSpec loads and validates openapi.json once.
var loadSpec = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		return nil, err
	}
	return doc, doc.Validate(context.Background())
})

var specRouter = sync.OnceValues(func() (routers.Router, error) {
	doc, err := loadSpec()
	if err != nil {
		return nil, err
	}
	return gorillamux.NewRouter(doc)
})

func newSpecTransport(t *testing.T, base http.RoundTripper) *specTransport {
	t.Helper()
	if _, err := specRouter(); err != nil {
		t.Fatalf("load OpenAPI document: %v", err)
	}
	return &specTransport{t: t, base: base, checked: map[string]map[int]bool{}}
}

func (s *specTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil // the caller sees the short body
	}
	router, _ := specRouter()
	route, params, err := router.FindRoute(req)
	if err != nil {
		return resp, nil // not a documented route: TestOpenAPIRoutes covers the table
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 resp.StatusCode,
		Header:                 resp.Header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		s.t.Errorf("%s %s: response %d does not match the OpenAPI document: %v\nbody: %.500s", req.Method, req.URL.RequestURI(), resp.StatusCode, err, body)
	}
	op := req.Method + " " + route.Path
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.checked[op] == nil {
		s.checked[op] = map[int]bool{}
	}
	s.checked[op][resp.StatusCode] = true
	return resp, nil
}

// Checked returns the operations checked and their statuses.
func (s *specTransport) Checked() map[string]map[int]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]map[int]bool{}
	for op, st := range s.checked {
		out[op] = map[int]bool{}
		for code := range st {
			out[op][code] = true
		}
	}
	return out
}
