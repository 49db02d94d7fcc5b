package http

import (
	"sync/atomic"

	"github.com/aislehq/aisle"
)

// slot holds one of the server's replaceable parts (the searcher, the
// photo services, the assistant…): set at any time, also while serving,
// and read by every request without a lock.
type slot[T any] struct{ p atomic.Pointer[T] }

// set installs v; a nil interface empties the slot.
func (s *slot[T]) set(v T) {
	if any(v) == nil {
		s.p.Store(nil)
		return
	}
	s.p.Store(&v)
}

// get returns the part and whether one is set.
func (s *slot[T]) get() (T, bool) {
	if p := s.p.Load(); p != nil {
		return *p, true
	}
	var zero T
	return zero, false
}

// getOr returns the part, installing the one mk makes when none is set
// (mk may run more than once when requests race; one result is kept).
func (s *slot[T]) getOr(mk func() T) T {
	if p := s.p.Load(); p != nil {
		return *p
	}
	v := mk()
	s.p.CompareAndSwap(nil, &v)
	return *s.p.Load()
}

// need returns the part, or EUNAVAILABLE saying what is missing.
func (s *slot[T]) need(missing string) (T, error) {
	v, ok := s.get()
	if !ok {
		return v, aisle.Errorf(aisle.EUNAVAILABLE, "%s", missing)
	}
	return v, nil
}
