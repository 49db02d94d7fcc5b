package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

var _ aisle.RuleStore = (*DB)(nil)

// ruleBody is what the rules table's body column holds: a rule without
// its name and times, which have columns of their own.
type ruleBody struct {
	Action   aisle.RuleAction `json:"action"`
	Match    aisle.RuleMatch  `json:"match"`
	Position int              `json:"position,omitempty"`
	Strength int              `json:"strength,omitempty"`
	Start    int64            `json:"start,omitempty"` // unix microseconds
	End      int64            `json:"end,omitempty"`
}

// PutRule creates or replaces a rule; see aisle.RuleStore.
func (db *DB) PutRule(ctx context.Context, r aisle.Rule) (aisle.Rule, bool, error) {
	r.Normalize()
	if err := aisle.ValidateRule(&r); err != nil {
		return aisle.Rule{}, false, err
	}
	body, err := json.Marshal(ruleBody{Action: r.Action, Match: r.Match, Position: r.Position, Strength: r.Strength, Start: optMicros(r.Start), End: optMicros(r.End)})
	if err != nil {
		return aisle.Rule{}, false, fmt.Errorf("put rule: %w", err)
	}
	now := db.now()
	var created bool
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var at int64
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM rules WHERE name = ?`, r.Name).Scan(&at)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created, at = true, micros(now)
		case err != nil:
			return err
		}
		r.CreatedAt, r.UpdatedAt = fromMicros(at), fromMicros(micros(now))
		_, err = tx.ExecContext(ctx, `INSERT INTO rules (name, body, created_at, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
			r.Name, string(body), at, micros(now))
		return err
	})
	if err != nil {
		return aisle.Rule{}, false, fmt.Errorf("put rule: %w", err)
	}
	r.Start, r.End = fromMicros(optMicros(r.Start)), fromMicros(optMicros(r.End))
	return r, created, nil
}

// optMicros is micros, with the zero time as 0.
func optMicros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return micros(t)
}

// Rule returns one rule; ENOTFOUND when there is none, an error when its
// row cannot be read.
func (db *DB) Rule(ctx context.Context, name string) (aisle.Rule, error) {
	var (
		body             string
		created, updated int64
	)
	err := db.read.QueryRowContext(ctx, `SELECT body, created_at, updated_at FROM rules WHERE name = ?`, name).Scan(&body, &created, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return aisle.Rule{}, aisle.Errorf(aisle.ENOTFOUND, "rule %q not found", name)
	case err != nil:
		return aisle.Rule{}, fmt.Errorf("read rule: %w", err)
	}
	return decodeRule(name, body, created, updated)
}

// Rules returns every rule in name order; a row that cannot be read is
// left out and named in the error returned with the others.
func (db *DB) Rules(ctx context.Context) ([]aisle.Rule, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name, body, created_at, updated_at FROM rules ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	defer rows.Close()
	out := []aisle.Rule{}
	var bad []string
	for rows.Next() {
		var (
			name, body       string
			created, updated int64
		)
		if err := rows.Scan(&name, &body, &created, &updated); err != nil {
			return nil, fmt.Errorf("list rules: %w", err)
		}
		r, err := decodeRule(name, body, created, updated)
		if err != nil {
			bad = append(bad, fmt.Sprintf("%q", name))
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	if bad != nil {
		return out, fmt.Errorf("list rules: unreadable rules %s", strings.Join(bad, ", "))
	}
	return out, nil
}

// decodeRule reads one row of the rules table, checked as PutRule checks
// a rule.
func decodeRule(name, body string, created, updated int64) (aisle.Rule, error) {
	var b ruleBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		return aisle.Rule{}, fmt.Errorf("read rule %q: %w", name, err)
	}
	r := aisle.Rule{
		Name: name, Action: b.Action, Match: b.Match, Position: b.Position, Strength: b.Strength,
		Start: fromMicros(b.Start), End: fromMicros(b.End), CreatedAt: fromMicros(created), UpdatedAt: fromMicros(updated),
	}
	if err := aisle.ValidateRule(&r); err != nil {
		// %v: a stored rule that is not valid is the store's fault, not
		// the caller's (no EINVALID).
		return aisle.Rule{}, fmt.Errorf("read rule %q: %v", name, err)
	}
	return r, nil
}

// DeleteRule removes a rule; ENOTFOUND when there is none.
func (db *DB) DeleteRule(ctx context.Context, name string) error {
	var n int64
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM rules WHERE name = ?`, name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("delete rule: %w", err)
	}
	if n == 0 {
		return aisle.Errorf(aisle.ENOTFOUND, "rule %q not found", name)
	}
	return nil
}
