package extract

// colorNames maps colour words and phrases (lower case, words separated by
// one space) to their canonical names. Phrases of two words are matched
// before single words, so "navy blue" is one colour, not two.
var colorNames = map[string]string{
	"black": "black", "white": "white", "red": "red", "blue": "blue",
	"green": "green", "yellow": "yellow", "orange": "orange",
	"purple": "purple", "pink": "pink", "brown": "brown", "gray": "gray",
	"grey": "gray", "silver": "silver", "gold": "gold", "beige": "beige",
	"tan": "tan", "ivory": "ivory", "cream": "cream", "navy": "navy blue",
	"teal": "teal", "turquoise": "turquoise", "maroon": "maroon",
	"burgundy": "burgundy", "violet": "violet", "magenta": "magenta",
	"cyan": "cyan", "clear": "clear", "transparent": "clear",
	"lavender": "lavender", "aqua": "aqua", "charcoal": "charcoal",
	"graphite": "graphite", "platinum": "platinum", "bronze": "bronze",
	"khaki": "khaki", "coral": "coral", "fuchsia": "fuchsia",
	"indigo": "indigo", "olive": "olive", "mint": "mint",
	"navy blue": "navy blue", "royal blue": "royal blue",
	"sky blue": "sky blue", "light blue": "light blue",
	"dark blue": "dark blue", "baby blue": "light blue",
	"light gray": "light gray", "light grey": "light gray",
	"dark gray": "dark gray", "dark grey": "dark gray",
	"hot pink": "hot pink", "light pink": "light pink",
	"lime green": "lime green", "forest green": "forest green",
	"dark green": "dark green", "light green": "light green",
	"kelly green": "kelly green", "off white": "off-white",
	"jet black": "black", "rose gold": "rose gold",
	"space gray": "space gray", "space grey": "space gray",
}

// notColors are phrases whose colour words do not name a colour: places,
// brands and product names. They are skipped before colours are matched.
var notColors = []string{
	"orange county", "white out", "white house", "black friday",
	"red hat", "green bay", "black & decker", "black and decker",
	"black n' red", "blue ray", "red cross", "white pages",
	"yellow pages", "black box", "golden state",
}

// materialNames maps material words and phrases to canonical names.
var materialNames = map[string]string{
	"plastic": "plastic", "plastics": "plastic", "poly": "plastic",
	"polypropylene": "polypropylene", "polyethylene": "polyethylene",
	"pvc": "pvc", "vinyl": "vinyl", "acrylic": "acrylic",
	"steel": "steel", "stainless steel": "stainless steel",
	"stainless": "stainless steel", "carbon steel": "carbon steel",
	"metal": "metal", "aluminum": "aluminum", "aluminium": "aluminum",
	"iron": "iron", "brass": "brass", "chrome": "chrome",
	"titanium": "titanium", "wood": "wood", "wooden": "wood",
	"hardwood": "wood", "bamboo": "bamboo", "leather": "leather",
	"faux leather": "faux leather", "leatherette": "faux leather",
	"bonded leather": "bonded leather", "glass": "glass",
	"rubber": "rubber", "silicone": "silicone", "nylon": "nylon",
	"polyester": "polyester", "cotton": "cotton", "canvas": "canvas",
	"fabric": "fabric", "cloth": "fabric", "felt": "felt", "cork": "cork",
	"cardboard": "cardboard", "corrugated": "cardboard",
	"fiberboard": "fiberboard", "foam": "foam", "ceramic": "ceramic",
	"microfiber": "microfiber", "fleece": "fleece", "satin": "satin",
	"wool": "wool", "marble": "marble", "mdf": "fiberboard",
}

// cjkColors and cjkMaterials are Chinese colour and material words,
// matched anywhere in the title (Chinese has no spaces between words).
var cjkColors = []struct{ word, name string }{
	{"黑色", "black"}, {"白色", "white"}, {"红色", "red"}, {"蓝色", "blue"},
	{"绿色", "green"}, {"黄色", "yellow"}, {"橙色", "orange"}, {"紫色", "purple"},
	{"粉红色", "pink"}, {"粉色", "pink"}, {"棕色", "brown"}, {"咖啡色", "brown"},
	{"灰色", "gray"}, {"银色", "silver"}, {"金色", "gold"}, {"米色", "beige"},
	{"透明", "clear"}, {"藏青色", "navy blue"}, {"海军蓝", "navy blue"},
	{"玫瑰金", "rose gold"}, {"天蓝色", "sky blue"},
}

var cjkMaterials = []struct{ word, name string }{
	{"不锈钢", "stainless steel"}, {"塑料", "plastic"}, {"金属", "metal"},
	{"铝合金", "aluminum"}, {"实木", "wood"}, {"木质", "wood"}, {"木制", "wood"},
	{"真皮", "leather"}, {"皮革", "leather"}, {"人造革", "faux leather"},
	{"玻璃", "glass"}, {"纯棉", "cotton"}, {"棉质", "cotton"}, {"硅胶", "silicone"},
	{"橡胶", "rubber"}, {"亚克力", "acrylic"}, {"尼龙", "nylon"}, {"陶瓷", "ceramic"},
}

// stopWords are left out of tags: function words and words every listing
// uses.
var stopWords = setOf(
	"a", "an", "and", "or", "the", "of", "for", "with", "without", "in",
	"on", "to", "by", "from", "at", "as", "per", "each", "is", "are", "be",
	"it", "its", "this", "that", "your", "you", "our", "up", "all", "one",
	"new", "pack", "packs", "count", "ct", "pk", "box", "set", "pcs",
	"piece", "pieces", "inch", "inches", "in", "ft", "feet", "mm", "cm",
	"oz", "lb", "lbs", "qty", "size", "sized", "assorted", "colors",
	"color", "colour", "colours", "may", "vary", "retail", "packaging",
	"total", "dozen", "sheets", "sheet", "x", "w", "h", "d", "includes",
	"version", "brand", "compatible", "replacement", "vs", "plus",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
