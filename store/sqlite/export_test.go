package sqlite

import (
	"context"
	"database/sql"
)

// QueryRowForTest runs a read query; tests use it to inspect pragmas.
func (db *DB) QueryRowForTest(ctx context.Context, q string) *sql.Row {
	return db.read.QueryRowContext(ctx, q)
}
