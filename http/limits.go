package http

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/aislehq/aisle"
)

// limits holds the server's rate limits (token buckets per API key and per
// client address) and the slots of the photo routes.
type limits struct {
	keys, addresses *buckets // nil when the limit is off
	photos          chan struct{}
	queueWait       time.Duration
}

func newLimits(cfg Config, now func() time.Time) *limits {
	l := &limits{photos: make(chan struct{}, cfg.MaxPhotoRequests), queueWait: cfg.QueueWait}
	if cfg.KeyRate > 0 {
		l.keys = newBuckets(rate.Limit(cfg.KeyRate), cfg.KeyBurst, maxBuckets, now)
	}
	if cfg.AddressRate > 0 {
		l.addresses = newBuckets(rate.Limit(cfg.AddressRate), cfg.AddressBurst, maxBuckets, now)
	}
	return l
}

// maxBuckets is how many buckets a limit keeps before it forgets the full
// ones (a full bucket is the same as a new one).
const maxBuckets = 100_000

// allowKey takes a token from key id's bucket, or returns ERATELIMIT.
func (l *limits) allowKey(id string) error {
	if l.keys == nil {
		return nil
	}
	return l.keys.take("key:" + id)
}

// allowAddress takes a token from the bucket of the client at remoteAddr
// (IPv6 clients by their /64 network), or returns ERATELIMIT. Loopback
// clients are not limited: they are on the server's own machine.
func (l *limits) allowAddress(remoteAddr string) error {
	if l.addresses == nil {
		return nil
	}
	ap, err := netip.ParseAddrPort(remoteAddr)
	if err != nil {
		host, _, _ := net.SplitHostPort(remoteAddr)
		return l.addresses.take("addr:" + host)
	}
	addr := ap.Addr().Unmap()
	if addr.IsLoopback() {
		return nil
	}
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return l.addresses.take("net:" + p.String())
	}
	return l.addresses.take("addr:" + addr.String())
}

// photoSlot waits for one of the photo routes' slots, at most QueueWait
// or until ctx ends, and returns its release; ERATELIMIT when none frees
// up in time.
func (l *limits) photoSlot(ctx context.Context) (func(), error) {
	select {
	case l.photos <- struct{}{}:
		return func() { <-l.photos }, nil
	default:
	}
	t := time.NewTimer(l.queueWait)
	defer t.Stop()
	select {
	case l.photos <- struct{}{}:
		return func() { <-l.photos }, nil
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, &rateError{retryAfter: time.Second, err: aisle.Errorf(aisle.ERATELIMIT, "too many photo requests at once (%d); try again shortly", cap(l.photos))}
}

// rateError is an ERATELIMIT error with the time after which a retry may
// succeed, sent as Retry-After.
type rateError struct {
	retryAfter time.Duration
	err        *aisle.Error
}

func (e *rateError) Error() string { return e.err.Error() }
func (e *rateError) Unwrap() error { return e.err }

// retryAfterSeconds is the Retry-After value for a wait of d: whole
// seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// buckets is a set of token buckets by name. It is safe for concurrent
// use.
type buckets struct {
	limit rate.Limit
	burst int
	max   int
	now   func() time.Time

	// mu guards m and swept.
	mu    sync.Mutex
	m     map[string]*rate.Limiter
	swept time.Time
}

func newBuckets(limit rate.Limit, burst, max int, now func() time.Time) *buckets {
	return &buckets{limit: limit, burst: burst, max: max, now: now, m: make(map[string]*rate.Limiter)}
}

// take takes a token from name's bucket, or returns a *rateError saying
// when one will be there.
func (b *buckets) take(name string) error {
	now := b.now()
	b.mu.Lock()
	lim, ok := b.m[name]
	if !ok {
		if len(b.m) >= b.max {
			b.sweepLocked(now)
		}
		lim = rate.NewLimiter(b.limit, b.burst)
		b.m[name] = lim
	}
	b.mu.Unlock()
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return &rateError{retryAfter: time.Second, err: aisle.Errorf(aisle.ERATELIMIT, "too many requests")}
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return &rateError{retryAfter: d, err: aisle.Errorf(aisle.ERATELIMIT, "too many requests: at most %s a second on average; retry after %d s", formatRate(b.limit), retryAfterSeconds(d))}
	}
	return nil
}

// sweepLocked forgets the buckets that are full again, which behave as
// new ones would, at most once a second. b.mu must be held.
func (b *buckets) sweepLocked(now time.Time) {
	if now.Sub(b.swept) < time.Second {
		return
	}
	b.swept = now
	for name, lim := range b.m {
		if lim.TokensAt(now) >= float64(b.burst) {
			delete(b.m, name)
		}
	}
}

// formatRate writes a rate without needless decimals.
func formatRate(l rate.Limit) string {
	return fmt.Sprintf("%g", float64(l))
}

// setRetryAfter sets the Retry-After header for a rate-limit error.
func setRetryAfter(h http.Header, err *rateError) {
	h.Set("Retry-After", strconv.Itoa(retryAfterSeconds(err.retryAfter)))
}
