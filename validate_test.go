package aisle

import (
	"strings"
	"testing"
	"time"
)

func TestValidateID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want string // substring of the error; "" for valid
	}{
		{"pen-1", ""},
		{"中文-1", ""},
		{"café", ""}, // NFC: é is U+00E9
		{"", "must not be empty"},
		{" pen", "white space"},
		{"pen\u0007", "control or format"},
		{"pen\u001b[31m", "control or format"},
		{"pen\u202e1", "control or format"},
		{"pen\u200b1", "control or format"},
		{"pen\u2066", "control or format"},
		{"cafe\u0301", "normal form C"},
		{"a\x00b", "NUL"},
		{"\xff", "UTF-8"},
		{strings.Repeat("i", MaxIDBytes+1), "longer than"},
	} {
		err := ValidateID("id", tc.id)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("ValidateID(%q) = %v, want nil", tc.id, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("ValidateID(%q) = %v, want an error with %q", tc.id, err, tc.want)
		case err != nil && (ErrorCode(err) != EINVALID || ErrorField(err) != "id"):
			t.Errorf("ValidateID(%q): code %s field %q", tc.id, ErrorCode(err), ErrorField(err))
		}
	}
}

func TestItemTextChecks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		item  Item
		field string // "" for valid
	}{
		{"plain", Item{ID: "a", Title: "Blue pen"}, ""},
		{"no title (datasets by id)", Item{ID: "a"}, ""},
		{"RTL with marks", Item{ID: "a", Title: "قلم \u200f(Pen)"}, ""},
		{"description lines", Item{ID: "a", Title: "x", Description: "one\ntwo\tthree\r\n"}, ""},
		{"title on two lines (as some catalogs have)", Item{ID: "a", Title: "Step stool - 12 in\n31 cm"}, ""},
		{"BEL in title", Item{ID: "a", Title: "pen\a"}, "title"},
		{"ESC in brand", Item{ID: "a", Title: "x", Brand: "\x1b[1mAcme"}, "brand"},
		{"C1 in description", Item{ID: "a", Title: "x", Description: "a\u0085b"}, "description"},
		{"RLO in category", Item{ID: "a", Title: "x", Categories: []string{"Pens\u202e"}}, "categories[0]"},
		{"isolate in attribute", Item{ID: "a", Title: "x", Attributes: map[string]string{"colour": "red\u2067"}}, "attributes.colour"},
		{"control in attribute name", Item{ID: "a", Title: "x", Attributes: map[string]string{"col\x01our": "red"}}, "attributes"},
		{"blank category", Item{ID: "a", Title: "x", Categories: []string{"Pens", " \t"}}, "categories[1]"},
		{"blank title", Item{ID: "a", Title: " \t\n"}, ""}, // normalised to "" (an item known by id)
		{"image ref with a line break", Item{ID: "a", Title: "x", Images: []string{"https://x/a.jpg\n"}}, "images[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.item
			it.Normalize()
			err := it.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if ErrorCode(err) != EINVALID || ErrorField(err) != tc.field {
				t.Fatalf("Validate = %v, want EINVALID on %q", err, tc.field)
			}
		})
	}
}

func TestNormalizeTrims(t *testing.T) {
	it := Item{ID: "a", Title: "  Blue\tpen\r\n", Brand: "\nAcme ", Categories: []string{" Office\n", "Pens"}, Description: " keep\n "}
	it.Normalize()
	if it.Title != "Blue\tpen" || it.Brand != "Acme" || it.Categories[0] != "Office" || it.Description != " keep\n " {
		t.Errorf("Normalize: %+v", it)
	}
}

func TestEventTextChecks(t *testing.T) {
	now := mustTime("2026-12-07T10:00:00Z")
	for _, tc := range []struct {
		name  string
		ev    Event
		field string
	}{
		{"ok", Event{User: "u", Type: EventSearch, Query: "blue pen"}, ""},
		{"blank query", Event{User: "u", Type: EventSearch, Query: "  "}, "query"},
		{"query with escape", Event{User: "u", Type: EventSearch, Query: "pen\x1b"}, "query"},
		{"context value", Event{User: "u", Type: EventSearch, Query: "x", Context: map[string]string{"page": "a\u202eb"}}, "context.page"},
		{"custom name blank", Event{User: "u", Type: EventCustom, Name: " "}, "name"},
	} {
		err := tc.ev.Validate(now)
		if (err == nil) != (tc.field == "") || (err != nil && ErrorField(err) != tc.field) {
			t.Errorf("%s: Validate = %v, want field %q", tc.name, err, tc.field)
		}
	}
}

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		have, need Role
		want       bool
	}{
		{RoleAdmin, RoleRead, true}, {RoleAdmin, RoleWrite, true}, {RoleAdmin, RoleAdmin, true},
		{RoleWrite, RoleRead, true}, {RoleWrite, RoleAdmin, false},
		{RoleRead, RoleWrite, false}, {RoleRead, RoleRead, true},
		{"root", RoleRead, false}, {"", RoleRead, false},
	} {
		if got := tc.have.Allows(tc.need); got != tc.want {
			t.Errorf("%q.Allows(%q) = %t", tc.have, tc.need, got)
		}
	}
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
