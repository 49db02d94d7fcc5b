// Package sqlite is Aisle's embedded storage backend: one SQLite file in WAL
// mode, with schema migrations. It implements aisle.Store.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aislehq/aisle"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" database/sql driver (cgo)
)

//go:embed migrations/*.sql
var migrationFS embed.FS

var _ aisle.Store = (*DB)(nil)

// Synchronous levels for Options.Synchronous.
const (
	// SyncFull fsyncs the WAL on every commit: an acknowledged write
	// survives a process kill and a power loss.
	SyncFull = "FULL"
	// SyncNormal fsyncs only at checkpoints: an acknowledged write survives
	// a process kill but may be lost on power loss.
	SyncNormal = "NORMAL"
)

// Options configure a DB. The zero value is usable; see DefaultOptions.
type Options struct {
	// Synchronous is SyncFull (default) or SyncNormal.
	Synchronous string
	// BusyTimeout is how long a writer waits for the lock (default 5s).
	BusyTimeout time.Duration
	// Readers is the size of the read connection pool (default 2×GOMAXPROCS, at least 4).
	Readers int
	// CacheKiB is each connection's page cache, allocated as used
	// (default 65536, 64 MiB; SQLite's own default of 2 MiB makes batch
	// ingestion a third slower once indexes outgrow it).
	CacheKiB int
}

// ExtractFunc reads an item's attributes from its text. It must be safe
// for concurrent use and must not change the item.
type ExtractFunc func(*aisle.Item) *aisle.Extracted

// DefaultOptions returns the defaults documented on Options.
func DefaultOptions() Options {
	return Options{
		Synchronous: SyncFull,
		BusyTimeout: 5 * time.Second,
		Readers:     max(4, 2*runtime.GOMAXPROCS(0)),
		CacheKiB:    64 << 10,
	}
}

// DB is the SQLite store. Create it with NewDB, then Open it. It is safe for
// concurrent use: writes go through one connection, reads through a pool
// (WAL lets them run beside a write).
type DB struct {
	path    string
	extract ExtractFunc // nil: no attributes extracted
	opts    Options

	// Now is the clock used for created/updated times and event defaults.
	// If nil, time.Now.
	Now func() time.Time

	write  *sql.DB // one connection: SQLite allows one writer at a time
	read   *sql.DB
	stmts  readStmts
	wstmts writeStmts

	// knownItems and knownUsers spare batch ingestion repeated lookups.
	knownItems, knownUsers knownSet

	// The group committer (groupcommit.go), started by Open.
	appends       chan *appendReq
	quit          chan struct{} // closed by Close
	committerDone chan struct{} // closed when the committer returns

	closeOnce sync.Once
	closeErr  error
}

// NewDB returns a DB for the SQLite file at path. extract reads each
// item's attributes: UpsertItems sets and stores its result on every item
// it writes (a value sent by a client is replaced); nil stores none.
// NewDB does no I/O.
func NewDB(path string, extract ExtractFunc, opts Options) *DB {
	d := DefaultOptions()
	if opts.Synchronous == "" {
		opts.Synchronous = d.Synchronous
	}
	if opts.BusyTimeout == 0 {
		opts.BusyTimeout = d.BusyTimeout
	}
	if opts.Readers == 0 {
		opts.Readers = d.Readers
	}
	if opts.CacheKiB == 0 {
		opts.CacheKiB = d.CacheKiB
	}
	return &DB{path: path, extract: extract, opts: opts}
}

// Path returns the database file path.
func (db *DB) Path() string { return db.path }

func (db *DB) now() time.Time {
	if db.Now != nil {
		return db.Now()
	}
	return time.Now()
}

// Open creates the file's directory if needed, opens the connection pools,
// and applies pending schema migrations.
func (db *DB) Open(ctx context.Context) error {
	switch db.opts.Synchronous {
	case SyncFull, SyncNormal:
	default:
		return fmt.Errorf("sqlite: synchronous must be %s or %s, not %q", SyncFull, SyncNormal, db.opts.Synchronous)
	}
	if dir := filepath.Dir(db.path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	var err error
	if db.write, err = sql.Open("sqlite3", db.dsn(false)); err != nil {
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetConnMaxIdleTime(0)
	if db.read, err = sql.Open("sqlite3", db.dsn(true)); err != nil {
		db.write.Close()
		return fmt.Errorf("open sqlite: %w", err)
	}
	db.read.SetMaxOpenConns(db.opts.Readers)
	db.read.SetMaxIdleConns(db.opts.Readers)
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return err
	}
	if err := db.stmts.prepare(ctx, db.read); err != nil {
		db.Close()
		return err
	}
	if err := db.wstmts.prepare(ctx, db.write); err != nil {
		db.Close()
		return err
	}
	db.startCommitter()
	return nil
}

// readStmts are the hot read queries, prepared once on the read pool
// (database/sql prepares them on each connection as it is used).
type readStmts struct {
	itemsByIDs *sql.Stmt // (ids JSON array)
	userEvents *sql.Stmt // (user, types JSON array, types again, continued?, before ts, before ts, before seq, limit)
}

func (s *readStmts) prepare(ctx context.Context, db *sql.DB) error {
	var err error
	if s.itemsByIDs, err = db.PrepareContext(ctx, `SELECT `+itemColumns+` FROM items WHERE id IN (SELECT value FROM json_each(?))`); err != nil {
		return fmt.Errorf("prepare items query: %w", err)
	}
	if s.userEvents, err = db.PrepareContext(ctx, `SELECT `+eventColumns+` FROM events WHERE user_id = ?
		AND (? = '[]' OR type IN (SELECT value FROM json_each(?)))
		AND (? = 0 OR ts < ? OR (ts = ? AND seq < ?)) ORDER BY ts DESC, seq DESC LIMIT ?`); err != nil {
		return fmt.Errorf("prepare user events query: %w", err)
	}
	return nil
}

// writeStmts are the batch-ingestion statements, prepared once on the
// writer connection and bound to each transaction with Tx.StmtContext.
type writeStmts struct {
	existingItems *sql.Stmt // (ids JSON array) → the ids that are items
	addUsers      *sql.Stmt // usersPerStmt users
	insertEvents  *sql.Stmt // eventsPerStmt events
}

func (s *writeStmts) prepare(ctx context.Context, db *sql.DB) error {
	var err error
	if s.existingItems, err = db.PrepareContext(ctx, `SELECT id FROM items WHERE id IN (SELECT value FROM json_each(?))`); err != nil {
		return fmt.Errorf("prepare item check: %w", err)
	}
	if s.addUsers, err = db.PrepareContext(ctx, addUsersSQL(usersPerStmt)); err != nil {
		return fmt.Errorf("prepare user insert: %w", err)
	}
	if s.insertEvents, err = db.PrepareContext(ctx, insertEventsSQL(eventsPerStmt)); err != nil {
		return fmt.Errorf("prepare event insert: %w", err)
	}
	return nil
}

func (s *writeStmts) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.existingItems, s.addUsers, s.insertEvents} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

func (s *readStmts) close() error {
	var errs []error
	for _, st := range []*sql.Stmt{s.itemsByIDs, s.userEvents} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

func (db *DB) dsn(readOnly bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", db.opts.Synchronous)
	q.Set("_busy_timeout", fmt.Sprint(db.opts.BusyTimeout.Milliseconds()))
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", fmt.Sprint(-db.opts.CacheKiB)) // negative: KiB, not pages
	if readOnly {
		q.Set("_query_only", "on")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + db.path + "?" + q.Encode()
}

// Close closes the database. It is safe to call more than once.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		if db.quit != nil {
			close(db.quit)
			<-db.committerDone
		}
		errs := []error{db.stmts.close(), db.wstmts.close()}
		if db.read != nil {
			errs = append(errs, db.read.Close())
		}
		if db.write != nil {
			errs = append(errs, db.write.Close())
		}
		db.closeErr = errors.Join(errs...)
	})
	return db.closeErr
}

// Ping reports whether both pools can reach the database.
func (db *DB) Ping(ctx context.Context) error {
	if db.write == nil {
		return aisle.Errorf(aisle.EUNAVAILABLE, "store is not open")
	}
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping sqlite: %w", err)
	}
	return nil
}

// SchemaVersion returns the number of applied migrations.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// migrate applies, in order, each migrations/NNNN_*.sql file whose number
// is above PRAGMA user_version, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	var current int
	if err := db.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(names) {
		return fmt.Errorf("sqlite: database schema version %d is newer than this binary knows (%d)", current, len(names))
	}
	for i := current; i < len(names); i++ {
		body, err := migrationFS.ReadFile(names[i])
		if err != nil {
			return fmt.Errorf("read migration: %w", err)
		}
		err = db.writeTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", i+1))
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", strings.TrimPrefix(names[i], "migrations/"), err)
		}
	}
	return nil
}

// writeTx runs fn in a write transaction, committing if it returns nil.
func (db *DB) writeTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Counts returns the number of rows of each kind.
func (db *DB) Counts(ctx context.Context) (aisle.Counts, error) {
	var c aisle.Counts
	err := db.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM items),
		(SELECT COUNT(*) FROM users),
		(SELECT COUNT(*) FROM events),
		(SELECT COUNT(*) FROM questions)`).Scan(&c.Items, &c.Users, &c.Events, &c.Questions)
	if err != nil {
		return c, fmt.Errorf("count rows: %w", err)
	}
	return c, nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
