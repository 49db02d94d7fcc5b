package query

import (
	"cmp"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
)

// minCategoryShare is the least share of the items matching all of a
// query's terms that a category named by the query must hold to be taken:
// "cordless phone" names the category "Phones" by one word, but its
// 70-odd matching items are cordless telephones, so it is not taken;
// "printer paper" names "Printers" and "Paper", and takes "Paper".
const minCategoryShare = 0.15

// minRelativeSupport is the least share of the items having all of a
// query's terms that a candidate category must hold, relative to the
// candidate holding most of them: "bic pens" names "Pens & Refills" (171
// items), not "Glue Sticks & Pens" (4).
const minRelativeSupport = 0.1

// minCategoryItems is the fewest items a category named by a query
// must hold once minShareItems items match the query.
const minCategoryItems = 2

// minShareItems is how many items must match all of a query's terms
// before minCategoryShare is checked.
const minShareItems = 4

// placeholderBrands are brand values that name no brand.
func placeholderBrands() []string {
	return []string{"unknown", "generic", "n/a", "na", "none", "unbranded", "no brand"}
}

// catalog is what Parse knows of the catalog's words.
type catalog struct {
	// words counts the catalog's words as Analyzer.Words gives them
	// (spelling correction's dictionary).
	words map[string]int
	// postings lists, for each index term, the items (by position) whose
	// text has it, in order.
	postings map[string][]int32
	// brands maps a brand's stems, joined by spaces, to its commonest
	// spelling.
	brands map[string]string
	// categories are every level of every category path.
	categories []category
	// byTerm lists, for each term of a category name, the categories
	// (by position) whose name has it.
	byTerm map[string][]int
	// titles are the items' title terms, for learned synonyms.
	titles [][]string
}

// category is one category name and the items under it.
type category struct {
	name  string
	depth int        // the deepest level it appears at, 0 for a root
	parts [][]string // its name's parts ("Pens & Refills": pen; refill), as index terms
	items []int32    // in order
}

// learnCatalog reads the catalog's vocabulary, brands and categories.
func learnCatalog(items []aisle.Item, an *analyze.Analyzer) *catalog {
	c := &catalog{
		words:    make(map[string]int),
		postings: make(map[string][]int32),
		brands:   make(map[string]string),
		titles:   make([][]string, len(items)),
	}
	brandCount := make(map[string]map[string]int)
	byName := make(map[string]*category)
	tm := newTermer(an)
	var words, terms []string
	for i, it := range items {
		words = an.Words(words[:0], it.Text())
		for _, w := range words {
			c.words[w]++
		}
		terms = tm.appendWordTerms(terms[:0], words)
		for _, t := range terms {
			if p := c.postings[t]; len(p) == 0 || p[len(p)-1] != int32(i) {
				c.postings[t] = append(p, int32(i))
			}
		}
		c.titles[i] = tm.appendTerms(nil, it.Title)
		if b := strings.TrimSpace(it.Brand); b != "" && !slices.Contains(placeholderBrands(), strings.ToLower(b)) {
			key := stemKey(an, b)
			if key != "" {
				if brandCount[key] == nil {
					brandCount[key] = make(map[string]int)
				}
				brandCount[key][b]++
			}
		}
		for depth, name := range it.Categories {
			cat := byName[name]
			if cat == nil {
				cat = &category{name: name, parts: categoryParts(an, name)}
				byName[name] = cat
			}
			cat.depth = max(cat.depth, depth)
			if n := len(cat.items); n == 0 || cat.items[n-1] != int32(i) {
				cat.items = append(cat.items, int32(i))
			}
		}
	}
	for key, spellings := range brandCount {
		c.brands[key] = commonest(spellings)
	}
	for _, cat := range byName {
		if len(cat.parts) > 0 {
			c.categories = append(c.categories, *cat)
		}
	}
	slices.SortFunc(c.categories, func(a, b category) int { return strings.Compare(a.name, b.name) })
	c.byTerm = make(map[string][]int)
	for i, cat := range c.categories {
		for _, p := range cat.parts {
			for _, t := range p {
				if l := c.byTerm[t]; len(l) == 0 || l[len(l)-1] != i {
					c.byTerm[t] = append(l, i)
				}
			}
		}
	}
	return c
}

// stemKey returns the stems of s's words joined by spaces.
func stemKey(an *analyze.Analyzer, s string) string {
	words := an.Words(nil, s)
	for i, w := range words {
		words[i] = an.Stem(w)
	}
	return strings.Join(words, " ")
}

// categoryParts splits a category name into the parts its "&", "," and
// "and" join, each as index terms.
func categoryParts(an *analyze.Analyzer, name string) [][]string {
	var parts [][]string
	for _, p := range strings.FieldsFunc(strings.ReplaceAll(name, " and ", ","), func(r rune) bool {
		return r == '&' || r == ',' || r == ':' || r == '/'
	}) {
		if terms := an.Terms(nil, p); len(terms) > 0 {
			parts = append(parts, terms)
		}
	}
	return parts
}

// commonest returns the most frequent key of counts (the smallest of
// equals, for a stable answer).
func commonest(counts map[string]int) string {
	best, n := "", 0
	for k, c := range counts {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

// hasTerm reports whether some item's text has the index term t.
func (c *catalog) hasTerm(t string) bool { return len(c.postings[t]) > 0 }

// itemHas reports whether item i's text has the index term t.
func (c *catalog) itemHas(i int32, t string) bool {
	_, ok := slices.BinarySearch(c.postings[t], i)
	return ok
}

// category returns the catalog category the query's terms name, "" for
// none; head is the query's last term, in English its head noun.
// Candidates are the categories with a name part whose terms are all in
// terms; those covering most terms are tried first, and among them those
// naming the head ("printer paper" is paper, "paper shredder" a
// shredder). Among them, when at least minShareItems items have all the
// terms, only categories holding minRelativeSupport of the largest number
// of those items any candidate holds, and of at least minCategoryItems
// items, count ("phone" does not name "Phones", one VoIP handset), and a
// category covering only some of the terms must
// also hold minCategoryShare of all those items; with fewer such items, a
// category covering only some of the terms must hold one of them. The
// deepest category left wins, then the one holding more of the items.
func (c *catalog) category(terms []string, head string) string {
	if len(terms) == 0 {
		return ""
	}
	type candidate struct {
		cat              *category
		covered, support int
		head             bool
	}
	var cands []candidate
	var seen []int
	for _, t := range terms {
		for _, i := range c.byTerm[t] {
			if !slices.Contains(seen, i) {
				seen = append(seen, i)
			}
		}
	}
	for _, i := range seen {
		cat := &c.categories[i]
		cd := candidate{cat: cat}
		for _, p := range cat.parts {
			if containsAll(terms, p) {
				cd.covered = max(cd.covered, len(p))
				cd.head = cd.head || slices.Contains(p, head)
			}
		}
		if cd.covered > 0 {
			cands = append(cands, cd)
		}
	}
	if len(cands) == 0 {
		return ""
	}
	known := 0
	for _, t := range terms {
		if c.hasTerm(t) {
			known++
		}
	}
	matching := c.matching(terms)
	checked := len(matching) >= minShareItems
	for i := range cands {
		cands[i].support = intersectCount(matching, cands[i].cat.items)
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(b.covered-a.covered, boolOrder(b.head, a.head), b.cat.depth-a.cat.depth, b.support-a.support, strings.Compare(a.cat.name, b.cat.name))
	})
	for start := 0; start < len(cands); {
		end := start
		most := 0
		for end < len(cands) && cands[end].covered == cands[start].covered {
			most = max(most, cands[end].support)
			end++
		}
		for _, cd := range cands[start:end] {
			var ok bool
			if checked {
				share := float64(cd.support) / float64(len(matching))
				ok = len(cd.cat.items) >= minCategoryItems && float64(cd.support) >= minRelativeSupport*float64(most) &&
					(cd.covered >= known || share >= minCategoryShare)
			} else {
				ok = cd.covered >= known || cd.support > 0
			}
			if ok {
				return cd.cat.name
			}
		}
		start = end
	}
	return ""
}

// matching returns the items whose text has every one of terms the
// catalog knows.
func (c *catalog) matching(terms []string) []int32 {
	var out []int32
	first := true
	for _, t := range terms {
		p, ok := c.postings[t]
		if !ok {
			continue
		}
		if first {
			out, first = slices.Clone(p), false
			continue
		}
		out = intersect(out, p)
	}
	return out
}

// boolOrder orders false before true.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func containsAll(set, want []string) bool {
	for _, w := range want {
		if !slices.Contains(set, w) {
			return false
		}
	}
	return true
}

// intersect keeps the elements of a (sorted) also in b (sorted), in place.
func intersect(a, b []int32) []int32 {
	out := a[:0]
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			out = append(out, x)
		}
	}
	return out
}

// intersectCount counts the elements a and b (both sorted) share.
func intersectCount(a, b []int32) int {
	n, j := 0, 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			n++
		}
	}
	return n
}
