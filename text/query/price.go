package query

import (
	"regexp"
	"strconv"
	"strings"
)

// Price phrases, matched on the lower-cased, NFKC-normalised query. A
// price is a number with an optional "$" before it and an optional
// currency word after it.
const (
	pricePat    = `\$?\s*(\d+(?:\.\d+)?)\b(\s*(?:dollars?\b|usd\b|bucks\b|元|块钱|块|美元|美金))?`
	maxWordsPat = `(?:\b(?:under|below|less\s+than|cheaper\s+than|lower\s+than|up\s+to|no\s+more\s+than|not\s+more\s+than|at\s+most|max(?:imum)?|within)\s*|<=?\s*|(?:低于|少于|不超过|不到|小于)\s*)`
	minWordsPat = `(?:\b(?:over|above|more\s+than|greater\s+than|higher\s+than|at\s+least|min(?:imum)?|starting\s+at|from)\s*|>=?\s*|(?:高于|超过|大于|不低于|至少)\s*)`
)

// priceReader is one price phrase: its pattern and which bounds its
// numbers (submatches 1 and 3; 2 and 4 are the currency words) set.
type priceReader struct {
	re       *regexp.Regexp
	min, max bool // a one-number phrase sets one bound; a range both
}

// priceReaders returns the price phrases in the order they are tried:
// ranges before single bounds, so "between 30 and 50" is not read as
// "30" and "50" apart.
func priceReaders() []priceReader {
	return []priceReader{
		{regexp.MustCompile(`\b(?:between|from)\s+` + pricePat + `\s*(?:and|to|-|–|~)\s*` + pricePat), true, true},
		{regexp.MustCompile(`(?:^|\s)` + pricePat + `\s*(?:-|–|~|to|到|至)\s*` + pricePat + `(?:\s|$)`), true, true},
		{regexp.MustCompile(pricePat + `\s*(?:以下|以内|之内)`), false, true},
		{regexp.MustCompile(pricePat + `\s*以上`), true, false},
		{regexp.MustCompile(maxWordsPat + pricePat), false, true},
		{regexp.MustCompile(minWordsPat + pricePat), true, false},
	}
}

// isUnitWord reports whether w is a word that makes a number a quantity, not a price: "5-10
// sheets", "under 100 pages".
func isUnitWord(w string) bool {
	switch strings.TrimSuffix(w, "s") {
	case "sheet", "pack", "pk", "count", "ct", "pc", "piece", "page", "inch", "in", "ft", "feet",
		"foot", "mm", "cm", "m", "oz", "lb", "gb", "mb", "tb", "year", "month", "day", "hour", "minute",
		"x", "ream", "box", "boxe", "roll", "set", "ppm", "dpi", "v", "w", "mah", "hole", "ring",
		"pocket", "tab", "subject", "yard", "meter", "sq", "gallon", "ml", "l", "g", "kg":
		return true
	}
	return false
}

// extractPrice reads the price limits s states into in, returning s with
// those phrases blanked out. A number followed by a unit word without a
// currency ("under 100 sheets") is left alone, as is a bare range whose
// first number is larger ("20200-1" is a model number).
func extractPrice(readers []priceReader, s string, in *Intent) string {
	if !strings.ContainsAny(s, "0123456789") {
		return s
	}
	for _, r := range readers {
		for {
			m := r.find(s)
			if m == nil {
				break
			}
			lo, _ := strconv.ParseFloat(s[m[2]:m[3]], 64)
			switch {
			case r.min && r.max:
				hi, _ := strconv.ParseFloat(s[m[6]:m[7]], 64)
				setBound(&in.MinPrice, lo)
				setBound(&in.MaxPrice, hi)
			case r.min:
				setBound(&in.MinPrice, lo)
			default:
				setBound(&in.MaxPrice, lo)
			}
			s = s[:m[0]] + " " + s[m[1]:]
		}
	}
	if in.MinPrice != nil && in.MaxPrice != nil && *in.MinPrice > *in.MaxPrice {
		in.MinPrice, in.MaxPrice = in.MaxPrice, in.MinPrice
	}
	return s
}

// find returns the submatch indexes of the first phrase of r in s that
// states a price.
func (r priceReader) find(s string) []int {
	for off := 0; off < len(s); {
		m := r.re.FindStringSubmatchIndex(s[off:])
		if m == nil {
			return nil
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += off
			}
		}
		if r.isPrice(s, m) {
			return m
		}
		off = m[1]
		if m[1] == m[0] {
			off++
		}
	}
	return nil
}

// isPrice tells a price phrase from a quantity or a model number.
func (r priceReader) isPrice(s string, m []int) bool {
	currency := strings.Contains(s[m[0]:m[1]], "$") || m[5] > m[4]
	if len(m) >= 10 {
		currency = currency || m[9] > m[8]
		lo, _ := strconv.ParseFloat(s[m[2]:m[3]], 64)
		hi, _ := strconv.ParseFloat(s[m[6]:m[7]], 64)
		if lo > hi && !currency {
			return false
		}
	}
	if currency {
		return true
	}
	next := strings.TrimLeft(s[m[1]:], " \t")
	end := strings.IndexFunc(next, func(r rune) bool { return r < 'a' || r > 'z' })
	if end < 0 {
		end = len(next)
	}
	return !isUnitWord(next[:end])
}

// setBound sets *p to v unless an earlier phrase set it.
func setBound(p **float64, v float64) {
	if *p == nil {
		*p = &v
	}
}

// minusPat is "-word": a word the shopper does not want.
var minusPat = regexp.MustCompile(`(?:^|\s)-(\pL[\pL\pN]*)`)

// extractMinus returns s without its "-word" exclusions, and their words.
func extractMinus(s string) (string, []string) {
	var words []string
	for _, m := range minusPat.FindAllStringSubmatch(s, -1) {
		words = append(words, m[1])
	}
	if words == nil {
		return s, nil
	}
	return minusPat.ReplaceAllString(s, " "), words
}
