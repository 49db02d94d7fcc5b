package eval

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aislehq/aisle/qa"
)

// Kinds of photo question (PhotoQuestion.Kind, PhotoQARow.Kind).
const (
	// PhotoCategoryYesNo asks whether the photo shows a class: "Is this a
	// dress?", of its true class and of a wrong one.
	PhotoCategoryYesNo = "category yes/no"
	// PhotoCategoryOpen asks what the photo shows: "What kind of garment
	// is this?".
	PhotoCategoryOpen = "category open"
	// PhotoSleeveYesNo asks about sleeve length where the label decides
	// it (SleeveOf).
	PhotoSleeveYesNo = "sleeve yes/no"
	// PhotoColourOpen asks "What colour is it?" of a photo whose colours
	// were annotated by hand.
	PhotoColourOpen = "colour open"
	// PhotoColourYesNo asks "Is it navy blue?" of such a photo, of an
	// annotated colour and of a colour of another family.
	PhotoColourYesNo = "colour yes/no"
)

// PhotoQuestion is one generated question about a test photo and what
// makes its answer right.
type PhotoQuestion struct {
	// Item is the photo's item ID; Label its class.
	Item, Label string
	// Kind is PhotoCategoryYesNo, PhotoCategoryOpen, PhotoSleeveYesNo,
	// PhotoColourOpen or PhotoColourYesNo; Lang "en" or "zh".
	Kind, Lang string
	// Text is the question.
	Text string
	// Want is the right answer: qa.TypeYes or qa.TypeNo for yes/no
	// questions, the class (Label) for PhotoCategoryOpen, empty for
	// PhotoColourOpen (Colours holds the truth).
	Want string
	// Colours are the photo's annotated colours (colour questions only).
	Colours []string
}

// classNames are the accepted names of each clothing class of the
// dataset in answers, English and Chinese, the class's own name and its
// kinds ("jumper" is a longsleeve, "sandals" are shoes): an open answer is
// right when the first class it names is the photo's.
var classNames = map[string]struct{ en, zh []string }{
	"dress":      {[]string{"dress", "dresses", "gown", "frock"}, []string{"连衣裙", "裙装"}},
	"hat":        {[]string{"hat", "hats", "cap", "caps", "beanie"}, []string{"帽子", "帽"}},
	"longsleeve": {[]string{"long-sleeved top", "long-sleeve top", "longsleeve", "long sleeve", "long-sleeve", "long-sleeved", "long sleeved", "long sleeves", "sweater", "sweatshirt", "jumper", "pullover", "cardigan"}, []string{"长袖上衣", "长袖", "毛衣", "卫衣"}},
	"outwear":    {[]string{"outerwear", "outwear", "jacket", "jackets", "coat", "coats", "parka", "anorak"}, []string{"外套", "夹克", "大衣"}},
	"pants":      {[]string{"pants", "trousers", "jeans", "leggings"}, []string{"裤子", "长裤", "牛仔裤"}},
	"shirt":      {[]string{"shirt", "shirts", "blouse"}, []string{"衬衫"}},
	"shoes":      {[]string{"shoes", "shoe", "footwear", "sneakers", "trainers", "boots", "sandals", "loafers", "slippers"}, []string{"鞋子", "鞋"}},
	"shorts":     {[]string{"shorts"}, []string{"短裤"}},
	"skirt":      {[]string{"skirt", "skirts", "miniskirt"}, []string{"半身裙", "裙子"}},
	"t-shirt":    {[]string{"t-shirt", "t-shirts", "tshirt", "t shirt", "tee", "tees"}, []string{"t恤"}},
}

// askedAs are the English yes/no questions naming each class: names that
// are the class itself, never a narrower or wider one, so the label alone
// decides the answer. One is chosen per photo by its ID's hash.
var askedAs = map[string][]string{
	"dress":      {"Is this a dress?"},
	"hat":        {"Is this a hat?"},
	"longsleeve": {"Is this a long-sleeved top?", "Is this a long-sleeve top?"},
	"outwear":    {"Is this outerwear?"},
	"pants":      {"Are these pants?", "Are these trousers?"},
	"shirt":      {"Is this a shirt?"},
	"shoes":      {"Are these shoes?", "Is this footwear?"},
	"shorts":     {"Are these shorts?"},
	"skirt":      {"Is this a skirt?"},
	"t-shirt":    {"Is this a t-shirt?", "Is this a tee?", "Is this a T-shirt?"},
}

// askedAsZh are the Chinese yes/no questions naming each class.
var askedAsZh = map[string]string{
	"dress": "这是连衣裙吗？", "hat": "这是帽子吗？", "longsleeve": "这是长袖上衣吗？", "outwear": "这是外套吗？",
	"pants": "这是裤子吗？", "shirt": "这是衬衫吗？", "shoes": "这是鞋子吗？", "shorts": "这是短裤吗？",
	"skirt": "这是半身裙吗？", "t-shirt": "这是T恤吗？",
}

// Open questions, one chosen per photo by its ID's hash.
var (
	openCategoryEn = []string{"What kind of garment is this?", "What is this?", "What type of clothing is it?", "What is shown in the photo?"}
	openCategoryZh = []string{"这是什么衣服？", "这是什么？", "图片里是什么？"}
	openColourEn   = []string{"What colour is it?", "What color is this?", "What colour is this garment?"}
	openColourZh   = []string{"这是什么颜色？", "这件衣服是什么颜色的？"}
)

// undecided reports whether the label does not decide the answer to
// "is this a <wrong>?": "Is this a long-sleeved top?" of a dress, a shirt
// or outerwear, which may well have long sleeves.
func undecided(label, wrong string) bool {
	return wrong == "longsleeve" && (label == "dress" || label == "shirt" || label == "outwear")
}

// SleeveOf is the sleeve length a class's label decides: "long" for
// longsleeve, "short" for t-shirt, "" for the others (dresses, shirts and
// outerwear come with long, short or no sleeves, and the other classes
// have none to ask about).
func SleeveOf(label string) string {
	switch label {
	case "longsleeve":
		return "long"
	case "t-shirt":
		return "short"
	}
	return ""
}

// PhotoQuestions generates the questions about the test photos, in their
// order: for each, the category yes/no questions (its class and a wrong
// one that the label decides, see undecided; English and Chinese), the open category question (English and
// Chinese), the two sleeve questions when SleeveOf decides them and, when
// colours holds its annotation (by item ID), the colour questions (open,
// and yes/no of its primary colour and of a base colour of another
// family, English and Chinese). classes are the dataset's classes, sorted;
// every choice (the wrong class, the false colour, the phrasing) follows
// from the photo's ID hash, so the questions are the same on every run.
func PhotoQuestions(photos []Photo, classes []string, colours map[string][]string) []PhotoQuestion {
	var qs []PhotoQuestion
	for _, p := range photos {
		h := idHash(p.ID)
		pick := func(n int, salt uint64) int { return int((h >> salt) % uint64(n)) }
		add := func(kind, lang, text, want string) {
			qs = append(qs, PhotoQuestion{Item: p.ID, Label: p.Label, Kind: kind, Lang: lang, Text: text, Want: want})
		}
		others := slices.DeleteFunc(slices.Clone(classes), func(c string) bool { return c == p.Label || undecided(p.Label, c) })
		if as := askedAs[p.Label]; len(as) > 0 && len(others) > 0 {
			wrong := others[pick(len(others), 0)]
			add(PhotoCategoryYesNo, "en", as[pick(len(as), 8)], qa.TypeYes)
			if wa := askedAs[wrong]; len(wa) > 0 {
				add(PhotoCategoryYesNo, "en", wa[pick(len(wa), 16)], qa.TypeNo)
			}
			add(PhotoCategoryYesNo, "zh", askedAsZh[p.Label], qa.TypeYes)
			if w, ok := askedAsZh[wrong]; ok {
				add(PhotoCategoryYesNo, "zh", w, qa.TypeNo)
			}
		}
		add(PhotoCategoryOpen, "en", openCategoryEn[pick(len(openCategoryEn), 24)], p.Label)
		add(PhotoCategoryOpen, "zh", openCategoryZh[pick(len(openCategoryZh), 32)], p.Label)
		switch SleeveOf(p.Label) {
		case "long":
			add(PhotoSleeveYesNo, "en", "Is it long-sleeved?", qa.TypeYes)
			add(PhotoSleeveYesNo, "en", "Does it have short sleeves?", qa.TypeNo)
		case "short":
			add(PhotoSleeveYesNo, "en", "Is it long-sleeved?", qa.TypeNo)
			add(PhotoSleeveYesNo, "en", "Does it have short sleeves?", qa.TypeYes)
		}
		cs := colours[p.ID]
		if len(cs) == 0 {
			continue
		}
		addColour := func(kind, lang, text, want string) {
			add(kind, lang, text, want)
			qs[len(qs)-1].Colours = cs
		}
		addColour(PhotoColourOpen, "en", openColourEn[pick(len(openColourEn), 40)], "")
		addColour(PhotoColourOpen, "zh", openColourZh[pick(len(openColourZh), 48)], "")
		fams := families(cs)
		var falses []int
		for i, b := range baseColours {
			if !slices.Contains(fams, b.en) {
				falses = append(falses, i)
			}
		}
		f := baseColours[falses[pick(len(falses), 56)]]
		trueZh := ""
		for _, b := range baseColours {
			if b.en == fams[0] {
				trueZh = b.zh
			}
		}
		addColour(PhotoColourYesNo, "en", fmt.Sprintf("Is it %s?", cs[0]), qa.TypeYes)
		addColour(PhotoColourYesNo, "en", fmt.Sprintf("Is it %s?", f.en), qa.TypeNo)
		addColour(PhotoColourYesNo, "zh", fmt.Sprintf("是%s的吗？", trueZh), qa.TypeYes)
		addColour(PhotoColourYesNo, "zh", fmt.Sprintf("是%s的吗？", f.zh), qa.TypeNo)
	}
	return qs
}

// Correct reports whether ans answers q rightly: a yes/no question by
// its type, an open category question when the first class the answer
// names is q's, an open colour question when the first colour it names
// is of the family of one of q's colours. "unknown" is never right.
func (q PhotoQuestion) Correct(ans qa.Answer) bool {
	switch q.Kind {
	case PhotoCategoryOpen:
		return ans.Type != qa.TypeUnknown && firstClass(ans.Answer) == q.Want
	case PhotoColourOpen:
		_, f := firstColour(ans.Answer)
		return ans.Type != qa.TypeUnknown && f != "" && slices.Contains(families(q.Colours), f)
	}
	return ans.Type == q.Want
}

// firstClass is the class the answer names first (classNames), "" when
// it names none. The longest name at the earliest position wins.
func firstClass(answer string) string {
	a := strings.ToLower(answer)
	best, bestLen, class := -1, 0, ""
	for c, names := range classNames {
		for _, n := range names.en {
			if i := wordIndex(a, n); i >= 0 && (best < 0 || i < best || i == best && len(n) > bestLen) {
				best, bestLen, class = i, len(n), c
			}
		}
		for _, n := range names.zh {
			if i := strings.Index(a, n); i >= 0 && (best < 0 || i < best || i == best && len(n) > bestLen) {
				best, bestLen, class = i, len(n), c
			}
		}
	}
	return class
}
