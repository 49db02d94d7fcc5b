package extract

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

var (
	// countWordRE matches a number joined to a word or unit ("3-Pack",
	// "2-Inch", "32lb", "24-Pads/Pack", "300/Pack", "1st"), which is not a
	// part number.
	countWordRE = regexp.MustCompile(`^\d+(?:[.,/-]\d+)*[-/]?([A-Za-z]+)(?:/[A-Za-z]+)?$`)
	// dimTokenRE matches a dimension written as one token ("13X19").
	dimTokenRE = regexp.MustCompile(`^\d+(?:\.\d+)?[xX]\d+`)
	// lonePartRE matches a token alone in parentheses: "(02257)".
	lonePartRE = regexp.MustCompile(`\(\s*([^()\s]+)\s*\)`)
)

// unitSuffixes are upper-case units and count words that follow a number
// ("21PPM", "64GB"); a number with one of them is not a part number.
var unitSuffixes = setOf("PPM", "MM", "CM", "LB", "LBS", "OZ", "ML", "GB", "TB", "MB", "MP", "DPI", "MAH", "ST", "ND", "RD", "TH", "PK", "CT", "PC", "PCS", "FT", "IN", "YD", "MIL", "GSM", "HZ", "KG")

// modelNumbers returns the part and model numbers in a title's raw tokens:
// tokens mixing letters and digits that are not sizes or counts
// ("HL-L2340DW", "C4844A", "BIC-12"), and digit-only codes that stand
// alone in parentheses ("(02257)"), follow the brand at the title's start
// ("Paper Mate 70501", with afterBrand the index of that token, or -1), or
// are at least five digits long and not counts.
func modelNumbers(raw []string, afterBrand int) []string {
	var out []string
	for i, t := range raw {
		if i > 0 && strings.EqualFold(strings.TrimRight(raw[i-1], ":#."), "model") && len(t) >= 2 && len(t) <= 40 {
			out = appendUnique(out, t) // "Model KS"
			continue
		}
		t = strings.TrimFunc(t, func(r rune) bool { return strings.ContainsRune(`.:-"'®™#`, r) })
		if !isPart(t) {
			continue
		}
		if !strings.ContainsFunc(t, isASCIILetter) && !(i == afterBrand && digits(t) >= 3) && !(digits(t) >= 5 && !countFollows(raw, i)) && !productNumber(raw, i) {
			continue
		}
		if productNumber(raw, i) && raw[i+1] == "XL" {
			t += " XL" // "920 XL"
		}
		out = appendUnique(out, t)
	}
	return out
}

// modelNumbersInParens adds the digit-only codes alone in parentheses.
func modelNumbersInParens(out []string, title string) []string {
	for _, m := range lonePartRE.FindAllStringSubmatch(title, -1) {
		t := strings.TrimFunc(m[1], func(r rune) bool { return strings.ContainsRune(`.:-"'®™`, r) })
		if isPart(t) && digits(t) >= 3 {
			out = appendUnique(out, t)
		}
	}
	return out
}

// isPart reports whether t can be a part number: 3 to 40 bytes, a digit,
// only letters, digits and - / #, and not a size or count.
func isPart(t string) bool {
	if len(t) < 3 || len(t) > 40 || !strings.ContainsFunc(t, isASCIIDigit) {
		return false
	}
	for _, r := range t {
		if !isASCIILetter(r) && !isASCIIDigit(r) && r != '-' && r != '/' && r != '#' {
			return false
		}
	}
	if !strings.ContainsFunc(t, isASCIILetter) {
		return !strings.Contains(t, "/")
	}
	if dimTokenRE.MatchString(t) {
		return false
	}
	if m := countWordRE.FindStringSubmatch(t); m != nil {
		if strings.ContainsFunc(m[1], unicode.IsLower) || unitSuffixes[m[1]] || strings.HasSuffix(t, "/Pack") {
			return false
		}
	}
	return true
}

// countFollows reports whether the token after raw[i] makes it a count or
// a quantity ("1500 per Pack", "2000 Labels").
func countFollows(raw []string, i int) bool {
	isCount := func(t string) bool {
		t = strings.ToLower(t)
		_, unit := units[t]
		switch t {
		case "per", "total", "x", "by", "pages", "sides", "count", "pack", "ct", "pcs", "pieces":
			return true
		}
		return unit || slices.Contains(countNouns, t)
	}
	if i > 0 {
		switch strings.ToLower(raw[i-1]) {
		case "of", "qty", "holds", "up", "to":
			return true
		}
	}
	if i+1 >= len(raw) {
		return false
	}
	return isCount(raw[i+1]) || i+2 < len(raw) && isCount(raw[i+2])
}

// productNumber reports whether the digit-only raw[i] is a model in a
// product line ("Photosmart 7520 Wireless", "Tape 610 Clear"): three or
// four digits, not a year, after a capitalised word and before a word that
// is not a unit or count.
func productNumber(raw []string, i int) bool {
	t := raw[i]
	if len(t) < 3 || len(t) > 4 || digits(t) != len(t) || i == 0 || i+1 >= len(raw) {
		return false
	}
	if y := t[:2]; len(t) == 4 && (y == "19" || y == "20") {
		return false
	}
	prev := strings.TrimRight(raw[i-1], "®™")
	if prev == "" || !unicode.IsUpper(rune(prev[0])) || strings.ContainsFunc(prev, func(r rune) bool { return !isASCIILetter(r) && r != '-' }) {
		return false
	}
	switch strings.ToLower(prev) {
	case "qty", "pack", "box", "case", "set", "holds", "of":
		return false
	}
	return !countFollows(raw, i)
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if isASCIIDigit(r) {
			n++
		}
	}
	return n
}

func isASCIIDigit(r rune) bool  { return r >= '0' && r <= '9' }
func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// brandTokens returns the index of the raw token after the brand when the
// title starts with it, or -1.
func brandTokens(raw []string, brand string) int {
	bw := wordsOf(brand)
	if len(bw) == 0 {
		return -1
	}
	k := 0
	for i, t := range raw {
		for _, w := range splitWord(t) {
			if k >= len(bw) || w != bw[k] {
				return -1
			}
			k++
		}
		if k == len(bw) {
			return i + 1
		}
	}
	return -1
}
