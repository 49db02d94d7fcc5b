package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// ChatSessionStore is the optional capability of a store that keeps the
// shopping assistant's sessions (package assistant's SessionStore).
type ChatSessionStore interface {
	PutChatSession(ctx context.Context, id, user string, updated time.Time, body []byte) error
	ChatSession(ctx context.Context, id string) (user string, updated time.Time, body []byte, err error)
	DeleteChatSession(ctx context.Context, id string) error
	DeleteChatSessionsBefore(ctx context.Context, t time.Time) (int, error)
}

// testChatSessions checks the assistant's sessions, for stores that keep
// them: written, replaced and read back as written, unknown ones
// ENOTFOUND naming "session", expired by time, deleted, and erased with
// their shopper.
func testChatSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	store := open(t)
	s, ok := store.(ChatSessionStore)
	if !ok {
		t.Skip("the store keeps no chat sessions")
	}
	if _, _, _, err := s.ChatSession(ctx, "nope"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("ChatSession(unknown) err = %v, want not_found", err)
	}
	t0 := time.Date(2026, 12, 7, 10, 0, 0, 123000, time.UTC)
	if err := s.PutChatSession(ctx, "s1", "u1", t0, []byte(`{"turns":[]}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChatSession(ctx, "s1", "u1", t0.Add(time.Minute), []byte(`{"turns":[1]}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChatSession(ctx, "s2", "", t0.Add(time.Hour), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChatSession(ctx, "", "", t0, []byte(`{}`)); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("PutChatSession without an id: %v, want invalid", err)
	}
	user, at, body, err := s.ChatSession(ctx, "s1")
	if err != nil || user != "u1" || !at.Equal(t0.Add(time.Minute)) || string(body) != `{"turns":[1]}` {
		t.Errorf("ChatSession(s1) = %q, %v, %s, %v", user, at, body, err)
	}
	n, err := s.DeleteChatSessionsBefore(ctx, t0.Add(30*time.Minute))
	if err != nil || n != 1 {
		t.Errorf("DeleteChatSessionsBefore = %d, %v; want 1", n, err)
	}
	if _, _, _, err := s.ChatSession(ctx, "s1"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("expired session: %v, want not_found", err)
	}
	if err := s.DeleteChatSession(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteChatSession(ctx, "s2"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("second delete: %v, want not_found", err)
	}
	// Erasing a shopper erases their conversations.
	if _, err := store.UpsertUsers(ctx, []aisle.User{{ID: "u9"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutChatSession(ctx, "s9", "u9", t0, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := store.DeleteUser(ctx, "u9"); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.ChatSession(ctx, "s9"); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("an erased shopper's session: %v, want not_found", err)
	}
}
