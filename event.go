package aisle

import (
	"context"
	"iter"
	"math"
	"strings"
	"time"
)

// EventType is the kind of a shopper's action.
type EventType string

// Event types.
const (
	EventView      EventType = "view"
	EventClick     EventType = "click"
	EventSearch    EventType = "search" // carries Query; Item is optional
	EventAddToCart EventType = "add_to_cart"
	EventPurchase  EventType = "purchase"
	EventRating    EventType = "rating" // carries Value
	EventCustom    EventType = "custom" // carries Name
)

// EventTypes lists every event type in a stable order.
var EventTypes = []EventType{EventView, EventClick, EventSearch, EventAddToCart, EventPurchase, EventRating, EventCustom}

// Valid reports whether t is one of the defined types.
func (t EventType) Valid() bool {
	for _, v := range EventTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Limits on events.
const (
	// MaxFutureSkew is how far in the future (by the server's clock) an
	// event's timestamp may lie; later ones are rejected as unprocessable.
	MaxFutureSkew = 24 * time.Hour
	MaxContext    = 32
	MaxNameBytes  = 128
	// MinRating and MaxRating bound a rating's value.
	MinRating = -1000.0
	MaxRating = 1000.0
)

// Event is one action of a user, optionally on an item.
type Event struct {
	// ID makes writes idempotent: an event whose id is already stored is
	// skipped. When empty the store assigns a unique one.
	ID   string    `json:"id,omitempty"`
	User string    `json:"user"`
	Item string    `json:"item,omitempty"`
	Type EventType `json:"type"`
	// Time is when it happened; zero means "now" when the event is accepted.
	Time time.Time `json:"timestamp,omitzero"`
	// Value is a rating's value (required for ratings, not allowed otherwise).
	Value *float64 `json:"value,omitempty"`
	// Query is a search's text (required for searches).
	Query string `json:"query,omitempty"`
	// Name names a custom event (required for custom events).
	Name string `json:"name,omitempty"`
	// Session groups events of one visit; optional.
	Session string `json:"session,omitempty"`
	// Context holds optional facts about where it happened (page, device...).
	Context map[string]string `json:"context,omitempty"`
	// Seq is the store's insertion sequence number, set by the store:
	// AppendEvents sets it on the events it wrote and leaves it 0 on
	// duplicates.
	Seq int64 `json:"-"`
}

// Validate checks the event's fields. now is the server's clock, used to
// reject timestamps too far in the future. Errors are *Error naming the field.
func (e *Event) Validate(now time.Time) error {
	if e.ID != "" {
		if err := checkID("id", e.ID); err != nil {
			return err
		}
	}
	if err := checkID("user", e.User); err != nil {
		return err
	}
	if e.Type == "" {
		return FieldErrorf(EINVALID, "type", "must not be empty")
	}
	if !e.Type.Valid() {
		return FieldErrorf(EINVALID, "type", "unknown event type %q (want view, click, search, add_to_cart, purchase, rating or custom)", truncate(string(e.Type), 32))
	}
	if e.Item != "" {
		if err := checkID("item", e.Item); err != nil {
			return err
		}
	} else if e.Type != EventSearch && e.Type != EventCustom {
		return FieldErrorf(EUNPROCESSABLE, "item", "required for %s events", e.Type)
	}
	if err := checkText("query", e.Query, MaxQueryBytes, false); err != nil {
		return err
	}
	if e.Type == EventSearch && strings.TrimSpace(e.Query) == "" {
		return FieldErrorf(EUNPROCESSABLE, "query", "required for search events")
	}
	if err := checkText("name", e.Name, MaxNameBytes, false); err != nil {
		return err
	}
	if e.Type == EventCustom && strings.TrimSpace(e.Name) == "" {
		return FieldErrorf(EUNPROCESSABLE, "name", "required for custom events")
	}
	switch {
	case e.Type == EventRating && e.Value == nil:
		return FieldErrorf(EUNPROCESSABLE, "value", "required for rating events")
	case e.Type != EventRating && e.Value != nil:
		return FieldErrorf(EUNPROCESSABLE, "value", "only rating events carry a value")
	case e.Value != nil:
		v := *e.Value
		if math.IsNaN(v) || math.IsInf(v, 0) || v < MinRating || v > MaxRating {
			return FieldErrorf(EINVALID, "value", "must be a number between %g and %g", MinRating, MaxRating)
		}
	}
	if e.Session != "" {
		if err := checkID("session", e.Session); err != nil {
			return err
		}
	}
	if len(e.Context) > MaxContext {
		return FieldErrorf(EINVALID, "context", "more than %d entries", MaxContext)
	}
	if err := checkAttributes("context", e.Context); err != nil {
		return err
	}
	if !e.Time.IsZero() {
		if e.Time.Year() < 1970 {
			return FieldErrorf(EINVALID, "timestamp", "before 1970")
		}
		if e.Time.After(now.Add(MaxFutureSkew)) {
			return FieldErrorf(EUNPROCESSABLE, "timestamp", "more than %s in the future", MaxFutureSkew)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// EventQuery selects one user's events for UserEvents.
type EventQuery struct {
	// Types keeps only events of these types; empty keeps all.
	Types []EventType
	// Limit caps the number returned, newest first; 0 means no cap.
	Limit int
	// Before, when not zero, continues a listing: only events older than
	// it (in the newest-first order UserEvents returns) are returned.
	Before EventPosition
}

// EventPosition is an event's place in a user's newest-first listing: its
// time, then its Seq.
type EventPosition struct {
	Time time.Time
	Seq  int64
}

// IsZero reports whether p is the zero position (the start of a listing).
func (p EventPosition) IsZero() bool { return p.Time.IsZero() && p.Seq == 0 }

// Position returns e's place in a user's newest-first listing.
func (e *Event) Position() EventPosition { return EventPosition{Time: e.Time, Seq: e.Seq} }

// AppendStats counts what an event batch did.
type AppendStats struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}

// EventStore stores the event log. Implementations are safe for concurrent use.
type EventStore interface {
	// AppendEvents validates and writes a batch atomically: all events are
	// written, or none. Every event must name an item that exists
	// (EUNPROCESSABLE otherwise, naming "events[i].item"); unknown users are
	// created. Events whose ID is already stored are skipped and counted as
	// Duplicates. The batch is durable when AppendEvents returns nil.
	// AppendEvents fills in missing IDs and timestamps and sets Seq on the
	// events it wrote (0 on duplicates).
	AppendEvents(ctx context.Context, events []Event) (AppendStats, error)
	// UserEvents returns one user's events, newest first.
	UserEvents(ctx context.Context, user string, q EventQuery) ([]Event, error)
	// Events yields every event with Seq > afterSeq in Seq order (which is
	// insertion order). It reads a consistent snapshot.
	Events(ctx context.Context, afterSeq int64) iter.Seq2[Event, error]
}
