package aisle

import (
	"math"
	"strings"
	"testing"
	"time"
)

// One table per validated type: each row is one rule (id rules, control
// characters, bidirectional controls, which fields may hold line breaks,
// lengths, counts, numbers, fields that contradict each other), named
// after it. code is the error's code ("" for a valid value) and field the
// field it names.

// checkValidation fails t unless err is nil (code "") or an *Error with
// code naming field.
func checkValidation(t *testing.T, err error, code, field string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("Validate = %v, want nil", err)
		}
		return
	}
	if ErrorCode(err) != code || ErrorField(err) != field {
		t.Fatalf("Validate = %v, want %s on %q", err, code, field)
	}
}

func TestValidateID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want string // substring of the error; "" for valid
	}{
		{"pen-1", ""},
		{"中文-1", ""},
		{"café", ""}, // NFC: é is U+00E9
		{strings.Repeat("i", MaxIDBytes), ""},
		{"", "must not be empty"},
		{" pen", "white space"},
		{"pen\u00a0", "white space"},
		{"pen\u0007", "control or format"},
		{"pen\u001b[31m", "control or format"},
		{"pen\t1", "control or format"},
		{"pen\u0085", "control or format"}, // C1
		{"pen\u202e1", "control or format"},
		{"pen\u200b1", "control or format"},
		{"pen\u2066", "control or format"},
		{"\ufeffpen", "control or format"},
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

func TestItemValidate(t *testing.T) {
	price := func(p float64) *float64 { return &p }
	many := func(n int, s string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = s
		}
		return out
	}
	for _, tc := range []struct {
		name string
		item Item
		// raw skips Normalize, which otherwise runs first as it does
		// before every write.
		raw         bool
		code, field string
	}{
		{"plain", Item{ID: "a", Title: "Blue pen"}, false, "", ""},
		{"no title (datasets by id)", Item{ID: "a"}, false, "", ""},
		{"RTL with marks", Item{ID: "a", Title: "قلم \u200f(Pen)"}, false, "", ""},
		{"every field", Item{ID: "a", Title: "x", Brand: "Acme", Categories: []string{"Office", "Pens"}, Description: "d",
			Attributes: map[string]string{"color": "red"}, Price: price(1.5), Currency: "USD", Availability: AvailabilityPreorder,
			Images: []string{"https://x/a.jpg"}}, false, "", ""},

		// The id follows ValidateID's rules.
		{"no id", Item{Title: "x"}, false, EINVALID, "id"},
		{"id with a format character", Item{ID: "a\u200b", Title: "x"}, false, EINVALID, "id"},

		// Control characters.
		{"BEL in title", Item{ID: "a", Title: "pen\a"}, false, EINVALID, "title"},
		{"ESC in brand", Item{ID: "a", Title: "x", Brand: "\x1b[1mAcme"}, false, EINVALID, "brand"},
		{"C1 in description", Item{ID: "a", Title: "x", Description: "a\u0085b"}, false, EINVALID, "description"},
		{"NUL in title", Item{ID: "a", Title: "a\x00b"}, false, EINVALID, "title"},
		{"invalid UTF-8 in description", Item{ID: "a", Title: "x", Description: "\xff"}, false, EINVALID, "description"},
		{"control in attribute name", Item{ID: "a", Title: "x", Attributes: map[string]string{"col\x01our": "red"}}, false, EINVALID, "attributes"},

		// Bidirectional embeddings, overrides and isolates.
		{"RLO in title", Item{ID: "a", Title: "pen\u202e"}, false, EINVALID, "title"},
		{"RLO in category", Item{ID: "a", Title: "x", Categories: []string{"Pens\u202e"}}, false, EINVALID, "categories[0]"},
		{"isolate in attribute", Item{ID: "a", Title: "x", Attributes: map[string]string{"colour": "red\u2067"}}, false, EINVALID, "attributes.colour"},
		{"isolate in image ref", Item{ID: "a", Title: "x", Images: []string{"a\u2066.jpg"}}, false, EINVALID, "images[0]"},

		// Line breaks and tabs: text may hold them, image refs and
		// attribute names may not.
		{"description lines", Item{ID: "a", Title: "x", Description: "one\ntwo\tthree\r\n"}, false, "", ""},
		{"title on two lines (as some catalogs have)", Item{ID: "a", Title: "Step stool - 12 in\n31 cm"}, false, "", ""},
		{"attribute value on two lines", Item{ID: "a", Title: "x", Attributes: map[string]string{"care": "wash\ndry"}}, false, "", ""},
		{"image ref with a line break", Item{ID: "a", Title: "x", Images: []string{"https://x/a.jpg\n"}}, false, EINVALID, "images[0]"},
		{"attribute name with a tab", Item{ID: "a", Title: "x", Attributes: map[string]string{"a\tb": "v"}}, false, EINVALID, "attributes"},

		// Blank values.
		{"blank title", Item{ID: "a", Title: " \t\n"}, false, "", ""}, // normalised to "" (an item known by id)
		{"blank title not normalised", Item{ID: "a", Title: " \t\n"}, true, EINVALID, "title"},
		{"blank category", Item{ID: "a", Title: "x", Categories: []string{"Pens", " \t"}}, false, EINVALID, "categories[1]"},
		{"empty attribute name", Item{ID: "a", Title: "x", Attributes: map[string]string{"": "v"}}, false, EINVALID, "attributes"},
		{"empty image ref", Item{ID: "a", Title: "x", Images: []string{""}}, false, EINVALID, "images[0]"},

		// Lengths and counts.
		{"longest title", Item{ID: "a", Title: strings.Repeat("t", MaxTitleBytes)}, false, "", ""},
		{"title too long", Item{ID: "a", Title: strings.Repeat("t", MaxTitleBytes+1)}, false, EINVALID, "title"},
		{"description too long", Item{ID: "a", Title: "x", Description: strings.Repeat("d", MaxDescriptionBytes+1)}, false, EINVALID, "description"},
		{"brand too long", Item{ID: "a", Title: "x", Brand: strings.Repeat("b", MaxBrandBytes+1)}, false, EINVALID, "brand"},
		{"categories too deep", Item{ID: "a", Title: "x", Categories: many(MaxCategoryDepth+1, "c")}, false, EINVALID, "categories"},
		{"category too long", Item{ID: "a", Title: "x", Categories: []string{strings.Repeat("c", MaxCategoryBytes+1)}}, false, EINVALID, "categories[0]"},
		{"most attributes", Item{ID: "a", Title: "x", Attributes: keys(MaxAttributes)}, false, "", ""},
		{"too many attributes", Item{ID: "a", Title: "x", Attributes: keys(MaxAttributes + 1)}, false, EINVALID, "attributes"},
		{"attribute name too long", Item{ID: "a", Title: "x", Attributes: map[string]string{strings.Repeat("k", MaxAttrKeyBytes+1): "v"}}, false, EINVALID, "attributes"},
		{"attribute value too long", Item{ID: "a", Title: "x", Attributes: map[string]string{"k": strings.Repeat("v", MaxAttrValueBytes+1)}}, false, EINVALID, "attributes.k"},
		{"too many images", Item{ID: "a", Title: "x", Images: many(MaxImages+1, "a.jpg")}, false, EINVALID, "images"},
		{"image ref too long", Item{ID: "a", Title: "x", Images: []string{strings.Repeat("i", MaxImageRefBytes+1)}}, false, EINVALID, "images[0]"},

		// Numbers and codes.
		{"free", Item{ID: "a", Title: "x", Price: price(0)}, false, "", ""},
		{"negative price", Item{ID: "a", Title: "x", Price: price(-1)}, false, EINVALID, "price"},
		{"NaN price", Item{ID: "a", Title: "x", Price: price(math.NaN())}, false, EINVALID, "price"},
		{"infinite price", Item{ID: "a", Title: "x", Price: price(math.Inf(1))}, false, EINVALID, "price"},
		{"lower-case currency", Item{ID: "a", Title: "x", Price: price(1), Currency: "usd"}, false, EINVALID, "currency"},
		{"currency without a price", Item{ID: "a", Title: "x", Currency: "USD"}, false, EUNPROCESSABLE, "currency"},
		{"unknown availability", Item{ID: "a", Title: "x", Availability: "sold"}, false, EINVALID, "availability"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := tc.item
			if !tc.raw {
				it.Normalize()
			}
			checkValidation(t, it.Validate(), tc.code, tc.field)
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

func TestEventValidate(t *testing.T) {
	now := mustTime("2026-12-07T10:00:00Z")
	value := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name        string
		ev          Event
		code, field string
	}{
		{"ok", Event{User: "u", Type: EventSearch, Query: "blue pen"}, "", ""},
		{"view", Event{ID: "e1", User: "u", Item: "i", Type: EventView, Time: now, Session: "s1"}, "", ""},
		{"rating", Event{User: "u", Item: "i", Type: EventRating, Value: value(5)}, "", ""},
		{"custom", Event{User: "u", Type: EventCustom, Name: "wishlist"}, "", ""},

		// Ids follow ValidateID's rules; id, item and session are
		// optional where documented.
		{"bad id", Event{ID: "e\u202e", User: "u", Type: EventSearch, Query: "x"}, EINVALID, "id"},
		{"no user", Event{Item: "i", Type: EventView}, EINVALID, "user"},
		{"user with white space", Event{User: "u ", Item: "i", Type: EventView}, EINVALID, "user"},
		{"bad item", Event{User: "u", Item: "i\x07", Type: EventView}, EINVALID, "item"},
		{"item required", Event{User: "u", Type: EventView}, EUNPROCESSABLE, "item"},
		{"bad session", Event{User: "u", Item: "i", Type: EventView, Session: "s\u200b"}, EINVALID, "session"},

		// Type.
		{"no type", Event{User: "u", Item: "i"}, EINVALID, "type"},
		{"unknown type", Event{User: "u", Item: "i", Type: "like"}, EINVALID, "type"},

		// Control and bidirectional characters; query and name are one
		// line.
		{"query with escape", Event{User: "u", Type: EventSearch, Query: "pen\x1b"}, EINVALID, "query"},
		{"query on two lines", Event{User: "u", Type: EventSearch, Query: "blue\npen"}, EINVALID, "query"},
		{"name with RLO", Event{User: "u", Type: EventCustom, Name: "a\u202eb"}, EINVALID, "name"},
		{"context value", Event{User: "u", Type: EventSearch, Query: "x", Context: map[string]string{"page": "a\u202eb"}}, EINVALID, "context.page"},

		// Required by type.
		{"blank query", Event{User: "u", Type: EventSearch, Query: "  "}, EUNPROCESSABLE, "query"},
		{"custom name blank", Event{User: "u", Type: EventCustom, Name: " "}, EUNPROCESSABLE, "name"},
		{"rating without value", Event{User: "u", Item: "i", Type: EventRating}, EUNPROCESSABLE, "value"},
		{"value on a view", Event{User: "u", Item: "i", Type: EventView, Value: value(1)}, EUNPROCESSABLE, "value"},

		// Numbers, lengths and counts.
		{"rating too high", Event{User: "u", Item: "i", Type: EventRating, Value: value(MaxRating + 1)}, EINVALID, "value"},
		{"rating NaN", Event{User: "u", Item: "i", Type: EventRating, Value: value(math.NaN())}, EINVALID, "value"},
		{"query too long", Event{User: "u", Type: EventSearch, Query: strings.Repeat("q", MaxQueryBytes+1)}, EINVALID, "query"},
		{"name too long", Event{User: "u", Type: EventCustom, Name: strings.Repeat("n", MaxNameBytes+1)}, EINVALID, "name"},
		{"most context", Event{User: "u", Type: EventSearch, Query: "x", Context: keys(MaxContext)}, "", ""},
		{"too much context", Event{User: "u", Type: EventSearch, Query: "x", Context: keys(MaxContext + 1)}, EINVALID, "context"},

		// Timestamps.
		{"within the skew", Event{User: "u", Item: "i", Type: EventView, Time: now.Add(MaxFutureSkew)}, "", ""},
		{"too far in the future", Event{User: "u", Item: "i", Type: EventView, Time: now.Add(MaxFutureSkew + time.Second)}, EUNPROCESSABLE, "timestamp"},
		{"before 1970", Event{User: "u", Item: "i", Type: EventView, Time: mustTime("1969-12-31T23:59:59Z")}, EINVALID, "timestamp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkValidation(t, tc.ev.Validate(now), tc.code, tc.field)
		})
	}
}

func TestUserValidate(t *testing.T) {
	for _, tc := range []struct {
		name        string
		user        User
		code, field string
	}{
		{"ok", User{ID: "u1", Attributes: map[string]string{"tier": "gold", "note": "two\nlines"}}, "", ""},
		{"no id", User{}, EINVALID, "id"},
		{"id with bidi override", User{ID: "u\u202e1"}, EINVALID, "id"},
		{"id not NFC", User{ID: "cafe\u0301"}, EINVALID, "id"},
		{"control in attribute", User{ID: "u", Attributes: map[string]string{"tier": "gold\x1b"}}, EINVALID, "attributes.tier"},
		{"isolate in attribute", User{ID: "u", Attributes: map[string]string{"tier": "\u2066gold"}}, EINVALID, "attributes.tier"},
		{"attribute value too long", User{ID: "u", Attributes: map[string]string{"tier": strings.Repeat("g", MaxAttrValueBytes+1)}}, EINVALID, "attributes.tier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkValidation(t, tc.user.Validate(), tc.code, tc.field)
		})
	}
}

func TestQuestionValidate(t *testing.T) {
	ok := Question{ID: "q1", Item: "i1", Type: "open-ended", Question: "Does it fit?", Answer: "Yes.\nIt does.", AnswerType: "Y"}
	with := variant(ok)
	for _, tc := range []struct {
		name        string
		q           Question
		code, field string
	}{
		{"ok", ok, "", ""},
		{"question on two lines", with(func(q *Question) { q.Question = "Does it fit?\nA 15 in laptop" }), "", ""},
		{"no id", with(func(q *Question) { q.ID = "" }), EINVALID, "id"},
		{"id with a control", with(func(q *Question) { q.ID = "q\x01" }), EINVALID, "id"},
		{"no item", with(func(q *Question) { q.Item = "" }), EINVALID, "item"},
		{"no question", with(func(q *Question) { q.Question = "" }), EINVALID, "question"},
		{"type on two lines", with(func(q *Question) { q.Type = "yes\nno" }), EINVALID, "type"},
		{"escape in answer", with(func(q *Question) { q.Answer = "\x1b[2J" }), EINVALID, "answer"},
		{"override in question", with(func(q *Question) { q.Question = "fits\u202d?" }), EINVALID, "question"},
		{"answer type too long", with(func(q *Question) { q.AnswerType = strings.Repeat("Y", MaxNameBytes+1) }), EINVALID, "answer_type"},
		{"answer too long", with(func(q *Question) { q.Answer = strings.Repeat("a", MaxTextBytes+1) }), EINVALID, "answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkValidation(t, tc.q.Validate(), tc.code, tc.field)
		})
	}
}

func TestKeyValidate(t *testing.T) {
	ok := Key{ID: "k1", Name: "storefront", Role: RoleRead, User: "u1", Hash: make([]byte, 32)}
	with := variant(ok)
	for _, tc := range []struct {
		name        string
		key         Key
		code, field string
	}{
		{"ok", ok, "", ""},
		{"no user", with(func(k *Key) { k.User = "" }), "", ""},
		{"no id", with(func(k *Key) { k.ID = "" }), EINVALID, "id"},
		{"name on two lines", with(func(k *Key) { k.Name = "store\nfront" }), EINVALID, "name"},
		{"isolate in name", with(func(k *Key) { k.Name = "\u2068store" }), EINVALID, "name"},
		{"name too long", with(func(k *Key) { k.Name = strings.Repeat("n", MaxKeyNameBytes+1) }), EINVALID, "name"},
		{"unknown role", with(func(k *Key) { k.Role = "root" }), EINVALID, "role"},
		{"bad user", with(func(k *Key) { k.User = " u1" }), EINVALID, "user"},
		{"short hash", with(func(k *Key) { k.Hash = make([]byte, 31) }), EINVALID, "hash"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkValidation(t, tc.key.Validate(), tc.code, tc.field)
		})
	}
}

func TestVisualValidate(t *testing.T) {
	hash := strings.Repeat("ab", 32)
	ok := Visual{Ref: "https://x/a.jpg", Image: hash, Format: "jpeg", Width: 640, Height: 480,
		Colors: []string{"navy blue"}, Labels: []VisualLabel{{Name: "pen", Prob: 0.9}}, Category: []string{"Office", "Pens"}, CategoryScore: 0.8}
	with := variant(ok)
	for _, tc := range []struct {
		name        string
		v           Visual
		code, field string
	}{
		{"ok", ok, "", ""},
		{"unreadable photo", Visual{Ref: "a.jpg", Error: "not an image"}, "", ""},
		{"no ref", with(func(v *Visual) { v.Ref = "" }), EINVALID, "ref"},
		{"ref too long", with(func(v *Visual) { v.Ref = strings.Repeat("r", MaxImageRefBytes+1) }), EINVALID, "ref"},
		{"image not a hash", with(func(v *Visual) { v.Image = "abc" }), EINVALID, "image"},
		{"image hash in upper case", with(func(v *Visual) { v.Image = strings.ToUpper(hash) }), EINVALID, "image"},
		{"negative width", with(func(v *Visual) { v.Width = -1 }), EINVALID, "width"},
		{"negative height", with(func(v *Visual) { v.Height = -1 }), EINVALID, "height"},
		{"too many colours", with(func(v *Visual) { v.Colors = make([]string, MaxVisualTags+1) }), EINVALID, "colors"},
		{"NUL in colour", with(func(v *Visual) { v.Colors = []string{"re\x00d"} }), EINVALID, "colors[0]"},
		{"too many labels", with(func(v *Visual) { v.Labels = make([]VisualLabel, MaxVisualTags+1) }), EINVALID, "labels"},
		{"label name not UTF-8", with(func(v *Visual) { v.Labels = []VisualLabel{{Name: "\xff", Prob: 0.5}} }), EINVALID, "labels[0].name"},
		{"label probability NaN", with(func(v *Visual) { v.Labels = []VisualLabel{{Name: "pen", Prob: math.NaN()}} }), EINVALID, "labels[0].prob"},
		{"category too deep", with(func(v *Visual) { v.Category = make([]string, MaxCategoryDepth+1) }), EINVALID, "category"},
		{"category too long", with(func(v *Visual) { v.Category = []string{strings.Repeat("c", MaxCategoryBytes+1)} }), EINVALID, "category[0]"},
		{"category score infinite", with(func(v *Visual) { v.CategoryScore = math.Inf(-1) }), EINVALID, "category_score"},
		{"format too long", with(func(v *Visual) { v.Format = strings.Repeat("f", MaxTitleBytes+1) }), EINVALID, "format"},
		{"error not UTF-8", with(func(v *Visual) { v.Error = "\xfe" }), EINVALID, "error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkValidation(t, tc.v.Validate(), tc.code, tc.field)
		})
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

func TestValidateInterest(t *testing.T) {
	for _, tc := range []struct {
		name, tag   string
		code, field string
	}{
		{"brand", "brand:Brother", "", ""},
		{"category with spaces", "category:Label Makers", "", ""},
		{"Chinese", "category:标签机", "", ""},
		{"at the limit", strings.Repeat("x", MaxInterestBytes), "", ""},
		{"empty", "", EINVALID, "tag"},
		{"over the limit", strings.Repeat("x", MaxInterestBytes+1), EINVALID, "tag"},
		{"two lines", "brand:A\nB", EINVALID, "tag"},
		{"control character", "brand:A\x00", EINVALID, "tag"},
		{"bidirectional override", "brand:\u202eA", EINVALID, "tag"},
		{"not UTF-8", "brand:\xff", EINVALID, "tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkValidation(t, ValidateInterest("tag", tc.tag), tc.code, tc.field)
		})
	}
}

// variant returns a function making copies of base changed by f, for
// tables of one-field changes to a valid value.
func variant[T any](base T) func(f func(*T)) T {
	return func(f func(*T)) T {
		v := base
		f(&v)
		return v
	}
}

// keys returns a map of n distinct keys ("k", "kk", …), each with value "v".
func keys(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[strings.Repeat("k", i+1)] = "v"
	}
	return m
}
