package query

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/aislehq/aisle/text/analyze"
)

// maxGlosses is how many English glosses of a Chinese word are kept: the
// first becomes the query's term, the others its synonyms.
const maxGlosses = 3

// maxGlossSpaces is the most spaces a gloss worth analysing has: one
// that keeps at most three terms has few words besides stop words.
const maxGlossSpaces = 5

// parenthetical matches CC-CEDICT's remarks inside glosses: "(bound
// form) pen", "(Tw) ...".
var parenthetical = regexp.MustCompile(`\([^)]*\)`)

// readCEDICT reads the CC-CEDICT file at path; see parseCEDICT.
func readCEDICT(path string, an *analyze.Analyzer, hasTerm func(string) bool) (map[string][][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read cedict: %w", err)
	}
	defer f.Close()
	return parseCEDICT(f, path, an, hasTerm)
}

// parseCEDICT reads CC-CEDICT ("trad simp [pin1 yin1] /gloss/gloss/"
// lines, "#" comments) and returns, for each simplified and traditional
// headword, the glosses whose index terms the catalog all has (one to
// three terms; remarks, classifiers, "variant of" and "surname" glosses
// left out), as index terms, in dictionary order. A line that is not in
// that format is an error naming name:line.
func parseCEDICT(r io.Reader, name string, an *analyze.Analyzer, hasTerm func(string) bool) (map[string][][]string, error) {
	out := make(map[string][][]string)
	tm := newTermer(an)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		trad, rest, ok1 := strings.Cut(text, " ")
		simp, rest, ok2 := strings.Cut(rest, " ")
		_, glosses, ok3 := strings.Cut(rest, "] /")
		if !ok1 || !ok2 || !ok3 || trad == "" || simp == "" {
			return nil, fmt.Errorf("read cedict: %s:%d: want \"traditional simplified [pinyin] /gloss/\"", name, line)
		}
		for _, g := range strings.Split(strings.TrimSuffix(glosses, "/"), "/") {
			terms := glossTerms(tm, g)
			if len(terms) == 0 || len(terms) > 3 || !allFunc(terms, hasTerm) {
				continue
			}
			for _, w := range []string{simp, trad} {
				if len(out[w]) < maxGlosses && !slices.ContainsFunc(out[w], func(t []string) bool { return slices.Equal(t, terms) }) {
					out[w] = append(out[w], terms)
				}
				if trad == simp {
					break
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read cedict: %s: %w", name, err)
	}
	return out, nil
}

// glossTerms returns the index terms of one gloss, or nil for a gloss
// that is no translation.
func glossTerms(tm *termer, g string) []string {
	if strings.Contains(g, "(") {
		g = parenthetical.ReplaceAllString(g, "")
	}
	g = strings.TrimSpace(g)
	for _, skip := range []string{"CL:", "variant of", "old variant", "surname", "abbr.", "see ", "used in", "also written", "also pr.", "classifier", "Japanese variant", "erhua variant"} {
		if strings.HasPrefix(g, skip) {
			return nil
		}
	}
	if strings.ContainsAny(g, "[]|") || strings.Count(g, " ") > maxGlossSpaces {
		return nil
	}
	for _, article := range []string{"to ", "a ", "an ", "the "} {
		g = strings.TrimPrefix(g, article)
	}
	return tm.appendTerms(nil, g)
}

func allFunc(ts []string, f func(string) bool) bool {
	for _, t := range ts {
		if !f(t) {
			return false
		}
	}
	return true
}
