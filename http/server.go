// Package http serves Aisle's JSON API over HTTP: the catalog, users,
// events, recommendations, health checks, metrics and the OpenAPI document
// that describes them. Import it as aislehttp.
//
// Handlers decode and validate requests, call the Store and the Recommender,
// and encode the reply; the business rules live in package aisle, the store
// and the recommender, never here.
package http

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
	"github.com/prometheus/client_golang/prometheus"
)

// Store is the part of aisle.Store the handlers use. *sqlite.DB satisfies
// it. Implementations must be safe for concurrent use.
type Store interface {
	aisle.ItemStore
	aisle.UserStore
	aisle.KeyStore
	aisle.AuditLog
	// UserEvents returns one user's events, newest first; see
	// aisle.EventStore.
	UserEvents(ctx context.Context, user string, q aisle.EventQuery) ([]aisle.Event, error)
	// AppendEvents writes a batch of events atomically; see aisle.EventStore.
	AppendEvents(ctx context.Context, events []aisle.Event) (aisle.AppendStats, error)
	// Questions returns an item's questions; see aisle.QuestionStore.
	Questions(ctx context.Context, item string, limit int) ([]aisle.Question, error)
	// Counts returns the number of rows of each kind.
	Counts(ctx context.Context) (aisle.Counts, error)
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
}

// Recommender ranks items for users and finds similar items.
// Implementations must be safe for concurrent use.
type Recommender interface {
	// Recommend returns up to req.N items for user, best first. Unknown
	// users get results too (popular items, for instance), never ENOTFOUND.
	Recommend(ctx context.Context, user string, req aisle.RecommendRequest) ([]aisle.Recommendation, error)
	// Similar returns up to n items like item, best first.
	Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
	// Observe is called with each event batch after the store has made it
	// durable, so models can update in real time. The events are as
	// AppendEvents left them (ids and timestamps filled in), and only
	// those the store wrote: duplicates were observed when first written.
	// It must not block.
	Observe(events []aisle.Event)
	// Ready reports whether the recommender can serve requests.
	Ready() bool
}

// CatalogObserver is an optional capability of a Recommender that keeps
// catalog facts or purchase histories in memory: the server tells it about
// every change it makes to the store, right after the change is durable.
type CatalogObserver interface {
	// ObserveItems is called with items as they are stored. Calls about
	// the same item are never concurrent, and the last call about an
	// item gives it as the store has it (see Server.SyncItems).
	ObserveItems(items []aisle.Item)
	// ForgetItem is called after an item was deleted.
	ForgetItem(id string)
	// ForgetUser is called after a user and their events were erased.
	// When it returns nil, nothing served reflects the user's events.
	ForgetUser(ctx context.Context, id string) error
}

// catalogObserver returns the recommender's CatalogObserver, or nil.
func (s *Server) catalogObserver() CatalogObserver {
	co, _ := s.rec.(CatalogObserver)
	return co
}

// Config configures a Server. Zero fields take the defaults documented on
// each field, which DefaultConfig returns.
type Config struct {
	// Addr is the TCP address Open listens on (default "127.0.0.1:8080").
	// Port 0 picks a free port; Addr reports the one chosen.
	Addr string
	// MaxBodyBytes caps a request body (default 8 MiB); larger bodies are
	// rejected with 413.
	MaxBodyBytes int64
	// MaxPhotoBytes caps an uploaded photo (default 20 MiB, as package
	// photo's); a photo request's body may exceed it by a multipart form's
	// other fields.
	MaxPhotoBytes int64
	// MaxBatch caps the items or events in one batch request (default
	// 1000); larger batches are rejected with 413.
	MaxBatch int
	// RequestTimeout bounds the work done for one request (default 10s):
	// the request's context is cancelled when it expires, and a request
	// whose body takes longer to arrive is dropped.
	RequestTimeout time.Duration
	// ShutdownTimeout bounds how long Shutdown and Close wait for
	// in-flight requests (default 15s) before closing their connections.
	ShutdownTimeout time.Duration

	// Insecure lets Open listen on an address other than loopback while
	// no API key exists, so that anyone who can reach it may do anything.
	// Without it Open refuses to.
	Insecure bool
	// AllowedHosts lists the host names (and IP addresses) requests may
	// name in their Host header; others are refused with 403, which stops
	// DNS-rebinding pages from reaching the server through a name of
	// their own. An entry ".example.com" allows example.com and its
	// subdomains; "*" allows any. The default, nil, allows localhost,
	// 127.0.0.1 and ::1 when Addr is a loopback address, and any host
	// otherwise. /healthz and /readyz answer any host.
	AllowedHosts []string
	// CORSOrigins lists the origins ("https://shop.example") whose pages
	// may call the API from a browser: their preflight requests are
	// answered and their responses carry Access-Control-Allow-Origin.
	// None by default. Requests that change things and come from any
	// other origin's page are refused (http.CrossOriginProtection).
	CORSOrigins []string
	// KeyRate and KeyBurst limit the requests of one API key: KeyRate a
	// second on average (default 500), KeyBurst at once (default twice
	// KeyRate). AddressRate and AddressBurst limit requests that carry no
	// valid key, by client address (IPv6 by /64), loopback excepted
	// (default 50 a second, bursts of 100); they count failed key checks
	// too. A negative rate turns its limit off. Over a limit, 429 with
	// Retry-After.
	KeyRate, AddressRate   float64
	KeyBurst, AddressBurst int
	// MaxPhotoRequests caps the photo requests (uploads, search by
	// photo) served at once (default 2 × GOMAXPROCS); a request that
	// cannot start within QueueWait (default 2s) gets 429.
	MaxPhotoRequests int
	QueueWait        time.Duration
	// AllowImageFiles lets items written through the API name photos by
	// file path (read from the photo reader's image folder). Off by
	// default: such items are refused with 400, and photos come as URLs
	// or uploads.
	AllowImageFiles bool
	// LogSearches makes GET /v1/search?user= log the query as a search
	// event of that user when the user exists (never creating one). Off
	// by default: GET requests change nothing; clients log searches with
	// POST /v1/events.
	LogSearches bool
	// ShopperIDs says how the access log writes shopper ids found in
	// request paths and error messages: ShopperIDsKeep, ShopperIDsHash
	// (the default: a keyed hash, the same for one id within one process)
	// or ShopperIDsDrop.
	ShopperIDs string
	// MetricsAddr, when set, is a second listen address that serves
	// GET /metrics alone, without a key (for a scraper on a private
	// network). GET /metrics on Addr needs an admin key once keys exist.
	MetricsAddr string
}

// How the access log writes shopper ids; see Config.ShopperIDs.
const (
	ShopperIDsKeep = "keep"
	ShopperIDsHash = "hash"
	ShopperIDsDrop = "drop"
)

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:8080",
		MaxBodyBytes:     8 << 20,
		MaxPhotoBytes:    20 << 20,
		MaxBatch:         1000,
		RequestTimeout:   10 * time.Second,
		ShutdownTimeout:  15 * time.Second,
		KeyRate:          500,
		KeyBurst:         1000,
		AddressRate:      50,
		AddressBurst:     100,
		MaxPhotoRequests: 2 * runtime.GOMAXPROCS(0),
		QueueWait:        2 * time.Second,
		ShopperIDs:       ShopperIDsHash,
	}
}

// withDefaults returns c with its zero fields set to the defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Addr == "" {
		c.Addr = d.Addr
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.MaxPhotoBytes <= 0 {
		c.MaxPhotoBytes = d.MaxPhotoBytes
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = d.MaxBatch
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = d.RequestTimeout
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.KeyRate == 0 {
		c.KeyRate = d.KeyRate
	}
	if c.KeyBurst <= 0 {
		c.KeyBurst = max(1, int(2*c.KeyRate))
	}
	if c.AddressRate == 0 {
		c.AddressRate = d.AddressRate
	}
	if c.AddressBurst <= 0 {
		c.AddressBurst = max(1, int(2*c.AddressRate))
	}
	if c.MaxPhotoRequests <= 0 {
		c.MaxPhotoRequests = d.MaxPhotoRequests
	}
	if c.QueueWait <= 0 {
		c.QueueWait = d.QueueWait
	}
	if c.ShopperIDs == "" {
		c.ShopperIDs = d.ShopperIDs
	}
	return c
}

// Server is Aisle's HTTP API. Create it with NewServer; either mount
// Handler in a server of your own, or call Open to listen on Config.Addr and
// Shutdown (or Close) to stop. Its methods are safe for concurrent use.
type Server struct {
	store   Store
	rec     Recommender
	cfg     Config
	logger  *slog.Logger
	now     func() time.Time
	metrics *metrics
	mux     *http.ServeMux
	handler http.Handler
	// searcher serves GET /v1/search; see SetSearcher.
	searcher slot[Searcher]
	// photos serves the photo routes; see SetPhotos.
	photos slot[photoParts]
	// videos serves PUT /v1/items/{id}/video; see SetVideos.
	videos slot[Videos]
	// photoEncoder serves POST /v1/search/image; see SetPhotoEncoder.
	photoEncoder slot[PhotoEncoder]
	// rules serves the rule routes; see SetRules.
	rules slot[ruleParts]
	// copywriter serves POST /v1/items/{id}/copy; see SetCopywriter.
	copywriter slot[Copywriter]
	// asker serves the Q&A and caption routes; see SetAsker.
	asker slot[Asker]
	// chat serves the /v1/chat routes; see SetAssistant.
	chat slot[Assistant]
	// convos maps OpenAI-style conversations to chat sessions (POST
	// /v1/chat/completions).
	convos conversations

	keys         *apikey.Verifier
	limits       *limits
	crossOrigin  *http.CrossOriginProtection
	allowedHosts []string // nil: any
	logKey       []byte   // keys the access log's shopper id hashes
	// syncMu serialises SyncItems, so the last word about an item is the
	// stored one.
	syncMu sync.Mutex

	closeOnce sync.Once
	closeErr  error

	// mu guards the following fields, set by Open.
	mu       sync.Mutex
	ln       net.Listener
	srv      *http.Server
	done     chan struct{} // closed when the serve goroutine returns
	metrics2 *http.Server  // serves Config.MetricsAddr, if set
	mdone    chan struct{} // closed when its goroutine returns
	closed   bool
}

// NewServer returns a Server that serves store and rec. It does no I/O.
// A nil logger discards logs. The server's metrics are registered with reg;
// GET /metrics serves reg when it is also a prometheus.Gatherer (as
// *prometheus.Registry is), and otherwise only the server's own metrics.
// A nil reg keeps the metrics private to GET /metrics. now is the wall
// clock, which the API key cache's expiry, the rate limits and the times
// of API keys and audit entries read; nil means time.Now.
func NewServer(store Store, rec Recommender, cfg Config, logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	cfg = cfg.withDefaults()
	s := &Server{
		store:        store,
		rec:          rec,
		cfg:          cfg,
		logger:       logger,
		now:          now,
		mux:          http.NewServeMux(),
		keys:         apikey.NewVerifier(store, 0, now),
		limits:       newLimits(cfg, now),
		allowedHosts: allowedHosts(cfg),
		logKey:       make([]byte, 32),
	}
	rand.Read(s.logKey)
	var err error
	if s.crossOrigin, err = newCrossOrigin(cfg.CORSOrigins); err != nil {
		s.crossOrigin = http.NewCrossOriginProtection() // Open reports the bad origin
	}
	s.metrics = newMetrics(reg, store, logger)
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.guardRoute(rt))
	}
	s.handler = s.middleware(http.HandlerFunc(s.dispatch))
	return s
}

// Validate checks the settings that can be wrong.
func (c Config) Validate() error {
	if _, err := newCrossOrigin(c.CORSOrigins); err != nil {
		return fmt.Errorf("CORS origins: %w", err)
	}
	switch c.ShopperIDs {
	case "", ShopperIDsKeep, ShopperIDsHash, ShopperIDsDrop:
	default:
		return fmt.Errorf("shopper ids in logs: %q is not %s, %s or %s", c.ShopperIDs, ShopperIDsKeep, ShopperIDsHash, ShopperIDsDrop)
	}
	return nil
}

// route is one entry of the API: a ServeMux pattern ("GET /v1/items/{id}"),
// the handler that serves it and who may use it.
type route struct {
	pattern string
	handler http.Handler
	access  access
}

// routes lists every route the server serves, in one place, so that tests
// can check them against the OpenAPI document. Each resource contributes
// its own list.
func (s *Server) routes() []route {
	var rs []route
	for _, group := range [][]route{
		s.itemRoutes(),
		s.userRoutes(),
		s.profileRoutes(),
		s.eventRoutes(),
		s.recommendRoutes(),
		s.cartRoutes(),
		s.searchRoutes(),
		s.photoRoutes(),
		s.videoRoutes(),
		s.healthRoutes(),
		s.metricsRoutes(),
		s.openAPIRoutes(),
		s.keyRoutes(),
		s.auditRoutes(),
		s.ruleRoutes(),
		s.copyRoutes(),
		s.askRoutes(),
		s.chatRoutes(),
		s.completionRoutes(),
	} {
		rs = append(rs, group...)
	}
	return rs
}

// Handler returns the server's root handler, middleware included. It is
// the handler Open serves.
func (s *Server) Handler() http.Handler { return s.handler }

// Open listens on Config.Addr (and Config.MetricsAddr) and serves
// requests in a goroutine that Shutdown and Close stop. It returns once
// the listener is open. It fails if the server was already opened or
// closed, if the configuration is invalid, and, unless Config.Insecure,
// if Addr is not a loopback address and no API key exists.
func (s *Server) Open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return errors.New("http: server is closed")
	case s.srv != nil:
		return errors.New("http: server is already open")
	}
	if err := s.cfg.Validate(); err != nil {
		return err
	}
	if err := CheckExposure(context.Background(), s.store, s.cfg); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if s.cfg.MetricsAddr != "" {
		if err := s.openMetrics(); err != nil {
			ln.Close()
			return err
		}
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       s.cfg.RequestTimeout,
		// Leave a handler whose context expired time to send its error.
		WriteTimeout: s.cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.done = make(chan struct{})
	go s.serve(s.srv, ln, s.done)
	s.logger.Info("http server listening", "addr", ln.Addr().String())
	return nil
}

// serve runs srv on ln until it is shut down, then closes done.
func (s *Server) serve(srv *http.Server, ln net.Listener, done chan<- struct{}) {
	defer close(done)
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		s.logger.Error("http server stopped", "err", err)
	}
}

// Addr returns the address the server listens on after Open (with the
// actual port when Config.Addr asked for port 0), or "" before Open.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// URL returns the server's base URL ("http://127.0.0.1:8080") after Open,
// or "" before Open.
func (s *Server) URL() string {
	addr := s.Addr()
	if addr == "" {
		return ""
	}
	return "http://" + addr
}

// Shutdown stops the server gracefully: it stops accepting connections,
// waits for in-flight requests to finish, and returns once the serve
// goroutine has stopped. It waits at most until ctx is done or
// Config.ShutdownTimeout has passed; then it closes the remaining
// connections and returns the context's error. Shutdown before Open does
// nothing, and later calls return the first call's result.
func (s *Server) Shutdown(ctx context.Context) error {
	s.closeOnce.Do(func() { s.closeErr = s.shutdown(ctx) })
	return s.closeErr
}

// Close is Shutdown bounded by Config.ShutdownTimeout alone. It is safe to
// call more than once.
func (s *Server) Close() error {
	return s.Shutdown(context.Background())
}

func (s *Server) shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	srv, done := s.srv, s.done
	msrv, mdone := s.metrics2, s.mdone
	s.mu.Unlock()
	if msrv != nil {
		msrv.Close()
		<-mdone
	}
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close() // drop the requests that did not finish in time
		err = fmt.Errorf("shutdown: %w", err)
	}
	<-done
	return err
}

// writeJSON writes v as a JSON response with the given status. It returns
// an error, having written nothing, only if v cannot be encoded (a bug).
// Errors writing to the client are ignored: the client has gone, and
// nothing more can be said to it.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
	return nil
}
