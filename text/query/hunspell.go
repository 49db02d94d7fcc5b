package query

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// DefaultHunspell is where Debian's hunspell-en-us installs the en_US
// word list (`make deps` installs it).
const DefaultHunspell = "/usr/share/hunspell/en_US.dic"

// readHunspellWords reads the words of a Hunspell dictionary (a count on
// the first line, then "word[/flags]" lines), lower-cased, with their
// affix flags.
func readHunspellWords(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read hunspell: %w", err)
	}
	defer f.Close()
	words := make(map[string]string, 1<<17)
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if line == 1 {
			continue // the word count
		}
		w, flags, _ := strings.Cut(strings.TrimSpace(sc.Text()), "/")
		if w = strings.ToLower(w); w != "" {
			words[w] += flags
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read hunspell: %s: %w", path, err)
	}
	return words, nil
}

// englishSuffixes are the en_US affix file's commonest suffix rules: a
// word ending in suffix is base+replace with the suffix added when that
// base carries flag.
func englishSuffixes() []struct{ suffix, replace, flag string } {
	return []struct{ suffix, replace, flag string }{
		{"s", "", "S"}, {"es", "", "S"}, {"ies", "y", "S"},
		{"'s", "", "M"},
		{"ed", "", "D"}, {"d", "", "D"}, {"ied", "y", "D"},
		{"ing", "", "G"}, {"ing", "e", "G"},
		{"er", "", "R"}, {"r", "", "R"}, {"ier", "y", "R"},
		{"ers", "", "Z"}, {"rs", "", "Z"}, {"iers", "y", "Z"},
		{"est", "", "T"}, {"st", "", "T"}, {"iest", "y", "T"},
		{"ly", "", "Y"},
		{"ings", "", "J"}, {"ings", "e", "J"},
	}
}

// isEnglishWord reports whether w is a word of words (word → affix flags)
// or one of them with a suffix its flags allow ("pants" is pant/S,
// "painted" paint/D; "calculater" is no word: calculate has no R).
func isEnglishWord(words map[string]string, w string) bool {
	if _, ok := words[w]; ok {
		return true
	}
	for _, s := range englishSuffixes() {
		if base, ok := strings.CutSuffix(w, s.suffix); ok && base != "" {
			if flags, ok := words[base+s.replace]; ok && strings.Contains(flags, s.flag) {
				return true
			}
		}
	}
	return false
}
