package extract

import (
	"math"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
)

// Vocabulary is what the extractor knows about a catalog: its brands and
// how many items' titles use each tag word. The zero value is valid.
// Build one with Learn; it is plain data and can be stored as JSON.
type Vocabulary struct {
	// Brands are known brand names, each spelled as most items spell it.
	// A title that starts with one names the brand of an item without a
	// brand field.
	Brands []string `json:"brands,omitempty"`
	// DocFreq counts, for each tag word (lower case), the items whose
	// title has it; Docs is the number of items counted.
	DocFreq map[string]int `json:"doc_freq,omitempty"`
	Docs    int            `json:"docs,omitempty"`
}

// Learn builds the vocabulary of a catalog: the brand fields of items
// (trademark signs trimmed, one spelling per brand: the commonest, ties to
// the first seen) and the document frequencies of title words.
func Learn(items []aisle.Item) Vocabulary {
	type spelling struct {
		name  string
		count int
	}
	spellings := map[string][]spelling{}
	var keys []string
	v := Vocabulary{DocFreq: map[string]int{}}
	for i := range items {
		it := &items[i]
		if b := cleanBrand(strings.ToValidUTF8(it.Brand, "")); b != "" {
			key := strings.Join(wordsOf(b), " ")
			ss := spellings[key]
			if ss == nil {
				keys = append(keys, key)
			}
			j := slices.IndexFunc(ss, func(s spelling) bool { return s.name == b })
			if j < 0 {
				ss = append(ss, spelling{name: b})
				j = len(ss) - 1
			}
			ss[j].count++
			spellings[key] = ss
		}
		ws := titleWords(rawTokens(strings.ToValidUTF8(it.Title, "")))
		seen := map[string]bool{}
		for _, w := range ws {
			if isTagWord(w.text) && !seen[w.text] {
				seen[w.text] = true
				v.DocFreq[w.text]++
			}
		}
		v.Docs++
	}
	slices.Sort(keys)
	for _, k := range keys {
		best := spellings[k][0]
		for _, s := range spellings[k][1:] {
			if s.count > best.count {
				best = s
			}
		}
		v.Brands = append(v.Brands, best.name)
	}
	return v
}

// isTagWord reports whether w can be a tag: two or more letters, not a
// stop word, colour or bare number.
func isTagWord(w string) bool {
	if len(w) < 2 || stopWords[w] {
		return false
	}
	if _, ok := colorNames[w]; ok {
		return false
	}
	return strings.ContainsFunc(w, func(r rune) bool { return r > '9' })
}

// tags returns the title's tag words, most telling first: by inverse
// document frequency in the vocabulary (rarer first), ties and unknown
// vocabularies in title order. Brand words are left out.
func (e *Extractor) tags(ws []word, skip []bool) []string {
	type tag struct {
		word  string
		score float64
	}
	var ts []tag
	for i, w := range ws {
		if skip[i] || !isTagWord(w.text) || slices.ContainsFunc(ts, func(t tag) bool { return t.word == w.text }) {
			continue
		}
		ts = append(ts, tag{w.text, e.idf(w.text)})
	}
	slices.SortStableFunc(ts, func(a, b tag) int {
		switch {
		case a.score > b.score:
			return -1
		case a.score < b.score:
			return 1
		}
		return 0
	})
	out := make([]string, 0, min(len(ts), MaxTags))
	for _, t := range ts[:min(len(ts), MaxTags)] {
		out = append(out, t.word)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// idf is log((1+docs)/(1+df)); 0 for every word of a zero vocabulary.
func (e *Extractor) idf(w string) float64 {
	if e.docs == 0 {
		return 0
	}
	return math.Log(float64(1+e.docs) / float64(1+e.docFreq[w]))
}
