package http

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
)

// access says who may use a route.
type access struct {
	// role is the least role a key needs; "" makes the route public (no
	// key, no rate limit: health checks, the OpenAPI document).
	role aisle.Role
	// shopper names the path parameter that holds the shopper the route
	// is about ("user", "id"), if any. A key bound to a shopper may only
	// name its own; the access log can hash or drop it.
	shopper string
	// own lets a key bound to that shopper use the route whatever its
	// role (a shopper reads their own data).
	own bool
	// shopperKeys lets keys bound to a shopper use the route at all: read
	// routes and the shopper's own routes may, others (catalog writes,
	// deletes, keys) may not. Read routes are allowed without saying so.
	shopperKeys bool
	// photo routes count against Config.MaxPhotoRequests.
	photo bool
}

// Access levels of the routes, for the route tables.
var (
	public    = access{}
	readOnly  = access{role: aisle.RoleRead}
	writing   = access{role: aisle.RoleWrite}
	adminOnly = access{role: aisle.RoleAdmin}
)

// principal is who is making a request.
type principal struct {
	// key is the API key the request carried; nil when no key exists and
	// the server is open (loopback or -insecure).
	key *aisle.Key
}

// actor names the principal in the audit log: the key's id, or
// aisle.ActorLocal.
func (p principal) actor() string {
	if p.key == nil {
		return aisle.ActorLocal
	}
	return p.key.ID
}

// shopper returns the shopper the principal's key is bound to, or "".
func (p principal) shopper() string {
	if p.key == nil {
		return ""
	}
	return p.key.User
}

type principalKey struct{}

// principalFrom returns the request's principal (the zero principal, as
// for an open server, outside guardRoute).
func principalFrom(ctx context.Context) principal {
	p, _ := ctx.Value(principalKey{}).(principal)
	return p
}

// authenticate returns who sent r: the key its Authorization header
// carries, or, while no key exists, the open principal. A request to a
// route that needs a key gets EUNAUTHORIZED without a valid one.
func (s *Server) authenticate(r *http.Request) (principal, error) {
	headers := r.Header.Values("Authorization")
	required, err := s.keys.Required(r.Context())
	if err != nil {
		return principal{}, err
	}
	if !required && len(headers) == 0 {
		return principal{}, nil
	}
	if len(headers) > 1 {
		return principal{}, aisle.Errorf(aisle.EUNAUTHORIZED, "send one Authorization header, not %d", len(headers))
	}
	var header string
	if len(headers) == 1 {
		header = headers[0]
	}
	token, err := apikey.ParseAuthorization(header)
	if err != nil {
		return principal{}, err
	}
	k, err := s.keys.Verify(r.Context(), token)
	if err != nil {
		return principal{}, err
	}
	return principal{key: &k}, nil
}

// authorize checks that p may use a route with access a, about the
// shopper named in the request's path (if any).
func authorize(p principal, a access, r *http.Request) error {
	if p.key == nil {
		return nil // open server: everything is allowed
	}
	k := p.key
	about := ""
	if a.shopper != "" {
		about = r.PathValue(a.shopper)
	}
	if k.User != "" {
		if a.role != aisle.RoleRead && !a.own && !a.shopperKeys {
			return aisle.Errorf(aisle.EFORBIDDEN, "key %s acts for one shopper and may not do this", k.ID)
		}
		if about != "" && about != k.User {
			return aisle.Errorf(aisle.EFORBIDDEN, "key %s acts for another shopper", k.ID)
		}
		if a.own && about == k.User {
			return nil
		}
	}
	if !k.Role.Allows(a.role) {
		return aisle.Errorf(aisle.EFORBIDDEN, "key %s has role %s; this needs %s", k.ID, k.Role, a.role)
	}
	return nil
}

// checkShopper returns EFORBIDDEN when the request's key is bound to a
// shopper other than user: handlers call it for shoppers named in the
// query string or the body (search's user, events' user).
func checkShopper(ctx context.Context, field, user string) error {
	bound := principalFrom(ctx).shopper()
	if bound == "" || user == "" || user == bound {
		return nil
	}
	return aisle.FieldErrorf(aisle.EFORBIDDEN, field, "this key acts for another shopper")
}

// guardRoute wraps a route's handler with what every route needs before it
// runs: it records the route for the access log, authenticates the
// request, applies the rate limits, authorizes it, and holds a photo slot
// for photo routes.
func (s *Server) guardRoute(rt route) http.Handler {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		info := infoFrom(r.Context())
		if info != nil {
			info.pattern = r.Pattern
			if rt.access.shopper != "" {
				info.shopper = r.PathValue(rt.access.shopper)
			}
		}
		if rt.access.role == "" {
			rt.handler.ServeHTTP(w, r)
			return nil
		}
		p, authErr := s.authenticate(r)
		if aisle.ErrorCode(authErr) == aisle.EINTERNAL {
			return authErr
		}
		// A valid key pays from its bucket; anything else, a failed key
		// check included, from the client address's.
		var limit error
		if p.key != nil {
			limit = s.limits.allowKey(p.key.ID)
		} else {
			limit = s.limits.allowAddress(r.RemoteAddr)
		}
		if limit != nil {
			return limit
		}
		if authErr != nil {
			return authErr
		}
		if info != nil {
			info.actor = p.actor()
		}
		if err := authorize(p, rt.access, r); err != nil {
			return err
		}
		ctx := context.WithValue(r.Context(), principalKey{}, p)
		if rt.access.photo {
			release, err := s.limits.photoSlot(ctx)
			if err != nil {
				return err
			}
			defer release()
		}
		rt.handler.ServeHTTP(w, r.WithContext(ctx))
		return nil
	})
}

// errNoKeys is the refusal to serve a non-loopback address openly.
var errNoKeys = errors.New("no API key exists, so anyone who can reach this address could read and change everything")

// CheckExposure refuses to serve cfg.Addr openly: when it is not a
// loopback address, some API key must exist in keys, unless cfg.Insecure.
// Open checks it; a caller may check it before a slow start.
func CheckExposure(ctx context.Context, keys apikey.Lister, cfg Config) error {
	cfg = cfg.withDefaults()
	if cfg.Insecure || isLoopbackAddr(cfg.Addr) {
		return nil
	}
	ks, err := keys.Keys(ctx)
	if err != nil {
		return fmt.Errorf("read API keys: %w", err)
	}
	if len(ks) == 0 {
		return fmt.Errorf("refusing to serve %s: %w; create a key (aisle keys create -role admin) or pass -insecure", cfg.Addr, errNoKeys)
	}
	return nil
}

// bearerChallenge is the WWW-Authenticate header of 401 replies.
const bearerChallenge = `Bearer realm="aisle"`

// isBearerChallenge reports whether err calls for a WWW-Authenticate
// header.
func isBearerChallenge(err error) bool { return aisle.ErrorCode(err) == aisle.EUNAUTHORIZED }
