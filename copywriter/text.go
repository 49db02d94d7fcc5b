package copywriter

import (
	"strings"
	"unicode"

	"github.com/aislehq/aisle/grounding"
)

// countWords counts the words of s: runs of letters or digits, each
// Chinese character counting as one.
func countWords(s string) int {
	n := 0
	in := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in {
				n++
			}
			in = true
		default:
			in = false
		}
	}
	return n
}

// cutWords returns the start of s holding at most n words (countWords),
// with "…" when something was cut.
func cutWords(s string, n int) string {
	if countWords(s) <= n {
		return s
	}
	count := 0
	in := false
	for i, r := range s {
		starts := false
		switch {
		case unicode.Is(unicode.Han, r):
			starts = true
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			starts = !in
			in = true
		default:
			in = false
		}
		if starts {
			if count == n {
				return strings.TrimRight(s[:i], " ,;:-") + "…"
			}
			count++
		}
	}
	return s
}

// cutClean is cutWords without the words at the cut that hold digits
// or join numbers ("x", "by"): a cut there could leave half a size.
func cutClean(s string, n int) string {
	c := cutWords(s, n)
	if c == s {
		return s
	}
	ws := strings.Fields(strings.TrimSuffix(c, "…"))
	for len(ws) > 1 {
		last := strings.ToLower(ws[len(ws)-1])
		if !strings.ContainsFunc(last, unicode.IsDigit) && last != "x" && last != "by" && !strings.ContainsFunc(last, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			break
		}
		ws = ws[:len(ws)-1]
	}
	return strings.TrimRight(strings.Join(ws, " "), " ,;:-") + "…"
}

// truncate keeps the sentences and bullets of s that fit in n words
// (grounding.Segments), cutting the first one when it alone is longer.
func truncate(s string, n int) string {
	var b strings.Builder
	words := 0
	for i, seg := range grounding.Segments(s) {
		c := countWords(seg.Text)
		if words+c > n {
			if i == 0 {
				return cutClean(seg.Text, n)
			}
			break
		}
		b.WriteString(seg.Text)
		words += c
	}
	return strings.TrimSpace(b.String())
}

// Mentioned returns the facts of f (grounding.Facts.List, the title and
// Q&A left out) whose value text mentions, case-insensitively, in English
// or, for lang "zh", in the Chinese of the translation table too. The
// pack size counts as mentioned when its number is.
func Mentioned(text, lang string, f *grounding.Facts) []grounding.Fact {
	out := []grounding.Fact{}
	for _, fa := range f.List() {
		switch fa.Kind {
		case grounding.KindTitle, grounding.KindQA, grounding.KindAvailability:
			continue
		}
		if mentions(text, lang, fa.Value) {
			out = append(out, fa)
		}
	}
	return out
}

// mentions reports whether text holds v (or its Chinese, for lang zh),
// case-insensitively, not inside a longer word.
func mentions(text, lang, v string) bool {
	if v == "" {
		return false
	}
	lower := strings.ToLower(text)
	if containsWord(lower, strings.ToLower(v)) {
		return true
	}
	if lang == "zh" {
		if t := zh(v); t != v && strings.Contains(text, t) {
			return true
		}
	}
	return false
}

// containsWord reports whether s holds w with no letter or digit right
// before or after it.
func containsWord(s, w string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(w)
		before, after := rune(' '), rune(' ')
		if i > 0 {
			before = lastRune(s[:i])
		}
		if end < len(s) {
			after = []rune(s[end:])[0]
		}
		if !isWordRune(before) && !isWordRune(after) {
			return true
		}
		from = i + 1
		for from < len(s) && s[from]&0xC0 == 0x80 {
			from++
		}
	}
}

func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r)
}

func lastRune(s string) rune {
	r := []rune(s)
	return r[len(r)-1]
}
