package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aislehq/aisle"
)

var _ aisle.VisualStore = (*DB)(nil)

// decodeVisual decodes item id's stored visual column.
func decodeVisual(id, s string) (*aisle.Visual, error) {
	v := new(aisle.Visual)
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return nil, fmt.Errorf("decode visual of %q: %w", id, err)
	}
	return v, nil
}

// SetItemVisual stores v as item id's Visual if the item's first image is
// still v.Ref, checked inside the write transaction: ENOTFOUND when the
// item does not exist, ECONFLICT when its first image is another (or it
// has none), EINVALID (from aisle.Visual.Validate, the field prefixed
// "visual") when v is invalid. A zero v.UpdatedAt is set to the DB's clock.
// The item's UpdatedAt and other fields are left as they are.
func (db *DB) SetItemVisual(ctx context.Context, id string, v *aisle.Visual) error {
	if err := v.Validate(); err != nil {
		return aisle.WithFieldPrefix(err, "visual")
	}
	if v.UpdatedAt.IsZero() {
		v.UpdatedAt = db.now().UTC()
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("set item visual: %w", err)
	}
	err = db.writeTx(ctx, func(tx *sql.Tx) error {
		var first sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT json_extract(images, '$[0]') FROM items WHERE id = ?`, id).Scan(&first)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return aisle.Errorf(aisle.ENOTFOUND, "item %q not found", id)
		case err != nil:
			return fmt.Errorf("read item images: %w", err)
		case !first.Valid:
			return aisle.Errorf(aisle.ECONFLICT, "item %q has no image now; its photo %q was not stored", id, v.Ref)
		case first.String != v.Ref:
			return aisle.Errorf(aisle.ECONFLICT, "item %q's first image is now %q, not %q", id, first.String, v.Ref)
		}
		_, err = tx.ExecContext(ctx, `UPDATE items SET visual = ? WHERE id = ?`, string(enc), id)
		return err
	})
	if err != nil && aisle.ErrorCode(err) == aisle.EINTERNAL {
		return fmt.Errorf("set item visual: %w", err)
	}
	return err
}

// ItemsWithoutVisual returns, in id order, at most limit items (0 means
// 100) that have images but no Visual: their first photo is waiting to be
// read. A photo worker reads them and calls SetItemVisual for each (a
// Visual with Error set when the photo cannot be used), so the next call
// returns the next ones. An index keeps the query cheap however few items
// are pending. EINVALID when limit is negative or over MaxListLimit.
func (db *DB) ItemsWithoutVisual(ctx context.Context, limit int) ([]aisle.Item, error) {
	switch {
	case limit == 0:
		limit = 100
	case limit < 0 || limit > MaxListLimit:
		return nil, aisle.FieldErrorf(aisle.EINVALID, "limit", "must be between 0 and %d", MaxListLimit)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+itemColumns+` FROM items INDEXED BY items_visual_pending
		WHERE visual = '' AND images <> '[]' ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("items without visual: %w", err)
	}
	defer rows.Close()
	var items []aisle.Item
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("items without visual: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("items without visual: %w", err)
	}
	return items, nil
}
