// Package apikey makes, parses and checks Aisle's API keys.
//
// A key is "aisle_<id>_<secret>": the id (16 base32 characters) names the
// key in listings, logs and the audit log; the secret (52 base32
// characters, 256 random bits) proves it. The store keeps only the
// SHA-256 of the secret — a slow password hash would add nothing for a
// random 256-bit secret — and a Verifier compares it in constant time.
// Clients send the key as "Authorization: Bearer <key>".
package apikey

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aislehq/aisle"
)

// Prefix starts every key, so that keys are recognisable (in a leaked
// file, by secret scanners).
const Prefix = "aisle_"

// Lengths of a key's parts, in characters.
const (
	idLen     = 16 // 10 random bytes
	secretLen = 52 // 32 random bytes
)

// encoding is lower-case base32 without padding: letters and digits only,
// so a key survives being copied out of a terminal, a URL or a YAML file.
var encoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// New makes a key with the given role, name and shopper (user may be
// ""), created at now. It returns the key to hand to the client, shown
// once, and the aisle.Key to store (which holds only the secret's hash).
func New(role aisle.Role, name, user string, now time.Time) (string, aisle.Key, error) {
	var raw [10 + 32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", aisle.Key{}, fmt.Errorf("make key: %w", err)
	}
	id, secret := encoding.EncodeToString(raw[:10]), encoding.EncodeToString(raw[10:])
	k := aisle.Key{ID: id, Name: name, Role: role, User: user, Hash: hash(secret), CreatedAt: now.UTC()}
	if err := k.Validate(); err != nil {
		return "", aisle.Key{}, err
	}
	return Prefix + id + "_" + secret, k, nil
}

// hash is what the store keeps of a secret.
func hash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Parse splits a key into its id and secret. It fails, with an
// *aisle.Error with code EUNAUTHORIZED, when token does not have a key's
// shape.
func Parse(token string) (id, secret string, err error) {
	rest, ok := strings.CutPrefix(token, Prefix)
	if !ok {
		return "", "", aisle.Errorf(aisle.EUNAUTHORIZED, "not an Aisle API key (keys start with %q)", Prefix)
	}
	id, secret, ok = strings.Cut(rest, "_")
	if !ok || len(id) != idLen || len(secret) != secretLen || !isBase32(id) || !isBase32(secret) {
		return "", "", aisle.Errorf(aisle.EUNAUTHORIZED, "malformed API key")
	}
	return id, secret, nil
}

// isBase32 reports whether s holds only characters of encoding.
func isBase32(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '2' || c > '7') {
			return false
		}
	}
	return true
}

// ParseAuthorization returns the key an Authorization header value
// carries: "Bearer <key>" (the scheme in any case, RFC 6750). It fails
// with an *aisle.Error with code EUNAUTHORIZED saying what is wrong; it
// never echoes the header's content.
func ParseAuthorization(header string) (string, error) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	switch {
	case header == "":
		return "", aisle.Errorf(aisle.EUNAUTHORIZED, "an API key is required: send \"Authorization: Bearer <key>\"")
	case !ok || !strings.EqualFold(scheme, "Bearer"):
		return "", aisle.Errorf(aisle.EUNAUTHORIZED, "the Authorization header must use the Bearer scheme: \"Authorization: Bearer <key>\"")
	}
	token = strings.TrimLeft(token, " ")
	if token == "" || strings.ContainsAny(token, " \t") {
		return "", aisle.Errorf(aisle.EUNAUTHORIZED, "the Authorization header must hold one key after \"Bearer \"")
	}
	return token, nil
}

// Lister lists the stored keys; aisle.KeyStore is one.
type Lister interface {
	Keys(ctx context.Context) ([]aisle.Key, error)
}

// DefaultTTL is how long a Verifier trusts its copy of the keys. Keys
// created or revoked by another process (aisle keys) take effect within
// it; those changed through Invalidate, at once.
const DefaultTTL = time.Second

// Verifier checks keys against the store's, keeping a copy of them for
// TTL so that checking a request costs no storage round trip. It is safe
// for concurrent use.
type Verifier struct {
	keys Lister
	ttl  time.Duration
	now  func() time.Time

	// mu guards the following fields.
	mu     sync.Mutex
	byID   map[string]aisle.Key
	loaded time.Time // zero: never, or invalidated
}

// NewVerifier returns a Verifier over keys, refreshing its copy every ttl
// (DefaultTTL when ≤ 0), with the clock now (time.Now when nil). It does
// no I/O.
func NewVerifier(keys Lister, ttl time.Duration, now func() time.Time) *Verifier {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Verifier{keys: keys, ttl: ttl, now: now}
}

// Invalidate makes the next call read the keys again.
func (v *Verifier) Invalidate() {
	v.mu.Lock()
	v.loaded = time.Time{}
	v.mu.Unlock()
}

// current returns the keys by id, read again when the copy is too old.
func (v *Verifier) current(ctx context.Context) (map[string]aisle.Key, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if now := v.now(); v.loaded.IsZero() || now.Sub(v.loaded) >= v.ttl || now.Before(v.loaded) {
		keys, err := v.keys.Keys(ctx)
		if err != nil {
			return nil, fmt.Errorf("read API keys: %w", err)
		}
		byID := make(map[string]aisle.Key, len(keys))
		for _, k := range keys {
			byID[k.ID] = k
		}
		v.byID, v.loaded = byID, now
	}
	return v.byID, nil
}

// Required reports whether requests need a key: whether any key exists,
// revoked ones included (revoking every key does not open the server).
func (v *Verifier) Required(ctx context.Context) (bool, error) {
	keys, err := v.current(ctx)
	return len(keys) > 0, err
}

// Verify returns the stored key token is. It fails with an *aisle.Error
// with code EUNAUTHORIZED when token is malformed, unknown or revoked, and
// with an internal error when the keys cannot be read.
func (v *Verifier) Verify(ctx context.Context, token string) (aisle.Key, error) {
	id, secret, err := Parse(token)
	if err != nil {
		return aisle.Key{}, err
	}
	keys, err := v.current(ctx)
	if err != nil {
		return aisle.Key{}, err
	}
	k, ok := keys[id]
	// Compare a hash either way, so an unknown id takes as long as a
	// wrong secret.
	want := k.Hash
	if !ok {
		want = make([]byte, sha256.Size)
	}
	if subtle.ConstantTimeCompare(hash(secret), want) != 1 || !ok {
		return aisle.Key{}, aisle.Errorf(aisle.EUNAUTHORIZED, "unknown API key")
	}
	if k.Revoked() {
		return aisle.Key{}, aisle.Errorf(aisle.EUNAUTHORIZED, "API key %s was revoked", k.ID)
	}
	return k, nil
}

// Keeper stores keys and records what is done to them; aisle.Store is
// one.
type Keeper interface {
	CreateKey(ctx context.Context, k aisle.Key) error
	RevokeKey(ctx context.Context, id string, at time.Time) error
	AppendAudit(ctx context.Context, e aisle.AuditEntry) (int64, error)
}

// Create makes a key (see New), stores it in kp and records in the audit
// log that actor made it — its role and whether it is a shopper's, never
// whose. It returns the key to hand over (shown this once), the key as
// stored and the audit entry's Seq. Should the audit entry fail, the key
// is stored but not handed over: it can be listed and revoked.
func Create(ctx context.Context, kp Keeper, role aisle.Role, name, user, actor string, now time.Time) (string, aisle.Key, int64, error) {
	token, k, err := New(role, name, user, now)
	if err != nil {
		return "", aisle.Key{}, 0, err
	}
	if err := kp.CreateKey(ctx, k); err != nil {
		return "", aisle.Key{}, 0, err
	}
	detail := "role " + string(k.Role)
	if k.User != "" {
		detail += ", for one shopper"
	}
	seq, err := kp.AppendAudit(ctx, aisle.AuditEntry{Time: now, Actor: actor, Action: aisle.AuditCreateKey, Target: k.ID, Detail: detail})
	if err != nil {
		return "", aisle.Key{}, 0, fmt.Errorf("key %s made, but not recorded: %w", k.ID, err)
	}
	return token, k, seq, nil
}

// Revoke revokes key id in kp (ENOTFOUND when there is none) and records
// in the audit log that actor did; it returns the audit entry's Seq.
func Revoke(ctx context.Context, kp Keeper, id, actor string, now time.Time) (int64, error) {
	if err := kp.RevokeKey(ctx, id, now); err != nil {
		return 0, err
	}
	seq, err := kp.AppendAudit(ctx, aisle.AuditEntry{Time: now, Actor: actor, Action: aisle.AuditRevokeKey, Target: id})
	if err != nil {
		return 0, fmt.Errorf("key %s revoked, but not recorded: %w", id, err)
	}
	return seq, nil
}
