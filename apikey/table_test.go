package apikey_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/apikey"
)

func TestWriteTable(t *testing.T) {
	made := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	keys := []aisle.Key{
		{ID: "k1", Role: aisle.RoleAdmin, Name: "ops", CreatedAt: made},
		{ID: "k2", Role: aisle.RoleRead, User: "u7", CreatedAt: made, RevokedAt: made.Add(time.Hour)},
	}
	var b strings.Builder
	if err := apikey.WriteTable(&b, keys); err != nil {
		t.Fatal(err)
	}
	want := "ID  ROLE   NAME  SHOPPER  CREATED               REVOKED\n" +
		"k1  admin  ops   -        2026-12-07T10:00:00Z  -\n" +
		"k2  read   -     u7       2026-12-07T10:00:00Z  2026-12-07T11:00:00Z\n"
	if diff := cmp.Diff(b.String(), want); diff != "" {
		t.Errorf("table (-got +want):\n%s", diff)
	}
}
