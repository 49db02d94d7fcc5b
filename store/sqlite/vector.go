package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"

	"github.com/aislehq/aisle"
)

var _ aisle.VectorStore = (*DB)(nil)

// maxEncoderBytes bounds an encoder name.
const maxEncoderBytes = 200

// PutItemVectors inserts or replaces an encoder's vectors for items in one
// transaction. ENOTFOUND names the first item that does not exist;
// EINVALID a bad vector or encoder name.
func (db *DB) PutItemVectors(ctx context.Context, encoder string, vs []aisle.ItemVector) error {
	if err := checkEncoder(encoder); err != nil {
		return err
	}
	for i, v := range vs {
		if err := checkVector(v); err != nil {
			return aisle.WithFieldPrefix(err, fmt.Sprintf("vectors[%d]", i))
		}
	}
	if len(vs) == 0 {
		return nil
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		exists, err := tx.PrepareContext(ctx, `SELECT 1 FROM items WHERE id = ?`)
		if err != nil {
			return err
		}
		defer exists.Close()
		put, err := tx.PrepareContext(ctx, `INSERT INTO item_vectors (encoder, item_id, text_hash, vec) VALUES (?, ?, ?, ?)
			ON CONFLICT (encoder, item_id) DO UPDATE SET text_hash = excluded.text_hash, vec = excluded.vec`)
		if err != nil {
			return err
		}
		defer put.Close()
		buf := make([]byte, 0, 4*len(vs[0].Vector))
		for i, v := range vs {
			var one int
			if err := exists.QueryRowContext(ctx, v.Item).Scan(&one); errors.Is(err, sql.ErrNoRows) {
				return aisle.FieldErrorf(aisle.ENOTFOUND, fmt.Sprintf("vectors[%d].item", i), "item %q not found", v.Item)
			} else if err != nil {
				return fmt.Errorf("check item: %w", err)
			}
			buf = encodeVector(buf[:0], v.Vector)
			if _, err := put.ExecContext(ctx, encoder, v.Item, int64(v.TextHash), buf); err != nil {
				return fmt.Errorf("insert vector: %w", err)
			}
		}
		return nil
	})
	if err != nil && aisle.ErrorCode(err) == aisle.EINTERNAL {
		return fmt.Errorf("put item vectors: %w", err)
	}
	return err
}

// ItemVectors yields an encoder's vectors in item id order. The rows are
// read in one read transaction, so the sequence is a consistent snapshot.
func (db *DB) ItemVectors(ctx context.Context, encoder string) iter.Seq2[aisle.ItemVector, error] {
	return func(yield func(aisle.ItemVector, error) bool) {
		tx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
		if err != nil {
			yield(aisle.ItemVector{}, fmt.Errorf("read item vectors: %w", err))
			return
		}
		defer tx.Rollback()
		rows, err := tx.QueryContext(ctx, `SELECT item_id, text_hash, vec FROM item_vectors WHERE encoder = ? ORDER BY item_id`, encoder)
		if err != nil {
			yield(aisle.ItemVector{}, fmt.Errorf("read item vectors: %w", err))
			return
		}
		defer rows.Close()
		for rows.Next() {
			var (
				v    aisle.ItemVector
				hash int64
				blob []byte
			)
			if err := rows.Scan(&v.Item, &hash, &blob); err != nil {
				yield(aisle.ItemVector{}, fmt.Errorf("read item vectors: %w", err))
				return
			}
			if len(blob)%4 != 0 {
				yield(aisle.ItemVector{}, fmt.Errorf("read item vectors: vector of %q is %d bytes, not a multiple of 4", v.Item, len(blob)))
				return
			}
			v.TextHash = uint64(hash)
			v.Vector = decodeVector(blob)
			if !yield(v, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(aisle.ItemVector{}, fmt.Errorf("read item vectors: %w", err))
		}
	}
}

// DeleteItemVectors drops an encoder's vectors.
func (db *DB) DeleteItemVectors(ctx context.Context, encoder string) error {
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM item_vectors WHERE encoder = ?`, encoder)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete item vectors: %w", err)
	}
	return nil
}

func checkEncoder(encoder string) error {
	if encoder == "" {
		return aisle.FieldErrorf(aisle.EINVALID, "encoder", "must not be empty")
	}
	if len(encoder) > maxEncoderBytes {
		return aisle.FieldErrorf(aisle.EINVALID, "encoder", "longer than %d bytes", maxEncoderBytes)
	}
	return nil
}

func checkVector(v aisle.ItemVector) error {
	if v.Item == "" {
		return aisle.FieldErrorf(aisle.EINVALID, "item", "must not be empty")
	}
	if len(v.Vector) == 0 || len(v.Vector) > aisle.MaxVectorDim {
		return aisle.FieldErrorf(aisle.EINVALID, "vector", "must hold 1 to %d floats, not %d", aisle.MaxVectorDim, len(v.Vector))
	}
	for _, f := range v.Vector {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return aisle.FieldErrorf(aisle.EINVALID, "vector", "must hold finite floats")
		}
	}
	return nil
}

// encodeVector appends v as little-endian float32s.
func encodeVector(buf []byte, v []float32) []byte {
	for _, f := range v {
		buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(f))
	}
	return buf
}

// decodeVector reads little-endian float32s; len(b) must be a multiple of 4.
func decodeVector(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}
