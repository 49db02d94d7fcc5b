package copywriter

import (
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
	var parts []part
	if zhLang {
		parts = zhParts(f, p)
	} else {
		parts = enParts(f, p)
	}
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

// enParts returns the English parts of f's copy, the opening first.
func enParts(f *grounding.Facts, p picker) []part {
	name := productName(f)
	leaf := ""
	if len(f.Category) > 0 {
		leaf = f.Category[len(f.Category)-1]
	}
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
	open := part{topic: "opening"}
	if f.Brand != "" {
		open.facts = append(open.facts, grounding.Fact{Kind: grounding.KindBrand, Value: f.Brand})
	}
	if leaf != "" {
		open.facts = append(open.facts, grounding.Fact{Kind: grounding.KindCategory, Value: leaf})
	}
	switch {
	case f.Brand != "" && noun != "" && !strings.EqualFold(name, noun):
		open.sentence = p.pick(0,
			"Meet the "+f.Brand+" "+name+", "+article(noun)+" "+noun+".",
			"The "+name+" from "+f.Brand+" is "+article(noun)+" "+noun+".",
			f.Brand+" makes the "+name+", "+article(noun)+" "+noun+".",
			"Looking for "+article(noun)+" "+noun+"? Try the "+f.Brand+" "+name+".",
			"This "+noun+" is the "+name+" by "+f.Brand+".")
	case f.Brand != "":
		open.sentence = p.pick(0, "Meet the "+f.Brand+" "+name+".", "The "+name+" comes from "+f.Brand+".", "This is the "+name+" by "+f.Brand+".")
	case noun != "" && !strings.EqualFold(name, noun):
		open.sentence = p.pick(0, "Meet the "+name+", "+article(noun)+" "+noun+".", "The "+name+" is "+article(noun)+" "+noun+".", "This "+noun+" is the "+name+".")
	default:
		open.sentence = "Meet the " + name + "."
	}
	open.bullet = open.sentence
	parts := []part{open}
	add := func(topic string, fs []grounding.Fact, bullet string, sentences ...string) {
		parts = append(parts, part{topic: topic, facts: fs, bullet: bullet, sentence: p.pick(len(parts), sentences...)})
	}
	said := open.sentence
	if hs := highlights(f, said); len(hs) > 0 {
		fs := []grounding.Fact{{Kind: grounding.KindTitle, Value: f.Title}}
		add("title", fs, "Highlights: "+strings.Join(hs, "; "),
			"Highlights: "+strings.Join(hs, "; ")+".", "Key points: "+strings.Join(hs, "; ")+".", "In short: "+strings.Join(hs, "; ")+".")
	}
	if len(f.Colors) > 0 {
		c := join(f.Colors, "and")
		add("color", facts(grounding.KindColor, f.Colors...), "Colour: "+strings.Join(f.Colors, ", "),
			"It comes in "+c+".", "Its colour is "+c+".", "Colour: "+c+".", "The finish is "+c+".")
	}
	if len(f.Materials) > 0 {
		m := join(f.Materials, "and")
		add("material", facts(grounding.KindMaterial, f.Materials...), "Material: "+strings.Join(f.Materials, ", "),
			"It is made of "+m+".", "Material: "+m+".", "It is built from "+m+".")
	}
	if len(f.Sizes) > 0 {
		s := join(f.Sizes, "and")
		sent := []string{"Size: " + s + "."}
		if unicode.IsDigit([]rune(f.Sizes[0])[0]) {
			sent = append(sent, "It measures "+s+".", "Dimensions: "+s+".")
		}
		add("size", facts(grounding.KindSize, f.Sizes...), "Size: "+strings.Join(f.Sizes, ", "), sent...)
	}
	if f.PackSize > 1 {
		n := strconv.Itoa(f.PackSize)
		add("pack", facts(grounding.KindPackSize, n), "Pack of "+n, "It comes in a pack of "+n+".", "Pack of "+n+".", "Each pack holds "+n+".")
	}
	if len(f.ModelNumbers) > 0 {
		m := strings.Join(f.ModelNumbers, ", ")
		add("model", facts(grounding.KindModel, f.ModelNumbers...), "Model: "+m, "Model number: "+m+".", "Its model number is "+m+".", "Part number: "+m+".", "It carries the part number "+m+".")
	}
	for i, a := range f.Attributes {
		if i == 6 {
			break
		}
		fs := []grounding.Fact{{Kind: grounding.KindAttribute, Name: a.Name, Value: a.Value}}
		add("attribute", fs, capitalise(a.Name)+": "+a.Value, capitalise(a.Name)+": "+a.Value+".")
	}
	if pc := newValues(f.PhotoColors, f.Colors); len(pc) > 0 {
		c := join(pc, "and")
		add("color", facts(grounding.KindPhotoColor, pc...), "Colour in the photo: "+strings.Join(pc, ", "),
			"In its photo it shows "+c+".", "Its photo shows "+c+".")
	}
	if len(f.Category) > 0 {
		path := strings.Join(f.Category, " › ")
		add("category", facts(grounding.KindCategory, f.Category...), "Category: "+path,
			"You will find it under "+path+".", "Category: "+path+".", "It sits in "+path+".")
	}
	if len(f.QA) > 0 {
		qa := f.QA[0]
		fs := []grounding.Fact{{Kind: grounding.KindQA, Value: qa.Question + " — " + qa.Answer}}
		a := cutWords(qa.Answer, 30)
		add("qa", fs, "Q: "+qa.Question+" A: "+a,
			"A shopper asked “"+qa.Question+"” and was told: “"+a+"”", "Asked “"+qa.Question+"”, a shopper answered: “"+a+"”")
	}
	if pt := f.PriceText(); pt != "" {
		add("price", facts(grounding.KindPrice, pt), "Price: "+pt, "Price: "+pt+".", "It sells for "+pt+".")
	}
	switch f.Availability {
	case aisle.AvailabilityOutOfStock:
		add("availability", facts(grounding.KindAvailability, string(f.Availability)), "Out of stock", "It is out of stock for now.")
	case aisle.AvailabilityPreorder:
		add("availability", facts(grounding.KindAvailability, string(f.Availability)), "Available to pre-order", "It is open for pre-order.")
	case aisle.AvailabilityDiscontinued:
		add("availability", facts(grounding.KindAvailability, string(f.Availability)), "Discontinued", "It has been discontinued.")
	}
	return parts
}

// zhParts returns the Chinese parts of f's copy, the opening first.
// Brands, model numbers and titles stay as written; colours, materials
// and known category words are translated.
func zhParts(f *grounding.Facts, p picker) []part {
	name := productName(f)
	leaf := ""
	if len(f.Category) > 0 {
		leaf = f.Category[len(f.Category)-1]
	}
	noun := zh(leaf)
	if name == "" {
		name = noun
	}
	open := part{topic: "opening"}
	if f.Brand != "" {
		open.facts = append(open.facts, grounding.Fact{Kind: grounding.KindBrand, Value: f.Brand})
	}
	if leaf != "" {
		open.facts = append(open.facts, grounding.Fact{Kind: grounding.KindCategory, Value: leaf})
	}
	full := strings.TrimSpace(f.Brand + " " + name)
	switch {
	case noun != "" && noun != name:
		open.sentence = p.pick(0, "为你介绍 "+full+"，一款"+noun+"。", full+" 是一款"+noun+"。", "想找"+noun+"？看看 "+full+"。", "这款"+noun+"是 "+full+"。")
	default:
		open.sentence = p.pick(0, "为你介绍 "+full+"。", "这款商品是 "+full+"。")
	}
	open.bullet = open.sentence
	parts := []part{open}
	add := func(topic string, fs []grounding.Fact, bullet string, sentences ...string) {
		parts = append(parts, part{topic: topic, facts: fs, bullet: bullet, sentence: p.pick(len(parts), sentences...)})
	}
	tr := func(vs []string) []string {
		out := make([]string, len(vs))
		for i, v := range vs {
			out[i] = zh(v)
		}
		return out
	}
	if hs := highlights(f, open.sentence); len(hs) > 0 {
		h := strings.Join(hs, "；")
		add("title", []grounding.Fact{{Kind: grounding.KindTitle, Value: f.Title}}, "亮点："+h, "亮点："+h+"。", "要点："+h+"。")
	}
	if len(f.Colors) > 0 {
		c := strings.Join(tr(f.Colors), "、")
		add("color", facts(grounding.KindColor, f.Colors...), "颜色："+c, "颜色："+c+"。", "颜色为"+c+"。")
	}
	if len(f.Materials) > 0 {
		m := strings.Join(tr(f.Materials), "、")
		add("material", facts(grounding.KindMaterial, f.Materials...), "材质："+m, "材质："+m+"。", "采用"+m+"材质。")
	}
	if len(f.Sizes) > 0 {
		s := strings.Join(f.Sizes, "、")
		add("size", facts(grounding.KindSize, f.Sizes...), "尺寸："+s, "尺寸："+s+"。", "规格为 "+s+"。")
	}
	if f.PackSize > 1 {
		n := strconv.Itoa(f.PackSize)
		add("pack", facts(grounding.KindPackSize, n), n+"件装", "每包"+n+"件装。", n+"件装。")
	}
	if len(f.ModelNumbers) > 0 {
		m := strings.Join(f.ModelNumbers, "、")
		add("model", facts(grounding.KindModel, f.ModelNumbers...), "型号："+m, "型号："+m+"。", "型号为 "+m+"。")
	}
	for i, a := range f.Attributes {
		if i == 6 {
			break
		}
		fs := []grounding.Fact{{Kind: grounding.KindAttribute, Name: a.Name, Value: a.Value}}
		add("attribute", fs, zh(a.Name)+"："+zh(a.Value), zh(a.Name)+"："+zh(a.Value)+"。")
	}
	if pc := newValues(f.PhotoColors, f.Colors); len(pc) > 0 {
		c := strings.Join(tr(pc), "、")
		add("color", facts(grounding.KindPhotoColor, pc...), "图片颜色："+c, "图片中呈"+c+"。", "从图片看是"+c+"。")
	}
	if len(f.Category) > 0 {
		path := strings.Join(tr(f.Category), " › ")
		add("category", facts(grounding.KindCategory, f.Category...), "类目："+path, "所属类目："+path+"。", "归入 "+path+"。")
	}
	if len(f.QA) > 0 {
		qa := f.QA[0]
		a := cutWords(qa.Answer, 30)
		add("qa", []grounding.Fact{{Kind: grounding.KindQA, Value: qa.Question + " — " + qa.Answer}}, "问："+qa.Question+" 答："+a,
			"买家问：“"+qa.Question+"”答：“"+a+"”")
	}
	if pt := f.PriceText(); pt != "" {
		add("price", facts(grounding.KindPrice, pt), "售价："+pt, "售价 "+pt+"。", "价格："+pt+"。")
	}
	switch f.Availability {
	case aisle.AvailabilityOutOfStock:
		add("availability", facts(grounding.KindAvailability, string(f.Availability)), "暂时缺货", "暂时缺货。")
	case aisle.AvailabilityPreorder:
		add("availability", facts(grounding.KindAvailability, string(f.Availability)), "可预售", "现可预售。")
	case aisle.AvailabilityDiscontinued:
		add("availability", facts(grounding.KindAvailability, string(f.Availability)), "已停产", "该商品已停产。")
	}
	return parts
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
