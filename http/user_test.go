package http

import (
	"net/http"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestUsers(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	ignoreUserTimes := cmpopts.IgnoreFields(aisle.User{}, "CreatedAt", "UpdatedAt")

	want := aisle.User{ID: "u3", Attributes: map[string]string{"country": "NZ"}}
	created := decodeJSON[aisle.User](t, e.expect(http.StatusCreated, "PUT", "/v1/users/u3", `{"attributes":{"country":"NZ"}}`).body)
	if d := cmp.Diff(created, want, ignoreUserTimes); d != "" {
		t.Errorf("created user (-got +want):\n%s", d)
	}
	if created.CreatedAt.IsZero() {
		t.Errorf("created user has no created_at")
	}
	e.expect(http.StatusOK, "PUT", "/v1/users/u3", want)

	want.Attributes["country"] = "AU"
	updated := decodeJSON[aisle.User](t, e.expect(http.StatusOK, "PUT", "/v1/users/u3", want).body)
	if d := cmp.Diff(updated, want, ignoreUserTimes); d != "" {
		t.Errorf("updated user (-got +want):\n%s", d)
	}
	got := decodeJSON[aisle.User](t, e.expect(http.StatusOK, "GET", "/v1/users/u3", nil).body)
	if d := cmp.Diff(got, updated); d != "" {
		t.Errorf("GET after PUT (-got +want):\n%s", d)
	}
}

func TestDeleteUserErasesEvents(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	ctx := t.Context()
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1", nil)
	e.expect(http.StatusNotFound, "GET", "/v1/users/u1", nil)
	e.expect(http.StatusNotFound, "DELETE", "/v1/users/u1", nil)
	if events, err := e.db.UserEvents(ctx, "u1", aisle.EventQuery{}); err != nil || len(events) != 0 {
		t.Errorf("u1's events after DELETE: %v, %v; want none", events, err)
	}
	if events, err := e.db.UserEvents(ctx, "u2", aisle.EventQuery{}); err != nil || len(events) != 1 {
		t.Errorf("u2's events after deleting u1: %v, %v; want 1", events, err)
	}
}
