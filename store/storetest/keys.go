package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
)

func testKeys(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if keys, err := s.Keys(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("Keys of an empty store = %v, %v", keys, err)
	}
	hash := func(secret string) []byte { h := sha256.Sum256([]byte(secret)); return h[:] }
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	admin := aisle.Key{ID: "k1", Name: "ops", Role: aisle.RoleAdmin, Hash: hash("s1"), CreatedAt: t0}
	shopper := aisle.Key{ID: "k2", Role: aisle.RoleRead, User: "u1", Hash: hash("s2"), CreatedAt: t0.Add(time.Second)}
	for _, k := range []aisle.Key{admin, shopper} {
		if err := s.CreateKey(ctx, k); err != nil {
			t.Fatalf("CreateKey(%s): %v", k.ID, err)
		}
	}
	wantCode(t, s.CreateKey(ctx, aisle.Key{ID: "k1", Role: aisle.RoleRead, Hash: hash("x")}), aisle.ECONFLICT, "")
	wantCode(t, s.CreateKey(ctx, aisle.Key{ID: "k3", Role: "root", Hash: hash("x")}), aisle.EINVALID, "role")
	wantCode(t, s.CreateKey(ctx, aisle.Key{ID: "k3", Role: aisle.RoleRead, Hash: []byte("short")}), aisle.EINVALID, "hash")

	keys, err := s.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]aisle.Key{admin, shopper}, keys); d != "" {
		t.Errorf("Keys (-want +got):\n%s", d)
	}

	revoked := t0.Add(time.Hour)
	if err := s.RevokeKey(ctx, "k2", revoked); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	if err := s.RevokeKey(ctx, "k2", revoked.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeKey again: %v", err)
	}
	wantCode(t, s.RevokeKey(ctx, "nope", revoked), aisle.ENOTFOUND, "")
	keys, _ = s.Keys(ctx)
	if len(keys) != 2 || !keys[1].RevokedAt.Equal(revoked) || keys[0].Revoked() {
		t.Errorf("after revoking k2 (twice): %+v", keys)
	}
	if !bytes.Equal(keys[0].Hash, admin.Hash) {
		t.Errorf("hash not kept")
	}
}

func testAudit(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var want []aisle.AuditEntry
	for i := range 5 {
		e := aisle.AuditEntry{Time: t0.Add(time.Duration(i) * time.Minute), Actor: "k1", Action: aisle.AuditEraseUser, Detail: fmt.Sprintf("%d events", i)}
		seq, err := s.AppendAudit(ctx, e)
		if err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		if len(want) > 0 && seq <= want[len(want)-1].Seq {
			t.Fatalf("audit seq %d not increasing", seq)
		}
		e.Seq = seq
		want = append(want, e)
	}
	got, err := s.Audit(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Audit (-want +got):\n%s", d)
	}
	got, _ = s.Audit(ctx, want[1].Seq, 2)
	if d := cmp.Diff(want[2:4], got); d != "" {
		t.Errorf("Audit after the second, 2 (-want +got):\n%s", d)
	}
}

// testUserEventsPaging pages through a user's events newest first,
// including events that share a timestamp.
func testUserEventsPaging(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	if _, err := s.UpsertItems(ctx, sampleItems()); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	var evs []aisle.Event
	for i := range 7 {
		// Pairs of events share a time, so the listing must order by Seq too.
		evs = append(evs, aisle.Event{ID: fmt.Sprintf("e%d", i), User: "u1", Item: "p1", Type: aisle.EventView, Time: t0.Add(time.Duration(i/2) * time.Minute)})
	}
	evs = append(evs, aisle.Event{ID: "other", User: "u2", Item: "p1", Type: aisle.EventView, Time: t0})
	if _, err := s.AppendEvents(ctx, evs); err != nil {
		t.Fatal(err)
	}
	var got []string
	q := aisle.EventQuery{Limit: 3}
	for range 5 {
		page, err := s.UserEvents(ctx, "u1", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page {
			got = append(got, e.ID)
		}
		if len(page) < q.Limit {
			break
		}
		q.Before = page[len(page)-1].Position()
	}
	if d := cmp.Diff([]string{"e6", "e5", "e4", "e3", "e2", "e1", "e0"}, got); d != "" {
		t.Errorf("pages (-want +got):\n%s", d)
	}
}
