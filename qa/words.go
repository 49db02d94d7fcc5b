package qa

import "strings"

// hue is a base colour with its English and Chinese names.
type hue struct {
	en string
	// also are other English words that name it.
	also []string
	zh   string
}

// hues are the base colours questions and answers name. A canonical
// colour ("navy blue") has the hue of its last word; a few have their own.
var hues = []hue{
	{"black", nil, "黑色"},
	{"white", []string{"ivory", "cream"}, "白色"},
	{"red", []string{"burgundy", "maroon", "crimson"}, "红色"},
	{"blue", []string{"navy", "teal", "turquoise"}, "蓝色"},
	{"green", []string{"olive", "lime"}, "绿色"},
	{"yellow", nil, "黄色"},
	{"pink", []string{"magenta"}, "粉色"},
	{"purple", []string{"violet", "lavender"}, "紫色"},
	{"gray", []string{"grey", "charcoal"}, "灰色"},
	{"brown", []string{"tan", "khaki", "camel"}, "棕色"},
	{"orange", []string{"coral"}, "橙色"},
	{"beige", nil, "米色"},
	{"silver", nil, "银色"},
	{"gold", []string{"golden"}, "金色"},
	{"clear", []string{"transparent"}, "透明"},
}

// zhHueAlso are further Chinese names of hues (key: hue).
var zhHueAlso = map[string][]string{
	"black": {"黑"}, "white": {"白"}, "red": {"红"}, "blue": {"蓝", "藏青"}, "green": {"绿"},
	"yellow": {"黄"}, "pink": {"粉红", "粉"}, "purple": {"紫"}, "gray": {"灰"}, "brown": {"棕", "咖啡色", "褐色"},
	"orange": {"橙", "橘色"}, "beige": {"米"}, "silver": {"银"}, "gold": {"金"},
}

// hueOf returns the hue of a colour name ("navy blue" gives "blue"), or
// "" when none is known.
func hueOf(color string) string {
	c := strings.ToLower(strings.TrimSpace(color))
	words := strings.Fields(strings.ReplaceAll(c, "-", " "))
	for i := len(words) - 1; i >= 0; i-- {
		for _, h := range hues {
			if words[i] == h.en || contains(h.also, words[i]) {
				return h.en
			}
		}
	}
	for _, h := range hues {
		if strings.Contains(c, h.zh) {
			return h.en
		}
		for _, z := range zhHueAlso[h.en] {
			if strings.Contains(c, z) {
				return h.en
			}
		}
	}
	return ""
}

// colorIn returns the hue of the first colour q names, English words or
// Chinese, or "".
func colorIn(q string) string {
	for _, h := range hues {
		for _, w := range append([]string{h.en}, h.also...) {
			if hasPhrase(q, w) {
				return h.en
			}
		}
	}
	for _, h := range hues {
		if strings.Contains(q, h.zh) {
			return h.en
		}
		for _, z := range zhHueAlso[h.en] {
			if strings.Contains(q, z+"色") || strings.Contains(q, "是"+z+"的") {
				return h.en
			}
		}
	}
	return ""
}

// zhColor names a colour in Chinese: its hue's name, or the colour as
// given when its hue is unknown.
func zhColor(color string) string {
	h := hueOf(color)
	for _, x := range hues {
		if x.en == h {
			c := strings.ToLower(color)
			switch {
			case strings.HasPrefix(c, "navy"):
				return "藏青色"
			case strings.HasPrefix(c, "light "):
				return "浅" + x.zh
			case strings.HasPrefix(c, "dark "):
				return "深" + x.zh
			}
			return x.zh
		}
	}
	return color
}

// material is a material with its English and Chinese names.
type material struct {
	en []string
	zh []string
}

// materials questions name; the first English name is canonical.
var materials = []material{
	{[]string{"stainless steel"}, []string{"不锈钢"}},
	{[]string{"cotton"}, []string{"棉", "纯棉"}},
	{[]string{"wool", "merino"}, []string{"羊毛", "毛料"}},
	{[]string{"leather"}, []string{"皮革", "真皮", "皮"}},
	{[]string{"polyester"}, []string{"涤纶", "聚酯"}},
	{[]string{"silk"}, []string{"丝绸", "真丝"}},
	{[]string{"linen"}, []string{"亚麻"}},
	{[]string{"denim"}, []string{"牛仔布", "牛仔"}},
	{[]string{"nylon"}, []string{"尼龙"}},
	{[]string{"plastic"}, []string{"塑料"}},
	{[]string{"steel"}, []string{"钢"}},
	{[]string{"aluminum", "aluminium"}, []string{"铝"}},
	{[]string{"metal"}, []string{"金属"}},
	{[]string{"wood", "wooden"}, []string{"木头", "木质", "木"}},
	{[]string{"glass"}, []string{"玻璃"}},
	{[]string{"paper"}, []string{"纸"}},
	{[]string{"rubber"}, []string{"橡胶"}},
	{[]string{"bamboo"}, []string{"竹"}},
	{[]string{"ceramic"}, []string{"陶瓷"}},
}

// materialIn returns the canonical name of the first material q names.
func materialIn(q string) string {
	for _, m := range materials {
		for _, w := range m.en {
			if hasPhrase(q, w) {
				return m.en[0]
			}
		}
		for _, w := range m.zh {
			if strings.Contains(q, w) {
				return m.en[0]
			}
		}
	}
	return ""
}

// zhMaterial names a material in Chinese, or returns it as given.
func zhMaterial(name string) string {
	n := strings.ToLower(name)
	for _, m := range materials {
		if contains(m.en, n) {
			return m.zh[0]
		}
	}
	return name
}

// thing is a kind of product with its English and Chinese names; the
// first English name is canonical.
type thing struct {
	en []string
	zh []string
}

// things are the kinds of product a photo question or a caption names:
// the clothing classes of Aisle's photo classifier and a few more.
var things = []thing{
	{[]string{"dress", "dresses", "gown"}, []string{"连衣裙", "裙装"}},
	{[]string{"hat", "hats", "cap", "caps"}, []string{"帽子", "帽"}},
	{[]string{"longsleeve", "long sleeve", "long-sleeve top", "long-sleeved top", "sweater", "sweatshirt", "jumper", "pullover"}, []string{"长袖上衣", "长袖", "毛衣", "卫衣"}},
	{[]string{"outwear", "outerwear", "jacket", "jackets", "coat", "coats"}, []string{"外套", "夹克", "大衣"}},
	{[]string{"pants", "trousers", "jeans", "leggings"}, []string{"裤子", "长裤", "牛仔裤"}},
	{[]string{"t-shirt", "t-shirts", "tshirt", "tee", "t shirt"}, []string{"T恤", "t恤"}},
	{[]string{"shirt", "shirts", "blouse"}, []string{"衬衫"}},
	{[]string{"shoes", "shoe", "footwear", "sneakers", "trainers", "boots", "sandals", "slippers", "loafers"}, []string{"鞋子", "鞋"}},
	{[]string{"shorts"}, []string{"短裤"}},
	{[]string{"skirt", "skirts"}, []string{"半身裙", "裙子"}},
}

// sleeveless are the things that have no sleeves to ask about.
var sleeveless = []string{"hat", "pants", "shoes", "shorts", "skirt"}

// thingOf returns the canonical thing a category, label or question
// names, or "".
func thingOf(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, t := range things {
		if contains(t.en, n) || contains(t.zh, n) {
			return t.en[0]
		}
	}
	return ""
}

// zhThing names a thing in Chinese, or returns the name as given.
func zhThing(name string) string {
	if t := thingOf(name); t != "" {
		for _, x := range things {
			if x.en[0] == t {
				return x.zh[0]
			}
		}
	}
	return name
}

// contains reports whether ss holds s.
func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
