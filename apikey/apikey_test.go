package apikey

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
)

// memKeys is a Lister over a slice, counting reads.
type memKeys struct {
	mu    sync.Mutex
	keys  []aisle.Key
	reads int
}

func (m *memKeys) Keys(context.Context) ([]aisle.Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	return append([]aisle.Key(nil), m.keys...), nil
}

func (m *memKeys) add(k aisle.Key) {
	m.mu.Lock()
	m.keys = append(m.keys, k)
	m.mu.Unlock()
}

func TestNewParseVerify(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	token, k, err := New(aisle.RoleWrite, "etl", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, Prefix) || len(token) != len(Prefix)+idLen+1+secretLen {
		t.Fatalf("token %q has the wrong shape", token)
	}
	if strings.Contains(token, string(k.Hash)) {
		t.Fatal("token contains the hash")
	}
	id, _, err := Parse(token)
	if err != nil || id != k.ID {
		t.Fatalf("Parse = %q, %v; want id %q", id, err, k.ID)
	}
	store := &memKeys{}
	store.add(k)
	v := NewVerifier(store, time.Minute, func() time.Time { return now })
	got, err := v.Verify(ctx, token)
	if err != nil || got.ID != k.ID || got.Role != aisle.RoleWrite {
		t.Fatalf("Verify = %+v, %v", got, err)
	}

	other, _, _ := New(aisle.RoleAdmin, "", "", now)
	wrongSecret := Prefix + k.ID + "_" + strings.Split(other, "_")[2]
	for name, tok := range map[string]string{
		"unknown key":  other,
		"wrong secret": wrongSecret,
		"not a key":    "sk-123",
		"truncated":    token[:len(token)-1],
		"upper case":   strings.ToUpper(token),
	} {
		if _, err := v.Verify(ctx, tok); aisle.ErrorCode(err) != aisle.EUNAUTHORIZED {
			t.Errorf("%s: Verify error = %v, want code %s", name, err, aisle.EUNAUTHORIZED)
		} else if strings.Contains(aisle.ErrorMessage(err), tok) {
			t.Errorf("%s: the error repeats the token: %q", name, aisle.ErrorMessage(err))
		}
	}
}

func TestVerifierRefreshesAndRevokes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	store := &memKeys{}
	v := NewVerifier(store, time.Second, clock)
	if req, err := v.Required(ctx); err != nil || req {
		t.Fatalf("Required with no keys = %v, %v", req, err)
	}
	token, k, _ := New(aisle.RoleRead, "", "u1", now)
	store.add(k)
	// Within the TTL the old copy (no keys) still answers.
	if _, err := v.Verify(ctx, token); aisle.ErrorCode(err) != aisle.EUNAUTHORIZED {
		t.Fatalf("Verify within the TTL = %v, want unauthorized", err)
	}
	now = now.Add(time.Second)
	if got, err := v.Verify(ctx, token); err != nil || got.User != "u1" {
		t.Fatalf("Verify after the TTL = %+v, %v", got, err)
	}
	reads := store.reads
	for range 10 {
		v.Verify(ctx, token)
	}
	if store.reads != reads {
		t.Errorf("%d reads of the keys within the TTL, want none", store.reads-reads)
	}
	// Revoked: takes effect at once after Invalidate.
	store.mu.Lock()
	store.keys[0].RevokedAt = now
	store.mu.Unlock()
	v.Invalidate()
	if _, err := v.Verify(ctx, token); aisle.ErrorCode(err) != aisle.EUNAUTHORIZED || !strings.Contains(err.Error(), "revoked") {
		t.Fatalf("Verify of a revoked key = %v", err)
	}
	if req, _ := v.Required(ctx); !req {
		t.Error("Required = false once the only key is revoked; revoking must not open the server")
	}
}

func TestParseAuthorization(t *testing.T) {
	for _, tc := range []struct {
		header, want string
		ok           bool
	}{
		{"Bearer aisle_x", "aisle_x", true},
		{"bearer aisle_x", "aisle_x", true},
		{"BEARER   aisle_x ", "aisle_x", true},
		{"", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic dXNlcjpwYXNz", "", false},
		{"Bearer a b", "", false},
		{"Bearer\taisle_x", "", false},
		{"Token aisle_x", "", false},
	} {
		got, err := ParseAuthorization(tc.header)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseAuthorization(%q) = %q, %v; want %q, ok %t", tc.header, got, err, tc.want, tc.ok)
		}
		if err != nil && aisle.ErrorCode(err) != aisle.EUNAUTHORIZED {
			t.Errorf("ParseAuthorization(%q) code = %s", tc.header, aisle.ErrorCode(err))
		}
	}
}

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{"Bearer aisle_abc_def", "bearer x", "", "Basic x", "Bearer  a b", "Bearer \x00", "Bearer é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, err := ParseAuthorization(header)
		if err != nil {
			if aisle.ErrorCode(err) != aisle.EUNAUTHORIZED {
				t.Fatalf("code %s", aisle.ErrorCode(err))
			}
			if len(header) > 8 && strings.Contains(aisle.ErrorMessage(err), header) {
				t.Fatalf("error echoes the header")
			}
			return
		}
		if token == "" || strings.ContainsAny(token, " \t") || !strings.Contains(header, token) {
			t.Fatalf("ParseAuthorization(%q) = %q", header, token)
		}
	})
}

func FuzzParse(f *testing.F) {
	token, _, _ := New(aisle.RoleRead, "", "", time.Now())
	for _, s := range []string{token, "aisle_", "aisle__", "aisle_abc_def", token + "x", strings.ToUpper(token)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, secret, err := Parse(s)
		if err != nil {
			if aisle.ErrorCode(err) != aisle.EUNAUTHORIZED {
				t.Fatalf("code %s", aisle.ErrorCode(err))
			}
			return
		}
		if s != Prefix+id+"_"+secret || len(id) != idLen || len(secret) != secretLen || aisle.ValidateID("id", id) != nil {
			t.Fatalf("Parse(%q) = %q, %q", s, id, secret)
		}
	})
}

// memKeeper is a Keeper in memory.
type memKeeper struct {
	keys  map[string]aisle.Key
	audit []aisle.AuditEntry
}

func (m *memKeeper) CreateKey(_ context.Context, k aisle.Key) error { m.keys[k.ID] = k; return nil }

func (m *memKeeper) RevokeKey(_ context.Context, id string, at time.Time) error {
	k, ok := m.keys[id]
	if !ok {
		return aisle.Errorf(aisle.ENOTFOUND, "key %q not found", id)
	}
	k.RevokedAt = at
	m.keys[id] = k
	return nil
}

func (m *memKeeper) AppendAudit(_ context.Context, e aisle.AuditEntry) (int64, error) {
	e.Seq = int64(len(m.audit) + 1)
	m.audit = append(m.audit, e)
	return e.Seq, nil
}

// TestCreateRevokeRecord checks that making and revoking keys is recorded
// in the audit log, naming the actor and never the shopper.
func TestCreateRevokeRecord(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	kp := &memKeeper{keys: map[string]aisle.Key{}}
	token, k, seq, err := Create(ctx, kp, aisle.RoleRead, "storefront", "shopper-42", "k-admin", now)
	if err != nil || seq != 1 {
		t.Fatalf("Create = %v, seq %d", err, seq)
	}
	if id, _, err := Parse(token); err != nil || id != k.ID || kp.keys[k.ID].User != "shopper-42" {
		t.Fatalf("stored %+v for token %q", kp.keys, token)
	}
	if _, err := Revoke(ctx, kp, "nope", "k-admin", now); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("Revoke of an unknown key = %v", err)
	}
	if seq, err := Revoke(ctx, kp, k.ID, "k-admin", now); err != nil || seq != 2 || kp.keys[k.ID].RevokedAt.IsZero() {
		t.Fatalf("Revoke = %d, %v", seq, err)
	}
	want := []aisle.AuditEntry{
		{Seq: 1, Time: now, Actor: "k-admin", Action: aisle.AuditCreateKey, Target: k.ID, Detail: "role read, for one shopper"},
		{Seq: 2, Time: now, Actor: "k-admin", Action: aisle.AuditRevokeKey, Target: k.ID},
	}
	if len(kp.audit) != 2 || kp.audit[0] != want[0] || kp.audit[1] != want[1] {
		t.Errorf("audit log %+v, want %+v", kp.audit, want)
	}
	if _, _, _, err := Create(ctx, kp, "root", "", "", "k-admin", now); aisle.ErrorCode(err) != aisle.EINVALID || len(kp.audit) != 2 {
		t.Errorf("Create with a bad role = %v; audit %d entries", err, len(kp.audit))
	}
}
