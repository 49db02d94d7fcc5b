package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/aislehq/aisle"
)

// ExcludeInterest records that user removed the interest tag; removing it
// again keeps the first time. See aisle.InterestStore.
func (db *DB) ExcludeInterest(ctx context.Context, user, tag string, at time.Time) error {
	if err := aisle.ValidateID("user", user); err != nil {
		return err
	}
	if err := aisle.ValidateInterest("tag", tag); err != nil {
		return err
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO interest_exclusions (user_id, tag, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			user, tag, micros(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("exclude interest: %w", err)
	}
	return nil
}

// ExcludedInterests returns every user's removed interests, each user's
// oldest first. See aisle.InterestStore.
func (db *DB) ExcludedInterests(ctx context.Context) (map[string][]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT user_id, tag FROM interest_exclusions ORDER BY user_id, created_at, tag`)
	if err != nil {
		return nil, fmt.Errorf("list excluded interests: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]string)
	for rows.Next() {
		var user, tag string
		if err := rows.Scan(&user, &tag); err != nil {
			return nil, fmt.Errorf("list excluded interests: %w", err)
		}
		out[user] = append(out[user], tag)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list excluded interests: %w", err)
	}
	return out, nil
}
