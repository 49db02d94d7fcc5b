package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
	"github.com/aislehq/aisle/store/sqlite"
)

// TestKeysCommand creates, lists and revokes keys with aisle keys, and
// checks what the store keeps: the hash, never the key.
func TestKeysCommand(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "keys", "create", "-role", "admin", "-name", "ops", "-data-dir", dir)
	if code != 0 {
		t.Fatalf("keys create: exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	key := lines[len(lines)-1]
	id, _, err := apikey.Parse(key)
	if err != nil {
		t.Fatalf("last line %q is not a key: %v", key, err)
	}
	_, stdout2, _ := runCLI(t, "keys", "create", "-role", "read", "-user", "shopper-1", "-data-dir", dir)
	shopperKey := strings.TrimSpace(stdout2)

	code, list, stderr := runCLI(t, "keys", "list", "-data-dir", dir)
	if code != 0 || !strings.Contains(list, id) || !strings.Contains(list, "admin") || !strings.Contains(list, "shopper-1") {
		t.Fatalf("keys list: exit %d:\n%s%s", code, list, stderr)
	}
	if strings.Contains(list, key) || strings.Contains(list, shopperKey) {
		t.Fatalf("keys list shows a secret:\n%s", list)
	}

	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "aisle.db"), nil, sqlite.Options{})
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	v := apikey.NewVerifier(db, 0, nil)
	if k, err := v.Verify(ctx, key); err != nil || k.Role != aisle.RoleAdmin {
		t.Fatalf("Verify(created key) = %+v, %v", k, err)
	}
	db.Close()

	if code, _, stderr := runCLI(t, "keys", "revoke", "-data-dir", dir, id); code != 0 {
		t.Fatalf("keys revoke: exit %d: %s", code, stderr)
	}
	db = sqlite.NewDB(filepath.Join(dir, "aisle.db"), nil, sqlite.Options{}) // a closed DB is not opened again
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := apikey.NewVerifier(db, 0, nil).Verify(ctx, key); aisle.ErrorCode(err) != aisle.EUNAUTHORIZED {
		t.Errorf("revoked key verifies: %v", err)
	}
	audit, err := db.Audit(ctx, 0, 0)
	if err != nil || len(audit) != 3 || audit[0].Actor != aisle.ActorCLI || audit[2].Action != aisle.AuditRevokeKey {
		t.Errorf("audit log = %+v, %v", audit, err)
	}
	for _, e := range audit {
		if strings.Contains(e.Detail+e.Target, "shopper-1") {
			t.Errorf("the audit log names a shopper: %+v", e)
		}
	}

	for _, bad := range [][]string{
		{"keys"},
		{"keys", "create", "-data-dir", dir},
		{"keys", "create", "-role", "root", "-data-dir", dir},
		{"keys", "revoke", "-data-dir", dir},
		{"keys", "rotate"},
	} {
		if code, _, _ := runCLI(t, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
	if code, _, stderr := runCLI(t, "keys", "revoke", "-data-dir", dir, "nope"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("revoke of an unknown key: exit %d: %s", code, stderr)
	}
}

// TestServeRefusesExposure checks that aisle serve will not listen beyond
// loopback without a key unless told -insecure, and that once a key
// exists the served API needs it.
func TestServeRefusesExposure(t *testing.T) {
	dir := t.TempDir()
	code, _, stderr := runCLI(t, "serve", "-data-dir", dir, "-addr", "0.0.0.0:0", "-image-model", "none")
	if code != 1 || !strings.Contains(stderr, "-insecure") || !strings.Contains(stderr, "aisle keys create") {
		t.Fatalf("serve on 0.0.0.0 without keys: exit %d: %s", code, stderr)
	}
	_, stdout, _ := runCLI(t, "keys", "create", "-role", "read", "-data-dir", dir)
	key := strings.TrimSpace(stdout)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	base, done := serveInProcess(t, ctx, "-data-dir", dir, "-addr", "0.0.0.0:0", "-image-model", "none", "-log-level", "error")
	port := base[strings.LastIndex(base, ":"):]
	base = "http://127.0.0.1" + port
	for _, c := range []struct {
		key  string
		want int
	}{{"", http.StatusUnauthorized}, {key, http.StatusNotFound}} {
		req, _ := http.NewRequest("GET", base+"/v1/items/nope", nil)
		if c.key != "" {
			req.Header.Set("Authorization", "Bearer "+c.key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET with key %t: %d, want %d", c.key != "", resp.StatusCode, c.want)
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exited with %d", code)
	}
}
