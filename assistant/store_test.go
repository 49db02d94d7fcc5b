package assistant_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/assistant"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/aislehq/aisle/text/query"
)

// pens is a catalog of three pens: every search finds all of them.
type pens struct{}

func (pens) Search(context.Context, assistant.SearchQuery) ([]assistant.Item, query.Intent, error) {
	return []assistant.Item{{ID: "p1", Title: "Blue pen"}, {ID: "p2", Title: "Red pen"}, {ID: "p3", Title: "Black pen"}}, query.Intent{Terms: []string{"pen"}}, nil
}
func (pens) Recommend(context.Context, string, int) ([]assistant.Item, error) { return nil, nil }
func (pens) Similar(context.Context, string, int) ([]assistant.Item, error)   { return nil, nil }
func (pens) CompleteCart(context.Context, string, []string, int) ([]assistant.Item, error) {
	return nil, nil
}
func (pens) Item(_ context.Context, id string) (aisle.Item, error) {
	return aisle.Item{ID: id, Title: "pen " + id}, nil
}
func (pens) Ask(context.Context, *aisle.Item, string, string) (qa.Answer, error) {
	return qa.Answer{Type: qa.TypeUnknown}, nil
}

// TestSessionsPersist keeps sessions in the real store: a second
// assistant over it (a restarted server) continues the conversation, a
// reference resolving against the items the first one showed; idle
// sessions expire and deleted ones are gone.
func TestSessionsPersist(t *testing.T) {
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "aisle.db"), nil, sqlite.Options{Synchronous: sqlite.SyncNormal})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	opts := assistant.Options{Store: db, Idle: time.Hour, Now: func() time.Time { return now }}
	first := assistant.New(pens{}, opts)
	r, err := first.Chat(ctx, assistant.Request{User: "u1", Message: "I need a pen"})
	if err != nil {
		t.Fatal(err)
	}
	second := assistant.New(pens{}, opts)
	d, err := second.Chat(ctx, assistant.Request{Session: r.Session, Message: "the third one"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Act != assistant.ActDetails || len(d.Items) != 1 || d.Items[0].ID != "p3" {
		t.Errorf("after a restart, the third one: %+v", d)
	}
	v, err := assistant.New(pens{}, opts).Session(ctx, r.Session)
	if err != nil || len(v.Turns) != 2 || v.User != "u1" || v.State.Topic != "pen" {
		t.Errorf("session read back: %+v, %v", v, err)
	}
	if _, err := second.Chat(ctx, assistant.Request{Session: r.Session, User: "u2", Message: "pens"}); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("another user's session: %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := assistant.New(pens{}, opts).Chat(ctx, assistant.Request{Session: r.Session, Message: "pens"}); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("an expired session: %v, want ENOTFOUND", err)
	}
	if _, _, _, err := db.ChatSession(ctx, r.Session); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("the expired session's row: %v, want it removed", err)
	}
	r2, err := first.Chat(ctx, assistant.Request{Message: "pens"})
	if err != nil {
		t.Fatal(err)
	}
	if err := second.Delete(ctx, r2.Session); err != nil {
		t.Fatal(err)
	}
	if _, err := assistant.New(pens{}, opts).Session(ctx, r2.Session); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("a deleted session: %v", err)
	}
}
