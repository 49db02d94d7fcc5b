package query

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
)

// searchWindow is how long after a search a shopper's click, cart add or
// purchase is taken as a result of it.
const searchWindow = 30 * time.Minute

// minSynonymShare is the least share of a query term's searches that
// must lead to items with a term for Learn to take that term as its
// synonym.
const minSynonymShare = 0.5

// maxLearnedSynonyms caps the synonyms learned for one term.
const maxLearnedSynonyms = 3

// synonymRule is one line of a synonym file, its phrases as index terms.
type synonymRule struct {
	from [][]string
	to   [][]string // nil for an equivalence ("a, b, c")
}

// synonyms holds the phrases (index terms joined by spaces) that match
// other phrases, and the rewrites of explicit rules.
type synonyms struct {
	alts    map[string][]string
	rewrite map[string][]string // phrase → the phrases replacing it, first kept
	maxLen  int                 // the longest phrase, in terms
}

func newSynonyms() *synonyms {
	return &synonyms{alts: make(map[string][]string), rewrite: make(map[string][]string), maxLen: 1}
}

// addEquivalent makes each phrase match the others.
func (s *synonyms) addEquivalent(phrases [][]string) {
	for _, p := range phrases {
		key := strings.Join(p, " ")
		s.maxLen = max(s.maxLen, len(p))
		for _, q := range phrases {
			if alt := strings.Join(q, " "); alt != key && !slices.Contains(s.alts[key], alt) {
				s.alts[key] = append(s.alts[key], alt)
			}
		}
	}
}

// addRules adds a synonym file's rules.
func (s *synonyms) addRules(rules []synonymRule) {
	for _, r := range rules {
		if r.to == nil {
			s.addEquivalent(r.from)
			continue
		}
		for _, f := range r.from {
			key := strings.Join(f, " ")
			s.maxLen = max(s.maxLen, len(f))
			for _, t := range r.to {
				if to := strings.Join(t, " "); !slices.Contains(s.rewrite[key], to) {
					s.rewrite[key] = append(s.rewrite[key], to)
				}
			}
		}
	}
}

// learnCompounds pairs two catalog terms that titles write side by side
// with the one word they make together ("ball point" and "ballpoint",
// "mouse pad" and "mousepad"), each seen at least twice.
func (s *synonyms) learnCompounds(c *catalog) {
	pairs := make(map[[2]string]int)
	for _, title := range c.titles {
		for i := 1; i < len(title); i++ {
			pairs[[2]string{title[i-1], title[i]}]++
		}
	}
	for p, n := range pairs {
		if n < 2 || len(p[0]) < 2 || len(p[1]) < 2 || !isASCIILetters(p[0]) || !isASCIILetters(p[1]) {
			continue
		}
		if joined := p[0] + p[1]; len(c.postings[joined]) >= 2 {
			s.addEquivalent([][]string{{p[0], p[1]}, {joined}})
		}
	}
}

// learnSearches learns synonyms from what shoppers chose after searching:
// a query term a that the chosen item's text lacks is paired with the
// item's title terms; a title term b becomes a synonym of a when at least
// minCount of a's searches, and minSynonymShare of them, led to items with
// b. A click, cart add or purchase counts for the shopper's last search
// within searchWindow (any time when events carry no time), once per item.
func (s *synonyms) learnSearches(events []aisle.Event, items []aisle.Item, an *analyze.Analyzer, c *catalog, minCount int) {
	index := make(map[string]int32, len(items))
	for i, it := range items {
		index[it.ID] = int32(i)
	}
	type search struct {
		terms  []string
		at     time.Time
		chosen map[int32]bool
	}
	last := make(map[string]*search)
	pairs := make(map[[2]string]int)
	searches := make(map[string]int)
	for _, e := range events {
		switch e.Type {
		case aisle.EventSearch:
			last[e.User] = &search{terms: an.Terms(nil, e.Query), at: e.Time, chosen: make(map[int32]bool)}
		case aisle.EventClick, aisle.EventAddToCart, aisle.EventPurchase:
			q := last[e.User]
			i, ok := index[e.Item]
			if q == nil || !ok || q.chosen[i] || (!q.at.IsZero() && !e.Time.IsZero() && e.Time.Sub(q.at) > searchWindow) {
				continue
			}
			q.chosen[i] = true
			for _, a := range q.terms {
				if c.itemHas(i, a) {
					continue
				}
				searches[a]++
				for _, b := range uniq(c.titles[i]) {
					pairs[[2]string{a, b}]++
				}
			}
		}
	}
	learned := make(map[string][][2]string)
	for p, n := range pairs {
		if n >= minCount && float64(n) >= minSynonymShare*float64(searches[p[0]]) {
			learned[p[0]] = append(learned[p[0]], p)
		}
	}
	for a, ps := range learned {
		slices.SortFunc(ps, func(x, y [2]string) int { return cmp.Or(pairs[y]-pairs[x], strings.Compare(x[1], y[1])) })
		for _, p := range ps[:min(len(ps), maxLearnedSynonyms)] {
			if !slices.Contains(s.alts[a], p[1]) {
				s.alts[a] = append(s.alts[a], p[1])
			}
		}
	}
}

// apply rewrites terms by the explicit rules and returns them with the
// synonyms of every phrase in them (nil when there are none).
func (s *synonyms) apply(terms []string) ([]string, map[string][]string) {
	var syn map[string][]string
	add := func(key string, alts []string) {
		if len(alts) == 0 {
			return
		}
		if syn == nil {
			syn = make(map[string][]string)
		}
		for _, a := range alts {
			if !slices.Contains(syn[key], a) {
				syn[key] = append(syn[key], a)
			}
		}
	}
	if len(s.rewrite) > 0 {
		var out []string
		for i := 0; i < len(terms); {
			n := s.longestRewrite(terms[i:])
			if n == 0 {
				out = append(out, terms[i])
				i++
				continue
			}
			to := s.rewrite[strings.Join(terms[i:i+n], " ")]
			out = append(out, strings.Fields(to[0])...)
			add(to[0], to[1:])
			i += n
		}
		terms = out
	}
	for i := range terms {
		for n := 1; n <= s.maxLen && i+n <= len(terms); n++ {
			key := strings.Join(terms[i:i+n], " ")
			add(key, s.alts[key])
		}
	}
	return terms, syn
}

// longestRewrite returns the length of the longest rewritten phrase terms
// start with, 0 for none.
func (s *synonyms) longestRewrite(terms []string) int {
	for n := min(s.maxLen, len(terms)); n > 0; n-- {
		if _, ok := s.rewrite[strings.Join(terms[:n], " ")]; ok {
			return n
		}
	}
	return 0
}

// readSynonymFile reads and parses the synonym file at path.
func readSynonymFile(path string, an *analyze.Analyzer) ([]synonymRule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read synonyms: %w", err)
	}
	defer f.Close()
	return parseSynonyms(f, path, an)
}

// parseSynonyms parses a synonym file (the format is in the package
// documentation); name names it in errors ("name:line: reason").
func parseSynonyms(r io.Reader, name string, an *analyze.Analyzer) ([]synonymRule, error) {
	var rules []synonymRule
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		rule, err := parseSynonymLine(text, an)
		if err != nil {
			return nil, fmt.Errorf("synonyms: %s:%d: %w", name, line, err)
		}
		rules = append(rules, rule)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("synonyms: %s: %w", name, err)
	}
	return rules, nil
}

func parseSynonymLine(text string, an *analyze.Analyzer) (synonymRule, error) {
	sides := strings.Split(text, "=>")
	if len(sides) > 2 {
		return synonymRule{}, fmt.Errorf("more than one \"=>\"")
	}
	from, err := synonymPhrases(sides[0], an)
	if err != nil {
		return synonymRule{}, err
	}
	if len(sides) == 1 {
		if len(from) < 2 {
			return synonymRule{}, fmt.Errorf("want two or more phrases separated by commas, or \"a => b\"")
		}
		return synonymRule{from: from}, nil
	}
	to, err := synonymPhrases(sides[1], an)
	if err != nil {
		return synonymRule{}, err
	}
	return synonymRule{from: from, to: to}, nil
}

// synonymPhrases analyses the comma-separated phrases of one side of a
// rule.
func synonymPhrases(side string, an *analyze.Analyzer) ([][]string, error) {
	var out [][]string
	for p := range strings.SplitSeq(side, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			return nil, fmt.Errorf("empty phrase")
		}
		terms := an.Terms(nil, p)
		if len(terms) == 0 {
			return nil, fmt.Errorf("%q has no index terms (only stop words or punctuation)", p)
		}
		out = append(out, terms)
	}
	return out, nil
}

// uniq returns ts without repeats, in first-seen order.
func uniq(ts []string) []string {
	var out []string
	for _, t := range ts {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
