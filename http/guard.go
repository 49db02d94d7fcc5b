package http

import (
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
)

// guard is the first line of every request: it refuses Host headers the
// server does not answer to (DNS rebinding), answers CORS preflight
// requests, marks the responses of allowed origins, and refuses requests
// that change things from other origins' pages (cross-site request
// forgery).
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r) {
			writeError(w, r, aisle.Errorf(aisle.EFORBIDDEN, "this server does not answer to host %q; see -allowed-hosts", clip(r.Host)))
			return
		}
		origin := r.Header.Get("Origin")
		allowed := origin != "" && slices.Contains(s.cfg.CORSOrigins, origin)
		if len(s.cfg.CORSOrigins) > 0 {
			// Replies differ by origin: caches must keep them apart.
			w.Header().Add("Vary", "Origin")
		}
		if allowed {
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Expose-Headers", "Retry-After, Aisle-Audit-Seq")
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				writeError(w, r, aisle.Errorf(aisle.EFORBIDDEN, "origin %q may not call this API from a browser; see -cors-origins", clip(origin)))
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if err := s.crossOrigin.Check(r); err != nil {
			writeError(w, r, aisle.Errorf(aisle.EFORBIDDEN, "cross-origin request refused: a page of another origin may not change things here; see -cors-origins"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newCrossOrigin returns the cross-site request forgery protection,
// trusting origins.
func newCrossOrigin(origins []string) (*http.CrossOriginProtection, error) {
	c := http.NewCrossOriginProtection()
	for _, o := range origins {
		if err := c.AddTrustedOrigin(o); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// hostAllowed reports whether r's Host header names this server (see
// Config.AllowedHosts). Health checks are answered whatever the host.
func (s *Server) hostAllowed(r *http.Request) bool {
	if s.allowedHosts == nil || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.TrimSuffix(strings.Trim(host, "[]"), "."))
	for _, a := range s.allowedHosts {
		switch {
		case a == "*", a == host:
			return true
		case strings.HasPrefix(a, ".") && (host == a[1:] || strings.HasSuffix(host, a)):
			return true
		}
	}
	return false
}

// allowedHosts returns the hosts a server configured with cfg answers
// to, lower-cased, or nil for any.
func allowedHosts(cfg Config) []string {
	if cfg.AllowedHosts == nil {
		if isLoopbackAddr(cfg.Addr) {
			return []string{"localhost", "127.0.0.1", "::1"}
		}
		return nil
	}
	out := make([]string, 0, len(cfg.AllowedHosts))
	for _, h := range cfg.AllowedHosts {
		h = strings.ToLower(strings.TrimSuffix(strings.Trim(strings.TrimSpace(h), "[]"), "."))
		if h == "*" {
			return nil
		}
		if h != "" {
			out = append(out, h)
		}
	}
	return out
}

// isLoopbackAddr reports whether a listen address ("127.0.0.1:8080",
// "[::1]:0", "localhost:80") is on the loopback interface only. An empty
// host (":8080", every interface) is not.
func isLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
