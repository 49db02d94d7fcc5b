package http

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// middleware wraps h in the server's middleware, outermost first. It is
// the one place middleware is composed.
func (s *Server) middleware(h http.Handler) http.Handler {
	stack := []func(http.Handler) http.Handler{
		s.observe,      // access log and metrics, for every response below
		s.recoverPanic, // a panic becomes a 500 JSON error
		s.guard,        // Host header, CORS, cross-site request forgery
		s.timeout,      // the request's context ends after RequestTimeout
	}
	for i := len(stack) - 1; i >= 0; i-- {
		h = stack[i](h)
	}
	return h
}

// requestInfo collects what the inner layers learn about a request for the
// access log and the metrics: the route that matched, who sent it, the
// shopper it concerns and the handler's error.
type requestInfo struct {
	pattern string // r.Pattern of the matched route; "" if none matched
	actor   string // the API key's id, or aisle.ActorLocal; "" before authentication
	shopper string // the shopper named in the path, if any
	err     error  // the error the response reports, if any
}

type infoKey struct{}

// infoFrom returns the request's *requestInfo, or nil outside observe.
func infoFrom(ctx context.Context) *requestInfo {
	info, _ := ctx.Value(infoKey{}).(*requestInfo)
	return info
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe writes one access log line per request and records the request
// metrics. An internal error is logged at level Error with the real error
// (the client saw only "internal error"), other 5xx at level Warn with the
// real error, the rest at level Info with the message the client saw.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		sw := &statusWriter{ResponseWriter: w}
		defer s.logRequest(r, sw, info, start) // even when the handler aborts with a panic
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
	})
}

// logRequest writes the access log line and records the metrics of a
// request that started at start.
func (s *Server) logRequest(r *http.Request, sw *statusWriter, info *requestInfo, start time.Time) {
	elapsed := time.Since(start)
	if sw.status == 0 {
		sw.status = http.StatusOK
	}

	route := routeLabel(info.pattern)
	s.metrics.observe(route, r.Method, sw.status, elapsed)

	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String("method", r.Method),
		slog.String("path", s.redact(r.URL.Path, info.shopper)),
		slog.String("route", route),
		slog.Int("status", sw.status),
		slog.Int64("bytes", sw.bytes),
		slog.Duration("duration", elapsed),
	}
	if info.actor != "" {
		attrs = append(attrs, slog.String("actor", info.actor))
	}
	switch {
	case info.err == nil:
	case aisle.ErrorCode(info.err) == aisle.EINTERNAL:
		level = slog.LevelError
		attrs = append(attrs, slog.String("err", s.redact(info.err.Error(), info.shopper)))
	case sw.status >= 500:
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("err", s.redact(info.err.Error(), info.shopper)))
	default:
		attrs = append(attrs, slog.String("err", s.redact(aisle.ErrorMessage(info.err), info.shopper)))
	}
	s.logger.LogAttrs(r.Context(), level, "http request", attrs...)
}

// redact writes the shopper id in text as Config.ShopperIDs says: as it
// is, as "~" and a keyed hash of it, or as "~".
func (s *Server) redact(text, shopper string) string {
	if shopper == "" || s.cfg.ShopperIDs == ShopperIDsKeep {
		return text
	}
	return strings.ReplaceAll(text, shopper, s.shopperMark(shopper))
}

// shopperMark is what the access log writes instead of a shopper id.
func (s *Server) shopperMark(id string) string {
	if s.cfg.ShopperIDs == ShopperIDsDrop {
		return "~"
	}
	m := hmac.New(sha256.New, s.logKey)
	m.Write([]byte(id))
	return "~" + hex.EncodeToString(m.Sum(nil)[:6])
}

// routeLabel returns the path part of a ServeMux pattern ("GET
// /v1/items/{id}" gives "/v1/items/{id}"), or "unmatched".
func routeLabel(pattern string) string {
	if pattern == "" {
		return "unmatched"
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// recoverPanic turns a panic in a handler into a 500 JSON error, unless
// the response had already begun; then the connection is dropped.
func (s *Server) recoverPanic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			err := fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			if sw, ok := w.(*statusWriter); ok && sw.status != 0 {
				if info := infoFrom(r.Context()); info != nil {
					info.err = err
				}
				panic(http.ErrAbortHandler)
			}
			writeError(w, r, err)
		}()
		next.ServeHTTP(w, r)
	})
}

// timeout bounds the request's context by Config.RequestTimeout.
func (s *Server) timeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// dispatch routes a request through the ServeMux. Requests no route
// matches get the JSON error shape too: 404, or 405 with the Allow header
// when the path exists for other methods.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	h, pattern := s.mux.Handler(r)
	if pattern != "" {
		s.mux.ServeHTTP(w, r)
		return
	}
	// Let the mux's own handler decide (404, 405 or a redirect to the
	// clean path), then speak JSON for errors.
	rec := &headerRecorder{header: http.Header{}}
	h.ServeHTTP(rec, r)
	switch rec.status {
	case http.StatusNotFound:
		writeError(w, r, aisle.Errorf(aisle.ENOTFOUND, "no route for %s %s", r.Method, clip(r.URL.Path)))
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeError(w, r, aisle.Errorf(codeMethodNotAllowed, "method %s is not allowed here; allowed: %s", clip(r.Method), rec.header.Get("Allow")))
	default:
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.status)
	}
}

// headerRecorder keeps the status and headers a handler writes and drops
// the body.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header { return h.header }

func (h *headerRecorder) Write(b []byte) (int, error) {
	if h.status == 0 {
		h.status = http.StatusOK
	}
	return len(b), nil
}

func (h *headerRecorder) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}
