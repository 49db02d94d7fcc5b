// Package analyze turns text into the terms the search index stores and
// the query parser matches: one Analyzer, shared by both, so a query's
// terms are the index's terms.
//
// Text is NFKC-normalised (full-width letters and digits become ASCII,
// ligatures are split), lower-cased and split on Unicode word boundaries
// (UAX #29, through github.com/rivo/uniseg). Each script is then handled
// its own way, also inside one mixed text:
//
//   - Latin-script words lose the English stop words (the Snowball list)
//     and are stemmed with the Snowball English (Porter2) stemmer of
//     github.com/kljensen/snowball: "shredders" and "shredding" both give
//     "shred".
//   - Numbers and words with digits are kept whole and never stemmed:
//     "8.5", "11x17", "cs6114"; a number with thousands separators loses
//     them ("1,000" gives "1000").
//   - Chinese (runs of Han characters) is segmented into words by a
//     maximum-probability path through the word graph of jieba's
//     dictionary (dict.txt, word frequencies), the algorithm of jieba's
//     exact mode without its HMM for unknown words, which stay single
//     characters. Terms adds, for words of three or more characters, the
//     two- and three-character dictionary words inside them (jieba's search
//     mode), so text with "圆珠笔" (ballpoint pen) matches "圆珠". It is written
//     here rather than taken from a library because the Go segmenters
//     embed their own dictionaries (gse's is tens of megabytes in the
//     binary) where Aisle reads the one Debian's python3-jieba installs,
//     and the algorithm is forty lines.
//   - Until Load has read the dictionary (or when it is missing), and for
//     Japanese kana, such runs fall back to single characters (Words) and
//     characters plus overlapping character pairs (Terms), which still
//     matches, only less precisely.
//   - Other scripts (Cyrillic, Greek, Arabic, Hangul, ...) keep their
//     words as the word boundaries give them.
package analyze

import (
	"strings"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// DefaultJiebaDict is where Debian's python3-jieba package installs
// jieba's word list (`make deps` installs it).
const DefaultJiebaDict = "/usr/lib/python3/dist-packages/jieba/dict.txt"

// Config configures an Analyzer. The zero value is the default.
type Config struct {
	// JiebaDict is the path of a jieba-format dictionary ("word freq
	// [tag]" lines) that Load reads; "" means DefaultJiebaDict.
	JiebaDict string
	// KeepStopWords keeps English stop words in Terms; by default they are
	// dropped.
	KeepStopWords bool
}

// Analyzer splits text into words and index terms. It is safe for
// concurrent use, Load included.
type Analyzer struct {
	cfg  Config
	dict atomic.Pointer[dictionary]
	// stems caches the stems of Latin-script words, at most
	// maxCachedStems of them.
	stems *stemCache
}

// New returns an Analyzer configured by cfg. It does no I/O: call Load to
// read the Chinese dictionary; until then Chinese falls back to
// characters and character pairs.
func New(cfg Config) *Analyzer {
	if cfg.JiebaDict == "" {
		cfg.JiebaDict = DefaultJiebaDict
	}
	return &Analyzer{cfg: cfg, stems: newStemCache(maxCachedStems)}
}

// Load reads the Chinese dictionary named by Config.JiebaDict. When it
// fails (a missing file wraps fs.ErrNotExist; `make deps` installs the
// default) the Analyzer keeps working with the character fallback.
func (a *Analyzer) Load() error {
	d, err := loadDictionary(a.cfg.JiebaDict)
	if err != nil {
		return err
	}
	a.dict.Store(d)
	return nil
}

// HasDictionary reports whether Load has read the Chinese dictionary, that
// is, whether Chinese is segmented into words rather than characters.
func (a *Analyzer) HasDictionary() bool { return a.dict.Load() != nil }

// Terms appends text's index terms to dst and returns the extended slice:
// its words (see Words) without English stop words, Latin-script words
// stemmed, and for Chinese the dictionary words inside long words too.
func (a *Analyzer) Terms(dst []string, text string) []string {
	a.split(text, func(w string, k kind) {
		switch k {
		case kindLatin:
			if !a.cfg.KeepStopWords && english.IsStopWord(w) {
				return
			}
			dst = append(dst, a.stem(w))
		case kindHan:
			if isChineseStopWord(w) {
				return
			}
			dst = append(dst, w)
			dst = a.dict.Load().appendInner(dst, w)
		case kindCJK:
			dst = appendGrams(dst, w)
		default:
			dst = append(dst, w)
		}
	})
	return dst
}

// Words appends text's words to dst, normalised and lower-cased but
// neither stemmed nor stop-word filtered, in text order: what spelling
// correction and phrase matching work on. Chinese comes as dictionary
// words (single characters without the dictionary).
func (a *Analyzer) Words(dst []string, text string) []string {
	a.split(text, func(w string, k kind) {
		if k == kindCJK {
			for _, r := range w {
				dst = append(dst, string(r))
			}
			return
		}
		dst = append(dst, w)
	})
	return dst
}

// Stem returns the index term of one word as Words gives it: the Porter2
// stem of a Latin-script word ("pens" gives "pen"), the word unchanged
// otherwise. Unlike Terms it keeps stop words.
func (a *Analyzer) Stem(word string) string {
	if classify(word) == kindLatin {
		return a.stem(word)
	}
	return word
}

// TermOf returns the index term Terms gives for one non-Chinese word as
// Words returns it, and false when Terms drops it (an English stop word).
// With Words it lets a caller cache stems; Chinese must go through Terms,
// which also adds the words inside long words.
func (a *Analyzer) TermOf(word string) (string, bool) {
	k := classify(word)
	if k != kindLatin {
		return word, true
	}
	if !a.cfg.KeepStopWords && english.IsStopWord(word) {
		return "", false
	}
	return a.stem(word), true
}

// maxCachedStems bounds the stem cache: a catalog's vocabulary is a few
// tens of thousands of words, and every word past the bound is stemmed
// each time.
const maxCachedStems = 1 << 17

// stem returns the Porter2 stem of the Latin-script word w, remembering
// it: stemming allocates on every suffix test, and text repeats its words.
func (a *Analyzer) stem(w string) string {
	if s, ok := a.stems.get(w); ok {
		return s
	}
	s := english.Stem(w, false)
	a.stems.put(w, s)
	return s
}

// IsStopWord reports whether Terms drops w (lower case) as an English stop
// word, unless Config.KeepStopWords is set.
func IsStopWord(w string) bool { return english.IsStopWord(w) }

// kind is how a word is turned into terms.
type kind uint8

const (
	kindOther kind = iota // kept as it is: numbers, model numbers, other scripts
	kindLatin             // stop-word filtered and stemmed
	kindHan               // a Chinese dictionary word
	kindCJK               // a run to split into characters and pairs
)

// split normalises text and calls emit with each word and its kind.
func (a *Analyzer) split(text string, emit func(string, kind)) {
	s := strings.ToLower(norm.NFKC.String(text))
	d := a.dict.Load()
	runStart, runEnd, kana := -1, -1, false
	flush := func() {
		if runStart < 0 {
			return
		}
		run := s[runStart:runEnd]
		if d == nil || kana {
			emit(run, kindCJK)
		} else {
			d.cut(run, func(w string) { emit(w, kindHan) })
		}
		runStart, kana = -1, false
	}
	state := -1
	for off := 0; off < len(s); {
		var w string
		w, _, state = uniseg.FirstWordInString(s[off:], state)
		start := off
		off += len(w)
		r, _ := utf8.DecodeRuneInString(w)
		if isHan := unicode.Is(unicode.Han, r); isHan || unicode.In(r, unicode.Hiragana, unicode.Katakana) {
			if runStart < 0 {
				runStart = start
			}
			runEnd = off
			kana = kana || !isHan
			continue
		}
		flush()
		if !hasWordRune(w) {
			continue
		}
		w = dropThousands(w)
		emit(w, classify(w))
	}
	flush()
}

// classify tells a Latin-script word (letters, apostrophes and joiners,
// no digits) from the rest.
func classify(w string) kind {
	latin := false
	for _, r := range w {
		switch {
		case unicode.Is(unicode.Latin, r):
			latin = true
		case r == '\'' || r == '’' || r == '.' || r == '_' || unicode.Is(unicode.Mn, r):
		default:
			return kindOther
		}
	}
	if latin {
		return kindLatin
	}
	return kindOther
}

// hasWordRune reports whether w holds a letter or a digit (word-boundary
// segments also include spaces and punctuation).
func hasWordRune(w string) bool {
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// dropThousands removes the separators of a number grouped in thousands
// ("1,000,000" gives "1000000"); any other word is returned as it is.
func dropThousands(w string) string {
	if !strings.Contains(w, ",") {
		return w
	}
	groups := strings.Split(w, ",")
	if len(groups[0]) == 0 || len(groups[0]) > 3 {
		return w
	}
	for i, g := range groups {
		digits := g
		if i == len(groups)-1 {
			digits, _, _ = strings.Cut(g, ".")
		}
		if (i > 0 && len(digits) != 3) || strings.TrimFunc(digits, isASCIIDigit) != "" {
			return w
		}
	}
	return strings.ReplaceAll(w, ",", "")
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// appendGrams appends run's characters and its overlapping character
// pairs.
func appendGrams(dst []string, run string) []string {
	prev := -1
	for i, r := range run {
		if prev >= 0 {
			dst = append(dst, run[prev:i+utf8.RuneLen(r)])
		}
		dst = append(dst, string(r))
		prev = i
	}
	return dst
}

// isChineseStopWord reports whether Terms drops w from segmented Chinese:
// particles and conjunctions that match nearly every text.
func isChineseStopWord(w string) bool {
	switch w {
	case "的", "了", "和", "与", "及", "或", "是", "在", "把", "被", "之", "着":
		return true
	}
	return false
}
