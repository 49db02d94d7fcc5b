package query

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle/text/analyze"
)

// FuzzParse checks that Parse never panics and accepts every valid
// UTF-8, non-blank query within MaxQueryBytes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"black gel pens under $30", "30-50", "不要蓝牙 30元以下", "-wireless", "between 1 and", "no", "$", "1,000.5-2", "staplr", "最便宜的订书机"} {
		f.Add(s)
	}
	u := tiny(f, Config{})
	f.Fuzz(func(t *testing.T, q string) {
		in, err := u.Parse(q)
		valid := utf8.ValidString(q) && len(q) <= MaxQueryBytes && strings.TrimFunc(q, unicode.IsSpace) != ""
		if valid != (err == nil) {
			t.Fatalf("Parse(%q) error %v, valid %v", q, err, valid)
		}
		if err == nil && in.Query != q {
			t.Fatalf("Query = %q, want %q", in.Query, q)
		}
		if in.MinPrice != nil && in.MaxPrice != nil && *in.MinPrice > *in.MaxPrice {
			t.Fatalf("Parse(%q) price range %v > %v", q, *in.MinPrice, *in.MaxPrice)
		}
	})
}

// FuzzParseSynonyms checks that the synonym file parser never panics and
// that every rule it accepts has phrases with terms.
func FuzzParseSynonyms(f *testing.F) {
	for _, s := range []string{"couch, sofa\n", "biro => ballpoint pen\n# c\n", "a => b => c", ",,", "=>", "x, y => z\n\n"} {
		f.Add(s)
	}
	an := analyze.New(analyze.Config{})
	f.Fuzz(func(t *testing.T, file string) {
		rules, err := parseSynonyms(strings.NewReader(file), "f", an)
		if err != nil {
			return
		}
		for _, r := range rules {
			for _, p := range append(r.from, r.to...) {
				if len(p) == 0 {
					t.Fatalf("empty phrase in %q", file)
				}
			}
		}
	})
}
