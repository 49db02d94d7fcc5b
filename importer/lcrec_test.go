package importer

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// officeCategoryPaths is a sample of the category paths of Office.item.json,
// enough for the splitter to learn the same things it learns from the file.
var officeCategoryPaths = []string{
	"Office Electronics, Telephones & Accessories, Cordless Telephones",
	"Office & School Supplies, Calendars, Planners & Personal Organizers, Wall Calendars",
	"Office & School Supplies, Calendars, Planners & Personal Organizers, Personal Organizers",
	"Office & School Supplies, Tape, Adhesives & Fasteners, Tape, Drafting Tape",
	"Office & School Supplies, Tape, Adhesives & Fasteners, Clips, Clamps & Rings, Clips",
	"Office & School Supplies, Tape, Adhesives & Fasteners, Rubber Bands",
	"Office & School Supplies, Envelopes, Mailers & Shipping Supplies, Envelopes",
	"Office & School Supplies, Envelopes, Mailers & Shipping Supplies, Envelopes, Business Envelopes",
	"Office & School Supplies, Envelopes, Mailers & Shipping Supplies, Envelopes, Booklet & Catalog Envelopes, Catalog Envelopes",
	"Office & School Supplies, Paper, Cards & Card Stock, Index Cards",
	"Office & School Supplies, Paper, Copy & Multipurpose Paper",
	"Office & School Supplies, Paper, Photo Paper",
	"Office Electronics, Calculators, Basic",
	"Office Electronics, Calculators, Financial & Business",
	"Office Electronics, Scanners & Accessories, Scanners",
	"Office Electronics, Scanners & Accessories, Scanners, Flatbed & Photo Scanners",
	"Office & School Supplies, Desk Accessories & Workspace Organizers, Card Files, Holders & Racks, Business Card Holders",
	"Office Electronics, Electronic Dictionaries, Thesauri & Translators, English Dictionaries",
	"Office & School Supplies, Filing Products, Index Card Filing, Index & Business Card Files",
	"Children's Music, Disney",
	"Pop",
}

// officeCategoryCases are paths with the split a reader of the Amazon
// category tree expects.
var officeCategoryCases = []struct {
	path string
	want []string
}{
	{"Office Electronics, Telephones & Accessories, Cordless Telephones",
		[]string{"Office Electronics", "Telephones & Accessories", "Cordless Telephones"}},
	{"Office & School Supplies, Calendars, Planners & Personal Organizers, Wall Calendars",
		[]string{"Office & School Supplies", "Calendars, Planners & Personal Organizers", "Wall Calendars"}},
	{"Office & School Supplies, Tape, Adhesives & Fasteners, Tape, Drafting Tape",
		[]string{"Office & School Supplies", "Tape, Adhesives & Fasteners", "Tape", "Drafting Tape"}},
	{"Office & School Supplies, Tape, Adhesives & Fasteners, Clips, Clamps & Rings, Clips",
		[]string{"Office & School Supplies", "Tape, Adhesives & Fasteners", "Clips, Clamps & Rings", "Clips"}},
	{"Office & School Supplies, Envelopes, Mailers & Shipping Supplies, Envelopes, Booklet & Catalog Envelopes, Catalog Envelopes",
		[]string{"Office & School Supplies", "Envelopes, Mailers & Shipping Supplies", "Envelopes", "Booklet & Catalog Envelopes", "Catalog Envelopes"}},
	// "Paper" and "Calculators" have several children: not one name.
	{"Office & School Supplies, Paper, Cards & Card Stock, Index Cards",
		[]string{"Office & School Supplies", "Paper", "Cards & Card Stock", "Index Cards"}},
	{"Office Electronics, Calculators, Financial & Business",
		[]string{"Office Electronics", "Calculators", "Financial & Business"}},
	// A child repeating its parent's word.
	{"Office Electronics, Scanners & Accessories, Scanners, Flatbed & Photo Scanners",
		[]string{"Office Electronics", "Scanners & Accessories", "Scanners", "Flatbed & Photo Scanners"}},
	{"Office & School Supplies, Filing Products, Index Card Filing, Index & Business Card Files",
		[]string{"Office & School Supplies", "Filing Products", "Index Card Filing", "Index & Business Card Files"}},
	// Names of several words before the comma.
	{"Office & School Supplies, Desk Accessories & Workspace Organizers, Card Files, Holders & Racks, Business Card Holders",
		[]string{"Office & School Supplies", "Desk Accessories & Workspace Organizers", "Card Files, Holders & Racks", "Business Card Holders"}},
	{"Office Electronics, Electronic Dictionaries, Thesauri & Translators, English Dictionaries",
		[]string{"Office Electronics", "Electronic Dictionaries, Thesauri & Translators", "English Dictionaries"}},
	{"Children's Music, Disney", []string{"Children's Music", "Disney"}},
	{"Pop", []string{"Pop"}},
}

func TestCategorySplit(t *testing.T) {
	split := newCategorySplitter(officeCategoryPaths)
	for _, tc := range officeCategoryCases {
		if d := cmp.Diff(split.split(tc.path), tc.want); d != "" {
			t.Errorf("split(%q) (-got +want):\n%s", tc.path, d)
		}
	}
	// Without the file to learn from, only the word test keeps a parent
	// apart from its child.
	var none *categorySplitter
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"A, Tape, Adhesives & Fasteners", []string{"A", "Tape, Adhesives & Fasteners"}},
		{"A, Scanners, Flatbed & Photo Scanners", []string{"A", "Scanners", "Flatbed & Photo Scanners"}},
		{"Tape, Adhesives & Fasteners", []string{"Tape", "Adhesives & Fasteners"}},
		{"A, B & C, D", []string{"A", "B & C", "D"}},
		{"A, , B", []string{"A", "", "B"}},
	} {
		if d := cmp.Diff(none.split(tc.path), tc.want); d != "" {
			t.Errorf("split(%q) with no file (-got +want):\n%s", tc.path, d)
		}
	}
}

// TestCategorySplitOffice learns from the whole of Office.item.json and
// checks the known paths and that every name with a comma is one of the
// Amazon names that have one.
func TestCategorySplitOffice(t *testing.T) {
	path := filepath.Join(dataPath(t, "amazon-office"), "Office.item.json")
	entries, err := readJSONObject(path)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, e := range entries {
		var it lcrecItem
		var cats string
		if err := json.Unmarshal(e.value, &it); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(it.Categories, &cats); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, cats)
	}
	split := newCategorySplitter(paths)
	for _, tc := range officeCategoryCases {
		if d := cmp.Diff(split.split(tc.path), tc.want); d != "" {
			t.Errorf("split(%q) (-got +want):\n%s", tc.path, d)
		}
	}
	withComma := map[string]bool{}
	for _, p := range paths {
		for _, s := range split.split(p) {
			if strings.Contains(s, ", ") {
				withComma[s] = true
			}
		}
	}
	want := map[string]bool{
		"Calendars, Planners & Personal Organizers":       true,
		"Tape, Adhesives & Fasteners":                     true,
		"Envelopes, Mailers & Shipping Supplies":          true,
		"Forms, Recordkeeping & Money Handling":           true,
		"Labels, Indexes & Stamps":                        true,
		"Clips, Clamps & Rings":                           true,
		"Cabinets, Racks & Shelves":                       true,
		"Platforms, Stands & Shelves":                     true,
		"Card Files, Holders & Racks":                     true,
		"Key Cabinets, Racks & Holders":                   true,
		"Electronic Dictionaries, Thesauri & Translators": true,
		"Printer Transfer Belts, Rollers & Units":         true,
		"Sheet Protectors, Card & Photo Sleeves":          true,
	}
	if d := cmp.Diff(withComma, want); d != "" {
		t.Errorf("category names with a comma (-got +want):\n%s", d)
	}
}

func TestLCRecSmall(t *testing.T) {
	dir := t.TempDir()
	items := writeFile(t, dir, "Toys.item.json", `{
    "0": {"title": "Red &amp; Blue Ball", "description": "", "brand": "Acme", "categories": "Toys & Games, Balls", "imUrl": "x"},
    "1": {"title": 17, "brand": "Acme"},
    "2": {"title": "Kite", "categories": ["Toys & Games", "Outdoor"]},
    "3": "not an object",
    "2": {"title": "Kite again"},
    "4": {"title": "Yo-yo", "categories": 5}
}`)
	inter := writeFile(t, dir, "Toys.inter.json", `{
    "10": [0, 2],
    "11": [2, "0", 1.5, 9],
    "12": [],
    "13": {"not": "a list"}
}`)
	db := openStore(t)
	sum := mustRun(t, db, dir, Options{})
	want := Summary{
		Items:  KindCounts{Read: 6, Imported: 2, Rejected: 4},
		Users:  KindCounts{Read: 4, Imported: 3, Rejected: 1},
		Events: KindCounts{Read: 6, Imported: 4, Rejected: 2},
		Rejected: []RowError{
			{items, 3, `item "1": title: want a string, got number`},
			{items, 5, `item "3": want an object, got string`},
			{items, 6, `item "2": duplicate key (first at line 4)`},
			{items, 7, `item "4": categories: want a string or an array of strings`},
			{inter, 5, `user "13": want an array of item ids`},
			{inter, 3, `user "11": items[2]: want an integer or string id, got 1.5`},
			{inter, 3, `item: unknown item "9" (not in the store or this import)`},
		},
		RejectedTotal: 7,
	}
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	it, err := db.Item(context.Background(), "0")
	if err != nil {
		t.Fatal(err)
	}
	if it.Title != "Red & Blue Ball" || it.Brand != "Acme" || !cmp.Equal(it.Categories, []string{"Toys & Games", "Balls"}) {
		t.Errorf("item 0 = %+v", it)
	}
	evs, err := db.UserEvents(context.Background(), "11", aisle.EventQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].ID != "lcrec:11:1" || evs[1].ID != "lcrec:11:0" {
		t.Errorf("events of user 11 = %+v", evs)
	}
}

func TestLCRecMalformed(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "Toys.item.json", "{\n  \"0\": {\"title\": \"Ball\"},\n  \"1\": {\"title\": \"Kite\",,}\n}")
	for _, tc := range []struct {
		content, want string
	}{
		{"{\n  \"0\": {\"title\": \"Ball\"},\n  \"1\": {\"title\": \"Kite\",,}\n}", "Toys.item.json: invalid JSON at line 3, byte offset 52: invalid character ',' looking for beginning of object key string"},
		{`["not", "an object"]`, "want one JSON object, found [ at byte offset 1"},
		{`{"0": {}} {}`, "unexpected data after the JSON object at byte offset 11"},
		{`{"0": {}`, "invalid JSON at line 1, byte offset 8: unexpected end of JSON input"},
		{``, "invalid JSON at line 1, byte offset 0: unexpected end of JSON input"},
	} {
		writeFile(t, dir, "Toys.item.json", tc.content)
		db := openStore(t)
		_, err := Run(context.Background(), db, bad, Options{}, Deps{}, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("content %q: err = %v, want %q", tc.content, err, tc.want)
		}
	}
}

func TestImportOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a whole dataset; slow under -short")
	}
	path := dataPath(t, "amazon-office")
	db := openStore(t)
	sum := mustRun(t, db, path, Options{Format: FormatLCRec})
	want := Summary{
		Items:  KindCounts{Read: 2420, Imported: 2420},
		Users:  KindCounts{Read: 4905, Imported: 4905},
		Events: KindCounts{Read: 53258, Imported: 53258},
	}
	if d := cmp.Diff(*sum, want, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("summary (-got +want):\n%s", d)
	}
	wantCounts := aisle.Counts{Users: 4905, Items: 2420, Events: 53258}
	if got := mustCounts(t, db); got != wantCounts {
		t.Errorf("counts = %+v, want %+v", got, wantCounts)
	}
	it, err := db.Item(context.Background(), "0")
	if err != nil {
		t.Fatal(err)
	}
	wantItem := aisle.Item{
		ID:           "0",
		Title:        "VTECH CS6114 DECT 6.0 Cordless Phone, White/Grey, 1 Handset",
		Brand:        "VTech",
		Categories:   []string{"Office Electronics", "Telephones & Accessories", "Cordless Telephones"},
		Availability: aisle.AvailabilityInStock,
	}
	if d := cmp.Diff(it, wantItem, cmpopts.IgnoreFields(aisle.Item{}, "CreatedAt", "UpdatedAt"), cmpopts.EquateEmpty()); d != "" {
		t.Errorf("item 0 (-got +want):\n%s", d)
	}
	if it, _ := db.Item(context.Background(), "2"); it.Title != "AT&T 210 Corded Phone, Black, 1 Handset" {
		t.Errorf("item 2 title = %q, want HTML entities decoded", it.Title)
	}

	// Importing again (from one of the files) changes nothing.
	sum = mustRun(t, db, filepath.Join(path, "Office.inter.json"), Options{})
	again := Summary{
		Items:  KindCounts{Read: 2420, Unchanged: 2420},
		Users:  KindCounts{Read: 4905, Unchanged: 4905},
		Events: KindCounts{Read: 53258, Duplicates: 53258},
	}
	if d := cmp.Diff(*sum, again, cmpopts.IgnoreFields(Summary{}, "Elapsed")); d != "" {
		t.Errorf("second summary (-got +want):\n%s", d)
	}
	if got := mustCounts(t, db); got != wantCounts {
		t.Errorf("counts after re-import = %+v, want %+v", got, wantCounts)
	}
}
