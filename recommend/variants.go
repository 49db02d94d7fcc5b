package recommend

import (
	"html"
	"slices"
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/extract"
)

// Variants: items of one product line that differ only in colour, size or
// pack count ("AT&T 210 Corded Phone, White" and "…, Black") share a
// variant key. A recommendation list holds one item per key, the
// best-ranked, with the others as its options (aisle.Recommendation.
// Variants), and leaves out every item whose key is that of something the
// shopper bought: another colour of what they just bought is not a find.

// variantKey returns the key the variants of an item share: its brand
// (lower-cased, "" when unknown), its leaf category and its title without
// colour words (extract.IsColorWord, the vocabulary of aisle.Item.Colors),
// sizes ("A4", "Letter", "Small", "5 oz", "0.7mm"), pack counts ("Pack of
// 12", "12-Pack", "12 Count", "2 Handsets"), single-token codes in
// parentheses ("(GSF11-Blk)") and punctuation. Numbers that are not sizes
// or counts stay: "AT&T 210" and "AT&T 240" are different phones. It
// returns "" when fewer than two words remain (too little to say two items
// are one product).
func variantKey(brand, leaf, title string) string {
	words := variantWords(title)
	if len(words) < 2 {
		return ""
	}
	return strings.ToLower(html.UnescapeString(strings.TrimSpace(brand))) + "\x00" + strings.ToLower(leaf) + "\x00" + strings.Join(words, " ")
}

// units are units of size, weight, volume, capacity and count.
var units = wordSet("oz", "fl", "floz", "mm", "cm", "m", "in", "inch", "inches", "ft", "feet", "yd", "yds", "yard", "yards", "ml",
	"l", "lb", "lbs", "g", "kg", "gb", "tb", "mb", "pk", "ct", "pc", "pcs", "pack", "packs", "count", "mil", "gsm", "sheet",
	"sheets", "ream", "reams", "roll", "rolls")

// isSizeUnit reports whether w is a number with a unit of size or count
// written as one word ("5oz", "0.7mm", "12pk", "8gb").
func isSizeUnit(w string) bool {
	i := strings.IndexFunc(w, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	return i > 0 && w[0] != '.' && units[w[i:]]
}

// packWords say how an item is packed, wherever they stand ("Value
// Pack", "12 Count"), in the singular.
var packWords = wordSet("pack", "pk", "count", "ct", "pc", "pcs", "dozen", "each", "ea")

// countNouns are what a pack count counts ("12 Pens", "2 Handsets",
// "Box of 12"), in the singular: left out after a number, or before "of"
// and a number.
var countNouns = wordSet("pack", "pk", "count", "ct", "pc", "pcs", "piece", "box", "carton", "case", "set", "dozen", "pen",
	"pencil", "marker", "highlighter", "refill", "cartridge", "handset", "sheet", "ream", "roll", "label", "envelope",
	"folder", "tab", "clip", "pad", "notebook", "pouch", "card", "battery", "bag", "unit", "tape", "each", "ea")

// cleanTitle returns title without one-token codes in parentheses or
// brackets ("(GSF11-Blk)"), and with the hyphens before a digit that
// follow a letter or digit dropped, so that model numbers stay whole
// ("LW-300" → "LW300") while packs split ("12-Pack").
func cleanTitle(t string) string {
	var out strings.Builder
	out.Grow(len(t))
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c == '(' || c == '[' {
			if j := strings.IndexAny(t[i+1:], ")] \t\n([") + i + 1; j > i+1 && (t[j] == ')' || t[j] == ']') {
				out.WriteByte(' ')
				i = j
				continue
			}
		}
		if c == '-' && i > 0 && i+1 < len(t) && isDigit(t[i+1]) && (isDigit(t[i-1]) || unicode.IsLetter(rune(t[i-1]))) {
			continue
		}
		out.WriteByte(c)
	}
	return out.String()
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// sizeWords are sizes written as words, and words about colour, size and
// packaging that carry no product line.
var sizeWords = wordSet("a3", "a4", "a5", "a6", "b5", "letter", "legal", "tabloid", "ledger", "executive", "small", "medium",
	"large", "xl", "xxl", "xs", "s", "m", "l", "jumbo", "size", "sized", "assorted", "color", "colors", "colour", "colours",
	"colored", "multicolor", "multi", "value", "bulk", "x")

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// variantWords returns the words of title that name its product line.
func variantWords(title string) []string {
	t := cleanTitle(strings.ToLower(html.UnescapeString(title)))
	toks := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' })
	for i := range toks {
		toks[i] = strings.Trim(toks[i], ".")
	}
	var out []string
	for i := 0; i < len(toks); i++ {
		w := toks[i]
		switch {
		case w == "":
		case i+1 < len(toks) && extract.IsColorWord(w+" "+toks[i+1]):
			i++
		case countNouns[singular(w)] && i+2 < len(toks) && toks[i+1] == "of" && isNumber(toks[i+2]):
			i += 2 // "Box of 12"
		case extract.IsColorWord(w), sizeWords[w], packWords[singular(w)], isSizeUnit(w):
		case isNumber(w) && i+2 < len(toks) && toks[i+1] == "per":
			i += 2 // "2 per Card"
		case isNumber(w) && i+1 < len(toks) && (isSizeUnit("1"+toks[i+1]) || toks[i+1] == "x"):
			i++ // "5 oz", "8.5 x"
		case isNumber(w) && countedAt(toks, i+1) > 0:
			i = countedAt(toks, i+1) // "12 Pens", "12 Yellow Highlighters"
		default:
			out = append(out, singular(w))
		}
	}
	return out
}

// countedAt returns the index of the count noun at toks[j], after colour
// words if any ("Yellow Highlighters"); 0 when there is none.
func countedAt(toks []string, j int) int {
	for j < len(toks) && (extract.IsColorWord(toks[j]) || sizeWords[toks[j]]) {
		j++
	}
	if j < len(toks) && countNouns[singular(toks[j])] {
		return j
	}
	return 0
}

// isNumber reports whether w is a number ("12", "0.7").
func isNumber(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

// singular strips a plural "s" ("pens" → "pen").
func singular(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// addVariant records item id under its variant key (none for "").
func (m *memory) addVariant(id, key string) {
	if key != "" {
		m.variants[key] = append(m.variants[key], id)
	}
}

// removeVariant forgets item id under its variant key.
func (m *memory) removeVariant(id, key string) {
	ids := m.variants[key]
	if i := slices.Index(ids, id); i >= 0 {
		ids = slices.Delete(slices.Clone(ids), i, i+1)
	}
	if len(ids) == 0 {
		delete(m.variants, key)
	} else {
		m.variants[key] = ids
	}
}

// variantSet is one request's variant bookkeeping: the keys of what the
// shopper bought, and for each key the item picked for it. Not safe for
// concurrent use.
type variantSet struct {
	bought map[string]bool   // keys of the shopper's purchases
	first  map[string]string // key → the item picked for it
}

// variantsFor returns a variantSet for a request of user; with
// includeBought the variants of their purchases are allowed too. It reads
// e.mem.
func (e *Engine) variantsFor(user string, includeBought bool) *variantSet {
	v := &variantSet{bought: map[string]bool{}, first: map[string]string{}}
	if includeBought || user == "" {
		return v
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	for _, id := range e.mem.bought[user] {
		if k := e.mem.items[id].variant; k != "" {
			v.bought[k] = true
		}
	}
	return v
}

// admit is take with variants: an item whose key the shopper bought is
// refused, and so is one whose key an item picked earlier has (it is
// that item's option); otherwise f's cap decides, and an item taken is
// recorded as its key's pick.
func (f *filter) admit(id string, b brief) bool {
	if f == nil {
		return true
	}
	v := f.variants
	if v == nil || b.variant == "" {
		return f.take(b)
	}
	if v.bought[b.variant] {
		return false
	}
	if first, ok := v.first[b.variant]; ok && first != id {
		return false
	}
	if !f.take(b) {
		return false
	}
	v.first[b.variant] = id
	return true
}

// attachVariants sets the Variants of each of recs to the other items of
// its product line that can be bought and that v's shopper did not buy
// (v nil: nothing changes).
func (e *Engine) attachVariants(v *variantSet, recs []aisle.Recommendation) {
	if v == nil {
		return
	}
	e.memMu.RLock()
	defer e.memMu.RUnlock()
	for i := range recs {
		key := e.mem.items[recs[i].Item].variant
		if key == "" {
			continue
		}
		for _, id := range e.mem.variants[key] {
			if b := e.mem.items[id]; id != recs[i].Item && b.buyable {
				recs[i].Variants = append(recs[i].Variants, aisle.Variant{Item: id, Title: b.title})
			}
		}
	}
}
