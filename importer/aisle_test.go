package importer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/store/sqlite"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// The rows of testdata/jsonl and testdata/csv, which hold the same data.
func wantShopItems() []aisle.Item {
	return []aisle.Item{
		{ID: "p1", Title: "Blue ballpoint pen", Description: `Smooth "ink", café.`, Brand: "Pilot",
			Categories: []string{"Office", "Writing", "Pens"}, Attributes: map[string]string{"color": "blue", "pack": "10"},
			Price: ptr(2.5), Currency: "USD", Availability: aisle.AvailabilityInStock,
			Images: []string{"https://example.com/p1.jpg", "https://example.com/p1b.jpg"}},
		{ID: "p2", Title: "Red gel pen", Brand: "Pilot", Categories: []string{"Office", "Writing", "Pens"}, Availability: aisle.AvailabilityInStock},
		{ID: "s1", Title: "Stapler", Categories: []string{"Office", "Staplers"}, Price: ptr(12.0), Availability: aisle.AvailabilityOutOfStock},
	}
}

func wantShopUsers() []aisle.User {
	return []aisle.User{{ID: "u1", Attributes: map[string]string{"tier": "gold"}}, {ID: "u2"}, {ID: "u3"}}
}

func wantShopQuestions() []aisle.Question {
	return []aisle.Question{
		{ID: "q1", Item: "p1", Type: "yes/no", Question: "Is it refillable?", Answer: "Yes, with Pilot refills.", AnswerType: "Y",
			AnsweredAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		{ID: "q2", Item: "p1", Type: "open-ended", Question: "What colour is the ink?"},
	}
}

// wantShopEvents are each user's events, newest first.
func wantShopEvents() map[string][]aisle.Event {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	return map[string][]aisle.Event{
		"u1": {
			{ID: "e3", User: "u1", Item: "s1", Type: aisle.EventAddToCart, Time: at("2024-05-01T09:02:00Z")},
			{ID: "e2", User: "u1", Type: aisle.EventSearch, Query: "stapler", Session: "s1", Time: at("2024-05-01T09:01:00Z")},
			{ID: "e1", User: "u1", Item: "p1", Type: aisle.EventView, Session: "s1", Context: map[string]string{"page": "home"}, Time: at("2024-05-01T09:00:00Z")},
		},
		"u2": {{ID: "e4", User: "u2", Item: "p2", Type: aisle.EventRating, Value: ptr(4.5), Time: at("2024-05-02T00:00:00Z")}},
		"u3": {{ID: "e5", User: "u3", Type: aisle.EventCustom, Name: "newsletter_signup", Time: at("2024-05-03T00:00:00Z")}},
	}
}

// checkShop compares the store's contents with the testdata shop.
func checkShop(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	if got, want := mustCounts(t, db), (aisle.Counts{Items: 3, Users: 3, Events: 5, Questions: 2}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	for _, want := range wantShopItems() {
		got, err := db.Item(ctx, want.ID)
		if err != nil {
			t.Fatalf("Item(%s): %v", want.ID, err)
		}
		if d := cmp.Diff(got, want, cmpopts.IgnoreFields(aisle.Item{}, "CreatedAt", "UpdatedAt"), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("item %s (-got +want):\n%s", want.ID, d)
		}
	}
	for _, want := range wantShopUsers() {
		got, err := db.User(ctx, want.ID)
		if err != nil {
			t.Fatalf("User(%s): %v", want.ID, err)
		}
		if d := cmp.Diff(got, want, cmpopts.IgnoreFields(aisle.User{}, "CreatedAt", "UpdatedAt")); d != "" {
			t.Errorf("user %s (-got +want):\n%s", want.ID, d)
		}
	}
	qs, err := db.Questions(ctx, "p1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(qs, wantShopQuestions()); d != "" {
		t.Errorf("questions (-got +want):\n%s", d)
	}
	for user, want := range wantShopEvents() {
		got, err := db.UserEvents(ctx, user, aisle.EventQuery{})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(got, want, cmpopts.IgnoreFields(aisle.Event{}, "Seq")); d != "" {
			t.Errorf("events of %s (-got +want):\n%s", user, d)
		}
	}
}

func TestAisleRoundTrip(t *testing.T) {
	wantSum := Summary{
		Items:     KindCounts{Read: 3, Imported: 3},
		Users:     KindCounts{Read: 2, Imported: 2},
		Questions: KindCounts{Read: 2, Imported: 2},
		Events:    KindCounts{Read: 5, Imported: 5},
	}
	for _, dir := range []string{"jsonl", "csv"} {
		t.Run(dir, func(t *testing.T) {
			db := openStore(t)
			sum := mustRun(t, db, filepath.Join("testdata", dir), Options{Format: FormatAisle})
			if d := cmp.Diff(*sum, wantSum, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
				t.Errorf("summary (-got +want):\n%s", d)
			}
			checkShop(t, db)

			// Importing again changes nothing.
			sum = mustRun(t, db, filepath.Join("testdata", dir), Options{})
			again := Summary{
				Items:     KindCounts{Read: 3, Unchanged: 3},
				Users:     KindCounts{Read: 2, Unchanged: 2},
				Questions: KindCounts{Read: 2, Unchanged: 2},
				Events:    KindCounts{Read: 5, Duplicates: 5},
			}
			if d := cmp.Diff(*sum, again, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
				t.Errorf("second summary (-got +want):\n%s", d)
			}
			checkShop(t, db)
		})
	}
}

func TestAisleSingleFiles(t *testing.T) {
	// Files one by one, in the order the folder import uses, CSV and JSONL
	// mixed, with the kind from the name or given.
	db := openStore(t)
	for _, f := range []struct {
		path, kind string
	}{
		{"testdata/csv/items.csv", ""},
		{"testdata/jsonl/users.jsonl", KindUsers},
		{"testdata/csv/questions.csv", ""},
		{"testdata/jsonl/events.jsonl", ""},
	} {
		mustRun(t, db, f.path, Options{Kind: f.kind})
	}
	checkShop(t, db)
}

// wantBadRejects are the rejected rows of testdata/bad.
func wantBadRejects() []RowError {
	items := filepath.Join("testdata", "bad", "items.jsonl")
	users := filepath.Join("testdata", "bad", "users.csv")
	questions := filepath.Join("testdata", "bad", "questions.jsonl")
	events := filepath.Join("testdata", "bad", "events.csv")
	return []RowError{
		{items, 2, "price: must be a finite number ≥ 0"},
		{items, 3, `unknown field "colour"`},
		{items, 4, "want a JSON object"},
		{items, 7, "price: want a number, got string"},
		{items, 8, "id: must not start or end with white space"},
		{items, 9, "want a JSON object"},
		{items, 10, "currency: given without a price"},
		{items, 11, "unexpected data after the JSON object at column 13"},
		{users, 3, "has 3 fields, the header has 2"},
		{users, 5, "id: must not be empty"},
		{questions, 2, "question: must not be empty"},
		{events, 3, `item: unknown item "a2" (not in the store or this import)`},
		{events, 4, `value: not a number: "abc"`},
		{events, 6, `type: unknown event type "teleport" (want view, click, search, add_to_cart, purchase, rating or custom)`},
		{events, 7, `timestamp: want an RFC 3339 time or unix seconds, got "yesterday"`},
		{events, 8, "timestamp: more than 24h0m0s in the future"},
		{events, 10, `item: unknown item "zz" (not in the store or this import)`},
	}
}

func TestAisleBadRows(t *testing.T) {
	db := openStore(t)
	sum := mustRun(t, db, filepath.Join("testdata", "bad"), Options{BatchSize: 2})
	want := Summary{
		Items:         KindCounts{Read: 10, Imported: 2, Rejected: 8},
		Users:         KindCounts{Read: 4, Imported: 2, Rejected: 2},
		Questions:     KindCounts{Read: 2, Imported: 1, Rejected: 1},
		Events:        KindCounts{Read: 9, Imported: 3, Rejected: 6},
		Rejected:      wantBadRejects(),
		RejectedTotal: 17,
	}
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	// u2 was rejected as a user row but is created by its event.
	if got, want := mustCounts(t, db), (aisle.Counts{Items: 2, Users: 3, Events: 3, Questions: 1}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	text := sum.String()
	for _, s := range []string{
		"items:     10 read, 2 imported, 0 updated, 0 unchanged, 8 rejected",
		"events:    9 read, 3 imported, 0 duplicates, 6 rejected",
		"rejected rows:\n  " + filepath.Join("testdata", "bad", "items.jsonl") + ":2: price: must be a finite number ≥ 0\n",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("summary text lacks %q:\n%s", s, text)
		}
	}
}

func TestAisleStrict(t *testing.T) {
	db := openStore(t)
	sum, err := Run(context.Background(), db, filepath.Join("testdata", "bad"), Options{Strict: true}, Deps{Now: testNow}, nil)
	re, ok := errors.AsType[*RejectedError](err)
	if !ok {
		t.Fatalf("err = %v, want a *RejectedError", err)
	}
	if re.Total != 17 || len(re.Rows) != 17 {
		t.Errorf("RejectedError total %d, %d rows; want 17", re.Total, len(re.Rows))
	}
	if d := cmp.Diff(re.Rows, wantBadRejects()); d != "" {
		t.Errorf("rejected rows (-got +want):\n%s", d)
	}
	if !strings.Contains(err.Error(), "17 bad rows, nothing written:\n\t"+filepath.Join("testdata", "bad", "items.jsonl")+":2: price") ||
		!strings.Contains(err.Error(), "... and 7 more") {
		t.Errorf("error text:\n%v", err)
	}
	if sum == nil || !sum.DryRun || sum.Items.Imported != 0 {
		t.Errorf("summary = %+v, want a dry run", sum)
	}
	if got := mustCounts(t, db); got != (aisle.Counts{}) {
		t.Errorf("counts = %+v, want nothing written", got)
	}

	// A good import in strict mode writes everything.
	sum = mustRun(t, db, filepath.Join("testdata", "jsonl"), Options{Strict: true})
	if sum.DryRun || sum.Events.Imported != 5 {
		t.Errorf("strict good import: %+v", sum)
	}
	checkShop(t, db)
}

func TestAisleDryRun(t *testing.T) {
	db := openStore(t)
	sum := mustRun(t, db, filepath.Join("testdata", "bad"), Options{DryRun: true})
	if !sum.DryRun || sum.RejectedTotal != 17 || sum.Items.Read != 10 {
		t.Errorf("summary = %+v", sum)
	}
	if !strings.Contains(sum.String(), "items:     10 read, 2 valid, 8 rejected") {
		t.Errorf("summary text:\n%s", sum)
	}
	if got := mustCounts(t, db); got != (aisle.Counts{}) {
		t.Errorf("counts = %+v, want nothing written", got)
	}
}

func TestAisleEventsNeedStoredItems(t *testing.T) {
	// Events may name items imported earlier, not only in this import.
	db := openStore(t)
	mustRun(t, db, "testdata/jsonl/items.jsonl", Options{})
	sum := mustRun(t, db, "testdata/jsonl/events.jsonl", Options{})
	if sum.Events.Imported != 5 || sum.RejectedTotal != 0 {
		t.Errorf("summary = %+v", sum)
	}
}

func TestAisleFileErrors(t *testing.T) {
	dir := t.TempDir()
	unknownCol := writeFile(t, dir, "items.csv", "id,title,colour\np1,Pen,blue\n")
	dupCol := writeFile(t, dir, "users_dup.csv", "id,id\nu1,u1\n")
	noID := writeFile(t, dir, "users_noid.csv", "attr.x\n1\n")
	empty := writeFile(t, dir, "events_empty.csv", "")
	noKind := writeFile(t, dir, "catalog.jsonl", "{}\n")
	badExt := writeFile(t, dir, "items.xml", "<items/>")
	for _, tc := range []struct {
		name, path string
		opts       Options
		want       string
	}{
		{"unknown column", unknownCol, Options{}, `items.csv: line 1: unknown column "colour" (known: availability, brand, categories, currency, description, id, images, price, title, attr.<name>)`},
		{"duplicate column", dupCol, Options{}, `column "id" appears twice`},
		{"missing column", noID, Options{}, `missing column "id"`},
		{"empty csv", empty, Options{}, "empty file: want a header row"},
		{"kind from name", noKind, Options{Format: FormatAisle}, "cannot tell what the file holds"},
		{"extension", badExt, Options{Format: FormatAisle}, "unknown file type"},
		{"missing file", filepath.Join(dir, "nope.jsonl"), Options{}, "no such file"},
		{"unknown format", dir, Options{Format: "xml"}, `unknown format "xml"`},
		{"unknown kind", dir, Options{Kind: "orders"}, `unknown kind "orders"`},
		{"empty folder", t.TempDir(), Options{Format: FormatAisle}, "no items*, users*, questions* or events*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openStore(t)
			sum, err := Run(context.Background(), db, tc.path, tc.opts, Deps{}, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if sum != nil {
				t.Errorf("summary = %+v, want nil", sum)
			}
			if got := mustCounts(t, db); got != (aisle.Counts{}) {
				t.Errorf("counts = %+v, want nothing written", got)
			}
		})
	}
}

func TestAisleFolderChecksAllHeadersFirst(t *testing.T) {
	// A bad header in a later file stops the import before the items of
	// an earlier file are written.
	dir := t.TempDir()
	writeFile(t, dir, "items.jsonl", `{"id":"p1","title":"Pen"}`+"\n")
	writeFile(t, dir, "events.csv", "user,item,type,colour\nu1,p1,view,red\n")
	db := openStore(t)
	if _, err := Run(context.Background(), db, dir, Options{}, Deps{}, nil); err == nil {
		t.Fatal("Run succeeded, want a header error")
	}
	if got := mustCounts(t, db); got != (aisle.Counts{}) {
		t.Errorf("counts = %+v, want nothing written", got)
	}
}

func TestAisleCancel(t *testing.T) {
	db := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, db, "testdata/jsonl", Options{}, Deps{}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if got := mustCounts(t, db); got != (aisle.Counts{}) {
		t.Errorf("counts = %+v, want nothing written", got)
	}
}

func TestAisleLongLineAndCSVQuote(t *testing.T) {
	dir := t.TempDir()
	long := `{"id":"p2","title":"` + strings.Repeat("x", maxLineBytes) + `"}`
	writeFile(t, dir, "items.jsonl", `{"id":"p1","title":"Pen"}`+"\n"+long+"\n"+`{"id":"p3","title":"Ink"}`+"\n")
	writeFile(t, dir, "users.csv", "id,attr.x\nu1,a\nu2,\"b\"c\nu3,d\n")
	db := openStore(t)
	sum := mustRun(t, db, dir, Options{})
	want := []RowError{
		{filepath.Join(dir, "items.jsonl"), 2, errLineTooLong.Error()},
		{filepath.Join(dir, "users.csv"), 3, `CSV: extraneous or missing " in quoted-field`},
	}
	if d := cmp.Diff(sum.Rejected, want); d != "" {
		t.Errorf("rejected (-got +want):\n%s", d)
	}
	if sum.Items.Imported != 2 || sum.Users.Imported != 2 {
		t.Errorf("summary = %+v", sum)
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"", time.Time{}, false},
		{"1714554060", time.Date(2024, 5, 1, 9, 1, 0, 0, time.UTC), false},
		{"2024-05-01T09:01:00Z", time.Date(2024, 5, 1, 9, 1, 0, 0, time.UTC), false},
		{"2024-05-01T11:01:00.5+02:00", time.Date(2024, 5, 1, 9, 1, 0, 5e8, time.UTC), false},
		{"2024-05-01", time.Time{}, true},
		{"99999999999999999999", time.Time{}, true},
		{"-", time.Time{}, true},
	} {
		got, err := parseTime("timestamp", tc.in)
		if (err != nil) != tc.err || !got.Equal(tc.want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestAisleEventsWithoutIDReimportAsDuplicates(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("items.jsonl", `{"id":"p1","title":"Pen"}`+"\n")
	events := write("events.jsonl", `{"user":"u1","item":"p1","type":"view","timestamp":"2024-01-01T00:00:00Z"}
{"user":"u1","item":"p1","type":"view","timestamp":"2024-01-01T00:00:00Z"}
`)
	if _, err := Run(ctx, db, dir, Options{Format: FormatAisle}, Deps{}, nil); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(ctx, db, events, Options{Format: FormatAisle}, Deps{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Two identical lines are two events; importing them again adds none.
	if sum.Events.Duplicates != 2 || sum.Events.Imported != 0 {
		t.Errorf("re-import events = %+v, want 2 duplicates", sum.Events)
	}
	if c, _ := db.Counts(ctx); c.Events != 2 {
		t.Errorf("stored events = %d, want 2", c.Events)
	}
}
