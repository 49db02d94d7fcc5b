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
	errs, err := db.SetItemVisuals(ctx, []aisle.ItemVisual{{Item: id, Visual: v}})
	if err != nil {
		return err
	}
	return errs[0]
}

// SetItemVisuals stores each of vs as SetItemVisual does, in one write
// transaction: errs[i] is vs[i]'s ENOTFOUND, ECONFLICT or EINVALID (nil
// when stored), which leave the others stored; err, with nothing stored,
// is the transaction's failure. No transaction is begun when every Visual
// is invalid. A nil Visual is EINVALID (field "visual").
func (db *DB) SetItemVisuals(ctx context.Context, vs []aisle.ItemVisual) ([]error, error) {
	errs := make([]error, len(vs))
	enc := make([]string, len(vs))
	valid := 0
	for i, iv := range vs {
		if errs[i] = checkVisual(iv.Visual); errs[i] != nil {
			continue
		}
		if iv.Visual.UpdatedAt.IsZero() {
			iv.Visual.UpdatedAt = db.now().UTC()
		}
		b, err := json.Marshal(iv.Visual)
		if err != nil {
			return nil, fmt.Errorf("set item visuals: %w", err)
		}
		enc[i] = string(b)
		valid++
	}
	if valid == 0 {
		return errs, nil
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		first, err := tx.PrepareContext(ctx, `SELECT json_extract(images, '$[0]') FROM items WHERE id = ?`)
		if err != nil {
			return err
		}
		defer first.Close()
		update, err := tx.PrepareContext(ctx, `UPDATE items SET visual = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer update.Close()
		for i, iv := range vs {
			if errs[i] != nil {
				continue
			}
			var img sql.NullString
			err := first.QueryRowContext(ctx, iv.Item).Scan(&img)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				errs[i] = aisle.Errorf(aisle.ENOTFOUND, "item %q not found", iv.Item)
			case err != nil:
				return fmt.Errorf("read item images: %w", err)
			case !img.Valid:
				errs[i] = aisle.Errorf(aisle.ECONFLICT, "item %q has no image now; its photo %q was not stored", iv.Item, iv.Visual.Ref)
			case img.String != iv.Visual.Ref:
				errs[i] = aisle.Errorf(aisle.ECONFLICT, "item %q's first image is now %q, not %q", iv.Item, img.String, iv.Visual.Ref)
			default:
				if _, err := update.ExecContext(ctx, enc[i], iv.Item); err != nil {
					return fmt.Errorf("update item visual: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("set item visuals: %w", err)
	}
	return errs, nil
}

// checkVisual validates v as SetItemVisuals stores it, naming fields under
// "visual".
func checkVisual(v *aisle.Visual) error {
	if v == nil {
		return aisle.FieldErrorf(aisle.EINVALID, "visual", "must be set")
	}
	if err := v.Validate(); err != nil {
		return aisle.WithFieldPrefix(err, "visual")
	}
	return nil
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
