package aisle

import (
	"context"
	"time"
)

// Question is one product question with its answer, as shoppers asked and
// answered it (the Amazon product Q&A data has this shape).
type Question struct {
	// ID is unique across the store; importers derive it from the source
	// so re-importing the same file changes nothing.
	ID   string `json:"id"`
	Item string `json:"item"`
	// Type is the question's kind, e.g. "yes/no" or "open-ended".
	Type     string `json:"type,omitempty"`
	Question string `json:"question"`
	Answer   string `json:"answer,omitempty"`
	// AnswerType is the source's answer label ("Y", "N", "?"), if any.
	AnswerType string    `json:"answer_type,omitempty"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
}

// Validate checks the question's fields; errors are *Error naming the field.
func (q *Question) Validate() error {
	if err := checkID("id", q.ID); err != nil {
		return err
	}
	if err := checkID("item", q.Item); err != nil {
		return err
	}
	if q.Question == "" {
		return FieldErrorf(EINVALID, "question", "must not be empty")
	}
	for _, f := range []struct {
		name, v   string
		max       int
		multiline bool
	}{
		{"type", q.Type, MaxNameBytes, false},
		{"question", q.Question, MaxTextBytes, true},
		{"answer", q.Answer, MaxTextBytes, true},
		{"answer_type", q.AnswerType, MaxNameBytes, false},
	} {
		if err := checkText(f.name, f.v, f.max, f.multiline); err != nil {
			return err
		}
	}
	return nil
}

// QuestionStore stores product Q&A. Questions may refer to items not (yet)
// in the catalog. Implementations are safe for concurrent use.
type QuestionStore interface {
	// UpsertQuestions validates and writes questions atomically.
	UpsertQuestions(ctx context.Context, qs []Question) (UpsertStats, error)
	// Questions returns an item's questions, newest answer first, at most
	// limit (0 means all).
	Questions(ctx context.Context, item string, limit int) ([]Question, error)
}

// Counts are the sizes of the store.
type Counts struct {
	Items     int64 `json:"items"`
	Users     int64 `json:"users"`
	Events    int64 `json:"events"`
	Questions int64 `json:"questions"`
}

// Store is everything a storage backend provides. Consumers should depend
// on the smaller interfaces they use.
type Store interface {
	ItemStore
	UserStore
	EventStore
	QuestionStore
	KeyStore
	AuditLog
	InterestStore
	RuleStore
	// Counts returns the number of rows of each kind.
	Counts(ctx context.Context) (Counts, error)
	// Ping reports whether the store can serve requests.
	Ping(ctx context.Context) error
}
