package grounding

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Segment is one sentence or bullet of a text: Text is the exact bytes
// text[Start:End], its end punctuation and trailing white space included,
// so the segments of a text joined together are the text.
type Segment struct {
	Text       string
	Start, End int
}

// Segments splits text into sentences and bullets: a segment ends after a
// line break, after 。！？；!? or after a full stop followed by white space
// (so "6.0" and "e.g." inside a word do not split), together with the
// white space that follows. Never fails; empty text has no segments.
func Segments(text string) []Segment {
	var out []Segment
	start := 0
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		end := -1
		switch r {
		case '\n':
			end = i + n
		case '。', '！', '？', '；', '!', '?':
			end = i + n
		case '.':
			if i+n == len(text) {
				end = i + n
			} else if nr, _ := utf8.DecodeRuneInString(text[i+n:]); unicode.IsSpace(nr) {
				end = i + n
			}
		}
		i += n
		if end < 0 {
			continue
		}
		// Take the white space after the end, line breaks included.
		for i < len(text) {
			nr, nn := utf8.DecodeRuneInString(text[i:])
			if !unicode.IsSpace(nr) {
				break
			}
			i += nn
		}
		out = append(out, Segment{Text: text[start:i], Start: start, End: i})
		start = i
	}
	if start < len(text) {
		out = append(out, Segment{Text: text[start:], Start: start, End: len(text)})
	}
	return out
}

// isBlank reports whether s holds nothing but white space and bullet or
// punctuation marks.
func isBlank(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0
}
