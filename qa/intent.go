package qa

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Attributes a question can ask about.
const (
	attrColor        = "color"
	attrBrand        = "brand"
	attrMaterial     = "material"
	attrPrice        = "price"
	attrAvailability = "availability"
	attrSize         = "size"
	attrModel        = "model"
	attrPack         = "pack"
	attrCategory     = "category"
	attrSleeve       = "sleeve"
)

// intent is what a question asks: an attribute, a value it names (in a
// yes/no question: "black" in "is it black?"), and whether it is about
// the photo.
type intent struct {
	// text is the question, trimmed and lower case.
	text  string
	yesNo bool
	attr  string
	// value is the canonical English value named (a colour's base hue, a
	// material, a category noun, "long"/"short"/"none" for sleeves).
	value string
	photo bool
}

// cue is a phrase that shows which attribute a question asks about.
type cue struct {
	attr    string
	phrases []string
}

// cues are tried in order; the first attribute with a phrase in the
// question wins. Phrases are lower case; English ones match at word
// boundaries.
var cues = []cue{
	{attrSleeve, []string{"long sleeve", "long-sleeve", "long sleeved", "long-sleeved", "longsleeve", "short sleeve", "short-sleeve", "short sleeved", "short-sleeved", "sleeveless", "sleeves", "sleeve", "长袖", "短袖", "无袖", "袖子"}},
	{attrColor, []string{"colour", "color", "colours", "colors", "what shade", "颜色", "什么色", "啥色", "几种色"}},
	{attrBrand, []string{"brand", "manufacturer", "made by", "who makes", "who made", "make is", "品牌", "牌子", "哪个牌", "什么牌", "厂家", "厂商"}},
	{attrMaterial, []string{"made of", "made from", "material", "materials", "fabric", "what is it made", "材质", "材料", "面料", "什么做的", "用什么做"}},
	{attrPrice, []string{"price", "cost", "how much is", "how much does", "how much", "多少钱", "价格", "价钱", "几块钱", "贵不贵", "售价"}},
	{attrAvailability, []string{"in stock", "available", "availability", "sold out", "out of stock", "有货", "现货", "库存", "缺货", "有没有货", "能买"}},
	{attrModel, []string{"model number", "part number", "model no", "型号"}},
	{attrPack, []string{"how many", "pack of", "count", "quantity", "几个", "多少个", "几支", "几件", "几只", "数量", "一包"}},
	{attrSize, []string{"size", "sizes", "dimension", "dimensions", "how big", "how large", "how tall", "how wide", "尺寸", "尺码", "大小", "多大", "多长", "多宽"}},
	{attrCategory, []string{"what is this", "what is it", "what's this", "what's it", "what kind", "what type", "what sort",
		"what is shown", "what's shown", "what is pictured", "what's pictured", "what is in the photo", "what's in the photo", "what is in the picture", "what's in the picture",
		"what garment", "what piece of clothing", "what item of clothing",
		"这是什么", "是什么东西", "什么东西", "什么类型", "哪一类", "什么类", "什么衣服", "图片里是什么", "照片里是什么", "图里是什么", "图中是什么"}},
}

// photoPhrases mark a question about the photo itself.
var photoPhrases = []string{"photo", "picture", "image", "pic", "look like", "looks like", "shown", "pictured", "图片", "照片", "图里", "图中", "看起来", "长什么样"}

// isA matches "is this a dress", "are these shoes", "is it a t-shirt".
var isA = regexp.MustCompile(`^(?:is|are)\s+(?:this|it|that|these|those|they|the item|the product)\s+(?:an?\s+|some\s+)?(.+?)\s*[?？.!]*$`)

// isAZh matches "这是连衣裙吗", "是不是帽子", "它是一件外套吗".
var isAZh = regexp.MustCompile(`^(?:这|这个|那|它|这件|这条)?(?:是不是|是)(?:一件|一条|一个|一双|一顶|一只|一款)?(.+?)(?:吗|呢)?[?？。!！]*$`)

// parseIntent reads what question asks, in English or Chinese.
func parseIntent(question string) intent {
	q := strings.ToLower(strings.TrimSpace(question))
	in := intent{text: q, yesNo: IsYesNoQuestion(q)}
	for _, p := range photoPhrases {
		if hasPhrase(q, p) {
			in.photo = true
			break
		}
	}
	for _, c := range cues {
		if c.attr == attrPrice && (strings.Contains(q, "weigh") || strings.Contains(q, "重")) {
			continue // "how much does it weigh" asks for a weight
		}
		for _, p := range c.phrases {
			if hasPhrase(q, p) {
				in.attr = c.attr
				break
			}
		}
		if in.attr != "" {
			break
		}
	}
	switch in.attr {
	case attrSleeve:
		in.value = sleeveValue(q)
		in.photo = true
	case attrColor, attrCategory:
		in.photo = true
	}
	if !in.yesNo {
		return in
	}
	// A yes/no question naming a value: a colour, a material, a thing.
	// "Is it available in blue?" asks for the colour.
	if in.attr == "" || in.attr == attrColor || in.attr == attrAvailability {
		if h := colorIn(q); h != "" {
			in.attr, in.value, in.photo = attrColor, h, true
			return in
		}
	}
	if in.attr == "" || in.attr == attrMaterial {
		if m := materialIn(q); m != "" {
			in.attr, in.value = attrMaterial, m
			return in
		}
	}
	if in.attr == "" || in.attr == attrCategory {
		if thing := categoryNoun(q); thing != "" {
			in.attr, in.value, in.photo = attrCategory, thing, true
		}
	}
	return in
}

// sleeveValue is the sleeve length q names: "long", "short", "none"
// (sleeveless), or "" when it names none.
func sleeveValue(q string) string {
	switch {
	case strings.Contains(q, "sleeveless") || strings.Contains(q, "无袖"):
		return "none"
	case strings.Contains(q, "short") || strings.Contains(q, "短袖"):
		return "short"
	case strings.Contains(q, "long") || strings.Contains(q, "长袖"):
		return "long"
	}
	return ""
}

// categoryNoun is the thing an "is this a …" question names, in English
// (Chinese names of known things are translated), or "".
func categoryNoun(q string) string {
	if m := isA.FindStringSubmatch(q); m != nil {
		return strings.TrimSpace(m[1])
	}
	if m := isAZh.FindStringSubmatch(q); m != nil {
		thing := strings.TrimSpace(m[1])
		for _, t := range things {
			if slices.Contains(t.zh, thing) {
				return t.en[0]
			}
		}
		return thing
	}
	return ""
}

// hasPhrase reports whether p occurs in q; a Latin-script p only as
// whole words.
func hasPhrase(q, p string) bool {
	if p == "" {
		return false
	}
	if r := []rune(p)[0]; r > unicode.MaxLatin1 {
		return strings.Contains(q, p)
	}
	for i := 0; ; {
		j := strings.Index(q[i:], p)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordByte(q[j-1])
		end := j + len(p)
		after := end == len(q) || !isWordByte(q[end])
		if before && after {
			return true
		}
		i = j + 1
	}
}

// isWordByte reports whether b is an ASCII letter or digit.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
