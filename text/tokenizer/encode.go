package tokenizer

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// normalizer holds the BertNormalizer options.
type normalizer struct {
	clean     bool // drop NUL, U+FFFD and control characters; whitespace to ' '
	chinese   bool // put spaces around CJK ideographs
	strip     bool // NFD, then drop nonspacing marks (Mn)
	lowercase bool
}

// asciiClass says what the fast path does with one ASCII byte.
type asciiClass struct {
	kind byte // one of the ascii* constants
	to   byte // the byte to emit for asciiKeep (lowercased when configured)
}

const (
	asciiKeep  = iota // part of a word
	asciiSpace        // ends the current word
	asciiPunct        // a word of its own
	asciiDrop         // removed by clean_text
)

// full reports whether dst has reached limit (limit < 0: no limit).
func full(dst []int64, limit int) bool { return limit >= 0 && len(dst) >= limit }

// appendIDs appends the ids of text (no [CLS]/[SEP]) to dst, so that
// len(dst) <= limit when limit >= 0. It stops early once limit is reached:
// truncation is on the right, so the ids kept are the same.
func (w *WordPiece) appendIDs(dst []int64, text string, limit int) []int64 {
	dst = appendAround(dst, text, &w.raw, limit, w.appendSection)
	if limit >= 0 && len(dst) > limit {
		dst = dst[:limit]
	}
	return dst
}

// appendSection tokenizes a stretch of raw text that holds no raw added
// token.
func (w *WordPiece) appendSection(dst []int64, s string, limit int) []int64 {
	if s == "" {
		return dst
	}
	if len(w.normd.tokens) == 0 && isASCII(s) {
		return w.appendASCII(dst, s, limit)
	}
	return appendAround(dst, w.norm.apply(s), &w.normd, limit, w.appendNormalized)
}

// appendAround appends the ids of text split around the added tokens sp
// finds: each stretch between them through inner, each token as its id
// (trimming the white space its lstrip and rstrip swallow), stopping once
// limit is reached.
func appendAround(dst []int64, text string, sp *splitter, limit int, inner func([]int64, string, int) []int64) []int64 {
	pos := 0
	for pos < len(text) && !full(dst, limit) {
		s, e, tok := sp.find(text, pos)
		if tok == nil {
			return inner(dst, text[pos:], limit)
		}
		seg := text[pos:s]
		if tok.lstrip {
			seg = strings.TrimRightFunc(seg, unicode.IsSpace)
		}
		dst = inner(dst, seg, limit)
		if full(dst, limit) {
			break
		}
		dst = append(dst, tok.id)
		pos = e
		if tok.rstrip {
			pos = len(text) - len(strings.TrimLeftFunc(text[pos:], unicode.IsSpace))
		}
	}
	return dst
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// appendASCII normalizes, pre-tokenizes and word-pieces an all-ASCII
// section in one pass. On ASCII the BertNormalizer only drops control bytes
// and lowercases: ASCII has no CJK and nothing to decompose.
func (w *WordPiece) appendASCII(dst []int64, s string, limit int) []int64 {
	var arr [64]byte
	word := arr[:0]
	for i := 0; i < len(s); i++ {
		c := w.ascii[s[i]]
		switch c.kind {
		case asciiKeep:
			word = append(word, c.to)
		case asciiDrop:
		case asciiSpace, asciiPunct:
			if len(word) > 0 {
				dst = w.appendWord(dst, word)
				word = word[:0]
				if full(dst, limit) {
					return dst
				}
			}
			if c.kind == asciiPunct {
				dst = append(dst, w.single[s[i]])
				if full(dst, limit) {
					return dst
				}
			}
		}
	}
	if len(word) > 0 {
		dst = w.appendWord(dst, word)
	}
	return dst
}

// appendNormalized pre-tokenizes normalized text the way BertPreTokenizer
// does (whitespace removed, each punctuation character a word of its own)
// and word-pieces each word.
func (w *WordPiece) appendNormalized(dst []int64, s string, limit int) []int64 {
	var arr [64]byte
	start := -1 // start of the current word, -1 when none
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next := i + size
		space, punct := unicode.IsSpace(r), isPunct(r)
		if !space && !punct {
			if start < 0 {
				start = i
			}
			i = next
			continue
		}
		if start >= 0 {
			dst = w.appendWord(dst, append(arr[:0], s[start:i]...))
			start = -1
			if full(dst, limit) {
				return dst
			}
		}
		if punct {
			dst = w.appendWord(dst, append(arr[:0], s[i:next]...))
			if full(dst, limit) {
				return dst
			}
		}
		i = next
	}
	if start >= 0 {
		dst = w.appendWord(dst, append(arr[:0], s[start:]...))
	}
	return dst
}

// appendWord appends the WordPiece ids of one pre-tokenized word: greedy
// longest match first, continuation pieces looked up with the prefix; a word
// longer than maxChars characters, or with a remainder no piece matches,
// becomes the unknown token as a whole.
func (w *WordPiece) appendWord(dst []int64, word []byte) []int64 {
	if len(word) > w.maxChars && utf8.RuneCount(word) > w.maxChars {
		return append(dst, w.unkID)
	}
	mark := len(dst)
	for start := 0; start < len(word); {
		m, longest := w.vocab, w.maxInit[word[start]]
		if start > 0 {
			m, longest = w.cont, w.maxCont[word[start]]
		}
		end := len(word)
		if end-start > longest {
			end = start + longest
			for end > start && !utf8.RuneStart(word[end]) {
				end--
			}
		}
		found := false
		for end > start {
			if id, ok := m[string(word[start:end])]; ok {
				dst = append(dst, id)
				found = true
				break
			}
			end--
			for end > start && !utf8.RuneStart(word[end]) {
				end--
			}
		}
		if !found {
			return append(dst[:mark], w.unkID)
		}
		start = end
	}
	return dst
}

// isPunct is BERT's punctuation: ASCII 33-47, 58-64, 91-96, 123-126 and
// every Unicode P* character.
func isPunct(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 33 && r <= 47 || r >= 58 && r <= 64 || r >= 91 && r <= 96 || r >= 123 && r <= 126
	}
	return unicode.IsPunct(r)
}

// isControl is BERT's control test as the tokenizers library has it: Cc,
// Cf, Co and Cs, except tab, newline and carriage return (which count as
// whitespace). Unassigned code points are kept.
func isControl(r rune) bool {
	if r == '\t' || r == '\n' || r == '\r' {
		return false
	}
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// isCJK reports whether r is in BERT's CJK ideograph ranges (tokenizers
// starts the sixth range at U+2B920, a typo; BERT and transformers.js have
// U+2B820).
func isCJK(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF ||
		r >= 0x3400 && r <= 0x4DBF ||
		r >= 0x20000 && r <= 0x2A6DF ||
		r >= 0x2A700 && r <= 0x2B73F ||
		r >= 0x2B740 && r <= 0x2B81F ||
		r >= 0x2B820 && r <= 0x2CEAF ||
		r >= 0xF900 && r <= 0xFAFF ||
		r >= 0x2F800 && r <= 0x2FA1F
}

// apply runs the BertNormalizer steps in the tokenizers library's order:
// clean text, space out CJK ideographs, strip accents, lowercase.
func (n *normalizer) apply(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		if n.clean {
			if r == 0 || r == utf8.RuneError || isControl(r) {
				continue
			}
			if unicode.IsSpace(r) {
				b.WriteByte(' ')
				continue
			}
		}
		if n.chinese && isCJK(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(r)
	}
	s = b.String()
	if n.strip {
		s = stripAccents(s)
	}
	if n.lowercase {
		s = lower(s)
	}
	return s
}

// stripAccents decomposes s (NFD) and drops nonspacing marks (Mn).
func stripAccents(s string) string {
	d := norm.NFD.String(s)
	i := strings.IndexFunc(d, isMn)
	if i < 0 {
		return d
	}
	var b strings.Builder
	b.Grow(len(d))
	b.WriteString(d[:i])
	for _, r := range d[i:] {
		if !isMn(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isMn(r rune) bool { return r >= 0x300 && unicode.Is(unicode.Mn, r) }

// lower lowercases s one character at a time with the full Unicode mapping,
// as Rust's char::to_lowercase does: no context, so a final capital sigma
// becomes σ, not ς; U+0130 becomes "i\u0307".
func lower(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r == '\u0130':
			b.WriteString("i\u0307")
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// splitter finds added tokens (like "[SEP]") in text.
type splitter struct {
	tokens []addedToken
	first  [256]bool // first bytes of the tokens' contents
}

// addedToken is a token matched verbatim before WordPiece.
type addedToken struct {
	content        string
	id             int64
	lstrip, rstrip bool // strip whitespace on its left / right
}

func newSplitter(tokens []addedToken) splitter {
	sp := splitter{tokens: tokens}
	for _, t := range tokens {
		sp.first[t.content[0]] = true
	}
	return sp
}

// find returns the leftmost occurrence at or after from of an added token,
// the longest one where several start there, or a nil token when none.
func (sp *splitter) find(s string, from int) (start, end int, tok *addedToken) {
	if len(sp.tokens) == 0 {
		return 0, 0, nil
	}
	for i := from; i < len(s); i++ {
		if !sp.first[s[i]] {
			continue
		}
		for k := range sp.tokens {
			t := &sp.tokens[k]
			if strings.HasPrefix(s[i:], t.content) && (tok == nil || len(t.content) > len(tok.content)) {
				tok = t
			}
		}
		if tok != nil {
			return i, i + len(tok.content), tok
		}
	}
	return 0, 0, nil
}
