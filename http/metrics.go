package http

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// countsTimeout bounds the store query a metrics scrape makes.
const countsTimeout = 2 * time.Second

// metrics are the server's Prometheus metrics.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	gatherer prometheus.Gatherer // what GET /metrics serves
}

// newMetrics creates the server's metrics and registers them with reg and,
// when reg cannot be gathered, with a private registry that GET /metrics
// serves instead. A nil reg registers with the private registry only.
func newMetrics(reg prometheus.Registerer, store Store, logger *slog.Logger) *metrics {
	regs := []prometheus.Registerer{}
	gatherer, ok := reg.(prometheus.Gatherer)
	if reg != nil {
		regs = append(regs, reg)
	}
	if !ok {
		own := prometheus.NewRegistry()
		regs = append(regs, own)
		gatherer = own
	}
	m := &metrics{gatherer: gatherer}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aisle_http_requests_total",
		Help: "HTTP requests served, by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "aisle_http_request_duration_seconds",
		Help:    "Time to serve an HTTP request, by route pattern.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	sizes := &storeCollector{store: store, logger: logger}
	for _, r := range regs {
		m.requests = register(r, m.requests, logger)
		m.duration = register(r, m.duration, logger)
		register(r, prometheus.Collector(sizes), logger)
	}
	return m
}

// register registers c with reg. If an equal collector is already
// registered (a second Server on the same registry), it returns that one so
// both servers count into it.
func register[C prometheus.Collector](reg prometheus.Registerer, c C, logger *slog.Logger) C {
	err := reg.Register(c)
	var dup prometheus.AlreadyRegisteredError
	switch {
	case err == nil:
	case errors.As(err, &dup):
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	default:
		logger.Warn("register metrics", "err", err)
	}
	return c
}

// observe records one served request.
func (m *metrics) observe(route, method string, status int, elapsed time.Duration) {
	m.requests.WithLabelValues(route, methodLabel(method), strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(elapsed.Seconds())
}

// methodLabel bounds the method label to the standard methods.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// storeCollector reports the store's sizes, read when scraped.
type storeCollector struct {
	store  Store
	logger *slog.Logger
}

var storeRowsDesc = prometheus.NewDesc(
	"aisle_store_rows",
	"Rows in the store, by kind (items, users, events, questions), counted at scrape time.",
	[]string{"kind"}, nil,
)

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- storeRowsDesc }

// Collect implements prometheus.Collector. If the store cannot be counted
// in time, the gauges are left out of the scrape and the error is logged.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	// A scrape has no context of its own; this is the root of its work.
	ctx, cancel := context.WithTimeout(context.Background(), countsTimeout)
	defer cancel()
	n, err := c.store.Counts(ctx)
	if err != nil {
		c.logger.Warn("count store rows for metrics", "err", err)
		return
	}
	for _, kv := range []struct {
		kind string
		n    int64
	}{{"items", n.Items}, {"users", n.Users}, {"events", n.Events}, {"questions", n.Questions}} {
		ch <- prometheus.MustNewConstMetric(storeRowsDesc, prometheus.GaugeValue, float64(kv.n), kv.kind)
	}
}

// metricsRoutes registers GET /metrics, for admin keys.
func (s *Server) metricsRoutes() []route {
	return []route{{"GET /metrics", s.metricsHandler(), adminOnly}}
}

// metricsHandler serves the Prometheus metrics.
func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.gatherer, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
	})
}

// openMetrics listens on Config.MetricsAddr and serves GET /metrics
// there, without a key, until Shutdown. s.mu must be held.
func (s *Server) openMetrics() error {
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("listen for metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metricsHandler())
	s.metrics2 = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		WriteTimeout:      30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	s.mdone = make(chan struct{})
	go s.serve(s.metrics2, ln, s.mdone)
	s.logger.Info("metrics listening", "addr", ln.Addr().String())
	return nil
}
