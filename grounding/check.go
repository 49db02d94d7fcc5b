package grounding

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/extract"
)

// ClaimKind is what a claim is about.
type ClaimKind string

// The kinds of claim the checker finds.
const (
	ClaimNumber       ClaimKind = "number"
	ClaimSize         ClaimKind = "size"
	ClaimPack         ClaimKind = "pack"
	ClaimBrand        ClaimKind = "brand"
	ClaimColor        ClaimKind = "color"
	ClaimMaterial     ClaimKind = "material"
	ClaimModel        ClaimKind = "model"
	ClaimCompat       ClaimKind = "compatibility"
	ClaimPrice        ClaimKind = "price"
	ClaimAvailability ClaimKind = "availability"
)

// Claim is one factual claim found in a text.
type Claim struct {
	Kind ClaimKind `json:"kind"`
	// Value is the claim normalised: "navy blue", "8.5 x 11 in", "12",
	// "HP 940", "12.99".
	Value string `json:"value"`
	// Segment is the index, in Segments(text), of the sentence or bullet
	// holding the claim.
	Segment   int  `json:"segment"`
	Supported bool `json:"supported"`
}

// Report is what Check found.
type Report struct {
	Claims []Claim `json:"claims"`
	// Supported and Unsupported count the claims.
	Supported   int `json:"supported"`
	Unsupported int `json:"unsupported"`
}

// Precision returns the share of claims the facts support; 1 when there
// are none.
func (r Report) Precision() float64 {
	if n := r.Supported + r.Unsupported; n > 0 {
		return float64(r.Supported) / float64(n)
	}
	return 1
}

// UnsupportedClaims returns the claims the facts do not support.
func (r Report) UnsupportedClaims() []Claim {
	var out []Claim
	for _, c := range r.Claims {
		if !c.Supported {
			out = append(out, c)
		}
	}
	return out
}

// Checker finds factual claims in text and checks them against a fact
// sheet. Create it with NewChecker; it never changes afterwards and is
// safe for concurrent use.
type Checker struct {
	ex *extract.Extractor
	// brands maps the first word of each known brand (lower case) to the
	// brands' word lists.
	brands map[string][][]string
}

// NewChecker returns a checker that knows the brands named (typically
// the catalog's brand fields): a mention of one of them that the facts do
// not name is an unsupported brand claim. With no brands, only the item's
// own brand is recognised as a brand.
func NewChecker(brands []string) *Checker {
	c := &Checker{ex: extract.New(extract.Vocabulary{}), brands: map[string][][]string{}}
	for _, b := range brands {
		ws := words(b)
		if len(ws) == 0 || len(ws) > 6 {
			continue
		}
		if !slices.ContainsFunc(c.brands[ws[0]], func(o []string) bool { return slices.Equal(o, ws) }) {
			c.brands[ws[0]] = append(c.brands[ws[0]], ws)
		}
	}
	return c
}

// Check finds the factual claims of text (English or Chinese) and says
// which f supports; see Checker.Check. It knows no brands besides f's.
func Check(text string, f *Facts) Report { return NewChecker(nil).Check(text, f) }

// Filter removes from text the sentences and bullets holding a claim f
// does not support; see Checker.Filter.
func Filter(text string, f *Facts) (string, Report) { return NewChecker(nil).Filter(text, f) }

// Check finds the factual claims of text, sentence by sentence, and marks
// those f supports:
//   - colours and materials (English and Chinese words) the facts name,
//     in the text of any fact or in the photo's colours;
//   - sizes ("8.5 x 11 in", "500 ml", "A4") among the facts' sizes, or
//     whose numbers and unit the facts state;
//   - pack counts ("Pack of 12", "12-pack", "12支装") equal to a count the
//     facts state;
//   - model and part numbers the facts hold (letters and digits compared
//     without punctuation or case);
//   - brands (known brands, written with a capital) the facts name;
//   - compatibility ("for HP 940", "compatible with ...", "适用于 ...")
//     whose words appear together in one fact;
//   - prices equal to the item's price (to the cent) in its currency, or
//     stated in a fact;
//   - availability ("in stock", "out of stock", "有货") matching the
//     item's;
//   - every other number, when some fact holds it.
//
// The text is data: nothing in it is interpreted beyond these patterns.
// Check never fails; odd input gives no claims.
func (c *Checker) Check(text string, f *Facts) Report {
	return c.CheckPrepared(text, c.Prepare(f))
}

// Prepared is a fact sheet indexed for checking: reading the facts with
// the claim patterns is most of a check's work, so a caller checking
// several texts against the same facts prepares them once.
type Prepared struct {
	f   *Facts
	sup *support
}

// Prepare indexes f (nil: no facts) for CheckPrepared. The Facts must not
// change while the Prepared is used.
func (c *Checker) Prepare(f *Facts) *Prepared {
	if f == nil {
		f = &Facts{}
	}
	return &Prepared{f: f, sup: c.support(f)}
}

// Supports reports whether p's facts support cl, a claim found by a
// Check whose facts had p's brand, or had none when p's brand is not
// mentioned in the claim's segment (the only way facts change what a
// text claims is the item's own brand, read as a brand and kept out of
// model numbers where the text names it).
func (p *Prepared) Supports(cl Claim) bool { return p.sup.supports(cl, p.f) }

// Brand returns the brand of p's facts.
func (p *Prepared) Brand() string { return p.f.Brand }

// CheckPrepared is Check against facts prepared by this Checker.
func (c *Checker) CheckPrepared(text string, p *Prepared) Report {
	f, sup := p.f, p.sup
	var r Report
	for i, seg := range Segments(text) {
		for _, cl := range c.claims(seg.Text, f) {
			cl.Segment = i
			cl.Supported = sup.supports(cl, f)
			r.Claims = append(r.Claims, cl)
			if cl.Supported {
				r.Supported++
			} else {
				r.Unsupported++
			}
		}
	}
	return r
}

// Filter returns text without the segments (see Segments) holding a
// claim f does not support, and the report of the text as given. What is
// left has no unsupported claim; it is trimmed of white space at both
// ends.
func (c *Checker) Filter(text string, f *Facts) (string, Report) {
	r := c.Check(text, f)
	if r.Unsupported == 0 {
		return strings.TrimSpace(text), r
	}
	drop := map[int]bool{}
	for _, cl := range r.Claims {
		if !cl.Supported {
			drop[cl.Segment] = true
		}
	}
	var b strings.Builder
	for i, seg := range Segments(text) {
		if !drop[i] {
			b.WriteString(seg.Text)
		}
	}
	return strings.TrimSpace(b.String()), r
}

// claims returns the claims of one segment, unchecked.
func (c *Checker) claims(seg string, f *Facts) []Claim {
	if isBlank(seg) {
		return nil
	}
	var out []Claim
	add := func(k ClaimKind, v string) {
		if v != "" && !slices.ContainsFunc(out, func(o Claim) bool { return o.Kind == k && o.Value == v }) {
			out = append(out, Claim{Kind: k, Value: v})
		}
	}
	plain := spaced(seg)
	// The extractor reads one pack count per text: read the segment and
	// each of its phrases.
	for _, ph := range phrases(plain) {
		ex := c.ex.Extract(&aisle.Item{Title: ph, Brand: f.Brand})
		for _, v := range ex.Colors {
			add(ClaimColor, v)
		}
		for _, v := range ex.Materials {
			add(ClaimMaterial, v)
		}
		for _, v := range ex.Sizes {
			add(ClaimSize, v)
		}
		if ex.PackSize > 0 {
			add(ClaimPack, strconv.Itoa(ex.PackSize))
		}
		for _, v := range ex.ModelNumbers {
			// "Model number: X" reads "number:" as a model; a model
			// claim needs a digit.
			if strings.ContainsFunc(v, unicode.IsDigit) {
				add(ClaimModel, v)
			}
		}
	}
	for _, v := range cjkSizes(plain) {
		add(ClaimSize, v)
	}
	for _, n := range cjkPacks(plain) {
		add(ClaimPack, n)
	}
	for _, v := range c.brandMentions(plain, f) {
		add(ClaimBrand, v)
	}
	for _, v := range c.compat(plain) {
		add(ClaimCompat, v)
	}
	for _, v := range prices(plain) {
		add(ClaimPrice, v)
	}
	for _, v := range availability(plain) {
		add(ClaimAvailability, v)
	}
	// Every number not already part of a claim is a claim of its own.
	covered := map[string]bool{}
	for _, cl := range out {
		for _, n := range numbers(cl.Value) {
			covered[n] = true
		}
	}
	for _, n := range numbers(plain) {
		if !covered[n] {
			add(ClaimNumber, n)
		}
	}
	return out
}

// phrases returns s and, when it has several, its phrases: the parts
// between ", ", ";", "|" and parentheses.
func phrases(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '|' || r == '(' || r == ')' })
	var out []string
	for _, p := range parts {
		out = append(out, strings.Split(p, ", ")...)
	}
	if len(out) <= 1 {
		return []string{s}
	}
	return append([]string{s}, out...)
}

var cjkPunct = strings.NewReplacer(
	"。", " . ", "，", " , ", "、", " , ", "；", " ; ", "：", " : ", "！", " ! ", "？", " ? ",
	"（", " ( ", "）", " ) ", "【", " [ ", "】", " ] ", "《", " ", "》", " ", "“", ` " `, "”", ` " `,
)

// spaced returns s with Chinese punctuation turned into ASCII and spaces
// between Han characters and other letters or digits, so the word-based
// patterns see "HP 940" in "适用于HP940墨盒" as they would in English.
func spaced(s string) string {
	if !strings.ContainsFunc(s, isHan) {
		return s
	}
	s = cjkPunct.Replace(s)
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if prev != 0 && (isHan(prev) != isHan(r)) && !unicode.IsSpace(prev) && !unicode.IsSpace(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// words returns the lower-case words of s: runs of letters, digits, '&'
// and apostrophes.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' && r != '\''
	})
}

// brandMentions returns the known brands (and f's brand) s names,
// each written with a capital or a digit first, as the brand is spelled
// in the checker's list, lower case.
func (c *Checker) brandMentions(s string, f *Facts) []string {
	type tok struct {
		w       string
		capital bool
	}
	var toks []tok
	for _, raw := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '&' && r != '\''
	}) {
		r := []rune(raw)[0]
		toks = append(toks, tok{w: strings.ToLower(raw), capital: unicode.IsUpper(r) || unicode.IsDigit(r) || !unicode.Is(unicode.Latin, r)})
	}
	own := words(f.Brand)
	var out []string
	for i := 0; i < len(toks); i++ {
		if !toks[i].capital {
			continue
		}
		cands := c.brands[toks[i].w]
		if len(own) > 0 && own[0] == toks[i].w {
			cands = append(slices.Clip(cands), own)
		}
		best := 0
		for _, b := range cands {
			if len(b) <= best || i+len(b) > len(toks) {
				continue
			}
			match := true
			for j, w := range b {
				if toks[i+j].w != w {
					match = false
					break
				}
			}
			if match {
				best = len(b)
			}
		}
		if best > 0 {
			ws := make([]string, best)
			for j := range best {
				ws[j] = toks[i+j].w
			}
			out = append(out, strings.Join(ws, " "))
			i += best - 1
		}
	}
	return out
}

var (
	compatRE    = regexp.MustCompile(`(?i)\b(compatible with|works with|fits|for use with|designed for|replacement for|replaces|for)\s+`)
	cjkCompatRE = regexp.MustCompile(`(适用于|兼容|适配|专用于)\s*`)
)

// compat returns the compatibility claims of s: the capitalised or
// numbered words after "compatible with", "works with", "fits", "for use
// with", "designed for", "replacement for", "replaces" (the next three
// words when none is), or after "for" when they hold a digit or a known
// brand; the letters and digits after 适用于, 兼容, 适配. Values are lower
// case.
func (c *Checker) compat(s string) []string {
	var out []string
	for _, m := range compatRE.FindAllStringSubmatchIndex(s, -1) {
		cue := strings.ToLower(s[m[2]:m[3]])
		rest := strings.Fields(s[m[1]:])
		for len(rest) > 0 && articles[strings.ToLower(rest[0])] {
			rest = rest[1:]
		}
		var took []string
		for _, w := range rest {
			w = strings.TrimRight(w, ".,;:!?)\"'")
			r := []rune(w)
			if len(r) == 0 || !(unicode.IsUpper(r[0]) || unicode.IsDigit(r[0])) || len(took) == 4 {
				break
			}
			took = append(took, w)
			if strings.ContainsAny(rest[len(took)-1], ".,;:!?)") {
				break
			}
		}
		if cue == "for" {
			if len(took) == 0 {
				continue
			}
			phrase := strings.Join(took, " ")
			if !strings.ContainsFunc(phrase, unicode.IsDigit) && len(c.brands[strings.ToLower(took[0])]) == 0 {
				continue
			}
		}
		if len(took) == 0 {
			for _, w := range rest[:min(3, len(rest))] {
				t := strings.TrimRight(w, ".,;:!?)\"'")
				if t == "" || strings.ContainsFunc(t, isHan) {
					break
				}
				took = append(took, t)
				if t != w {
					break
				}
			}
		}
		if v := strings.Join(words(strings.Join(took, " ")), " "); v != "" {
			out = append(out, v)
		}
	}
	for _, m := range cjkCompatRE.FindAllStringIndex(s, -1) {
		rest := []rune(s[m[1]:])
		var b []rune
		for _, r := range rest {
			if len(b) >= 24 || strings.ContainsRune(".,;:!?()[]\"", r) {
				break
			}
			b = append(b, r)
		}
		if v := strings.Join(words(string(b)), " "); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// articles are skipped after a compatibility cue.
var articles = map[string]bool{"the": true, "a": true, "an": true, "your": true, "any": true, "all": true}

var (
	priceSymRE  = regexp.MustCompile(`([$€£¥￥])\s?(\d[\d,]*(?:\.\d+)?)`)
	priceWordRE = regexp.MustCompile(`(?i)(\d[\d,]*(?:\.\d+)?)\s?(USD|EUR|GBP|CNY|RMB|dollars?|euros?|美元|元|块)`)
)

// prices returns the prices s states as "CUR amount" ("USD 12.99"),
// CUR empty when the symbol leaves the currency open.
func prices(s string) []string {
	var out []string
	if strings.ContainsAny(s, "$€£¥￥") {
		for _, m := range priceSymRE.FindAllStringSubmatch(s, -1) {
			out = append(out, currencyOf(m[1])+" "+numKey(m[2]))
		}
	}
	if strings.ContainsFunc(s, unicode.IsDigit) {
		for _, m := range priceWordRE.FindAllStringSubmatch(s, -1) {
			out = append(out, currencyOf(m[2])+" "+numKey(m[1]))
		}
	}
	return out
}

func currencyOf(sym string) string {
	switch strings.ToLower(sym) {
	case "$", "usd", "dollar", "dollars", "美元":
		return "USD"
	case "€", "eur", "euro", "euros":
		return "EUR"
	case "£", "gbp":
		return "GBP"
	case "¥", "￥":
		return "¥"
	case "cny", "rmb", "元", "块":
		return "CNY"
	}
	return ""
}

// availability phrases, longest first so "out of stock" is not "in stock".
var availPhrases = []struct {
	phrase string
	a      aisle.Availability
}{
	{"out of stock", aisle.AvailabilityOutOfStock}, {"sold out", aisle.AvailabilityOutOfStock},
	{"discontinued", aisle.AvailabilityDiscontinued}, {"pre-order", aisle.AvailabilityPreorder},
	{"preorder", aisle.AvailabilityPreorder}, {"in stock", aisle.AvailabilityInStock},
	{"available now", aisle.AvailabilityInStock},
	{"缺货", aisle.AvailabilityOutOfStock}, {"无货", aisle.AvailabilityOutOfStock}, {"售罄", aisle.AvailabilityOutOfStock},
	{"停产", aisle.AvailabilityDiscontinued}, {"预售", aisle.AvailabilityPreorder}, {"预订", aisle.AvailabilityPreorder},
	{"现货", aisle.AvailabilityInStock}, {"有货", aisle.AvailabilityInStock},
}

// availability returns the availability values s claims.
func availability(s string) []string {
	lower := strings.ToLower(s)
	var out []string
	for _, p := range availPhrases {
		if i := strings.Index(lower, p.phrase); i >= 0 {
			lower = lower[:i] + strings.Repeat(" ", len(p.phrase)) + lower[i+len(p.phrase):]
			out = append(out, string(p.a))
		}
	}
	return out
}

var (
	cjkPackRE = regexp.MustCompile(`(\d+)\s*(?:支|个|只|张|件|片|包|盒|卷|本|枚|瓶|套|袋|粒|条|根|把)\s*(?:装|/盒|/包|一盒|一包)`)
	cjkSizeRE = regexp.MustCompile(`(\d+(?:\.\d+)?)\s*(毫米|厘米|米|毫升|升|英寸|克|千克|公斤|磅|盎司)`)
	numberRE  = regexp.MustCompile(`\d[\d,]*(?:\.\d+)?`)
)

// cjkUnits maps Chinese units to the extractor's symbols.
var cjkUnits = map[string]string{
	"毫米": "mm", "厘米": "cm", "米": "m", "毫升": "ml", "升": "l", "英寸": "in",
	"克": "g", "千克": "kg", "公斤": "kg", "磅": "lb", "盎司": "oz",
}

// cjkPacks returns the pack counts s states in Chinese ("12支装").
func cjkPacks(s string) []string {
	if !strings.ContainsFunc(s, isHan) {
		return nil
	}
	var out []string
	for _, m := range cjkPackRE.FindAllStringSubmatch(s, -1) {
		out = append(out, numKey(m[1]))
	}
	return out
}

// cjkSizes returns the sizes s states with Chinese units, as "500 ml".
func cjkSizes(s string) []string {
	if !strings.ContainsFunc(s, isHan) {
		return nil
	}
	var out []string
	for _, m := range cjkSizeRE.FindAllStringSubmatch(s, -1) {
		out = append(out, numKey(m[1])+" "+cjkUnits[m[2]])
	}
	return out
}

// numbers returns the numbers written in s, normalised (numKey).
func numbers(s string) []string {
	if !strings.ContainsFunc(s, unicode.IsDigit) {
		return nil
	}
	var out []string
	for _, n := range numberRE.FindAllString(s, -1) {
		if k := numKey(n); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// numKey normalises a written number: thousands commas dropped, trailing
// zeros of decimals dropped ("6.0" is "6", "1,000" is "1000").
func numKey(s string) string {
	s = strings.Trim(strings.ReplaceAll(s, ",", ""), ".")
	if s == "" {
		return ""
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) {
		return s
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// support is what a fact sheet supports, indexed for the checks.
type support struct {
	colors, materials, sizes, units, packs, numbers map[string]bool
	// prices are the amounts the facts' text states ("Includes $45 in
	// postage"), as prices gives them.
	prices map[string]bool
	// models holds the facts' model numbers and tokens, upper case,
	// letters and digits only.
	models map[string]bool
	// texts are the facts' word lists, for phrases (brands,
	// compatibility).
	texts [][]string
	// joined is every fact's text, lower case, spaces removed (Chinese
	// compatibility).
	joined string
}

// support indexes f: each fact's text is read by the same patterns as
// the claims, so what a fact says the way generated text would say it
// supports that claim.
func (c *Checker) support(f *Facts) *support {
	s := &support{
		colors: set(f.Colors, f.PhotoColors), materials: set(f.Materials), sizes: set(f.Sizes),
		units: map[string]bool{}, prices: map[string]bool{}, packs: map[string]bool{}, numbers: map[string]bool{}, models: map[string]bool{},
	}
	if f.PackSize > 0 {
		s.packs[strconv.Itoa(f.PackSize)] = true
		s.numbers[strconv.Itoa(f.PackSize)] = true
	}
	for _, m := range f.ModelNumbers {
		s.models[modelKey(m)] = true
	}
	if f.Price != nil {
		s.numbers[numKey(strconv.FormatFloat(*f.Price, 'f', 2, 64))] = true
	}
	var joined strings.Builder
	for _, t := range f.texts() {
		plain := spaced(t)
		parts := phrases(plain)
		if segs := Segments(plain); len(segs) > 1 {
			// What a sentence of a fact says, the copy may say alone.
			for _, sg := range segs {
				parts = append(parts, phrases(sg.Text)...)
			}
		}
		for _, ph := range parts {
			ex := c.ex.Extract(&aisle.Item{Title: ph, Brand: f.Brand})
			addAll(s.colors, ex.Colors)
			addAll(s.materials, ex.Materials)
			addAll(s.sizes, ex.Sizes)
			if ex.PackSize > 0 {
				s.packs[strconv.Itoa(ex.PackSize)] = true
			}
			for _, m := range ex.ModelNumbers {
				s.models[modelKey(m)] = true
			}
		}
		addAll(s.sizes, cjkSizes(plain))
		addAll(s.packs, cjkPacks(plain))
		addAll(s.prices, prices(plain))
		for _, tok := range strings.Fields(plain) {
			s.models[modelKey(tok)] = true
		}
		addAll(s.numbers, numbers(plain))
		s.texts = append(s.texts, words(plain))
		joined.WriteString(strings.ToLower(strings.Join(strings.Fields(t), "")))
		joined.WriteByte('\n')
	}
	for sz := range s.sizes {
		if i := strings.LastIndexByte(sz, ' '); i >= 0 {
			s.units[sz[i+1:]] = true
		}
	}
	s.joined = joined.String()
	return s
}

func set(lists ...[]string) map[string]bool {
	m := map[string]bool{}
	for _, l := range lists {
		addAll(m, l)
	}
	return m
}

func addAll(m map[string]bool, vs []string) {
	for _, v := range vs {
		m[strings.ToLower(v)] = true
	}
}

// modelKey is a model number in upper case, letters and digits only.
func modelKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
}

// supports reports whether the facts support cl.
func (s *support) supports(cl Claim, f *Facts) bool {
	v := cl.Value
	switch cl.Kind {
	case ClaimColor:
		return s.colors[v]
	case ClaimMaterial:
		return s.materials[v]
	case ClaimSize:
		if s.sizes[strings.ToLower(v)] {
			return true
		}
		for _, n := range numbers(v) {
			if !s.numbers[n] {
				return false
			}
		}
		i := strings.LastIndexByte(v, ' ')
		return i < 0 || s.units[v[i+1:]] || strings.ContainsFunc(v[i+1:], unicode.IsDigit)
	case ClaimPack:
		return s.packs[v]
	case ClaimNumber:
		return s.numbers[v]
	case ClaimModel:
		for _, part := range strings.Fields(v) {
			if !s.models[modelKey(part)] {
				return false
			}
		}
		return true
	case ClaimBrand, ClaimCompat:
		// A known brand's name holding the item's brand ("The Board
		// Dudes" for "Board Dudes") names the item's brand.
		if own := strings.Join(words(f.Brand), " "); cl.Kind == ClaimBrand && own != "" && strings.Contains(" "+v+" ", " "+own+" ") {
			return true
		}
		if cl.Kind == ClaimBrand {
			v = strings.TrimPrefix(v, "the ") // "The Board Dudes" is "Board Dudes"
		}
		return s.phrase(strings.Fields(v))
	case ClaimPrice:
		if s.prices[strings.ToLower(v)] {
			return true
		}
		cur, amount, _ := strings.Cut(v, " ")
		if f.Price == nil {
			return false
		}
		p, err := strconv.ParseFloat(amount, 64)
		if err != nil || math.Abs(p-*f.Price) >= 0.005 {
			return false
		}
		switch {
		case cur == "" || f.Currency == "" && cur == "USD":
			return true
		case cur == "¥":
			return f.Currency == "CNY" || f.Currency == "JPY"
		}
		return cur == f.Currency
	case ClaimAvailability:
		return aisle.Availability(v) == f.Availability
	}
	return false
}

// phrase reports whether the words ws appear together in one fact, or
// (for Chinese) as one run of the facts' text.
func (s *support) phrase(ws []string) bool {
	if len(ws) == 0 {
		return true
	}
	for _, t := range s.texts {
		for i := 0; i+len(ws) <= len(t); i++ {
			if slices.Equal(t[i:i+len(ws)], ws) {
				return true
			}
		}
	}
	joined := strings.Join(ws, "")
	return strings.ContainsFunc(joined, isHan) && strings.Contains(s.joined, joined)
}
