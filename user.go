package aisle

import (
	"context"
	"time"
)

// User is a shopper. Users need not be registered before their events
// arrive: an event for an unknown user creates the user.
type User struct {
	ID         string            `json:"id"`
	Attributes map[string]string `json:"attributes,omitempty"`
	CreatedAt  time.Time         `json:"created_at,omitzero"`
	UpdatedAt  time.Time         `json:"updated_at,omitzero"`
}

// Validate checks the user's fields; errors are *Error naming the field.
func (u *User) Validate() error {
	if err := checkID("id", u.ID); err != nil {
		return err
	}
	return checkAttributes("attributes", u.Attributes)
}

// UserStore stores users. Implementations are safe for concurrent use.
type UserStore interface {
	// UpsertUsers validates and writes users atomically.
	UpsertUsers(ctx context.Context, users []User) (UpsertStats, error)
	// User returns one user; ENOTFOUND if it does not exist.
	User(ctx context.Context, id string) (User, error)
	// DeleteUser erases the user and every event of theirs, in one
	// transaction, and returns how many events it erased; ENOTFOUND if
	// neither exists.
	DeleteUser(ctx context.Context, id string) (int, error)
}
