package http

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/profile"
)

var _ ProfileServer = (*fakeRecommender)(nil)

// Profile gives u1 a profile of two tags and one centre (less the tags
// removed through ExcludeInterest) and nobody else one.
func (f *fakeRecommender) Profile(_ context.Context, user, lang string) (profile.View, string, error) {
	if lang != "" && lang != "en" && lang != "zh" {
		return profile.View{}, "", aisle.FieldErrorf(aisle.EINVALID, "lang", "must be en or zh")
	}
	if user != "u1" {
		return profile.View{}, "", aisle.Errorf(aisle.ENOTFOUND, "no profile")
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sup := []profile.Support{{Seq: 1, Type: aisle.EventPurchase, Item: "pen-1", Time: at}}
	v := profile.View{User: user, AsOf: at, Events: 1, Centers: []profile.CenterView{{Weight: 1, Items: []string{"pen-1"}}}}
	for _, t := range []profile.Tag{{Kind: profile.KindBrand, Value: "Acme"}, {Kind: profile.KindCategory, Value: "Pens"}} {
		if slices.Contains(f.seen(), "exclude u1 "+t.String()) {
			v.Excluded = append(v.Excluded, t)
			continue
		}
		v.Tags = append(v.Tags, profile.TagView{ID: t.String(), Tag: t, Weight: 1, Support: sup})
	}
	return v, profile.Summary(v, lang), nil
}

// ExcludeInterest records "exclude user tag".
func (f *fakeRecommender) ExcludeInterest(_ context.Context, user, tag string) error {
	f.record("exclude " + user + " " + tag)
	return nil
}

// seen returns the requests recorded so far.
func (f *fakeRecommender) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.requests)
}

// TestProfileRoutes checks the profile routes' answers, their 400s naming
// the field, 404s, and who may use them.
func TestProfileRoutes(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	body := decodeJSON[profileResponse](t, e.expect(http.StatusOK, "GET", "/v1/users/u1/profile?lang=zh", nil).body)
	if body.User != "u1" || len(body.Tags) != 2 || !strings.Contains(body.Summary, "Acme") || !strings.Contains(body.Summary, "常选品牌") {
		t.Errorf("profile of u1 = %+v", body)
	}
	if len(body.Centers) != 1 || len(body.Centers[0].Examples) != 1 || body.Centers[0].Examples[0] != (example{ID: "pen-1", Title: "Blue pen"}) {
		t.Errorf("centres = %+v, want pen-1 with its title", body.Centers)
	}
	// u2 is a stored user without a profile: an empty one.
	empty := decodeJSON[profileResponse](t, e.expect(http.StatusOK, "GET", "/v1/users/u2/profile", nil).body)
	if empty.User != "u2" || len(empty.Tags) != 0 || empty.Summary != "No interests yet" {
		t.Errorf("profile of u2 = %+v", empty)
	}
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1/profile/interests/brand%3AAcme", nil)
	after := decodeJSON[profileResponse](t, e.expect(http.StatusOK, "GET", "/v1/users/u1/profile", nil).body)
	if len(after.Tags) != 1 || after.Tags[0].ID != "category:Pens" || len(after.Excluded) != 1 {
		t.Errorf("after removing brand:Acme: %+v", after)
	}
	// A tag with a slash and spaces, escaped.
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1/profile/interests/category%3AInk%20%2F%20Toner", nil)
	if !slices.Contains(e.rec.seen(), "exclude u1 category:Ink / Toner") {
		t.Errorf("escaped tag not passed on: %v", e.rec.seen())
	}

	errs := []struct {
		method, path string
		status       int
		field        string
	}{
		{"GET", "/v1/users/u1/profile?lang=fr", 400, "lang"},
		{"GET", "/v1/users/u1/profile?lang=en&lang=zh", 400, "lang"},
		{"GET", "/v1/users/nobody/profile", 404, ""},
		{"DELETE", "/v1/users/u1/profile/interests/Acme", 400, "tag"},
		{"DELETE", "/v1/users/u1/profile/interests/size%3AXL", 400, "tag"},
		{"DELETE", "/v1/users/u1/profile/interests/brand%3A", 400, "tag"},
		{"DELETE", "/v1/users/u1/profile/interests/brand%3A%E2%80%AEevil", 400, "tag"},
		{"DELETE", "/v1/users/nobody/profile/interests/brand%3AAcme", 404, ""},
	}
	for _, c := range errs {
		resp := e.expect(c.status, c.method, c.path, nil)
		if c.field != "" && !strings.Contains(string(resp.body), `"field":"`+c.field+`"`) {
			t.Errorf("%s %s: %s, want the field %s named", c.method, c.path, resp.body, c.field)
		}
	}

	// Keys: the shopper's own and admin keys; no one else's.
	_, admin := e.newKey(aisle.RoleAdmin, "")
	_, own := e.newKey(aisle.RoleRead, "u1")
	_, other := e.newKey(aisle.RoleRead, "u2")
	_, writer := e.newKey(aisle.RoleWrite, "")
	e.expect(http.StatusOK, "GET", "/v1/users/u1/profile", nil, own...)
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1/profile/interests/category%3APens", nil, own...)
	e.expect(http.StatusOK, "GET", "/v1/users/u1/profile", nil, admin...)
	e.expect(http.StatusNoContent, "DELETE", "/v1/users/u1/profile/interests/category%3APens", nil, admin...)
	for _, h := range [][]string{other, writer} {
		e.expect(http.StatusForbidden, "GET", "/v1/users/u1/profile", nil, h...)
		e.expect(http.StatusForbidden, "DELETE", "/v1/users/u1/profile/interests/brand%3AAcme", nil, h...)
	}
	e.expect(http.StatusUnauthorized, "GET", "/v1/users/u1/profile", nil)
}
