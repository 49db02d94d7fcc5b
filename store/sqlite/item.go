package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/aislehq/aisle"
)

// MaxListLimit caps ItemFilter.Limit.
const MaxListLimit = 1000

// itemRow is an item encoded into its column values.
type itemRow struct {
	title, description, brand, categories, attributes string
	price                                             sql.NullFloat64
	currency, availability, images                    string
	extracted                                         string // JSON object, or "" for none
	visual                                            string // JSON object, or "" while the photo is unread
}

func encodeItem(it *aisle.Item) itemRow {
	r := itemRow{
		title:        it.Title,
		description:  it.Description,
		brand:        it.Brand,
		categories:   jsonText(it.Categories, "[]"),
		attributes:   jsonText(it.Attributes, "{}"),
		currency:     it.Currency,
		availability: string(it.Availability),
		images:       jsonText(it.Images, "[]"),
		extracted:    jsonText(it.Extracted, ""),
	}
	if it.Price != nil {
		r.price = sql.NullFloat64{Float64: *it.Price, Valid: true}
	}
	return r
}

// jsonText encodes v; nil and empty values encode as empty.
func jsonText[T any](v T, empty string) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return empty
	}
	return string(b)
}

// UpsertItems validates and writes items in one transaction. It sets
// each item's Extracted with the ExtractFunc given to NewDB (nil when
// that is nil), replacing whatever the caller set, and stores it; an item
// whose fields and extracted attributes are all as stored is Unchanged.
//
// A caller's Visual is ignored: the stored one is kept while the item's
// first image is still its Ref, and cleared (the new photo is pending, see
// ItemsWithoutVisual) when the first image changes or goes. UpsertItems
// sets each item's Visual to what it stored.
func (db *DB) UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error) {
	var stats aisle.UpsertStats
	for i := range items {
		items[i].Normalize()
		if err := items[i].Validate(); err != nil {
			return stats, aisle.WithFieldPrefix(err, fmt.Sprintf("items[%d]", i))
		}
	}
	for i := range items {
		items[i].Extracted = nil
		if db.extract != nil {
			items[i].Extracted = db.extract(&items[i])
		}
	}
	now := micros(db.now())
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		get, err := tx.PrepareContext(ctx, `SELECT title, description, brand, categories, attributes, price, currency, availability, images, extracted,
			visual, CASE WHEN visual = '' THEN '' ELSE json_extract(visual, '$.ref') END FROM items WHERE id = ?`)
		if err != nil {
			return err
		}
		defer get.Close()
		ins, err := tx.PrepareContext(ctx, `INSERT INTO items (id, title, description, brand, categories, attributes, price, currency, availability, images, extracted, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer ins.Close()
		upd, err := tx.PrepareContext(ctx, `UPDATE items SET title = ?, description = ?, brand = ?, categories = ?, attributes = ?, price = ?, currency = ?, availability = ?, images = ?, extracted = ?, visual = ?, updated_at = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer upd.Close()
		delCat, err := tx.PrepareContext(ctx, `DELETE FROM item_categories WHERE item_id = ?`)
		if err != nil {
			return err
		}
		defer delCat.Close()
		insCat, err := tx.PrepareContext(ctx, `INSERT OR IGNORE INTO item_categories (category, item_id) VALUES (?, ?)`)
		if err != nil {
			return err
		}
		defer insCat.Close()

		for i := range items {
			it := &items[i]
			it.Visual = nil
			r := encodeItem(it)
			var (
				old    itemRow
				oldRef string
			)
			err := get.QueryRowContext(ctx, it.ID).Scan(&old.title, &old.description, &old.brand, &old.categories, &old.attributes, &old.price, &old.currency, &old.availability, &old.images, &old.extracted, &old.visual, &oldRef)
			if err == nil && old.visual != "" && len(it.Images) > 0 && it.Images[0] == oldRef {
				r.visual = old.visual
				if it.Visual, err = decodeVisual(it.ID, old.visual); err != nil {
					return err
				}
			}
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := ins.ExecContext(ctx, it.ID, r.title, r.description, r.brand, r.categories, r.attributes, r.price, r.currency, r.availability, r.images, r.extracted, now, now); err != nil {
					return fmt.Errorf("insert item: %w", err)
				}
				stats.Inserted++
			case err != nil:
				return fmt.Errorf("read item: %w", err)
			case old == r:
				stats.Unchanged++
				continue
			default:
				if _, err := upd.ExecContext(ctx, r.title, r.description, r.brand, r.categories, r.attributes, r.price, r.currency, r.availability, r.images, r.extracted, r.visual, now, it.ID); err != nil {
					return fmt.Errorf("update item: %w", err)
				}
				if _, err := delCat.ExecContext(ctx, it.ID); err != nil {
					return fmt.Errorf("update item categories: %w", err)
				}
				stats.Updated++
			}
			for _, c := range it.Categories {
				if _, err := insCat.ExecContext(ctx, c, it.ID); err != nil {
					return fmt.Errorf("insert item category: %w", err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return aisle.UpsertStats{}, fmt.Errorf("upsert items: %w", err)
	}
	return stats, nil
}

const itemColumns = `id, title, description, brand, categories, attributes, price, currency, availability, images, extracted, visual, created_at, updated_at`

func scanItem(s interface{ Scan(...any) error }) (aisle.Item, error) {
	var (
		it                         aisle.Item
		cats, attrs, images, avail string
		extracted, visual          string
		price                      sql.NullFloat64
		created, updated           int64
	)
	if err := s.Scan(&it.ID, &it.Title, &it.Description, &it.Brand, &cats, &attrs, &price, &it.Currency, &avail, &images, &extracted, &visual, &created, &updated); err != nil {
		return it, err
	}
	if err := json.Unmarshal([]byte(cats), &it.Categories); err != nil {
		return it, fmt.Errorf("decode categories of %q: %w", it.ID, err)
	}
	if err := json.Unmarshal([]byte(attrs), &it.Attributes); err != nil {
		return it, fmt.Errorf("decode attributes of %q: %w", it.ID, err)
	}
	if err := json.Unmarshal([]byte(images), &it.Images); err != nil {
		return it, fmt.Errorf("decode images of %q: %w", it.ID, err)
	}
	if extracted != "" {
		it.Extracted = new(aisle.Extracted)
		if err := json.Unmarshal([]byte(extracted), it.Extracted); err != nil {
			return it, fmt.Errorf("decode extracted attributes of %q: %w", it.ID, err)
		}
	}
	if visual != "" {
		var err error
		if it.Visual, err = decodeVisual(it.ID, visual); err != nil {
			return it, err
		}
	}
	if len(it.Attributes) == 0 {
		it.Attributes = nil
	}
	if price.Valid {
		p := price.Float64
		it.Price = &p
	}
	it.Availability = aisle.Availability(avail)
	it.CreatedAt = fromMicros(created)
	it.UpdatedAt = fromMicros(updated)
	return it, nil
}

// Item returns one item; ENOTFOUND if it does not exist.
func (db *DB) Item(ctx context.Context, id string) (aisle.Item, error) {
	it, err := scanItem(db.read.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return it, aisle.Errorf(aisle.ENOTFOUND, "item %q not found", id)
	}
	if err != nil {
		return it, fmt.Errorf("get item: %w", err)
	}
	return it, nil
}

// Items returns the items that exist among ids. The ids travel as one
// JSON array parameter, so the statement is prepared once and reused.
func (db *DB) Items(ctx context.Context, ids []string) (map[string]aisle.Item, error) {
	out := make(map[string]aisle.Item, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("get items: %w", err)
	}
	rows, err := db.stmts.itemsByIDs.QueryContext(ctx, string(arg))
	if err != nil {
		return nil, fmt.Errorf("get items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("get items: %w", err)
		}
		out[it.ID] = it
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get items: %w", err)
	}
	return out, nil
}

// DeleteItem removes an item, its category rows and its vectors.
func (db *DB) DeleteItem(ctx context.Context, id string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		// Forgotten inside the transaction: no batch can commit between
		// this and the delete, because both need the one write connection.
		db.knownItems.forget(id)
		res, err := tx.ExecContext(ctx, `DELETE FROM items WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return aisle.Errorf(aisle.ENOTFOUND, "item %q not found", id)
		}
		// Its vectors go by the foreign key's ON DELETE CASCADE.
		_, err = tx.ExecContext(ctx, `DELETE FROM item_categories WHERE item_id = ?`, id)
		return err
	})
	if err != nil && aisle.ErrorCode(err) == aisle.EINTERNAL {
		return fmt.Errorf("delete item: %w", err)
	}
	return err
}

// ListItems pages through items in id order. The cursor is opaque to
// clients: the base64 of the last id returned.
func (db *DB) ListItems(ctx context.Context, f aisle.ItemFilter) (aisle.ItemPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	if limit > MaxListLimit {
		return aisle.ItemPage{}, aisle.FieldErrorf(aisle.EINVALID, "limit", "must be at most %d", MaxListLimit)
	}
	after := ""
	if f.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(f.Cursor)
		if err != nil || len(b) == 0 {
			return aisle.ItemPage{}, aisle.FieldErrorf(aisle.EINVALID, "cursor", "not a cursor this server returned")
		}
		after = string(b)
	}
	var (
		where []string
		args  []any
	)
	if f.Cursor != "" {
		where = append(where, "i.id > ?")
		args = append(args, after)
	}
	if f.Brand != "" {
		where = append(where, "i.brand = ? COLLATE NOCASE")
		args = append(args, f.Brand)
	}
	if f.Category != "" {
		where = append(where, "i.id IN (SELECT item_id FROM item_categories WHERE category = ?)")
		args = append(args, f.Category)
	}
	// Colour and material filters read the extracted (and visual) JSON of
	// each candidate row: no index, so they cost a scan of the rows in id
	// order until a page is full.
	if f.Color != "" {
		where = append(where, `((i.extracted <> '' AND EXISTS (SELECT 1 FROM json_each(i.extracted, '$.colors') WHERE value = lower(?)))
			OR (i.visual <> '' AND EXISTS (SELECT 1 FROM json_each(i.visual, '$.colors') WHERE value = lower(?))))`)
		args = append(args, f.Color, f.Color)
	}
	if f.Material != "" {
		where = append(where, "i.extracted <> '' AND EXISTS (SELECT 1 FROM json_each(i.extracted, '$.materials') WHERE value = lower(?))")
		args = append(args, f.Material)
	}
	q := `SELECT ` + prefixed("i.", itemColumns) + ` FROM items i`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY i.id LIMIT ?"
	args = append(args, limit+1)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return aisle.ItemPage{}, fmt.Errorf("list items: %w", err)
	}
	defer rows.Close()
	var page aisle.ItemPage
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return aisle.ItemPage{}, fmt.Errorf("list items: %w", err)
		}
		page.Items = append(page.Items, it)
	}
	if err := rows.Err(); err != nil {
		return aisle.ItemPage{}, fmt.Errorf("list items: %w", err)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page.Items[limit-1].ID))
	}
	return page, nil
}

func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ", ")
	for i := range cols {
		cols[i] = prefix + cols[i]
	}
	return strings.Join(cols, ", ")
}
