package extract_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/extract"
)

func TestExtract(t *testing.T) {
	vocab := extract.Learn([]aisle.Item{
		{ID: "1", Title: "x", Brand: "Brother"},
		{ID: "2", Title: "x", Brand: "Wilson Jones"},
		{ID: "3", Title: "x", Brand: "Black & Decker"},
		{ID: "4", Title: "x", Brand: "Black & Decker"},
		{ID: "5", Title: "x", Brand: "BLACK & DECKER"},
	})
	ex := extract.New(vocab)
	tests := []struct {
		name string
		item aisle.Item
		want aisle.Extracted
	}{
		{"model size colour pack", aisle.Item{Title: "Brother HL-L2340DW Printer, Black, 8.5 x 11 inches, Pack of 12"},
			aisle.Extracted{Brand: "Brother", Colors: []string{"black"}, Sizes: []string{"8.5 x 11 in"}, PackSize: 12, ModelNumbers: []string{"HL-L2340DW"}}},
		{"brand from the title, canonical spelling", aisle.Item{Title: "black & decker LAM95FH laminator"},
			aisle.Extracted{Brand: "Black & Decker", ModelNumbers: []string{"LAM95FH"}}},
		{"known brand prefix", aisle.Item{Title: "Wilson Jones 362 Basic Binder, 1 Inch, White"},
			aisle.Extracted{Brand: "Wilson Jones", Colors: []string{"white"}, Sizes: []string{"1 in"}, ModelNumbers: []string{"362"}}},
		{"compound colours", aisle.Item{Title: "Binder, Navy Blue and Rose Gold, Hot Pink tab, light grey"},
			aisle.Extracted{Colors: []string{"navy blue", "rose gold", "hot pink", "light gray"}}},
		{"colour false friends", aisle.Item{Title: "Orange County Whiteboard with White-Out pen for BlackBerry, Blackboard eraser"},
			aisle.Extracted{}},
		{"colour inside a part number", aisle.Item{Title: "Stapler B515-BLACK"},
			aisle.Extracted{ModelNumbers: []string{"B515-BLACK"}}},
		{"brand words are not colours", aisle.Item{Title: "Black n' Red Notebook", Brand: "Black n' Red"},
			aisle.Extracted{Brand: "Black n' Red"}},
		{"materials title and description", aisle.Item{Title: "Stainless Steel Ruler with Faux Leather Case", Description: "Handle made of durable walnut wood. Solid plastic construction. Keeps plastic out of landfills."},
			aisle.Extracted{Materials: []string{"stainless steel", "faux leather", "wood", "plastic"}}},
		{"chinese", aisle.Item{Title: "黑色不锈钢保温杯 500 ml 红色盖子 塑料"},
			aisle.Extracted{Colors: []string{"black", "red"}, Materials: []string{"stainless steel", "plastic"}, Sizes: []string{"500 ml"}}},
		{"sizes", aisle.Item{Title: `Labels 1/2" x 23', 11 x 17, A4, Letter Size, 3 mil, 5 oz, ½ inch, Size: XL`},
			aisle.Extracted{Sizes: []string{"1/2 in x 23 ft", "11 x 17", "3 mil", "5 oz", "1/2 in", "letter", "A4", "XL"}}},
		{"letter opener is no size", aisle.Item{Title: "Letter Opener"}, aisle.Extracted{}},
		{"2 in 1 is no size", aisle.Item{Title: "2 in 1 Pen"}, aisle.Extracted{}},
		{"pack forms", aisle.Item{Title: "Pens 12-Pack"}, aisle.Extracted{PackSize: 12}},
		{"count", aisle.Item{Title: "Pens, 12 Count"}, aisle.Extracted{PackSize: 12}},
		{"box of", aisle.Item{Title: "Envelopes, Box of 100"}, aisle.Extracted{PackSize: 100}},
		{"slash pack", aisle.Item{Title: "Clips 12/Pack"}, aisle.Extracted{PackSize: 12}},
		{"dozen", aisle.Item{Title: "Pencils, Dozen"}, aisle.Extracted{PackSize: 12}},
		{"total wins", aisle.Item{Title: "Clips, 12 Boxes of 1 Dozen Each (144 Total)"}, aisle.Extracted{PackSize: 144}},
		{"capacity is no pack", aisle.Item{Title: "Stapler, 20 Sheet Capacity, Holds 1100 Cards"}, aisle.Extracted{}},
		{"sizes and counts are not models", aisle.Item{Title: "Tape 3-Pack 2-Inch 32lb 13X19 21PPM 1st 5-Tab"},
			aisle.Extracted{Sizes: []string{"13 x 19", "2 in", "32 lb"}, PackSize: 3}},
		{"parenthesised code", aisle.Item{Title: "Stapler, Black (02257)"},
			aisle.Extracted{Colors: []string{"black"}, ModelNumbers: []string{"02257"}}},
		{"own category kept", aisle.Item{Title: "Pen", Categories: []string{"Office", "Pens"}},
			aisle.Extracted{Category: []string{"Office", "Pens"}}},
		{"trademark signs trimmed", aisle.Item{Title: "Tape", Brand: " Scotch® "}, aisle.Extracted{Brand: "Scotch"}},
		{"empty", aisle.Item{}, aisle.Extracted{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ex.Extract(&tt.item)
			got.Tags = nil
			if diff := cmp.Diff(got, &tt.want, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Extract(%q) (-got +want):\n%s", tt.item.Title, diff)
			}
		})
	}
}

func TestTags(t *testing.T) {
	items := []aisle.Item{
		{ID: "1", Title: "Gel Pen Blue"},
		{ID: "2", Title: "Ballpoint Pen Black"},
		{ID: "3", Title: "Fountain Pen"},
	}
	tests := []struct {
		name  string
		vocab extract.Vocabulary
		want  []string
	}{
		{"rare words first", extract.Learn(items), []string{"gel", "retractable", "pen"}},
		{"zero vocabulary keeps title order", extract.Vocabulary{}, []string{"retractable", "gel", "pen"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := aisle.Item{Title: "The Retractable Gel Pen, Blue, 12-Pack (G2-10)", Brand: "Pilot"}
			got := extract.New(tt.vocab).Extract(&it).Tags
			// "retractable" and "gel" are both rarer than "pen"; with
			// counts, the unseen "retractable" ranks with the rarest.
			if tt.name == "rare words first" {
				got[0], got[1] = min(got[0], got[1]), max(got[0], got[1])
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("tags (-got +want):\n%s", diff)
			}
		})
	}
}

func TestLearnBrands(t *testing.T) {
	v := extract.Learn([]aisle.Item{{Brand: "HP"}, {Brand: "hp"}, {Brand: "HP"}, {Brand: "Avery®"}, {Brand: ""}})
	if diff := cmp.Diff(v.Brands, []string{"Avery", "HP"}); diff != "" {
		t.Errorf("brands (-got +want):\n%s", diff)
	}
	if v.Docs != 5 {
		t.Errorf("docs = %d, want 5", v.Docs)
	}
}

// TestOfficeCatalog runs the extractor over the whole Office catalog: no
// result breaks the bounds, and the vocabulary survives JSON.
func TestOfficeCatalog(t *testing.T) {
	items := officeItems(t)
	v := extract.Learn(items)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var back extract.Vocabulary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(back, v); diff != "" {
		t.Fatalf("vocabulary JSON round trip (-got +want):\n%s", diff)
	}
	ex := extract.New(back)
	withColor, withModel := 0, 0
	for i := range items {
		got := ex.Extract(&items[i])
		checkBounds(t, got)
		if len(got.Colors) > 0 {
			withColor++
		}
		if len(got.ModelNumbers) > 0 {
			withModel++
		}
	}
	t.Logf("%d items: %d with colours, %d with model numbers, %d known brands", len(items), withColor, withModel, len(v.Brands))
}

func checkBounds(t *testing.T, got *aisle.Extracted) {
	t.Helper()
	if got == nil {
		t.Fatal("Extract returned nil")
	}
	lists := [][]string{got.Category, got.Colors, got.Materials, got.Sizes, got.ModelNumbers, got.Tags, {got.Brand}}
	for _, l := range lists {
		if len(l) > extract.MaxValues {
			t.Fatalf("%d values, more than %d: %q", len(l), extract.MaxValues, l)
		}
		for _, s := range l {
			if !utf8.ValidString(s) || len(s) > extract.MaxValueBytes && !contains(got.Category, s) {
				t.Fatalf("bad value %q", s)
			}
		}
	}
	if len(got.Tags) > extract.MaxTags || got.PackSize < 0 {
		t.Fatalf("out of bounds: %+v", got)
	}
}

func contains(vs []string, s string) bool {
	for _, v := range vs {
		if v == s {
			return true
		}
	}
	return false
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"Brother HL-L2340DW Printer, Black, 8.5 x 11 inches, Pack of 12",
		`Labels 1/2" x 23', 11 x 17, A4, Letter Size, 3 mil, ½ inch`,
		"黑色不锈钢保温杯 500 ml",
		"Clips, 12 Boxes of 1 Dozen Each (144 Total) (99020)",
		"\xff\xfe 99999999999999999999 Pack of 99999999999999999999",
		strings.Repeat("Navy Blue ", 200),
	} {
		f.Add(s, "Made of steel. plastic construction", "Brand")
	}
	ex := extract.New(extract.Learn([]aisle.Item{{Brand: "Brand"}, {Brand: "Black & Decker"}}))
	f.Fuzz(func(t *testing.T, title, desc, brand string) {
		it := aisle.Item{Title: title, Description: desc, Brand: brand}
		checkBounds(t, ex.Extract(&it))
	})
}

func BenchmarkExtract(b *testing.B) {
	items := officeItems(b)
	ex := extract.New(extract.Learn(items))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		ex.Extract(&items[n%len(items)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "items/s")
}

func BenchmarkLearn(b *testing.B) {
	items := officeItems(b)
	b.ReportAllocs()
	for b.Loop() {
		extract.Learn(items)
	}
}
