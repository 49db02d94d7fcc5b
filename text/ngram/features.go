package ngram

import (
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Feature kinds, mixed into the hash so that a word, a word pair and an
// n-gram with the same bytes land in unrelated rows.
const (
	kindWord uint64 = iota + 1
	kindBigram
	kindGram
)

// FNV-1a 64-bit constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// featurizer turns texts into the table rows of their features.
type featurizer struct {
	buckets    uint64
	minN, maxN int
	maxWords   int
}

// scratch holds the buffers of one featurisation, reused across calls.
type scratch struct {
	norm  []byte   // the NFKC form of a non-ASCII text
	word  []byte   // the current word, lower-cased
	offs  []int    // byte offsets of the current word's runes
	feats []uint32 // the rows of the text's features
}

// appendFeatures appends the rows of text's features to dst.
func (f *featurizer) appendFeatures(dst []uint32, text string, s *scratch) []uint32 {
	src := text
	if !isASCII(text) {
		s.norm = norm.NFKC.AppendString(s.norm[:0], text)
		src = unsafeString(s.norm)
	}
	var (
		words    int
		prev     uint64 // hash of the previous word, 0 if none
		havePrev bool
	)
	s.word = s.word[:0]
	emitWord := func() {
		if len(s.word) == 0 {
			return
		}
		h := hashBytes(kindWord, s.word)
		dst = append(dst, f.bucket(h))
		if havePrev {
			dst = append(dst, f.bucket(mix(prev*fnvPrime^h^kindBigram)))
		}
		prev, havePrev = h, true
		dst = f.appendGrams(dst, s)
		s.word = s.word[:0]
		words++
	}
	for i := 0; i < len(src) && words < f.maxWords; {
		r, size := rune(src[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(src[i:])
		}
		i += size
		switch {
		case r < utf8.RuneSelf:
			switch {
			case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
				s.word = append(s.word, byte(r))
			case 'A' <= r && r <= 'Z':
				s.word = append(s.word, byte(r)+'a'-'A')
			default:
				emitWord()
			}
		case isCJK(r):
			// A CJK character is a word of its own: its unigram, and its
			// bigram with an adjacent CJK character.
			emitWord()
			if words >= f.maxWords {
				break
			}
			h := hashBytes(kindWord, utf8.AppendRune(s.word[:0], r))
			dst = append(dst, f.bucket(h))
			if havePrev && prevCJK(src, i-size) {
				dst = append(dst, f.bucket(mix(prev*fnvPrime^h^kindBigram)))
			}
			prev, havePrev = h, true
			s.word = s.word[:0]
			words++
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			s.word = utf8.AppendRune(s.word, unicode.ToLower(r))
		default:
			emitWord()
		}
	}
	if words < f.maxWords {
		emitWord()
	}
	return dst
}

// appendGrams appends the character n-grams of "<word>", leaving out the
// one that is the whole wrapped word (the word feature covers it).
func (f *featurizer) appendGrams(dst []uint32, s *scratch) []uint32 {
	w := s.word
	s.offs = s.offs[:0]
	for i := range len(w) {
		if !utf8.RuneStart(w[i]) {
			continue
		}
		s.offs = append(s.offs, i)
	}
	s.offs = append(s.offs, len(w))
	runes := len(s.offs) - 1
	ext := runes + 2 // with the boundary marks
	for start := 0; start+f.minN <= ext; start++ {
		h := uint64(fnvOffset) ^ kindGram
		for n := 1; n <= f.maxN && start+n <= ext; n++ {
			switch k := start + n - 1; {
			case k == 0:
				h = (h ^ '<') * fnvPrime
			case k == ext-1:
				h = (h ^ '>') * fnvPrime
			default:
				for _, c := range w[s.offs[k-1]:s.offs[k]] {
					h = (h ^ uint64(c)) * fnvPrime
				}
			}
			if n >= f.minN && n < ext {
				dst = append(dst, f.bucket(mix(h)))
			}
		}
	}
	return dst
}

// bucket maps a mixed hash to a table row.
func (f *featurizer) bucket(h uint64) uint32 {
	return uint32((h >> 32) * f.buckets >> 32)
}

// hashBytes is FNV-1a of b, offset by kind, then mixed.
func hashBytes(kind uint64, b []byte) uint64 {
	h := uint64(fnvOffset) ^ kind
	for _, c := range b {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return mix(h)
}

// mix is MurmurHash3's 64-bit finaliser: it spreads FNV's low-bit
// differences over the high bits that bucket uses.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// isCJK reports whether r is a Han, Hiragana, Katakana or Hangul character.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// prevCJK reports whether the rune that ends at src[:end] is CJK.
func prevCJK(src string, end int) bool {
	r, _ := utf8.DecodeLastRuneInString(src[:end])
	return isCJK(r)
}

// isASCII reports whether s is all ASCII, which NFKC leaves unchanged.
func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// unsafeString views b as a string without copying. The caller must not
// change b while the string is in use.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
