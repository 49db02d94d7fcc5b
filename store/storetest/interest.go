package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
)

// testInterests checks the interests shoppers removed from their
// profiles: kept once each, listed oldest first per shopper, checked,
// and erased with the shopper.
func testInterests(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if got, err := s.ExcludedInterests(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ExcludedInterests of an empty store = %v, %v", got, err)
	}
	if _, err := s.UpsertUsers(ctx, []aisle.User{{ID: "u1"}, {ID: "u2"}}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	for i, x := range []struct{ user, tag string }{
		{"u1", "brand:Brother"}, {"u2", "color:black"}, {"u1", "category:Label Makers"}, {"u1", "brand:Brother"},
	} {
		if err := s.ExcludeInterest(ctx, x.user, x.tag, t0.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("ExcludeInterest(%s, %s): %v", x.user, x.tag, err)
		}
	}
	got, err := s.ExcludedInterests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"u1": {"brand:Brother", "category:Label Makers"}, "u2": {"color:black"}}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("ExcludedInterests (-got +want):\n%s", diff)
	}
	bad := []struct {
		name, user, tag, field string
	}{
		{"empty tag", "u1", "", "tag"},
		{"tag with a line break", "u1", "brand:A\nB", "tag"},
		{"tag too long", "u1", strings.Repeat("x", aisle.MaxInterestBytes+1), "tag"},
		{"bad user id", " u1", "brand:A", "user"},
	}
	for _, b := range bad {
		err := s.ExcludeInterest(ctx, b.user, b.tag, t0)
		if aisle.ErrorCode(err) != aisle.EINVALID || aisle.ErrorField(err) != b.field {
			t.Errorf("%s: err %v, want invalid naming %s", b.name, err, b.field)
		}
	}
	if _, err := s.DeleteUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	got, err = s.ExcludedInterests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(got, map[string][]string{"u2": {"color:black"}}); diff != "" {
		t.Errorf("after erasing u1 (-got +want):\n%s", diff)
	}
	// A shopper known only by their exclusions is erased too, not "not found".
	if err := s.ExcludeInterest(ctx, "ghost", "brand:A", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteUser(ctx, "ghost"); err != nil {
		t.Errorf("DeleteUser of a shopper with exclusions only: %v", err)
	}
}
