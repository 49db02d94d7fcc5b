package extract

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// sizeNormalizer rewrites typographic forms the size patterns need plain.
var sizeNormalizer = strings.NewReplacer(
	"½", " 1/2", "¼", " 1/4", "¾", " 3/4", "⅓", " 1/3", "⅔", " 2/3", "⅛", " 1/8",
	"″", `"`, "”", `"`, "“", `"`, "''", `"`, "′", "'", "×", "x", "\u00a0", " ",
)

const (
	numRE  = `(\d+[- ]\d+/\d+|\d+/\d+|\d+(?:\.\d+)?)`
	unitRE = `(inches|inch|in\b|"|feet|foot|ft\b|'|yards|yard|yd\b|mm\b|cm\b|meters|meter|metres|metre)`
)

var (
	dimRE = regexp.MustCompile(`(?i)\b` + numRE + `\s*-?\s*` + unitRE + `?\s*(?:x|by)\s*` + numRE + `\s*-?\s*` + unitRE +
		`?(?:\s*(?:x|by)\s*` + numRE + `\s*-?\s*` + unitRE + `?)?(?:\s*(?:inches|inch)\b)?`)
	oneRE     = regexp.MustCompile(`(?i)\b` + numRE + `\s*-?\s*(inches|inch|in\b|"|feet|foot|ft\b|'|yards|yard|yd\b|mm\b|cm\b|meters|meter|metres|metre|ml\b|milliliters|millilitres|liters|liter|litres|litre|oz\b|ounces|ounce|lbs|lb\b|pounds|pound|mil\b|gallons|gallon|gal\b)`)
	paperRE   = regexp.MustCompile(`(?i)\b(letter|legal|tabloid|ledger)\b(\s*openers?\b)?`)
	isoRE     = regexp.MustCompile(`\b([AB][3-6])\b`)
	apparelRE = regexp.MustCompile(`(?i)\bsize:?\s*(XXS|XS|S|M|L|XL|XXL|XXXL|[2-5]XL)\b`)
)

// units maps unit spellings (lower case) to canonical symbols.
var units = map[string]string{
	"inches": "in", "inch": "in", "in": "in", `"`: "in",
	"feet": "ft", "foot": "ft", "ft": "ft", "'": "ft",
	"yards": "yd", "yard": "yd", "yd": "yd",
	"mm": "mm", "cm": "cm", "meters": "m", "meter": "m", "metres": "m", "metre": "m",
	"ml": "ml", "milliliters": "ml", "millilitres": "ml",
	"liters": "l", "liter": "l", "litres": "l", "litre": "l",
	"oz": "oz", "ounces": "oz", "ounce": "oz",
	"lbs": "lb", "lb": "lb", "pounds": "lb", "pound": "lb",
	"mil": "mil", "gallons": "gal", "gallon": "gal", "gal": "gal",
}

// sizes returns the sizes and dimensions in a title, normalised: "13 x
// 19 in", "1/2 in x 23 ft", "9 x 12" (no unit given), "32 lb", "letter",
// "A4", "XL".
func sizes(title string) []string {
	s := sizeNormalizer.Replace(title)
	lower := strings.ToLower(s)
	hasDigit := strings.ContainsAny(s, "0123456789")
	var out []string
	taken := make([]bool, len(s)+1)
	var unitless []string
	// The patterns run only where they can match: regexps are the cost
	// of extraction.
	var dims [][]int
	if hasDigit && (strings.Contains(lower, "x") || strings.Contains(lower, "by")) {
		dims = dimRE.FindAllStringSubmatchIndex(s, -1)
	}
	for _, m := range dims {
		var nums, us []string
		for g := 1; g+1 < len(m)/2; g += 2 {
			if m[2*g] < 0 {
				continue
			}
			nums = append(nums, numText(s[m[2*g]:m[2*g+1]]))
			u := ""
			if m[2*g+2] >= 0 {
				u = units[strings.ToLower(s[m[2*g+2]:m[2*g+3]])]
			}
			us = append(us, u)
		}
		if tail := strings.ToLower(strings.TrimSpace(s[m[1]-min(6, m[1]-m[0]) : m[1]])); strings.HasSuffix(tail, "inch") || strings.HasSuffix(tail, "inches") {
			us[len(us)-1] = "in"
		}
		for i := m[0]; i < m[1]; i++ {
			taken[i] = true
		}
		d := dimText(nums, us)
		if !strings.Contains(d, " in") && !strings.ContainsAny(d[len(d)-2:], "abcdefghijklmnopqrstuvwxyz") {
			unitless = append(unitless, d)
			continue
		}
		out = appendUnique(out, d)
	}
	for _, d := range unitless {
		if !slicesHasPrefix(out, d+" ") {
			out = appendUnique(out, d)
		}
	}
	var ones [][]int
	if hasDigit {
		ones = oneRE.FindAllStringSubmatchIndex(s, -1)
	}
	for _, m := range ones {
		if taken[m[0]] {
			continue
		}
		u := strings.ToLower(s[m[4]:m[5]])
		rest := strings.TrimLeft(s[m[1]:], " -")
		if u == "in" && rest != "" && (rest[0] >= '0' && rest[0] <= '9') {
			continue // "2 in 1"
		}
		if u == "'" && strings.HasPrefix(rest, "s") {
			continue // "90's"
		}
		out = appendUnique(out, numText(s[m[2]:m[3]])+" "+units[u])
	}
	if strings.Contains(lower, "letter") || strings.Contains(lower, "legal") || strings.Contains(lower, "tabloid") || strings.Contains(lower, "ledger") {
		for _, m := range paperRE.FindAllStringSubmatch(s, -1) {
			if m[2] == "" {
				out = appendUnique(out, strings.ToLower(m[1]))
			}
		}
	}
	if hasDigit {
		for _, m := range isoRE.FindAllString(s, -1) {
			out = appendUnique(out, m)
		}
	}
	if strings.Contains(lower, "size") {
		for _, m := range apparelRE.FindAllStringSubmatch(s, -1) {
			out = appendUnique(out, strings.ToUpper(m[1]))
		}
	}
	return out
}

// slicesHasPrefix reports whether some value starts with prefix.
func slicesHasPrefix(vs []string, prefix string) bool {
	for _, v := range vs {
		if strings.HasPrefix(v, prefix) {
			return true
		}
	}
	return false
}

// numText writes a number with one space inside mixed fractions kept as
// written ("11-1/2", "3 1/3").
func numText(s string) string { return strings.Join(strings.Fields(s), " ") }

// dimText joins a dimension's numbers. One shared unit (or a unit only on
// the last number) is written once at the end; different units are
// written after each number.
func dimText(nums, us []string) string {
	same := true
	last := us[len(us)-1]
	for _, u := range us[:len(us)-1] {
		if u != "" && u != last {
			same = false
		}
	}
	if same {
		d := strings.Join(nums, " x ")
		if last != "" {
			d += " " + last
		}
		return d
	}
	parts := make([]string, len(nums))
	for i := range nums {
		parts[i] = nums[i]
		if us[i] != "" {
			parts[i] += " " + us[i]
		}
	}
	return strings.Join(parts, " x ")
}

// Pack size patterns. numberWord matches a count written in digits or
// words.
const numberWord = `(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)`

// numStart starts a count: not inside a decimal, a fraction or a part
// number ("0.5 Inch Binder Clips", "PT-2430PC").
const numStart = `(?:^|[^\w.,/-])`

const container = `(?:pack|pk|pkg|package|box|bx|case|carton|ctn|dispenser|set|bag|tube|roll|ream)`

var (
	totalRE = regexp.MustCompile(`(?i)\b(\d[\d,]*)\s+total\b`)
	// packPatterns are tried in turn; a pattern runs only when the
	// lower-case title holds one of its cues (regexps are the cost of
	// extraction).
	packPatterns = []struct {
		kind int
		re   *regexp.Regexp
		cues []string
	}{
		{packCount, regexp.MustCompile(`(?i)\b(?:pack|box|case|carton|set|bag|bundle|package|tube)\s+of\s+` + numberWord + `\b`), []string{" of "}},
		{packCount, regexp.MustCompile(`(?i)\b(?:qty|quantity)\.?:?\s*(\d[\d,]*)\b`), []string{"qty", "quantity"}},
		{packCount, regexp.MustCompile(`(?i)` + numStart + numberWord + `(?:[\s-]+[a-z]+){0,2}\s*(?:/|\bper\b)\s*` + container + `\b`), []string{"/", "per"}},
		{packCount, regexp.MustCompile(`(?i)` + numStart + numberWord + `\s*-?\s*(?:pack|pk|count|ct|pcs|pc|piece|pieces|hook|hooks)\b`), []string{"pack", "pk", "count", "ct", "pc", "piece", "hook"}},
		{packDozen, regexp.MustCompile(`(?i)\b(?:(\d+)\s+)?dozen\b`), []string{"dozen"}},
		{packSingle, regexp.MustCompile(`(?i)\b()sold individually\b`), []string{"individually"}},
		{packNoun, regexp.MustCompile(`(?i)` + numStart + `(\d[\d,]*)\s+(?:[a-z]+\s+){0,2}?(?:` + countNounsRE + `)\b`), []string{"s"}},
	}
	heldRE = regexp.MustCompile(`(?i)\b(holds|up to|capacity|of)\s*$`)
)

// Kinds of pack patterns.
const (
	packCount  = iota // the number is the count
	packDozen         // 12 times the number, if any
	packSingle        // one
	packNoun          // the number, unless the title says it is held ("Holds 1100 Cards")
)

// countNouns are the plural nouns a count of units goes with ("50
// Sheets", "200 Shipping Labels").
var countNouns = []string{"sheets", "pouches", "labels", "envelopes", "pens", "pencils", "markers", "highlighters",
	"cards", "tabs", "sticks", "clips", "folders", "bags", "mailers", "rolls", "pads", "notes", "squares", "erasers",
	"refills", "cartridges", "batteries", "stickers", "dividers", "binders", "boxes", "crayons", "staples", "tags",
	"badges", "flags", "hooks"}

var countNounsRE = strings.Join(countNouns, "|")

var wordNumbers = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}

// maxPack bounds a pack size; larger numbers are not counts.
const maxPack = 1_000_000

// packSize returns how many units a title says the item holds: a stated
// total first, else the first count pattern ("Pack of 12", "12-Pack", "12
// Count", "300/Pack", "Box of 100", "Dozen", "50 Sheets"); 0 when none.
func packSize(title string) int {
	lower := strings.ToLower(title)
	if !strings.ContainsFunc(lower, func(r rune) bool { return r >= '0' && r <= '9' }) && !strings.Contains(lower, "dozen") &&
		!strings.Contains(lower, "individually") && !strings.Contains(lower, " of ") {
		return 0
	}
	if strings.Contains(lower, "total") {
		if m := totalRE.FindStringSubmatch(title); m != nil {
			if n := countValue(m[1]); n > 0 {
				return n
			}
		}
	}
	best, bestAt := 0, len(title)+1
	for _, p := range packPatterns {
		if !slices.ContainsFunc(p.cues, func(c string) bool { return strings.Contains(lower, c) }) {
			continue
		}
		for from := 0; from < bestAt; {
			m := p.re.FindStringSubmatchIndex(title[from:])
			if m == nil || from+m[0] >= bestAt {
				break
			}
			text := ""
			if m[2] >= 0 {
				text = title[from+m[2] : from+m[3]]
			}
			n := 0
			switch p.kind {
			case packCount:
				n = countValue(text)
			case packDozen:
				n = 12
				if text != "" {
					n *= countValue(text)
				}
			case packSingle:
				n = 1
			case packNoun:
				if heldRE.MatchString(title[:from+m[2]]) {
					from += m[1]
					continue // "Holds 1100 Cards": a capacity
				}
				n = countValue(text)
			}
			if n > 0 {
				best, bestAt = n, from+m[0]
			}
			break
		}
	}
	return best
}

// countValue parses a count in digits (with thousands commas) or words;
// 0 when out of range.
func countValue(s string) int {
	if n, ok := wordNumbers[strings.ToLower(s)]; ok {
		return n
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil || n <= 0 || n > maxPack {
		return 0
	}
	return n
}
