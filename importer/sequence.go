package importer

import (
	"context"
	"strconv"
	"time"

	"github.com/aislehq/aisle"
)

// syntheticTime is the timestamp given to position k (0-based) of a user's
// sequence in datasets that have an order but no times: 2014-01-01T00:00:00Z
// plus k seconds. Seconds keep the order without inventing recency: every
// interaction lands within minutes of the same instant, so time-decayed
// models see them as equally recent.
func syntheticTime(k int) time.Time {
	return time.Date(2014, time.January, 1, 0, 0, k, 0, time.UTC)
}

// sequence is one user's items in time order, from a dataset without
// timestamps (s3rec, lcrec).
type sequence struct {
	line  int
	user  string
	items []seqItem
	// err rejects the whole sequence: the user and all its events.
	err error
}

// seqItem is one position of a sequence: an item id, or why it is bad.
type seqItem struct {
	id  string
	err error
}

// sequenceUsers returns a source of the users of seqs.
func sequenceUsers(file string, seqs []sequence) source[aisle.User] {
	rows := make([]rec[aisle.User], len(seqs))
	for i, s := range seqs {
		rows[i] = rec[aisle.User]{line: s.line, v: aisle.User{ID: s.user}, err: s.err}
	}
	return memSource(file, rows)
}

// sequenceEvents returns a source of purchase events, one per position of
// each sequence, with ids prefix:user:k and synthetic times. The events of a
// rejected sequence are counted as rejected but not listed again (its
// user's row lists it).
func sequenceEvents(file, prefix string, seqs []sequence) source[aisle.Event] {
	total := 0
	for _, s := range seqs {
		total += len(s.items)
	}
	return source[aisle.Event]{
		file:  file,
		total: int64(total),
		read: func(ctx context.Context, m *meter, emit func(rec[aisle.Event]) error) error {
			for _, s := range seqs {
				if s.err != nil {
					if len(s.items) > 0 {
						m.add(int64(len(s.items)))
						if err := emit(rec[aisle.Event]{line: s.line, err: s.err, count: len(s.items), silent: true}); err != nil {
							return err
						}
					}
					continue
				}
				idPrefix := prefix + ":" + s.user + ":"
				for k, it := range s.items {
					m.add(1)
					row := rec[aisle.Event]{line: s.line, err: it.err}
					if it.err == nil {
						row.v = aisle.Event{
							ID:   idPrefix + strconv.Itoa(k),
							User: s.user,
							Item: it.id,
							Type: aisle.EventPurchase,
							Time: syntheticTime(k),
						}
					}
					if err := emit(row); err != nil {
						return err
					}
				}
			}
			return nil
		},
	}
}
