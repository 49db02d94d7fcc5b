package aisle

import (
	"context"
	"time"
)

// Role is what an API key may do. Roles are ordered: admin may do
// everything write may, and write everything read may.
type Role string

// Roles.
const (
	// RoleRead reads: recommendations, search, items, similar items.
	RoleRead Role = "read"
	// RoleWrite also writes: events, items, photos, users' attributes.
	RoleWrite Role = "write"
	// RoleAdmin also deletes items and erases shoppers, reads shoppers'
	// data and the audit log, manages keys and reads the metrics.
	RoleAdmin Role = "admin"
)

// rank orders roles; 0 for an unknown one.
func (r Role) rank() int {
	switch r {
	case RoleRead:
		return 1
	case RoleWrite:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// Allows reports whether a key with role r may do what needs role need.
// An unknown role allows nothing.
func (r Role) Allows(need Role) bool { return r.Valid() && r.rank() >= need.rank() }

// Key is an API key as the store keeps it: never the secret itself, only
// its hash. Clients send the whole key ("aisle_<id>_<secret>", see package
// apikey) as "Authorization: Bearer <key>".
type Key struct {
	// ID identifies the key; it is the public part of the key.
	ID string `json:"id"`
	// Name says what the key is for ("storefront", "etl"); optional.
	Name string `json:"name,omitempty"`
	Role Role   `json:"role"`
	// User, when set, binds the key to one shopper: requests made with
	// it may only concern that shopper (their recommendations, events,
	// data), and may read the shopper's own data whatever the role.
	User string `json:"user,omitempty"`
	// Hash is the SHA-256 of the secret part; it never leaves the server.
	Hash []byte `json:"-"`
	// CreatedAt is when the key was made; RevokedAt, when it was revoked
	// (zero while it is valid).
	CreatedAt time.Time `json:"created_at"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Revoked reports whether the key was revoked.
func (k *Key) Revoked() bool { return !k.RevokedAt.IsZero() }

// MaxKeyNameBytes bounds a key's name.
const MaxKeyNameBytes = 128

// Validate checks the key's fields; errors are *Error naming the field.
func (k *Key) Validate() error {
	if err := checkID("id", k.ID); err != nil {
		return err
	}
	if err := checkText("name", k.Name, MaxKeyNameBytes, false); err != nil {
		return err
	}
	if !k.Role.Valid() {
		return FieldErrorf(EINVALID, "role", "must be read, write or admin, not %q", truncate(string(k.Role), 32))
	}
	if k.User != "" {
		if err := checkID("user", k.User); err != nil {
			return err
		}
	}
	if len(k.Hash) != 32 {
		return FieldErrorf(EINVALID, "hash", "must be a SHA-256 hash (32 bytes)")
	}
	return nil
}

// KeyStore keeps API keys. Implementations are safe for concurrent use.
type KeyStore interface {
	// CreateKey stores a new key; ECONFLICT if its id is taken.
	CreateKey(ctx context.Context, k Key) error
	// Keys returns every key, revoked ones included, oldest first.
	Keys(ctx context.Context) ([]Key, error)
	// RevokeKey marks a key revoked at the given time; ENOTFOUND if
	// there is no such key. Revoking a revoked key changes nothing.
	RevokeKey(ctx context.Context, id string, at time.Time) error
}

// Audit actions.
const (
	AuditEraseUser  = "user.erase"
	AuditDeleteItem = "item.delete"
	AuditCreateKey  = "key.create"
	AuditRevokeKey  = "key.revoke"
)

// Audit actors that are not API keys.
const (
	// ActorLocal is a request served without keys (none exist yet, on a
	// loopback address or with -insecure).
	ActorLocal = "local"
	// ActorCLI is the aisle command line on the server's machine.
	ActorCLI = "cli"
)

// AuditEntry records who did what to the store, and when. It holds no
// personal data: the actor is an API key's id (or ActorLocal, ActorCLI),
// and an erased shopper is never named.
type AuditEntry struct {
	// Seq orders the log; set by the store.
	Seq  int64     `json:"seq"`
	Time time.Time `json:"time"`
	// Actor is the id of the API key that made the request, or
	// ActorLocal or ActorCLI.
	Actor string `json:"actor"`
	// Action is one of the Audit* constants.
	Action string `json:"action"`
	// Target names what was acted on when that is not personal data (an
	// item's or key's id); empty for an erased shopper.
	Target string `json:"target,omitempty"`
	// Detail adds counts or settings ("412 events", "role admin").
	Detail string `json:"detail,omitempty"`
}

// AuditLog is an append-only log of AuditEntry. Implementations are safe
// for concurrent use.
type AuditLog interface {
	// AppendAudit appends e and returns its Seq.
	AppendAudit(ctx context.Context, e AuditEntry) (int64, error)
	// Audit returns up to limit entries with Seq > afterSeq, oldest
	// first.
	Audit(ctx context.Context, afterSeq int64, limit int) ([]AuditEntry, error)
}
