package recommend

import "testing"

func TestVariantKey(t *testing.T) {
	type item struct{ brand, leaf, title string }
	phone := func(title string) item { return item{"AT&amp;T", "Corded Telephones", title} }
	tests := []struct {
		name string
		a, b item
		same bool
	}{
		{"colour", phone("AT&amp;T 210 Corded Phone, Black, 1 Handset"), phone("AT&amp;T 210 Corded Phone, White, 1 Handset"), true},
		{"another model", phone("AT&amp;T 210 Corded Phone, Black, 1 Handset"), phone("AT&amp;T 240 Corded Phone, Black, 1 Handset"), false},
		{"model number joined by a hyphen", item{"Epson", "Label Makers", "Epson LabelWorks LW-300 Label Maker (C51CB69010)"}, item{"Epson", "Label Makers", "Epson LabelWorks LW-400 Label Maker (C51CB70010)"}, false},
		{"pack count and code", item{"BIC", "Ballpoint Pens", "BIC Round Stic Ball Pen, Fine Point, 0.8mm, Black, 12 Pens (GSF11-Blk)"}, item{"BIC", "Ballpoint Pens", "BIC Round Stic Ball Pen, Fine Point, 0.8mm, Blue, 12 Pens (GSF11-Blu)"}, true},
		{"N-Pack", item{"Paper Mate", "Ballpoint Pens", "Write Bros. Stick Ballpoint Pens, Medium Point, Blue Ink, 12-Pack"}, item{"Paper Mate", "Ballpoint Pens", "Write Bros. Stick Ballpoint Pens, Medium Point, Blue Ink, 60-Pack"}, true},
		{"pack of", item{"X", "Staples", "Swingline Staples, Pack of 12"}, item{"X", "Staples", "Swingline Staples, 5000 Count"}, true},
		{"count after a colour", item{"Sharpie", "Highlighters", "Sharpie Accent Highlighters, 12 Yellow Highlighters"}, item{"Sharpie", "Highlighters", "Sharpie Accent Highlighters, Assorted Colors, 12 Pack"}, true},
		{"paper size", item{"HP", "Paper", "HP Office Paper, Letter, 20 lb"}, item{"HP", "Paper", "HP Office Paper, A4, 20 lb"}, true},
		{"size words", item{"Acme", "Gloves", "Acme Work Gloves, Small"}, item{"Acme", "Gloves", "Acme Work Gloves, X-Large"}, true},
		{"weight", item{"Acme", "Glue", "Acme Craft Glue 5 oz"}, item{"Acme", "Glue", "Acme Craft Glue 8oz"}, true},
		{"two-word colour", item{"Acme", "Folders", "Acme File Folders, Navy Blue"}, item{"Acme", "Folders", "Acme File Folders, Forest Green"}, true},
		{"another brand", item{"Acme", "Folders", "File Folders, Blue"}, item{"Zenith", "Folders", "File Folders, Red"}, false},
		{"another leaf", item{"Acme", "Folders", "Acme File Folders, Blue"}, item{"Acme", "Hanging Folders", "Acme File Folders, Red"}, false},
		{"another product word", item{"HP", "Inkjet Printer Ink", "HP 61 Ink Cartridge, Black"}, item{"HP", "Inkjet Printer Ink", "HP 62 Ink Cartridge, Black"}, false},
		{"a plain number is not a count", item{"Acme", "Punches", "Acme 3 Hole Punch"}, item{"Acme", "Punches", "Acme 2 Hole Punch"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ka, kb := variantKey(tt.a.brand, tt.a.leaf, tt.a.title), variantKey(tt.b.brand, tt.b.leaf, tt.b.title)
			if ka == "" || kb == "" {
				t.Fatalf("no key: %q, %q", ka, kb)
			}
			if (ka == kb) != tt.same {
				t.Errorf("keys %q and %q: same = %t, want %t", ka, kb, ka == kb, tt.same)
			}
		})
	}
}

func TestVariantKeyTooShort(t *testing.T) {
	for _, title := range []string{"", "Black", "Black, 12 Pack", "(ABC-1)", "Pens"} {
		if k := variantKey("Acme", "Pens", title); k != "" {
			t.Errorf("variantKey(%q) = %q, want none", title, k)
		}
	}
}

func FuzzVariantKey(f *testing.F) {
	for _, s := range []string{"AT&amp;T 210 Corded Phone, Black, 1 Handset", "Box of 12", "12 Yellow", "8.5 x 11 in", "a-1-2-3", "(", "per 2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		k := variantKey("b", "l", title)
		if k != variantKey("b", "l", title) {
			t.Fatal("not deterministic")
		}
	})
}

func BenchmarkVariantKey(b *testing.B) {
	titles := []string{"AT&amp;T 210 Corded Phone, Black, 1 Handset", "BIC Round Stic Ball Pen, Fine Point, 0.8mm, Black, 12 Pens (GSF11-Blk)", "Epson LabelWorks LW-300 Label Maker (C51CB69010)", "Sharpie Accent Highlighters"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		variantKey("Brand", "Leaf", titles[i%len(titles)])
	}
}
