package copywriter

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/grounding"
)

// part is one sentence (and its bullet form) of built-in copy.
type part struct {
	// topic names what the part is about, for personalisation: "brand",
	// "color", "material", "category", "keyword", "photo_color".
	topic    string
	sentence string
	bullet   string
	facts    []grounding.Fact
}

// picker chooses template variants deterministically from the item's id.
type picker struct{ h uint32 }

func newPicker(id string) picker {
	h := fnv.New32a()
	h.Write([]byte(id))
	return picker{h: h.Sum32()}
}

// pick returns one of vs, a different choice per slot.
func (p picker) pick(slot int, vs ...string) string {
	x := p.h ^ (uint32(slot+1) * 0x9e3779b9)
	x ^= x >> 15
	x *= 0x2c1b3c6d
	x ^= x >> 12
	return vs[int(x%uint32(len(vs)))]
}

// interest is a profile tag the item matches, with the fact value it
// matched.
type interest struct {
	tag, kind, value string
}

// matchProfile returns the shopper's interest tags (f.Profile, heaviest
// first) that the item's facts match: brand, category levels, colours
// (text or photo), materials, keywords.
func matchProfile(f *grounding.Facts) []interest {
	var out []interest
	for _, t := range f.Profile {
		kind, v, _ := strings.Cut(t, ":")
		var in []string
		switch kind {
		case "brand":
			in = []string{f.Brand}
		case "category":
			in = f.Category
		case "color", "photo_color":
			in = append(slices.Clone(f.Colors), f.PhotoColors...)
			kind = "color"
		case "material":
			in = f.Materials
		case "keyword":
			in = f.Tags
		case "photo_category":
			in = f.PhotoCategory
			kind = "category"
		}
		i := slices.IndexFunc(in, func(s string) bool { return s != "" && strings.EqualFold(s, v) })
		if i < 0 || slices.ContainsFunc(out, func(o interest) bool { return strings.EqualFold(o.value, in[i]) }) {
			continue
		}
		out = append(out, interest{tag: t, kind: kind, value: in[i]})
	}
	return out
}

// Builtin writes copy of f without a model: deterministic (the same
// facts and request give the same text), grounded (every claim is a fact
// value), the shopper's matching interests first. r is not validated;
// unknown values mean their defaults.
func Builtin(f *grounding.Facts, r Request) Copy {
	r = r.normalized()
	p := newPicker(f.Item + "\x00" + string(r.Style))
	zhLang := r.Lang == "zh"
	book := english
	if zhLang {
		book = chinese
	}
	parts := partsOf(f, p, book)
	matched := matchProfile(f)
	// Personalised: a lead naming the matched interests, then the parts
	// about them, then the rest.
	var lead *part
	if len(matched) > 0 {
		var names []string
		var facts []grounding.Fact
		for _, m := range matched {
			v := m.value
			if zhLang {
				v = zh(v)
			}
			names = append(names, v)
			facts = append(facts, grounding.Fact{Kind: factKind(m.kind), Value: m.value})
		}
		l := part{topic: "lead", facts: facts}
		if zhLang {
			l.sentence = p.pick(90, "符合你对"+strings.Join(names, "、")+"的兴趣。", "你关注的"+strings.Join(names, "、")+"，这款都有。")
		} else {
			l.sentence = p.pick(90, "Picked for your interest in "+join(names, "and")+".", "Matches what you like: "+join(names, "and")+".")
		}
		l.bullet = l.sentence
		lead = &l
		var first, rest []part
		for _, pt := range parts[1:] {
			if slices.ContainsFunc(matched, func(m interest) bool { return m.kind == pt.topic }) {
				first = append(first, pt)
			} else {
				rest = append(rest, pt)
			}
		}
		parts = append(append([]part{parts[0]}, first...), rest...)
	}
	if r.Style == StyleShort {
		// The opening and the two most telling facts.
		keep := []part{parts[0]}
		for _, pt := range parts[1:] {
			if len(keep) == 3 {
				break
			}
			if pt.topic != "qa" && pt.topic != "category" && pt.topic != "attribute" {
				keep = append(keep, pt)
			}
		}
		parts = keep
	}
	if lead != nil {
		parts = append([]part{*lead}, parts...)
	}
	var b strings.Builder
	var facts []grounding.Fact
	words := 0
	for i, pt := range parts {
		s := pt.sentence
		sep := " "
		if zhLang {
			sep = ""
		}
		if r.Style == StyleBullet && i > 0 && pt.topic != "opening" {
			s = "- " + pt.bullet
			sep = "\n"
		} else if r.Style == StyleBullet && i > 0 {
			sep = "\n"
		}
		n := countWords(s)
		if words+n > r.MaxWords {
			if i == 0 {
				b.WriteString(cutClean(s, r.MaxWords))
				facts = append(facts, pt.facts...)
			}
			if r.Style == StyleShort || i == 0 {
				break
			}
			continue
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s)
		words += n
		for _, fa := range pt.facts {
			if !slices.Contains(facts, fa) {
				facts = append(facts, fa)
			}
		}
	}
	c := Copy{Text: strings.TrimSpace(b.String()), Facts: facts, Mode: ModeBuiltin, PersonalisedFor: []string{}}
	if facts == nil {
		c.Facts = []grounding.Fact{}
	}
	if lead != nil && strings.Contains(c.Text, lead.sentence) {
		for _, m := range matched {
			c.PersonalisedFor = append(c.PersonalisedFor, m.tag)
		}
	}
	return c
}

func factKind(topic string) string {
	switch topic {
	case "keyword":
		return grounding.KindTag
	}
	return topic
}

// productName is the title's first phrase without the brand and a model
// number in parentheses, at most ten words; "" when nothing is left.
func productName(f *grounding.Facts) string {
	t := f.Title
	for _, sep := range []string{", ", " - ", " – ", " — ", " | ", " (", "，", "（"} {
		if i := strings.Index(t, sep); i > 0 {
			t = t[:i]
		}
	}
	ws := strings.Fields(t)
	bw := strings.Fields(f.Brand)
	if len(bw) > 0 && len(ws) > len(bw) {
		same := true
		for i, w := range bw {
			if !strings.EqualFold(strings.Trim(ws[i], "®™"), w) {
				same = false
			}
		}
		if same {
			ws = ws[len(bw):]
		}
	}
	if len(ws) > 10 {
		ws = ws[:10]
	}
	// A cut name must not end in a dangling word ("... for Use with").
	for len(ws) > 1 && dangling[strings.ToLower(ws[len(ws)-1])] {
		ws = ws[:len(ws)-1]
	}
	return strings.TrimRight(strings.Join(ws, " "), ",;:-")
}

var dangling = map[string]bool{"for": true, "with": true, "use": true, "and": true, "or": true, "of": true, "in": true,
	"by": true, "the": true, "a": true, "an": true, "to": true, "&": true, "fits": true, "compatible": true, "w/": true}

// highlights are the title's later phrases ("Fine Point", "1 Handset")
// not already said by the parts so far.
func highlights(f *grounding.Facts, said string) []string {
	t := strings.NewReplacer(" - ", ", ", " – ", ", ", " | ", ", ", "(", ", ", ")", ", ").Replace(f.Title)
	segs := strings.Split(t, ", ")
	if len(segs) < 2 {
		return nil
	}
	lower := strings.ToLower(said)
	var out []string
	for _, s := range segs[1:] {
		s = strings.Trim(strings.TrimSpace(s), ",;:")
		if s == "" || len(out) == 4 || slices.ContainsFunc(f.ModelNumbers, func(m string) bool { return strings.EqualFold(m, s) }) {
			continue
		}
		if allSaid(s, lower) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// allSaid reports whether every word of s already appears in said
// (lower case).
func allSaid(s, said string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !strings.Contains(said, w) {
			return false
		}
	}
	return true
}

// join joins vs with commas and a final "and" (or "、" in Chinese).
func join(vs []string, and string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " " + and + " " + vs[len(vs)-1]
}

// singular lower-cases a category name and makes its last word singular:
// "Cordless Telephones" is "cordless telephone".
func singular(s string) string {
	ws := strings.Fields(strings.ToLower(s))
	if len(ws) == 0 {
		return ""
	}
	if strings.ContainsAny(s, "&,") {
		return strings.ToLower(s)
	}
	w := ws[len(ws)-1]
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		w = w[:len(w)-1]
	}
	ws[len(ws)-1] = w
	return strings.Join(ws, " ")
}

// article returns "an" before a vowel sound, else "a".
func article(s string) string {
	if s != "" && strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
		return "an"
	}
	return "a"
}

func facts(kind string, vs ...string) []grounding.Fact {
	out := make([]grounding.Fact, 0, len(vs))
	for _, v := range vs {
		out = append(out, grounding.Fact{Kind: kind, Value: v})
	}
	return out
}

// phrase is how a language says one part: its bullet and the sentences
// the picker chooses among, each with %s for the values.
type phrase struct {
	bullet    string
	sentences []string
}

// say returns the part of topic about fs, saying values in ph; slot is
// the picker's.
func (ph phrase) say(p picker, slot int, topic string, fs []grounding.Fact, values ...any) part {
	sentences := make([]string, len(ph.sentences))
	for i, t := range ph.sentences {
		sentences[i] = fmt.Sprintf(t, values...)
	}
	return part{topic: topic, facts: fs, bullet: fmt.Sprintf(ph.bullet, values...), sentence: p.pick(slot, sentences...)}
}

// phrasebook is how one language says built-in copy. The parts, their
// order and the facts behind them are the same in every language
// (partsOf); only the words differ.
type phrasebook struct {
	// opening says the first sentence, naming the product.
	opening func(f *grounding.Facts, p picker) string
	// word translates a value the book translates (colours, materials,
	// category and attribute words); name says an attribute's name.
	word, name func(string) string
	// items joins values for a bullet or a list of codes; list joins them
	// in a sentence; highlights joins the title's highlights.
	items, list  func([]string) string
	highlightSep string

	highlights, color, material, size, pack, model, attribute, photoColor, category, qa, price phrase
	// sizeNumeric are further sentences for sizes that start with a
	// number ("8.5 x 11 in").
	sizeNumeric                        []string
	outOfStock, preorder, discontinued phrase
}

// english is the English phrasebook.
var english = phrasebook{
	opening:      enOpening,
	word:         func(v string) string { return v },
	name:         capitalise,
	items:        func(vs []string) string { return strings.Join(vs, ", ") },
	list:         func(vs []string) string { return join(vs, "and") },
	highlightSep: "; ",
	highlights:   phrase{"Highlights: %s", []string{"Highlights: %s.", "Key points: %s.", "In short: %s."}},
	color:        phrase{"Colour: %s", []string{"It comes in %s.", "Its colour is %s.", "Colour: %s.", "The finish is %s."}},
	material:     phrase{"Material: %s", []string{"It is made of %s.", "Material: %s.", "It is built from %s."}},
	size:         phrase{"Size: %s", []string{"Size: %s."}},
	sizeNumeric:  []string{"It measures %s.", "Dimensions: %s."},
	pack:         phrase{"Pack of %s", []string{"It comes in a pack of %s.", "Pack of %s.", "Each pack holds %s."}},
	model:        phrase{"Model: %s", []string{"Model number: %s.", "Its model number is %s.", "Part number: %s.", "It carries the part number %s."}},
	attribute:    phrase{"%s: %s", []string{"%s: %s."}},
	photoColor:   phrase{"Colour in the photo: %s", []string{"In its photo it shows %s.", "Its photo shows %s."}},
	category:     phrase{"Category: %s", []string{"You will find it under %s.", "Category: %s.", "It sits in %s."}},
	qa:           phrase{"Q: %s A: %s", []string{"A shopper asked “%s” and was told: “%s”", "Asked “%s”, a shopper answered: “%s”"}},
	price:        phrase{"Price: %s", []string{"Price: %s.", "It sells for %s."}},
	outOfStock:   phrase{"Out of stock", []string{"It is out of stock for now."}},
	preorder:     phrase{"Available to pre-order", []string{"It is open for pre-order."}},
	discontinued: phrase{"Discontinued", []string{"It has been discontinued."}},
}

// chinese is the Chinese phrasebook. Brands, model numbers, sizes and
// titles stay as written; colours, materials and known category and
// attribute words are translated.
var chinese = phrasebook{
	opening:      zhOpening,
	word:         zh,
	name:         zh,
	items:        func(vs []string) string { return strings.Join(vs, "、") },
	list:         func(vs []string) string { return strings.Join(vs, "、") },
	highlightSep: "；",
	highlights:   phrase{"亮点：%s", []string{"亮点：%s。", "要点：%s。"}},
	color:        phrase{"颜色：%s", []string{"颜色：%s。", "颜色为%s。"}},
	material:     phrase{"材质：%s", []string{"材质：%s。", "采用%s材质。"}},
	size:         phrase{"尺寸：%s", []string{"尺寸：%s。", "规格为 %s。"}},
	pack:         phrase{"%s件装", []string{"每包%s件装。", "%s件装。"}},
	model:        phrase{"型号：%s", []string{"型号：%s。", "型号为 %s。"}},
	attribute:    phrase{"%s：%s", []string{"%s：%s。"}},
	photoColor:   phrase{"图片颜色：%s", []string{"图片中呈%s。", "从图片看是%s。"}},
	category:     phrase{"类目：%s", []string{"所属类目：%s。", "归入 %s。"}},
	qa:           phrase{"问：%s 答：%s", []string{"买家问：“%s”答：“%s”"}},
	price:        phrase{"售价：%s", []string{"售价 %s。", "价格：%s。"}},
	outOfStock:   phrase{"暂时缺货", []string{"暂时缺货。"}},
	preorder:     phrase{"可预售", []string{"现可预售。"}},
	discontinued: phrase{"已停产", []string{"该商品已停产。"}},
}

// leafOf returns f's leaf category, "" for none.
func leafOf(f *grounding.Facts) string {
	if len(f.Category) == 0 {
		return ""
	}
	return f.Category[len(f.Category)-1]
}

// enOpening says the English opening: the product's name, brand and
// kind (the leaf category, singular).
func enOpening(f *grounding.Facts, p picker) string {
	name, leaf := productName(f), leafOf(f)
	noun := ""
	if !strings.ContainsAny(leaf, "&,") {
		noun = singular(leaf)
	}
	if name == "" {
		name = noun
	}
	if name == "" {
		name = "item"
	}
	switch {
	case f.Brand != "" && noun != "" && !strings.EqualFold(name, noun):
		return p.pick(0,
			"Meet the "+f.Brand+" "+name+", "+article(noun)+" "+noun+".",
			"The "+name+" from "+f.Brand+" is "+article(noun)+" "+noun+".",
			f.Brand+" makes the "+name+", "+article(noun)+" "+noun+".",
			"Looking for "+article(noun)+" "+noun+"? Try the "+f.Brand+" "+name+".",
			"This "+noun+" is the "+name+" by "+f.Brand+".")
	case f.Brand != "":
		return p.pick(0, "Meet the "+f.Brand+" "+name+".", "The "+name+" comes from "+f.Brand+".", "This is the "+name+" by "+f.Brand+".")
	case noun != "" && !strings.EqualFold(name, noun):
		return p.pick(0, "Meet the "+name+", "+article(noun)+" "+noun+".", "The "+name+" is "+article(noun)+" "+noun+".", "This "+noun+" is the "+name+".")
	default:
		return "Meet the " + name + "."
	}
}

// zhOpening says the Chinese opening: brand, name and the translated
// kind.
func zhOpening(f *grounding.Facts, p picker) string {
	name, noun := productName(f), zh(leafOf(f))
	if name == "" {
		name = noun
	}
	full := strings.TrimSpace(f.Brand + " " + name)
	if noun != "" && noun != name {
		return p.pick(0, "为你介绍 "+full+"，一款"+noun+"。", full+" 是一款"+noun+"。", "想找"+noun+"？看看 "+full+"。", "这款"+noun+"是 "+full+"。")
	}
	return p.pick(0, "为你介绍 "+full+"。", "这款商品是 "+full+"。")
}

// partsOf returns the parts of f's copy in the language of book, the
// opening first.
func partsOf(f *grounding.Facts, p picker, book phrasebook) []part {
	open := part{topic: "opening", sentence: book.opening(f, p)}
	if f.Brand != "" {
		open.facts = append(open.facts, grounding.Fact{Kind: grounding.KindBrand, Value: f.Brand})
	}
	if leaf := leafOf(f); leaf != "" {
		open.facts = append(open.facts, grounding.Fact{Kind: grounding.KindCategory, Value: leaf})
	}
	open.bullet = open.sentence
	out := []part{open}
	add := func(ph phrase, topic string, fs []grounding.Fact, values ...any) {
		out = append(out, ph.say(p, len(out), topic, fs, values...))
	}
	words := func(vs []string) []string {
		tr := make([]string, len(vs))
		for i, v := range vs {
			tr[i] = book.word(v)
		}
		return tr
	}
	// listed says translated values: joined for a bullet, listed in a
	// sentence.
	listed := func(ph phrase, topic string, kind string, vs []string) {
		w := words(vs)
		pt := ph.say(p, len(out), topic, facts(kind, vs...), book.list(w))
		pt.bullet = fmt.Sprintf(ph.bullet, book.items(w))
		out = append(out, pt)
	}
	if hs := highlights(f, open.sentence); len(hs) > 0 {
		add(book.highlights, "title", []grounding.Fact{{Kind: grounding.KindTitle, Value: f.Title}}, strings.Join(hs, book.highlightSep))
	}
	if len(f.Colors) > 0 {
		listed(book.color, "color", grounding.KindColor, f.Colors)
	}
	if len(f.Materials) > 0 {
		listed(book.material, "material", grounding.KindMaterial, f.Materials)
	}
	if len(f.Sizes) > 0 {
		ph := book.size
		if unicode.IsDigit([]rune(f.Sizes[0])[0]) {
			ph.sentences = append(slices.Clip(ph.sentences), book.sizeNumeric...)
		}
		pt := ph.say(p, len(out), "size", facts(grounding.KindSize, f.Sizes...), book.list(f.Sizes))
		pt.bullet = fmt.Sprintf(ph.bullet, book.items(f.Sizes))
		out = append(out, pt)
	}
	if f.PackSize > 1 {
		n := strconv.Itoa(f.PackSize)
		add(book.pack, "pack", facts(grounding.KindPackSize, n), n)
	}
	if len(f.ModelNumbers) > 0 {
		add(book.model, "model", facts(grounding.KindModel, f.ModelNumbers...), book.items(f.ModelNumbers))
	}
	for i, a := range f.Attributes {
		if i == 6 {
			break
		}
		add(book.attribute, "attribute", []grounding.Fact{{Kind: grounding.KindAttribute, Name: a.Name, Value: a.Value}}, book.name(a.Name), book.word(a.Value))
	}
	if pc := newValues(f.PhotoColors, f.Colors); len(pc) > 0 {
		listed(book.photoColor, "color", grounding.KindPhotoColor, pc)
	}
	if len(f.Category) > 0 {
		add(book.category, "category", facts(grounding.KindCategory, f.Category...), strings.Join(words(f.Category), " › "))
	}
	if len(f.QA) > 0 {
		qa := f.QA[0]
		add(book.qa, "qa", []grounding.Fact{{Kind: grounding.KindQA, Value: qa.Question + " — " + qa.Answer}}, qa.Question, cutWords(qa.Answer, 30))
	}
	if pt := f.PriceText(); pt != "" {
		add(book.price, "price", facts(grounding.KindPrice, pt), pt)
	}
	avail := facts(grounding.KindAvailability, string(f.Availability))
	switch f.Availability {
	case aisle.AvailabilityOutOfStock:
		add(book.outOfStock, "availability", avail)
	case aisle.AvailabilityPreorder:
		add(book.preorder, "availability", avail)
	case aisle.AvailabilityDiscontinued:
		add(book.discontinued, "availability", avail)
	}
	return out
}

// newValues returns the values of vs not in have, case-insensitively.
func newValues(vs, have []string) []string {
	var out []string
	for _, v := range vs {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(h, v) }) {
			out = append(out, v)
		}
	}
	return out
}

func capitalise(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
