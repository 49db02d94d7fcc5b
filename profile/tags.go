package profile

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
)

// Shares of an event's weight that tags other than categories and brands
// get: they are weaker evidence of interest.
const (
	keywordShare    = 0.5
	photoColorShare = 0.5
	// maxKeywords and maxPhotoColors bound the keywords and photo
	// colours taken from one item (they come best first).
	maxKeywords    = 3
	maxPhotoColors = 3
	// maxQueryTerms bounds the words taken from one search.
	maxQueryTerms = 8
)

// itemTags appends it's tags to dst: every level of its category paths,
// its brand, colours, materials, first keywords, and its photo's colours
// and predicted category. A tag is added once.
func itemTags(dst []weightedTag, it *aisle.Item) []weightedTag {
	dst = categoryTags(dst, KindCategory, it.Categories, 1)
	var ex aisle.Extracted
	if it.Extracted != nil {
		ex = *it.Extracted
	}
	dst = categoryTags(dst, KindCategory, ex.Category, 1)
	brand := ex.Brand
	if brand == "" {
		brand = it.Brand
	}
	dst = addTag(dst, KindBrand, brand, 1, false)
	for _, c := range ex.Colors {
		dst = addTag(dst, KindColor, c, 1, false)
	}
	for _, m := range ex.Materials {
		dst = addTag(dst, KindMaterial, m, 1, false)
	}
	for i, k := range ex.Tags {
		if i == maxKeywords {
			break
		}
		dst = addTag(dst, KindKeyword, k, keywordShare, false)
	}
	if v := it.Visual; v != nil && v.Error == "" {
		for i, c := range v.Colors {
			if i == maxPhotoColors {
				break
			}
			dst = addTag(dst, KindPhotoColor, c, photoColorShare, false)
		}
		if s := v.CategoryScore; s > 0 && s <= 1 {
			dst = categoryTags(dst, KindPhotoCategory, v.Category, s)
		}
	}
	return dst
}

// categoryTags appends a tag of kind for every level of path, marking the
// last one a leaf.
func categoryTags(dst []weightedTag, kind Kind, path []string, share float64) []weightedTag {
	for i, c := range path {
		dst = addTag(dst, kind, c, share, i == len(path)-1)
	}
	return dst
}

// addTag appends the tag (kind, value) to dst unless value is blank or dst
// has it already (then it only keeps the leaf mark).
func addTag(dst []weightedTag, kind Kind, value string, share float64, leaf bool) []weightedTag {
	value = strings.TrimSpace(value)
	if value == "" {
		return dst
	}
	if len(value) > MaxTagValueBytes {
		value = cutUTF8(value, MaxTagValueBytes)
	}
	t := Tag{Kind: kind, Value: value}
	for i := range dst {
		if dst[i].tag == t {
			dst[i].leaf = dst[i].leaf || leaf
			return dst
		}
	}
	return append(dst, weightedTag{tag: t, share: share, leaf: leaf})
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// queryTags appends the words of a search query: lower case, split at
// anything not a letter or digit, English stop words and single Latin
// letters dropped, at most maxQueryTerms. Runs of Chinese characters stay
// whole.
func queryTags(dst []weightedTag, query string) []weightedTag {
	n := 0
	for w := range strings.FieldsFuncSeq(strings.ToLower(query), notWord) {
		if n == maxQueryTerms {
			break
		}
		if analyze.IsStopWord(w) || len(w) == 1 {
			continue
		}
		before := len(dst)
		dst = addTag(dst, KindQuery, w, 1, false)
		if len(dst) > before {
			n++
		}
	}
	return dst
}

// notWord reports whether r separates query words.
func notWord(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }
