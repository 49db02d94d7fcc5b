package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"

	"github.com/aislehq/aisle"
)

// newEventID returns a random 128-bit id in hex.
func newEventID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AppendEvents validates and writes a batch of events in one transaction.
// It fills in missing IDs and timestamps on the given events.
func (db *DB) AppendEvents(ctx context.Context, events []aisle.Event) (aisle.AppendStats, error) {
	var stats aisle.AppendStats
	now := db.now()
	for i := range events {
		e := &events[i]
		if err := e.Validate(now); err != nil {
			return stats, aisle.WithFieldPrefix(err, fmt.Sprintf("events[%d]", i))
		}
		if e.Time.IsZero() {
			e.Time = now
		}
		if e.ID == "" {
			e.ID = newEventID()
		}
	}
	nowUS := micros(now)
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		itemExists, err := tx.PrepareContext(ctx, `SELECT 1 FROM items WHERE id = ?`)
		if err != nil {
			return err
		}
		defer itemExists.Close()
		addUser, err := tx.PrepareContext(ctx, `INSERT INTO users (id, attributes, created_at, updated_at) VALUES (?, '{}', ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer addUser.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO events (id, user_id, item_id, type, ts, value, query, name, session, context)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return err
		}
		defer ins.Close()

		seenItems := make(map[string]bool)
		seenUsers := make(map[string]bool)
		for i := range events {
			e := &events[i]
			if e.Item != "" && !seenItems[e.Item] {
				var one int
				switch err := itemExists.QueryRowContext(ctx, e.Item).Scan(&one); {
				case errors.Is(err, sql.ErrNoRows):
					return aisle.FieldErrorf(aisle.EUNPROCESSABLE, fmt.Sprintf("events[%d].item", i), "unknown item %q: add it to the catalog first", e.Item)
				case err != nil:
					return fmt.Errorf("check item: %w", err)
				}
				seenItems[e.Item] = true
			}
			if !seenUsers[e.User] {
				if _, err := addUser.ExecContext(ctx, e.User, nowUS, nowUS); err != nil {
					return fmt.Errorf("create user: %w", err)
				}
				seenUsers[e.User] = true
			}
			var value sql.NullFloat64
			if e.Value != nil {
				value = sql.NullFloat64{Float64: *e.Value, Valid: true}
			}
			res, err := ins.ExecContext(ctx, e.ID, e.User, e.Item, string(e.Type), micros(e.Time), value, e.Query, e.Name, e.Session, jsonText(e.Context, "{}"))
			if err != nil {
				return fmt.Errorf("insert event: %w", err)
			}
			e.Seq = 0
			if n, _ := res.RowsAffected(); n == 0 {
				stats.Duplicates++
				continue
			}
			if e.Seq, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("insert event: %w", err)
			}
			stats.Accepted++
		}
		return nil
	})
	if err != nil {
		if aisle.ErrorCode(err) == aisle.EINTERNAL {
			err = fmt.Errorf("append events: %w", err)
		}
		return aisle.AppendStats{}, err
	}
	return stats, nil
}

const eventColumns = `seq, id, user_id, item_id, type, ts, value, query, name, session, context`

func scanEvent(s interface{ Scan(...any) error }) (aisle.Event, error) {
	var (
		e     aisle.Event
		typ   string
		ts    int64
		value sql.NullFloat64
		ctxt  string
	)
	if err := s.Scan(&e.Seq, &e.ID, &e.User, &e.Item, &typ, &ts, &value, &e.Query, &e.Name, &e.Session, &ctxt); err != nil {
		return e, err
	}
	e.Type = aisle.EventType(typ)
	e.Time = fromMicros(ts)
	if value.Valid {
		v := value.Float64
		e.Value = &v
	}
	if ctxt != "{}" {
		if err := json.Unmarshal([]byte(ctxt), &e.Context); err != nil {
			return e, fmt.Errorf("decode context of event %q: %w", e.ID, err)
		}
	}
	return e, nil
}

// UserEvents returns one user's events, newest first.
func (db *DB) UserEvents(ctx context.Context, user string, q aisle.EventQuery) ([]aisle.Event, error) {
	query := `SELECT ` + eventColumns + ` FROM events WHERE user_id = ?`
	args := []any{user}
	if len(q.Types) > 0 {
		query += ` AND type IN (` + placeholders(len(q.Types)) + `)`
		for _, t := range q.Types {
			args = append(args, string(t))
		}
	}
	query += ` ORDER BY ts DESC, seq DESC`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("user events: %w", err)
	}
	defer rows.Close()
	var out []aisle.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("user events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("user events: %w", err)
	}
	return out, nil
}

// Events yields every event with Seq > afterSeq in Seq order, read in one
// transaction so the sequence is a consistent snapshot.
func (db *DB) Events(ctx context.Context, afterSeq int64) iter.Seq2[aisle.Event, error] {
	return func(yield func(aisle.Event, error) bool) {
		tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			yield(aisle.Event{}, fmt.Errorf("scan events: %w", err))
			return
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events WHERE seq > ? ORDER BY seq`, afterSeq)
		if err != nil {
			yield(aisle.Event{}, fmt.Errorf("scan events: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			e, err := scanEvent(rows)
			if err != nil {
				yield(aisle.Event{}, fmt.Errorf("scan events: %w", err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(aisle.Event{}, fmt.Errorf("scan events: %w", err))
		}
	}
}
