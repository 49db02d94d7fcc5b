package qa

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
)

// valued is one value of a fact with where it came from.
type valued struct {
	value string
	src   Source
}

// attribute returns the item's attribute under any of keys (case
// insensitive), with its source.
func attribute(it *aisle.Item, keys ...string) []valued {
	var out []valued
	for _, k := range sortedKeys(it.Attributes) {
		if contains(keys, strings.ToLower(k)) && strings.TrimSpace(it.Attributes[k]) != "" {
			out = append(out, valued{it.Attributes[k], Source{Kind: SourceFact, Field: "attributes." + k}})
		}
	}
	return out
}

// colors are the item's colours: attributes, the colours read from its
// text, then its photo's, without repeats.
func colors(it *aisle.Item) []valued {
	out := attribute(it, "color", "colour", "颜色")
	if it.Extracted != nil {
		for _, c := range it.Extracted.Colors {
			out = append(out, valued{c, Source{Kind: SourceFact, Field: "extracted.colors"}})
		}
	}
	if v := it.Visual; v != nil && v.Error == "" {
		for _, c := range v.Colors {
			out = append(out, valued{c, Source{Kind: SourcePhoto, Field: "visual.colors"}})
		}
	}
	return dedupe(out)
}

// itemMaterials are the item's materials: attributes, then those read
// from its text.
func itemMaterials(it *aisle.Item) []valued {
	out := attribute(it, "material", "materials", "fabric", "材质")
	if it.Extracted != nil {
		for _, m := range it.Extracted.Materials {
			out = append(out, valued{m, Source{Kind: SourceFact, Field: "extracted.materials"}})
		}
	}
	return dedupe(out)
}

// kinds are what the item is: its category path's leaf, its photo's
// predicted category, the photo's likely labels (probability ≥
// minLabelProb) and the things its title names. The image model's labels
// are left out when the category or the predicted category already names
// a known thing: the store's own classifier, trained on its photos, knows
// better than a generic model's guess ("jersey, T-shirt" of a shirt).
func kinds(it *aisle.Item) []valued {
	var out []valued
	if n := len(it.Categories); n > 0 {
		out = append(out, valued{it.Categories[n-1], Source{Kind: SourceFact, Field: "categories"}})
	}
	if v := it.Visual; v != nil && v.Error == "" {
		if n := len(v.Category); n > 0 {
			out = append(out, valued{v.Category[n-1], Source{Kind: SourcePhoto, Field: "visual.category"}})
		}
		known := slices.ContainsFunc(out, func(k valued) bool { return thingOf(k.value) != "" })
		for _, l := range v.Labels {
			if known {
				break
			}
			if l.Prob >= minLabelProb {
				out = append(out, valued{l.Name, Source{Kind: SourcePhoto, Field: "visual.labels"}})
			}
		}
	}
	title := strings.ToLower(it.Title)
	for _, t := range things {
		for _, w := range t.en {
			if hasPhrase(title, w) {
				out = append(out, valued{t.en[0], Source{Kind: SourceFact, Field: "title"}})
				break
			}
		}
	}
	return dedupe(out)
}

// minLabelProb is the least probability of a photo label that counts as
// what the item is.
const minLabelProb = 0.3

// dedupe drops repeated values (case insensitive), keeping the first.
func dedupe(vs []valued) []valued {
	seen := make(map[string]bool)
	out := vs[:0]
	for _, v := range vs {
		k := strings.ToLower(strings.TrimSpace(v.value))
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// sources returns the distinct sources of vs.
func sources(vs []valued) []Source {
	var out []Source
	for _, v := range vs {
		if !slices.Contains(out, v.src) {
			out = append(out, v.src)
		}
	}
	return out
}

// confidenceOf is how sure a fact-based answer is: 0.9 when the item's
// own text or fields say it, 0.7 when only its photo does.
func confidenceOf(vs []valued) float64 {
	for _, v := range vs {
		if v.src.Kind == SourceFact {
			return 0.9
		}
	}
	return 0.7
}

// factAnswer answers from the item's facts and photo; ok is false when
// they say nothing about what is asked.
func factAnswer(it *aisle.Item, in intent, lang string) (Answer, bool) {
	zh := lang == "zh"
	switch in.attr {
	case attrColor:
		cs := colors(it)
		if len(cs) == 0 {
			return Answer{}, false
		}
		names := make([]string, len(cs))
		for i, c := range cs {
			names[i] = c.value
			if zh {
				names[i] = zhColor(c.value)
			}
		}
		list := joinList(dedupeStrings(names), lang)
		if in.yesNo && in.value != "" {
			for _, c := range cs {
				if hueOf(c.value) == in.value {
					text := fmt.Sprintf("Yes, it is %s.", c.value)
					if zh {
						text = fmt.Sprintf("是的，是%s。", zhColor(c.value))
					}
					return Answer{text, TypeYes, confidenceOf([]valued{c}), []Source{c.src}}, true
				}
			}
			text := fmt.Sprintf("No, it is %s.", list)
			if zh {
				text = fmt.Sprintf("不是，它是%s。", list)
			}
			return Answer{text, TypeNo, confidenceOf(cs) - 0.1, sources(cs)}, true
		}
		text := fmt.Sprintf("It is %s.", list)
		if zh {
			text = fmt.Sprintf("颜色是%s。", list)
		}
		return Answer{text, TypeOpen, confidenceOf(cs), sources(cs)}, true
	case attrMaterial:
		ms := itemMaterials(it)
		if len(ms) == 0 {
			return Answer{}, false
		}
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = m.value
			if zh {
				names[i] = zhMaterial(m.value)
			}
		}
		list := joinList(names, lang)
		if in.yesNo && in.value != "" {
			for _, m := range ms {
				if strings.Contains(strings.ToLower(m.value), in.value) {
					text := fmt.Sprintf("Yes, it is made of %s.", m.value)
					if zh {
						text = fmt.Sprintf("是的，材质是%s。", zhMaterial(m.value))
					}
					return Answer{text, TypeYes, 0.9, []Source{m.src}}, true
				}
			}
			text := fmt.Sprintf("No, it is made of %s.", list)
			if zh {
				text = fmt.Sprintf("不是，材质是%s。", list)
			}
			return Answer{text, TypeNo, 0.8, sources(ms)}, true
		}
		text := fmt.Sprintf("It is made of %s.", list)
		if zh {
			text = fmt.Sprintf("材质是%s。", list)
		}
		return Answer{text, TypeOpen, 0.9, sources(ms)}, true
	case attrBrand:
		brand, field := it.Brand, "brand"
		if brand == "" && it.Extracted != nil {
			brand, field = it.Extracted.Brand, "extracted.brand"
		}
		if brand == "" {
			return Answer{}, false
		}
		src := []Source{{Kind: SourceFact, Field: field}}
		if in.yesNo && hasPhrase(in.text, strings.ToLower(brand)) {
			text := fmt.Sprintf("Yes, it is by %s.", brand)
			if zh {
				text = fmt.Sprintf("是的，品牌是%s。", brand)
			}
			return Answer{text, TypeYes, 0.95, src}, true
		}
		text := fmt.Sprintf("The brand is %s.", brand)
		if zh {
			text = fmt.Sprintf("品牌是%s。", brand)
		}
		return Answer{text, TypeOpen, 0.95, src}, true
	case attrPrice:
		if it.Price == nil {
			return Answer{}, false
		}
		p := strconv.FormatFloat(*it.Price, 'f', 2, 64)
		if it.Currency != "" {
			p += " " + it.Currency
		}
		text := fmt.Sprintf("It costs %s.", p)
		if zh {
			text = fmt.Sprintf("价格是%s。", p)
		}
		return Answer{text, TypeOpen, 0.95, []Source{{Kind: SourceFact, Field: "price"}}}, true
	case attrAvailability:
		return availabilityAnswer(it, in, lang), true
	case attrSize:
		var ss []valued
		ss = append(ss, attribute(it, "size", "sizes", "dimensions", "尺寸", "尺码")...)
		if it.Extracted != nil {
			for _, s := range it.Extracted.Sizes {
				ss = append(ss, valued{s, Source{Kind: SourceFact, Field: "extracted.sizes"}})
			}
		}
		ss = dedupe(ss)
		if len(ss) == 0 {
			return Answer{}, false
		}
		names := make([]string, len(ss))
		for i, s := range ss {
			names[i] = s.value
		}
		text := fmt.Sprintf("Size: %s.", joinList(names, lang))
		if zh {
			text = fmt.Sprintf("尺寸：%s。", joinList(names, lang))
		}
		return Answer{text, TypeOpen, 0.85, sources(ss)}, true
	case attrModel:
		if it.Extracted == nil || len(it.Extracted.ModelNumbers) == 0 {
			return Answer{}, false
		}
		list := joinList(it.Extracted.ModelNumbers, lang)
		text := fmt.Sprintf("The model number is %s.", list)
		if zh {
			text = fmt.Sprintf("型号是%s。", list)
		}
		return Answer{text, TypeOpen, 0.85, []Source{{Kind: SourceFact, Field: "extracted.model_numbers"}}}, true
	case attrPack:
		if it.Extracted == nil || it.Extracted.PackSize == 0 {
			return Answer{}, false
		}
		n := it.Extracted.PackSize
		text := fmt.Sprintf("One pack holds %d.", n)
		if zh {
			text = fmt.Sprintf("一包有%d个。", n)
		}
		return Answer{text, TypeOpen, 0.85, []Source{{Kind: SourceFact, Field: "extracted.pack_size"}}}, true
	case attrCategory:
		return kindAnswer(it, in, lang)
	case attrSleeve:
		return sleeveAnswer(it, in, lang)
	}
	return Answer{}, false
}

// availabilityAnswer says whether the item can be bought now.
func availabilityAnswer(it *aisle.Item, in intent, lang string) Answer {
	src := []Source{{Kind: SourceFact, Field: "availability"}}
	a := it.Availability
	if a == "" {
		a = aisle.AvailabilityInStock
	}
	en := map[aisle.Availability]string{
		aisle.AvailabilityInStock:      "it is in stock.",
		aisle.AvailabilityOutOfStock:   "it is out of stock.",
		aisle.AvailabilityPreorder:     "it can be preordered; it is not in stock yet.",
		aisle.AvailabilityDiscontinued: "it has been discontinued.",
	}
	zh := map[aisle.Availability]string{
		aisle.AvailabilityInStock:      "有现货。",
		aisle.AvailabilityOutOfStock:   "目前缺货。",
		aisle.AvailabilityPreorder:     "可以预订，暂时还没有现货。",
		aisle.AvailabilityDiscontinued: "已经停产。",
	}
	typ, yes := TypeOpen, a == aisle.AvailabilityInStock
	if in.yesNo {
		typ = TypeNo
		if yes {
			typ = TypeYes
		}
	}
	text := en[a]
	if lang == "zh" {
		text = zh[a]
		switch typ {
		case TypeYes:
			text = "是的，" + text
		case TypeNo:
			text = "不，" + text
		}
	} else {
		switch typ {
		case TypeYes:
			text = "Yes, " + text
		case TypeNo:
			text = "No, " + text
		default:
			text = strings.ToUpper(text[:1]) + text[1:]
		}
	}
	return Answer{text, typ, 0.95, src}
}

// kindAnswer says what the item is, or whether it is the thing named.
func kindAnswer(it *aisle.Item, in intent, lang string) (Answer, bool) {
	ks := kinds(it)
	if len(ks) == 0 {
		return Answer{}, false
	}
	zh := lang == "zh"
	best := ks[0]
	name := strings.ToLower(best.value)
	if zh {
		name = zhThing(best.value)
	}
	if !in.yesNo || in.value == "" {
		text := fmt.Sprintf("It is %s.", withArticle(name))
		if zh {
			text = fmt.Sprintf("这是%s。", name)
		}
		return Answer{text, TypeOpen, confidenceOf([]valued{best}), []Source{best.src}}, true
	}
	want := thingOf(in.value)
	// The title names what the item is too: "Is this a binder?" of a
	// "… View Binder, 1 Inch, Red".
	ks = append(ks, valued{it.Title, Source{Kind: SourceFact, Field: "title"}})
	for _, k := range ks {
		v := strings.ToLower(k.value)
		if (want != "" && thingOf(v) == want) || nounsIn(in.value, v) {
			if k.src.Field == "title" {
				v = in.value
			}
			text := fmt.Sprintf("Yes, it is %s.", withArticle(v))
			if zh {
				text = fmt.Sprintf("是的，这是%s。", zhThing(k.value))
			}
			return Answer{text, TypeYes, confidenceOf([]valued{k}), []Source{k.src}}, true
		}
	}
	// Only say no when what it is, is a thing of the same vocabulary:
	// "is this a dress?" of a skirt, not of a pen whose path says "Pens"
	// while the question names something unknown.
	if want == "" {
		return Answer{}, false
	}
	known := false
	for _, k := range ks {
		if thingOf(k.value) != "" {
			known, best = true, k
			break
		}
	}
	if !known && len(it.Categories) == 0 {
		return Answer{}, false
	}
	name = strings.ToLower(best.value)
	text := fmt.Sprintf("No, it is %s.", withArticle(name))
	if zh {
		text = fmt.Sprintf("不是，这是%s。", zhThing(best.value))
	}
	return Answer{text, TypeNo, confidenceOf([]valued{best}) - 0.1, []Source{best.src}}, true
}

// sleeveAnswer answers questions about sleeves from what the item is.
func sleeveAnswer(it *aisle.Item, in intent, lang string) (Answer, bool) {
	long := []string{"longsleeve", "long sleeve", "long-sleeve", "long sleeved", "long-sleeved", "sweater", "sweatshirt", "cardigan", "outwear", "jacket", "coat", "长袖"}
	short := []string{"t-shirt", "tee", "short sleeve", "short-sleeve", "short sleeved", "short-sleeved", "短袖", "polo"}
	none := []string{"sleeveless", "tank top", "无袖"}
	var have string
	var src Source
	check := func(text string, s Source) bool {
		t := strings.ToLower(text)
		for _, group := range []struct {
			v     string
			words []string
		}{{"none", none}, {"short", short}, {"long", long}} {
			for _, w := range group.words {
				if hasPhrase(t, w) {
					have, src = group.v, s
					return true
				}
			}
		}
		return false
	}
	if !check(it.Title, Source{Kind: SourceFact, Field: "title"}) {
		for _, k := range kinds(it) {
			if check(k.value, k.src) {
				break
			}
		}
	}
	if have == "" {
		return noSleevesAnswer(it, in, lang)
	}
	en := map[string]string{"long": "long sleeves", "short": "short sleeves", "none": "no sleeves"}
	zh := map[string]string{"long": "长袖", "short": "短袖", "none": "无袖"}
	conf := confidenceOf([]valued{{src: src}})
	if !in.yesNo || in.value == "" {
		text := fmt.Sprintf("It has %s.", en[have])
		if lang == "zh" {
			text = fmt.Sprintf("这是%s的。", zh[have])
		}
		return Answer{text, TypeOpen, conf, []Source{src}}, true
	}
	if in.value == have {
		text := fmt.Sprintf("Yes, it has %s.", en[have])
		if lang == "zh" {
			text = fmt.Sprintf("是的，是%s的。", zh[have])
		}
		return Answer{text, TypeYes, conf, []Source{src}}, true
	}
	text := fmt.Sprintf("No, it has %s.", en[have])
	if lang == "zh" {
		text = fmt.Sprintf("不是，是%s的。", zh[have])
	}
	return Answer{text, TypeNo, conf - 0.1, []Source{src}}, true
}

// noSleevesAnswer answers a question about sleeves of a thing that has
// none (pants, shoes, a hat): no to long or short sleeves, and what it is
// to an open question. ok is false when the item is not known to be such
// a thing, and for "is it sleeveless?", which asks about garments with
// armholes, not about pants.
func noSleevesAnswer(it *aisle.Item, in intent, lang string) (Answer, bool) {
	var k valued
	for _, x := range kinds(it) {
		if thingOf(x.value) != "" {
			k = x
			break
		}
	}
	thing := thingOf(k.value)
	if !slices.Contains(sleeveless, thing) || (in.yesNo && in.value == "none") {
		return Answer{}, false
	}
	name := strings.ToLower(k.value)
	conf := confidenceOf([]valued{k})
	if in.yesNo && in.value != "" {
		text := fmt.Sprintf("No, it is %s, with no sleeves.", withArticle(name))
		if lang == "zh" {
			text = fmt.Sprintf("不是，这是%s，没有袖子。", zhThing(k.value))
		}
		return Answer{text, TypeNo, conf - 0.1, []Source{k.src}}, true
	}
	text := fmt.Sprintf("It is %s, with no sleeves.", withArticle(name))
	if lang == "zh" {
		text = fmt.Sprintf("这是%s，没有袖子。", zhThing(k.value))
	}
	return Answer{text, TypeOpen, conf, []Source{k.src}}, true
}

// nounsIn reports whether every word of phrase occurs in text, plurals
// ("binders") matching singulars ("binder").
func nounsIn(phrase, text string) bool {
	have := make(map[string]bool)
	for _, w := range strings.FieldsFunc(text, notWordRune) {
		have[singular(w)] = true
	}
	words := strings.FieldsFunc(phrase, notWordRune)
	for _, w := range words {
		if !have[singular(w)] {
			return false
		}
	}
	return len(words) > 0
}

// notWordRune reports whether r separates words.
func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' }

// singular strips an English plural ending: "binders" → "binder",
// "boxes" → "box"; words of three letters or fewer stay as they are.
func singular(w string) string {
	switch {
	case len(w) <= 3:
		return w
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "sses"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

// withArticle puts "a" or "an" before a singular noun; plurals ("pants",
// "shoes") and names with their own article stay as they are.
func withArticle(noun string) string {
	switch {
	case noun == "":
		return noun
	case strings.HasSuffix(noun, "s") && !strings.HasSuffix(noun, "ss"):
		return noun
	case strings.ContainsRune("aeiou", rune(noun[0])):
		return "an " + noun
	}
	return "a " + noun
}

// joinList joins values as a list in lang: "a, b and c", or "a、b和c".
func joinList(vs []string, lang string) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	}
	if lang == "zh" {
		return strings.Join(vs[:len(vs)-1], "、") + "和" + vs[len(vs)-1]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
}

// dedupeStrings drops repeated strings, keeping the first.
func dedupeStrings(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
