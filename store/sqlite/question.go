package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/aislehq/aisle"
)

// UpsertQuestions validates and writes product questions in one transaction.
func (db *DB) UpsertQuestions(ctx context.Context, qs []aisle.Question) (aisle.UpsertStats, error) {
	var stats aisle.UpsertStats
	for i := range qs {
		if err := qs[i].Validate(); err != nil {
			return stats, aisle.WithFieldPrefix(err, fmt.Sprintf("questions[%d]", i))
		}
	}
	type row struct {
		item, typ, question, answer, answerType string
		answeredAt                              int64
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		get, err := tx.PrepareContext(ctx, `SELECT item_id, type, question, answer, answer_type, answered_at FROM questions WHERE id = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		put, err := tx.PrepareContext(ctx, `INSERT INTO questions (id, item_id, type, question, answer, answer_type, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET item_id = excluded.item_id, type = excluded.type, question = excluded.question,
			answer = excluded.answer, answer_type = excluded.answer_type, answered_at = excluded.answered_at`)
		if err != nil {
			return err
		}
		defer put.Close()
		for i := range qs {
			q := &qs[i]
			var at int64
			if !q.AnsweredAt.IsZero() {
				at = micros(q.AnsweredAt)
			}
			r := row{q.Item, q.Type, q.Question, q.Answer, q.AnswerType, at}
			var old row
			err := get.QueryRowContext(ctx, q.ID).Scan(&old.item, &old.typ, &old.question, &old.answer, &old.answerType, &old.answeredAt)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				stats.Inserted++
			case err != nil:
				return fmt.Errorf("read question: %w", err)
			case old == r:
				stats.Unchanged++
				continue
			default:
				stats.Updated++
			}
			if _, err := put.ExecContext(ctx, q.ID, r.item, r.typ, r.question, r.answer, r.answerType, r.answeredAt); err != nil {
				return fmt.Errorf("write question: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return aisle.UpsertStats{}, fmt.Errorf("upsert questions: %w", err)
	}
	return stats, nil
}

// Questions returns an item's questions, newest answer first.
func (db *DB) Questions(ctx context.Context, item string, limit int) ([]aisle.Question, error) {
	q := `SELECT id, item_id, type, question, answer, answer_type, answered_at FROM questions WHERE item_id = ? ORDER BY answered_at DESC, id`
	args := []any{item}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	defer rows.Close()
	var out []aisle.Question
	for rows.Next() {
		var (
			x  aisle.Question
			at int64
		)
		if err := rows.Scan(&x.ID, &x.Item, &x.Type, &x.Question, &x.Answer, &x.AnswerType, &at); err != nil {
			return nil, fmt.Errorf("questions: %w", err)
		}
		x.AnsweredAt = fromMicros(at)
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("questions: %w", err)
	}
	return out, nil
}
