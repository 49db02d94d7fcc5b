package query

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle/text/analyze"
)

// termer turns texts into index terms like Analyzer.Terms, remembering
// each word's stem: Learn analyses hundreds of thousands of glosses and
// item texts over a vocabulary of tens of thousands of words.
type termer struct {
	an    *analyze.Analyzer
	memo  map[string]string // word → its term, "" when dropped
	words []string
}

func newTermer(an *analyze.Analyzer) *termer {
	return &termer{an: an, memo: make(map[string]string)}
}

// appendTerms appends text's index terms to dst, as an.Terms would.
func (t *termer) appendTerms(dst []string, text string) []string {
	t.words = t.an.Words(t.words[:0], text)
	return t.appendWordTerms(dst, t.words)
}

// appendWordTerms appends the index terms of words (Words output).
func (t *termer) appendWordTerms(dst []string, words []string) []string {
	for i := 0; i < len(words); {
		if isCJKWord(words[i]) {
			j := i + 1
			for j < len(words) && isCJKWord(words[j]) {
				j++
			}
			dst = t.an.Terms(dst, strings.Join(words[i:j], ""))
			i = j
			continue
		}
		w := words[i]
		term, ok := t.memo[w]
		if !ok {
			term, _ = t.an.TermOf(w)
			t.memo[w] = term
		}
		if term != "" {
			dst = append(dst, term)
		}
		i++
	}
	return dst
}

// isCJKWord reports whether w is Chinese or Japanese kana, which Terms
// analyses by runs rather than word by word.
func isCJKWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}
