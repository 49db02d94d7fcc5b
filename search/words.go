package search

import (
	"strings"
	"unicode"
)

// words is the Analyzer used when Deps.Analyzer is nil: lower-case runs
// of letters and digits.
type words struct{}

// Terms implements Analyzer.
func (words) Terms(dst []string, text string) []string {
	for w := range strings.FieldsFuncSeq(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		dst = append(dst, strings.ToLower(w))
	}
	return dst
}
