package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/aislehq/aisle"
)

var (
	_ aisle.KeyStore = (*DB)(nil)
	_ aisle.AuditLog = (*DB)(nil)
)

// CreateKey stores a new API key (its hash, never the secret); ECONFLICT
// when its id is taken.
func (db *DB) CreateKey(ctx context.Context, k aisle.Key) error {
	if err := k.Validate(); err != nil {
		return err
	}
	created := k.CreatedAt
	if created.IsZero() {
		created = db.now()
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE id = ?`, k.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return aisle.Errorf(aisle.ECONFLICT, "key %q already exists", k.ID)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (id, name, role, user_id, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, 0)`,
			k.ID, k.Name, string(k.Role), k.User, k.Hash, micros(created))
		return err
	})
	if err != nil && aisle.ErrorCode(err) == aisle.EINTERNAL {
		return fmt.Errorf("create key: %w", err)
	}
	return err
}

// Keys returns every key, revoked ones included, oldest first.
func (db *DB) Keys(ctx context.Context) ([]aisle.Key, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, role, user_id, hash, created_at, revoked_at FROM api_keys ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	defer rows.Close()
	var keys []aisle.Key
	for rows.Next() {
		var (
			k                aisle.Key
			role             string
			created, revoked int64
		)
		if err := rows.Scan(&k.ID, &k.Name, &role, &k.User, &k.Hash, &created, &revoked); err != nil {
			return nil, fmt.Errorf("list keys: %w", err)
		}
		k.Role = aisle.Role(role)
		k.CreatedAt, k.RevokedAt = fromMicros(created), fromMicros(revoked)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list keys: %w", err)
	}
	return keys, nil
}

// RevokeKey marks a key revoked at at; ENOTFOUND when there is no such
// key. A key already revoked keeps its first revocation time.
func (db *DB) RevokeKey(ctx context.Context, id string, at time.Time) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		var revoked int64
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_keys WHERE id = ?`, id).Scan(&revoked)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return aisle.Errorf(aisle.ENOTFOUND, "key %q not found", id)
		case err != nil:
			return err
		case revoked != 0:
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ?`, max(1, micros(at)), id)
		return err
	})
	if err != nil && aisle.ErrorCode(err) == aisle.EINTERNAL {
		return fmt.Errorf("revoke key: %w", err)
	}
	return err
}

// AppendAudit appends an entry to the audit log and returns its Seq. A
// zero Time is now.
func (db *DB) AppendAudit(ctx context.Context, e aisle.AuditEntry) (int64, error) {
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	var seq int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_log (ts, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)`,
			micros(e.Time), e.Actor, e.Action, e.Target, e.Detail)
		if err != nil {
			return err
		}
		seq, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("append audit entry: %w", err)
	}
	return seq, nil
}

// Audit returns up to limit audit entries with Seq > afterSeq, oldest
// first; limit ≤ 0 means all.
func (db *DB) Audit(ctx context.Context, afterSeq int64, limit int) ([]aisle.AuditEntry, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := db.read.QueryContext(ctx, `SELECT seq, ts, actor, action, target, detail FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var out []aisle.AuditEntry
	for rows.Next() {
		var (
			e  aisle.AuditEntry
			ts int64
		)
		if err := rows.Scan(&e.Seq, &ts, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, fmt.Errorf("read audit log: %w", err)
		}
		e.Time = fromMicros(ts)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}
