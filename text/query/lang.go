package query

import (
	"unicode"

	"github.com/aislehq/aisle/text/analyze"
	"github.com/rivo/uniseg"
)

// scriptLanguages maps the scripts that name one language to its BCP 47
// base tag. Han is Chinese unless kana appear beside it (Japanese).
func scriptLanguages() []struct {
	script *unicode.RangeTable
	lang   string
} {
	return []struct {
		script *unicode.RangeTable
		lang   string
	}{
		{unicode.Han, "zh"}, {unicode.Hiragana, "ja"}, {unicode.Katakana, "ja"},
		{unicode.Hangul, "ko"}, {unicode.Cyrillic, "ru"}, {unicode.Arabic, "ar"},
		{unicode.Hebrew, "he"}, {unicode.Greek, "el"}, {unicode.Thai, "th"},
		{unicode.Devanagari, "hi"}, {unicode.Latin, "en"},
	}
}

// latinStopWords returns function words that tell French, German and
// Spanish from English in Latin script.
func latinStopWords(lang string) []string {
	switch lang {
	case "fr":
		return []string{"le", "la", "les", "des", "du", "pour", "avec", "sans", "et", "une", "au", "aux", "noir", "blanc"}
	case "de":
		return []string{"der", "die", "das", "und", "mit", "ohne", "für", "ein", "eine", "den", "dem", "schwarz", "weiß"}
	case "es":
		return []string{"el", "los", "las", "para", "con", "sin", "y", "una", "del", "negro", "blanco"}
	}
	return nil
}

// detectLanguage tells s's main language from its letters' scripts: the
// script with the most letters wins, a Han character counting as two
// letters (it is about a word); kana make Han Japanese. Latin script is
// English unless more of its words are French, German or Spanish function
// words than English stop words. Without letters it returns "". The
// detector is this simple on purpose: queries are a few words, too short
// for character n-gram models to be reliable, and what Aisle needs is
// which dictionaries to use.
func detectLanguage(s string) string {
	counts := make(map[string]int)
	langs := scriptLanguages()
	for _, r := range s {
		for _, sl := range langs {
			if unicode.Is(sl.script, r) {
				w := 1
				if sl.lang == "zh" {
					w = 2
				}
				counts[sl.lang] += w
				break
			}
		}
	}
	if counts["ja"] > 0 && counts["zh"] > 0 {
		counts["ja"] += counts["zh"]
		counts["zh"] = 0
	}
	best, n := "", 0
	for _, sl := range langs {
		if c := counts[sl.lang]; c > n {
			best, n = sl.lang, c
		}
	}
	if best == "en" {
		return latinLanguage(s)
	}
	return best
}

// latinLanguage picks en, fr, de or es for Latin-script s by counting
// function words.
func latinLanguage(s string) string {
	counts := map[string]int{}
	state := -1
	for s != "" {
		var w string
		w, s, state = uniseg.FirstWordInString(s, state)
		if analyze.IsStopWord(w) {
			counts["en"]++
		}
		for _, lang := range []string{"fr", "de", "es"} {
			for _, sw := range latinStopWords(lang) {
				if w == sw {
					counts[lang]++
				}
			}
		}
	}
	best := "en"
	for _, lang := range []string{"fr", "de", "es"} {
		if counts[lang] > counts[best] {
			best = lang
		}
	}
	return best
}
