package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/aislehq/aisle"
)

// Group commit: concurrent AppendEvents calls are written by one committer
// goroutine, several batches to a transaction, each batch inside its own
// savepoint. A batch that fails rolls back to its savepoint alone, so every
// batch stays atomic, while the transaction's commit (and its fsync) is
// shared. Under load this multiplies ingestion throughput; a lone batch is
// committed at once, without waiting for company.

// maxGroup caps the batches committed together.
const maxGroup = 16

// appendReq is one AppendEvents call waiting for the committer.
type appendReq struct {
	ctx    context.Context
	events []aisle.Event
	nowUS  int64
	stats  aisle.AppendStats
	done   chan error // receives the outcome once
}

// startCommitter starts the committer goroutine; Close stops it.
func (db *DB) startCommitter() {
	db.appends = make(chan *appendReq)
	db.quit = make(chan struct{})
	db.committerDone = make(chan struct{})
	go db.committer()
}

func (db *DB) committer() {
	defer close(db.committerDone)
	for {
		var first *appendReq
		select {
		case <-db.quit:
			return
		case first = <-db.appends:
		}
		group := []*appendReq{first}
	gather:
		for len(group) < maxGroup {
			select {
			case r := <-db.appends:
				group = append(group, r)
			default:
				break gather
			}
		}
		db.commitGroup(group)
	}
}

// commitGroup writes the group in one transaction and answers each request.
func (db *DB) commitGroup(group []*appendReq) {
	results := make([]error, len(group))
	ctx := context.Background() // each batch checks its own context below
	itemGen, userGen := db.knownItems.generation(), db.knownUsers.generation()
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		for i, r := range group {
			if err := r.ctx.Err(); err != nil {
				results[i] = err
				continue
			}
			if _, err := tx.ExecContext(ctx, "SAVEPOINT batch"); err != nil {
				return err
			}
			results[i] = db.appendInTx(r.ctx, tx, r)
			if results[i] != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO batch"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE batch"); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		// Items and users of committed batches now exist.
		var items, users []string
		for i, r := range group {
			if results[i] != nil {
				continue
			}
			for j := range r.events {
				if it := r.events[j].Item; it != "" {
					items = append(items, it)
				}
				users = append(users, r.events[j].User)
			}
		}
		db.knownItems.addAll(items, itemGen)
		db.knownUsers.addAll(users, userGen)
	}
	for i, r := range group {
		switch {
		case err != nil:
			r.done <- err
		default:
			r.done <- results[i]
		}
	}
}

// appendInTx writes one batch in tx.
func (db *DB) appendInTx(ctx context.Context, tx *sql.Tx, r *appendReq) error {
	if err := db.checkItemsExist(ctx, tx, r.events); err != nil {
		return err
	}
	if err := db.addMissingUsers(ctx, tx, r.events, r.nowUS); err != nil {
		return err
	}
	r.stats = aisle.AppendStats{}
	return db.insertEvents(ctx, tx, r.events, &r.stats)
}

// submitAppend hands a validated batch to the committer and waits for it.
func (db *DB) submitAppend(ctx context.Context, r *appendReq) (aisle.AppendStats, error) {
	r.done = make(chan error, 1)
	select {
	case db.appends <- r:
	case <-ctx.Done():
		return aisle.AppendStats{}, ctx.Err()
	case <-db.quit:
		return aisle.AppendStats{}, aisle.Errorf(aisle.EUNAVAILABLE, "store is closing")
	}
	// Once queued the batch may be committed: wait for the outcome even if
	// ctx ends, so the caller never reports a failure for a durable write.
	if err := <-r.done; err != nil {
		for i := range r.events {
			r.events[i].Seq = 0
		}
		if aisle.ErrorCode(err) == aisle.EINTERNAL {
			err = fmt.Errorf("append events: %w", err)
		}
		return aisle.AppendStats{}, err
	}
	return r.stats, nil
}
