package analyze

import (
	"testing"
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
