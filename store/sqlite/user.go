package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aislehq/aisle"
)

// UpsertUsers validates and writes users in one transaction.
func (db *DB) UpsertUsers(ctx context.Context, users []aisle.User) (aisle.UpsertStats, error) {
	var stats aisle.UpsertStats
	for i := range users {
		if err := users[i].Validate(); err != nil {
			return stats, aisle.WithFieldPrefix(err, fmt.Sprintf("users[%d]", i))
		}
	}
	now := micros(db.now())
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		get, err := tx.PrepareContext(ctx, `SELECT attributes FROM users WHERE id = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO users (id, attributes, created_at, updated_at) VALUES (?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, `UPDATE users SET attributes = ?, updated_at = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer upd.Close()
		for i := range users {
			u := &users[i]
			attrs := jsonText(u.Attributes, "{}")
			var old string
			err := get.QueryRowContext(ctx, u.ID).Scan(&old)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := ins.ExecContext(ctx, u.ID, attrs, now, now); err != nil {
					return fmt.Errorf("insert user: %w", err)
				}
				stats.Inserted++
			case err != nil:
				return fmt.Errorf("read user: %w", err)
			case old == attrs:
				stats.Unchanged++
			default:
				if _, err := upd.ExecContext(ctx, attrs, now, u.ID); err != nil {
					return fmt.Errorf("update user: %w", err)
				}
				stats.Updated++
			}
		}
		return nil
	})
	if err != nil {
		return aisle.UpsertStats{}, fmt.Errorf("upsert users: %w", err)
	}
	return stats, nil
}

// User returns one user; ENOTFOUND if it does not exist.
func (db *DB) User(ctx context.Context, id string) (aisle.User, error) {
	var (
		u                aisle.User
		attrs            string
		created, updated int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT id, attributes, created_at, updated_at FROM users WHERE id = ?`, id).Scan(&u.ID, &attrs, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return u, aisle.Errorf(aisle.ENOTFOUND, "user %q not found", id)
	}
	if err != nil {
		return u, fmt.Errorf("get user: %w", err)
	}
	if err := json.Unmarshal([]byte(attrs), &u.Attributes); err != nil {
		return u, fmt.Errorf("decode attributes of user %q: %w", id, err)
	}
	if len(u.Attributes) == 0 {
		u.Attributes = nil
	}
	u.CreatedAt, u.UpdatedAt = fromMicros(created), fromMicros(updated)
	return u, nil
}

// DeleteUser erases the user, all their events and the interests they
// removed from their profile in one transaction, and returns how many
// events it erased.
func (db *DB) DeleteUser(ctx context.Context, id string) (int, error) {
	var events int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		db.knownUsers.forget(id) // see DeleteItem
		r1, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, id)
		if err != nil {
			return err
		}
		r2, err := tx.ExecContext(ctx, `DELETE FROM events WHERE user_id = ?`, id)
		if err != nil {
			return err
		}
		r3, err := tx.ExecContext(ctx, `DELETE FROM interest_exclusions WHERE user_id = ?`, id)
		if err != nil {
			return err
		}
		// The shopper's conversations with the assistant go too; they do
		// not decide whether the user existed.
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_sessions WHERE user_id = ?`, id); err != nil {
			return err
		}
		n1, _ := r1.RowsAffected()
		events, _ = r2.RowsAffected()
		n3, _ := r3.RowsAffected()
		if n1+events+n3 == 0 {
			return aisle.Errorf(aisle.ENOTFOUND, "user %q not found", id)
		}
		return nil
	})
	if err != nil && aisle.ErrorCode(err) == aisle.EINTERNAL {
		return 0, fmt.Errorf("delete user: %w", err)
	}
	return int(events), err
}
