// Package extract reads structured attributes from an item's own text:
// brand, colours, materials, sizes and dimensions, pack size, model
// numbers and keyword tags, into an aisle.Extracted. It is rule-based and
// deterministic: lexicons of colours and materials (English and a few
// Chinese words), patterns for sizes, counts and part numbers, and
// document frequencies learnt from the catalog for tags.
//
// Sizes, pack size, model numbers, colours and tags come from the title,
// where listings state the item's own facts; descriptions are full of
// other products' part numbers, compatibility lists and "available in"
// colours. Materials also come from the description, but only where it
// says what the item is made of ("made of durable steel", "plastic
// construction").
package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
)

// Bounds on what Extract returns, whatever the input.
const (
	// MaxValues caps each list (colours, materials, sizes, model numbers).
	MaxValues = 16
	// MaxTags caps Extracted.Tags.
	MaxTags = 10
	// MaxValueBytes caps each returned string.
	MaxValueBytes = 64
)

// Extractor extracts attributes from items. Create it with New. It is safe
// for concurrent use; it never changes after New.
type Extractor struct {
	// brands maps a brand's words (lower case, one space apart) to its
	// canonical spelling.
	brands map[string]string
	// maxBrandWords is the longest brand in words.
	maxBrandWords int
	docFreq       map[string]int
	docs          int
}

// New returns an extractor using the vocabulary v (see Learn). The zero
// Vocabulary works: brands then come only from the items' brand fields,
// and tags keep title order.
func New(v Vocabulary) *Extractor {
	e := &Extractor{brands: make(map[string]string, len(v.Brands)), docFreq: v.DocFreq, docs: v.Docs}
	for _, b := range v.Brands {
		key := strings.Join(wordsOf(b), " ")
		if key == "" {
			continue
		}
		if _, dup := e.brands[key]; !dup {
			e.brands[key] = cleanBrand(b)
		}
		e.maxBrandWords = max(e.maxBrandWords, strings.Count(key, " ")+1)
	}
	return e
}

// Extract returns the attributes found in it's text. It never fails: odd
// or empty text gives empty fields. The category path is the item's own
// (a copy). The result is never nil.
func (e *Extractor) Extract(it *aisle.Item) *aisle.Extracted {
	title := strings.ToValidUTF8(it.Title, "")
	desc := strings.ToValidUTF8(it.Description, "")
	ex := &aisle.Extracted{Category: clipAll(slices.Clone(it.Categories), MaxValues)}
	if len(ex.Category) == 0 {
		ex.Category = nil
	}
	ex.Brand = e.brand(strings.ToValidUTF8(it.Brand, ""), title)

	raw := rawTokens(title)
	ws := titleWords(raw)
	skip := e.brandMask(ws, ex.Brand)
	ex.Colors = matchLexicon(ws, skip, colorNames, notColors)
	ex.Colors = appendCJK(ex.Colors, title, cjkColors)
	ex.Materials = matchLexicon(ws, skip, materialNames, nil)
	ex.Materials = appendCJK(ex.Materials, title, cjkMaterials)
	ex.Materials = appendUnique(ex.Materials, descriptionMaterials(desc)...)
	ex.Sizes = sizes(title)
	ex.PackSize = packSize(title)
	ex.ModelNumbers = modelNumbersInParens(modelNumbers(raw, brandTokens(raw, ex.Brand)), title)
	ex.Tags = e.tags(ws, skip)

	ex.Colors = clipAll(ex.Colors, MaxValues)
	ex.Materials = clipAll(ex.Materials, MaxValues)
	ex.Sizes = clipAll(ex.Sizes, MaxValues)
	ex.ModelNumbers = clipAll(ex.ModelNumbers, MaxValues)
	ex.Tags = clipAll(ex.Tags, MaxTags)
	return ex
}

// brand returns the item's own brand, cleaned, or else the longest known
// brand that the title starts with.
func (e *Extractor) brand(field, title string) string {
	if b := cleanBrand(field); b != "" {
		return clip(b)
	}
	ws := wordsOf(title)
	for n := min(e.maxBrandWords, len(ws)); n > 0; n-- {
		if b, ok := e.brands[strings.Join(ws[:n], " ")]; ok {
			return clip(b)
		}
	}
	return ""
}

// cleanBrand trims space and trademark signs.
func cleanBrand(s string) string {
	s = strings.NewReplacer("®", "", "™", "", "(R)", "", "(TM)", "").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// word is one lower-case word of a title; brk marks a word that begins a
// new token run (after a token with digits), so phrases never span it.
type word struct {
	text string
	brk  bool
}

// rawTokens splits text at spaces and at punctuation that never belongs
// inside a part number or a size.
func rawTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		switch r {
		case ',', '(', ')', '[', ']', '{', '}', ';', '|', '!', '?', '*', '–', '—', '·', '、', '，', '（', '）':
			return true
		}
		return unicode.IsSpace(r)
	})
}

// titleWords splits raw tokens into lower-case words. Tokens holding a
// digit (part numbers, sizes, counts) give no words, so "B515-BLACK" is
// not a colour.
func titleWords(raw []string) []word {
	var ws []word
	brk := false
	for _, t := range raw {
		if strings.ContainsFunc(t, unicode.IsDigit) {
			brk = true
			continue
		}
		for _, w := range splitWord(t) {
			ws = append(ws, word{text: w, brk: brk})
			brk = false
		}
	}
	return ws
}

// wordsOf returns the lower-case words of s, digits and all.
func wordsOf(s string) []string {
	var out []string
	for _, t := range rawTokens(s) {
		out = append(out, splitWord(t)...)
	}
	return out
}

// splitWord splits a token at hyphens and slashes and trims punctuation
// and trademark signs, lower-casing what is left.
func splitWord(t string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(t, func(r rune) bool { return r == '-' || r == '/' || r == '+' }) {
		p = strings.TrimFunc(p, func(r rune) bool {
			return r == '.' || r == ':' || r == '"' || r == '\'' || r == '®' || r == '™' || r == '#' || r == '”' || r == '“'
		})
		if p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// brandMask marks the words of the title that spell the brand, so "Black
// & Decker" gives no colour and "B&R Plastics" no material.
func (e *Extractor) brandMask(ws []word, brand string) []bool {
	skip := make([]bool, len(ws))
	bw := wordsOf(brand)
	if len(bw) == 0 {
		return skip
	}
	for i := 0; i+len(bw) <= len(ws); i++ {
		match := true
		for j, b := range bw {
			if ws[i+j].text != b {
				match = false
				break
			}
		}
		if match {
			for j := range bw {
				skip[i+j] = true
			}
		}
	}
	return skip
}

// matchLexicon returns the canonical names of lexicon phrases found in ws
// (two-word phrases first), in title order, skipping masked words and
// the words of the blocked phrases.
func matchLexicon(ws []word, skip []bool, lex map[string]string, blocked []string) []string {
	var out []string
	for i := 0; i < len(ws); i++ {
		if skip[i] {
			continue
		}
		if n := matchBlocked(ws[i:], blocked); n > 0 {
			i += n - 1
			continue
		}
		if i+1 < len(ws) && !skip[i+1] && !ws[i+1].brk {
			if name, ok := lex[ws[i].text+" "+ws[i+1].text]; ok {
				out = appendUnique(out, name)
				i++
				continue
			}
		}
		if name, ok := lex[ws[i].text]; ok {
			out = appendUnique(out, name)
		}
	}
	return out
}

// matchBlocked returns how many words of a blocked phrase ws starts with,
// or 0.
func matchBlocked(ws []word, blocked []string) int {
	for _, p := range blocked {
		pw := strings.Split(p, " ")
		if len(pw) > len(ws) {
			continue
		}
		match := true
		for j, w := range pw {
			if ws[j].text != w || (j > 0 && ws[j].brk) {
				match = false
				break
			}
		}
		if match {
			return len(pw)
		}
	}
	return 0
}

// appendCJK appends the names of the Chinese words s contains.
func appendCJK(out []string, s string, lex []struct{ word, name string }) []string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		return out
	}
	for _, w := range lex {
		if strings.Contains(s, w.word) {
			out = appendUnique(out, w.name)
		}
	}
	return out
}

// descriptionMaterials returns the materials a description says the item
// is made of: words in the few words after "made of", "made from",
// "made with", "constructed of/from", "crafted from/of", and the two words
// before "construction".
func descriptionMaterials(desc string) []string {
	if desc == "" {
		return nil
	}
	lower := strings.ToLower(desc)
	var out []string
	for _, cue := range []string{"made of ", "made from ", "made with ", "constructed of ", "constructed from ", "crafted from ", "crafted of "} {
		for rest := lower; ; {
			i := strings.Index(rest, cue)
			if i < 0 {
				break
			}
			rest = rest[i+len(cue):]
			out = appendUnique(out, materialsIn(sentenceWords(rest, 6))...)
		}
	}
	for rest := lower; ; {
		i := strings.Index(rest, " construction")
		if i < 0 {
			break
		}
		before := rest[:i]
		if j := strings.LastIndexAny(before, ".!?;:"); j >= 0 {
			before = before[j+1:]
		}
		ws := wordsOf(before)
		out = appendUnique(out, materialsIn(ws[max(0, len(ws)-2):])...)
		rest = rest[i+len(" construction"):]
	}
	return out
}

// sentenceWords returns up to n words of s before the end of its sentence.
func sentenceWords(s string, n int) []string {
	if j := strings.IndexAny(s, ".!?;:"); j >= 0 {
		s = s[:j]
	}
	ws := wordsOf(s)
	return ws[:min(n, len(ws))]
}

// materialsIn returns the materials named in ws.
func materialsIn(ws []string) []string {
	w := make([]word, len(ws))
	for i, s := range ws {
		w[i] = word{text: s}
	}
	return matchLexicon(w, make([]bool, len(w)), materialNames, nil)
}

// appendUnique appends the values not already in out.
func appendUnique(out []string, vs ...string) []string {
	for _, v := range vs {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// clipAll keeps at most n values, each at most MaxValueBytes long.
func clipAll(vs []string, n int) []string {
	if len(vs) > n {
		vs = vs[:n]
	}
	for i := range vs {
		vs[i] = clip(vs[i])
	}
	return vs
}

// clip cuts s to MaxValueBytes at a rune boundary.
func clip(s string) string {
	if len(s) <= MaxValueBytes {
		return s
	}
	s = s[:MaxValueBytes]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
