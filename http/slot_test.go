package http

import (
	"sync"
	"testing"

	"github.com/aislehq/aisle"
)

type named interface{ name() string }

type namedPart string

func (n namedPart) name() string { return string(n) }

// TestSlot checks a slot's set, get, need and getOr: a nil interface
// empties it, need says what is missing as EUNAVAILABLE, and getOr keeps
// one part however many requests race to install it.
func TestSlot(t *testing.T) {
	var s slot[named]
	if _, ok := s.get(); ok {
		t.Fatal("an empty slot has a part")
	}
	if _, err := s.need("the part is missing"); aisle.ErrorCode(err) != aisle.EUNAVAILABLE || aisle.ErrorMessage(err) != "the part is missing" {
		t.Fatalf("need on an empty slot: %v", err)
	}
	s.set(namedPart("a"))
	if v, ok := s.get(); !ok || v.name() != "a" {
		t.Fatalf("get = %v, %v; want a", v, ok)
	}
	s.set(nil)
	if _, ok := s.get(); ok {
		t.Fatal("set(nil) left a part")
	}
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Go(func() {
			got[i] = s.getOr(func() named { return namedPart("made") }).name()
		})
	}
	wg.Wait()
	for _, g := range got {
		if g != "made" {
			t.Fatalf("getOr gave %q", g)
		}
	}
	s.set(namedPart("b"))
	if v := s.getOr(func() named { return namedPart("unused") }); v.name() != "b" {
		t.Fatalf("getOr replaced a set part: %q", v.name())
	}
}
