package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"iter"
	"strings"

	"github.com/aislehq/aisle"
)

// newEventID returns a random 128-bit id in hex.
func newEventID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// AppendEvents validates a batch of events and writes it atomically (see
// groupcommit.go: concurrent batches share a transaction, each in its own
// savepoint). It fills in missing IDs and timestamps on the given events.
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
	return db.submitAppend(ctx, &appendReq{ctx: ctx, events: events, nowUS: micros(now)})
}

// addUsersSQL creates n users that do not exist yet.
func addUsersSQL(n int) string {
	return `INSERT INTO users (id, attributes, created_at, updated_at) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, '{}', ?, ?),`, n), ",") + ` ON CONFLICT (id) DO NOTHING`
}

// insertEventsSQL inserts n events, skipping stored ids, and returns the
// id and seq of each one written.
func insertEventsSQL(n int) string {
	return `INSERT INTO events (id, user_id, item_id, type, ts, value, query, name, session, context) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?, ?, ?, ?, ?, ?, ?, ?, ?, ?),`, n), ",") +
		` ON CONFLICT (id) DO NOTHING RETURNING id, seq`
}

// Rows per multi-row statement: fewer, larger statements are what make
// batch ingestion fast (SQLite's cost is per statement step, not per row).
const (
	idsPerQuery   = 500
	usersPerStmt  = 250 // 3 parameters each
	eventsPerStmt = 90  // 10 parameters each
)

// checkItemsExist fails with EUNPROCESSABLE naming the first event whose
// item is not in the catalog.
func (db *DB) checkItemsExist(ctx context.Context, tx *sql.Tx, events []aisle.Event) error {
	var ids []string
	seen := make(map[string]bool)
	for i := range events {
		if it := events[i].Item; it != "" && !seen[it] {
			seen[it] = true
			if !db.knownItems.has(it) {
				ids = append(ids, it)
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("check items: %w", err)
	}
	rows, err := tx.StmtContext(ctx, db.wstmts.existingItems).QueryContext(ctx, string(arg))
	if err != nil {
		return fmt.Errorf("check items: %w", err)
	}
	found := make(map[string]bool, len(ids))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("check items: %w", err)
		}
		found[id] = true
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("check items: %w", err)
	}
	for i := range events {
		if it := events[i].Item; it != "" && !found[it] && !db.knownItems.has(it) {
			return aisle.FieldErrorf(aisle.EUNPROCESSABLE, fmt.Sprintf("events[%d].item", i), "unknown item %q: add it to the catalog first", it)
		}
	}
	return nil
}

// addMissingUsers creates the users of events that do not exist yet.
func (db *DB) addMissingUsers(ctx context.Context, tx *sql.Tx, events []aisle.Event, nowUS int64) error {
	var args []any
	seen := make(map[string]bool)
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		var err error
		if len(args) == 3*usersPerStmt {
			_, err = tx.StmtContext(ctx, db.wstmts.addUsers).ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, addUsersSQL(len(args)/3), args...)
		}
		args = args[:0]
		if err != nil {
			return fmt.Errorf("create users: %w", err)
		}
		return nil
	}
	for i := range events {
		if u := events[i].User; !seen[u] && !db.knownUsers.has(u) {
			seen[u] = true
			args = append(args, u, nowUS, nowUS)
			if len(args) == 3*usersPerStmt {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// insertEvents writes events, skipping ids already stored, and sets Seq on
// the events written (0 on duplicates, including a repeated id within the
// batch, whose first occurrence is the one written).
func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, events []aisle.Event, stats *aisle.AppendStats) error {
	for start := 0; start < len(events); start += eventsPerStmt {
		part := events[start:min(start+eventsPerStmt, len(events))]
		args := make([]any, 0, 10*len(part))
		for i := range part {
			e := &part[i]
			var value sql.NullFloat64
			if e.Value != nil {
				value = sql.NullFloat64{Float64: *e.Value, Valid: true}
			}
			args = append(args, e.ID, e.User, e.Item, string(e.Type), micros(e.Time), value, e.Query, e.Name, e.Session, jsonText(e.Context, "{}"))
		}
		var rows *sql.Rows
		var err error
		if len(part) == eventsPerStmt {
			rows, err = tx.StmtContext(ctx, db.wstmts.insertEvents).QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, insertEventsSQL(len(part)), args...)
		}
		if err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		written := make(map[string]int64, len(part))
		for rows.Next() {
			var id string
			var seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				rows.Close()
				return fmt.Errorf("insert events: %w", err)
			}
			written[id] = seq
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("insert events: %w", err)
		}
		for i := range part {
			e := &part[i]
			e.Seq = written[e.ID]
			if e.Seq == 0 {
				stats.Duplicates++
				continue
			}
			delete(written, e.ID) // a later copy in the batch is a duplicate
			stats.Accepted++
		}
	}
	return nil
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

// UserEvents returns one user's events, newest first (by time, then by
// Seq), continuing after q.Before when it is set.
func (db *DB) UserEvents(ctx context.Context, user string, q aisle.EventQuery) ([]aisle.Event, error) {
	types := "[]"
	if len(q.Types) > 0 {
		b, err := json.Marshal(q.Types)
		if err != nil {
			return nil, fmt.Errorf("user events: %w", err)
		}
		types = string(b)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	continued, beforeTS := 0, int64(0)
	if !q.Before.IsZero() {
		continued, beforeTS = 1, micros(q.Before.Time)
	}
	rows, err := db.stmts.userEvents.QueryContext(ctx, user, types, types, continued, beforeTS, beforeTS, q.Before.Seq, limit)
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
