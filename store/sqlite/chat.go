package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aislehq/aisle"
)

// PutChatSession creates or replaces a shopping assistant session: its
// shopper ("" when anonymous), the time of its last turn and its body,
// JSON the assistant reads back.
func (db *DB) PutChatSession(ctx context.Context, id, user string, updated time.Time, body []byte) error {
	if id == "" {
		return aisle.FieldErrorf(aisle.EINVALID, "session", "is required")
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO chat_sessions (id, user_id, body, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, body = excluded.body, updated_at = excluded.updated_at`,
			id, user, string(body), micros(updated))
		return err
	})
	if err != nil {
		return fmt.Errorf("put chat session: %w", err)
	}
	return nil
}

// ChatSession returns a session's shopper, last turn's time and body;
// ENOTFOUND naming "session" when there is none.
func (db *DB) ChatSession(ctx context.Context, id string) (user string, updated time.Time, body []byte, err error) {
	var (
		at   int64
		text string
	)
	err = db.read.QueryRowContext(ctx, `SELECT user_id, body, updated_at FROM chat_sessions WHERE id = ?`, id).Scan(&user, &text, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", time.Time{}, nil, aisle.FieldErrorf(aisle.ENOTFOUND, "session", "no session %q", id)
	case err != nil:
		return "", time.Time{}, nil, fmt.Errorf("read chat session: %w", err)
	}
	return user, fromMicros(at), []byte(text), nil
}

// DeleteChatSession removes a session; ENOTFOUND naming "session" when
// there is none.
func (db *DB) DeleteChatSession(ctx context.Context, id string) error {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM chat_sessions WHERE id = ?`, id)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete chat session: %w", err)
	}
	if n == 0 {
		return aisle.FieldErrorf(aisle.ENOTFOUND, "session", "no session %q", id)
	}
	return nil
}

// DeleteChatSessionsBefore removes the sessions whose last turn was
// before t and returns how many it removed.
func (db *DB) DeleteChatSessionsBefore(ctx context.Context, t time.Time) (int, error) {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM chat_sessions WHERE updated_at < ?`, micros(t))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire chat sessions: %w", err)
	}
	return int(n), nil
}
