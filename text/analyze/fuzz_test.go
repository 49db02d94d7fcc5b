package analyze

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzTerms checks that any text analyses without panicking into
// non-empty, valid UTF-8 terms and words.
func FuzzTerms(f *testing.F) {
	for _, s := range []string{"VTECH CS6114 Cordless Phones", "8.5 x 11, 1,000", "订书机和圆珠笔", "コピー用紙", "a\u0301\u200d", "1,,2,000.5"} {
		f.Add(s)
	}
	a := New(Config{})
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range append(a.Words(nil, s), a.Terms(nil, s)...) {
			if w == "" || !utf8.ValidString(w) {
				t.Fatalf("bad term %q from %q", w, s)
			}
		}
	})
}

// FuzzDictionary checks that any dictionary text loads or fails without
// panicking, and that a loaded one segments any Han text into pieces that
// put it back together.
func FuzzDictionary(f *testing.F) {
	f.Add("订书机 12 n\n订书 3 v\n机 40 n\n", "订书机器")
	f.Add("AT&T 3 nz\n笔 0\n", "笔笔")
	f.Add("x\n", "")
	f.Fuzz(func(t *testing.T, dict, text string) {
		d, err := parseDictionary(strings.NewReader(dict), "f")
		if err != nil {
			return
		}
		run := strings.Map(func(r rune) rune {
			if unicode.Is(unicode.Han, r) {
				return r
			}
			return -1
		}, text)
		var b strings.Builder
		d.cut(run, func(w string) { b.WriteString(w) })
		if b.String() != run {
			t.Fatalf("cut(%q) rejoins to %q", run, b.String())
		}
	})
}
