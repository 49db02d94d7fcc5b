package query

import "slices"

// cueKind is what a cue phrase tells.
type cueKind uint8

const (
	cueSort   cueKind = iota + 1 // value is a Sort constant
	cueColor                     // value is a canonical colour name
	cueNegate                    // the next word is excluded
	cueBrand                     // value is the brand as the catalog spells it
)

// cue is what a phrase of a query means.
type cue struct {
	kind  cueKind
	value string
}

// phrase is a cue phrase as written, before analysis.
type phrase struct {
	phrase string
	cue    cue
}

// colors are the colour names Parse recognises, canonical value first.
// The Office catalog has no colour field: colours are read from titles
// ("Black/Silver"), so these are plain English words.
func colors() [][]string {
	return [][]string{
		{"black"}, {"white"}, {"red"}, {"blue"}, {"green"}, {"yellow"},
		{"orange"}, {"purple", "violet"}, {"pink"}, {"brown"},
		{"gray", "grey"}, {"silver"}, {"gold"}, {"beige"}, {"navy"},
		{"teal"}, {"turquoise"},
	}
}

// englishCues returns the cue phrases of English queries (besides
// colours and prices, which have their own readers).
func englishCues() []phrase {
	sort := func(v string, ps ...string) []phrase {
		out := make([]phrase, len(ps))
		for i, p := range ps {
			out[i] = phrase{p, cue{cueSort, v}}
		}
		return out
	}
	var out []phrase
	out = append(out, sort(SortPriceAsc, "cheapest", "cheap", "cheaper", "lowest price", "low price",
		"least expensive", "inexpensive", "price low to high", "low to high")...)
	out = append(out, sort(SortPriceDesc, "most expensive", "priciest", "highest price",
		"high price", "price high to low", "high to low")...)
	out = append(out, sort(SortNewest, "newest", "latest", "new arrivals", "new arrival",
		"most recent", "newest first", "just arrived")...)
	out = append(out, sort(SortPopular, "best selling", "bestselling", "best seller", "best sellers",
		"bestseller", "bestsellers", "top selling", "top seller", "top sellers", "most popular", "popular")...)
	for _, p := range []string{"without", "no", "not", "excluding", "exclude", "except", "w/o", "minus"} {
		out = append(out, phrase{p, cue{kind: cueNegate}})
	}
	for _, names := range colors() {
		for _, n := range names {
			out = append(out, phrase{n, cue{cueColor, names[0]}})
		}
	}
	return out
}

// chineseCues returns the cue words of Chinese queries. They join the
// Chinese lexicon, so the longest match decides: "蓝牙" (Bluetooth) is a
// word, not the colour "蓝" and a tooth.
func chineseCues() []phrase {
	var out []phrase
	add := func(c cue, ws ...string) {
		for _, w := range ws {
			out = append(out, phrase{w, c})
		}
	}
	add(cue{cueSort, SortPriceAsc}, "最便宜", "便宜", "低价", "价格最低", "价格从低到高", "从低到高")
	add(cue{cueSort, SortPriceDesc}, "最贵", "价格最高", "价格从高到低", "从高到低", "高端")
	add(cue{cueSort, SortNewest}, "最新", "新品", "新款", "最新款")
	add(cue{cueSort, SortPopular}, "热销", "畅销", "最受欢迎", "销量最高", "爆款")
	add(cue{kind: cueNegate}, "不要", "不含", "不带", "没有", "除了", "不需要")
	add(cue{cueColor, "black"}, "黑色", "黑")
	add(cue{cueColor, "white"}, "白色", "白")
	add(cue{cueColor, "red"}, "红色", "红")
	add(cue{cueColor, "blue"}, "蓝色", "蓝")
	add(cue{cueColor, "green"}, "绿色", "绿")
	add(cue{cueColor, "yellow"}, "黄色", "黄")
	add(cue{cueColor, "orange"}, "橙色", "橘色")
	add(cue{cueColor, "purple"}, "紫色", "紫")
	add(cue{cueColor, "pink"}, "粉色", "粉红色", "粉红")
	add(cue{cueColor, "brown"}, "棕色", "咖啡色", "褐色")
	add(cue{cueColor, "gray"}, "灰色", "灰")
	add(cue{cueColor, "silver"}, "银色")
	add(cue{cueColor, "gold"}, "金色")
	add(cue{cueColor, "beige"}, "米色")
	return out
}

// zhEntry is a word of the Chinese lexicon: a cue, or a word with its
// English glosses as catalog index terms (best first).
type zhEntry struct {
	cue     *cue
	glosses [][]string
}

// phraseTable finds the longest phrase starting at a unit. Phrases are
// sequences of words (or stems, for brands) keyed by their first.
type phraseTable struct {
	first map[string][]tableEntry
	words map[string]bool
}

type tableEntry struct {
	words []string
	cue   cue
}

func newPhraseTable() phraseTable {
	return phraseTable{first: make(map[string][]tableEntry), words: make(map[string]bool)}
}

// add adds a phrase; an empty one is ignored, and the first cue given
// for a phrase wins.
func (t phraseTable) add(words []string, c cue) {
	if len(words) == 0 {
		return
	}
	for _, e := range t.first[words[0]] {
		if slices.Equal(e.words, words) {
			return
		}
	}
	t.first[words[0]] = append(t.first[words[0]], tableEntry{words, c})
	for _, w := range words {
		t.words[w] = true
	}
}

// hasWord reports whether w is a word of some phrase.
func (t phraseTable) hasWord(w string) bool { return t.words[w] }

// longest returns the cue of the longest phrase that units start with,
// comparing key(unit) with the phrase's words, and its length in units
// (0 for none).
func (t phraseTable) longest(units []unit, key func(unit) string) (cue, int) {
	if len(units) == 0 {
		return cue{}, 0
	}
	var best cue
	n := 0
	for _, e := range t.first[key(units[0])] {
		if len(e.words) <= n || len(e.words) > len(units) {
			continue
		}
		match := true
		for i, w := range e.words {
			if key(units[i]) != w {
				match = false
				break
			}
		}
		if match {
			best, n = e.cue, len(e.words)
		}
	}
	return best, n
}
