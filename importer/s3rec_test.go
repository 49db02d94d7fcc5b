package importer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseS3RecLine(t *testing.T) {
	for _, tc := range []struct {
		line  string
		user  string
		items []string
		err   string
	}{
		{"1 1 2 3 4 5", "1", []string{"1", "2", "3", "4", "5"}, ""},
		{"  7\t8  9 \r", "7", []string{"8", "9"}, ""},
		{"42", "42", []string{}, ""},
		{"", "", nil, ""},
		{"   ", "", nil, ""},
		{"u\xff 1", "", nil, "user: not valid UTF-8"},
		{strings.Repeat("x", 300) + " 1", "", nil, "user: longer than 256 bytes"},
	} {
		user, items, err := parseS3RecLine(tc.line)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("parseS3RecLine(%q) error = %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil || user != tc.user || !cmp.Equal(items, tc.items, cmpopts.EquateEmpty()) {
			t.Errorf("parseS3RecLine(%q) = %q, %q, %v; want %q, %q", tc.line, user, items, err, tc.user, tc.items)
		}
	}
}

// FuzzS3RecLine checks that parsing a sequence line never panics, that an
// accepted user is a valid id, and that rejoining the fields parses the same.
func FuzzS3RecLine(f *testing.F) {
	for _, s := range []string{
		"1 1 2 3 4 5",
		"2 6 7 8 9 10 4 11",
		"9 60 61 62 22 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 80 81 82 83",
		"22363 12101",
		"  \t",
		"A1B2C3 B004756YJA B004ZT0SSG\r",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		user, items, err := parseS3RecLine(line)
		if err != nil || user == "" {
			return
		}
		if err := aisle.ValidateID("user", user); err != nil {
			t.Fatalf("accepted user %q: %v", user, err)
		}
		for _, it := range items {
			if it == "" || strings.ContainsAny(it, " \t\n") {
				t.Fatalf("item %q is not one field", it)
			}
		}
		u2, items2, err := parseS3RecLine(strings.Join(append([]string{user}, items...), " "))
		if err != nil || u2 != user || !cmp.Equal(items2, items, cmpopts.EquateEmpty()) {
			t.Fatalf("rejoined line parses as %q %q %v, want %q %q", u2, items2, err, user, items)
		}
	})
}

func TestS3RecSmall(t *testing.T) {
	dir := t.TempDir()
	seq := writeFile(t, dir, "Toys.txt", "1 10 11 12\n\n2 11 x\xff 10\n1 12\n3\n")
	asin := writeFile(t, dir, "Toys_itemid2asin.tsv", "s3rec_item_id\tasin\n10\tB000A\n11\tB000B\nbroken line\n10\tB000C\n")
	attrs := writeFile(t, dir, "Toys_item2attributes.json", "{\n  \"10\": [1, 2],\n  \"11\": \"oops\",\n  \"13\": [3]\n}\n")
	writeFile(t, dir, "README.md", "not a sequence file")

	db := openStore(t)
	sum := mustRun(t, db, dir, Options{})
	want := Summary{
		// Items 10, 12, 13; 11 has bad attributes, "x\xff" is not a valid
		// id, and the tsv has two bad lines.
		Items: KindCounts{Read: 7, Imported: 3, Rejected: 4},
		// Users 1, 2, 3; the second line of user 1 is rejected.
		Users: KindCounts{Read: 4, Imported: 3, Rejected: 1},
		// Events 1:10 1:11 1:12 2:11 2:x\xff 2:10, and the second line of
		// user 1, counted as one.
		Events: KindCounts{Read: 7, Imported: 3, Rejected: 4},
		Rejected: []RowError{
			{seq, 3, "id: not valid UTF-8"},
			{attrs, 3, `item "11": attribute ids: want an array of ids`},
			{asin, 4, "want <item id> TAB <asin>"},
			{asin, 5, `item "10" already listed at line 2`},
			{seq, 4, `user "1" already has a sequence at line 1`},
			{seq, 1, `item: unknown item "11" (not in the store or this import)`},
			{seq, 3, "item: not valid UTF-8"},
			{seq, 3, `item: unknown item "11" (not in the store or this import)`},
		},
		RejectedTotal: 8,
	}
	// The events of a rejected item are rejected too; the rejected second
	// line of user 1 is listed once, under users.
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	ctx := context.Background()
	it, err := db.Item(ctx, "10")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(it.Attributes, map[string]string{"asin": "B000A", "attribute_ids": "1,2"}); d != "" {
		t.Errorf("item 10 attributes (-got +want):\n%s", d)
	}
	evs, err := db.UserEvents(ctx, "2", aisle.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// Positions keep their place (and time) when a neighbour is rejected.
	if len(evs) != 1 || evs[0].ID != "s3rec:2:2" || evs[0].Item != "10" || !evs[0].Time.Equal(syntheticTime(2)) {
		t.Errorf("events of user 2 = %+v", evs)
	}
}

func TestImportBeauty(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a whole dataset; slow under -short")
	}
	path := dataPath(t, "amazon-beauty")
	db := openStore(t)
	sum := mustRun(t, db, path, Options{Format: FormatS3Rec})
	want := Summary{
		Items:  KindCounts{Read: 12101, Imported: 12101},
		Users:  KindCounts{Read: 22363, Imported: 22363},
		Events: KindCounts{Read: 198502, Imported: 198502},
	}
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	if got, want := mustCounts(t, db), (aisle.Counts{Users: 22363, Items: 12101, Events: 198502}); got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
	ctx := context.Background()
	evs, err := db.UserEvents(ctx, "1", aisle.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	var last time.Time
	for i := len(evs) - 1; i >= 0; i-- { // oldest first
		e := evs[i]
		items = append(items, e.Item)
		if e.Type != aisle.EventPurchase || !e.Time.After(last) {
			t.Errorf("event %+v: want a purchase after %v", e, last)
		}
		last = e.Time
	}
	if d := cmp.Diff(items, []string{"1", "2", "3", "4", "5"}); d != "" {
		t.Errorf("items of user 1 (-got +want):\n%s", d)
	}
	it, err := db.Item(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if it.Attributes["asin"] != "B004756YJA" || it.Attributes["attribute_ids"] != "173,1,162,171" || it.Title != "" {
		t.Errorf("item 1 = %+v", it)
	}
	if f, err := DetectFormat(path); err != nil || f != FormatS3Rec {
		t.Errorf("DetectFormat = %q, %v", f, err)
	}
	if f, err := DetectFormat(filepath.Join(path, "Beauty.txt")); err != nil || f != FormatS3Rec {
		t.Errorf("DetectFormat(Beauty.txt) = %q, %v", f, err)
	}
}

// BenchmarkImportBeauty imports all of Amazon Beauty into a fresh store.
func BenchmarkImportBeauty(b *testing.B) {
	path := dataPath(b, "amazon-beauty")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		db := openStore(b)
		b.StartTimer()
		sum, err := Run(context.Background(), db, path, Options{Format: FormatS3Rec}, Deps{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Events.Imported != 198502 {
			b.Fatalf("imported %d events", sum.Events.Imported)
		}
	}
}
