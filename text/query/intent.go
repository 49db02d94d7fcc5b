// Package query understands shoppers' search queries: it reads from the
// words of a query the category, brand, colours, price limits, exclusions,
// sort order and language a shopper asks for, corrects misspellings
// against the catalog's own vocabulary and expands terms with synonyms
// learned from the catalog and behaviour or given in a synonym file.
//
// Learn builds an Understander from the catalog and the event log; Parse
// reads one query into an Intent. Everything is matched after the query
// is NFKC-normalised and lower-cased, and words are split by the same
// analyze.Analyzer the search index uses, so Terms, Exclude and Synonyms
// are index terms (stemmed) that search can look up as they are.
//
//   - Prices: "under 30", "under $30", "less than $20", "below 20
//     dollars", "30-50", "$30 to $50", "between 30 and 50", "over 100",
//     "at least 15", "30元以下", "30元以上", "30到50元". A number followed
//     by a unit word and no currency ("under 100 sheets", "5-10 sheets")
//     is a quantity, not a price.
//   - Exclusions: "without X", "no X", "not X", "excluding X", "-X",
//     "不要X", "不含X", "没有X": the next word's terms go to Exclude.
//   - Sorts: "cheapest", "lowest price", "most expensive", "newest",
//     "best selling", "最便宜", "最新", "热销" and the like.
//   - Colours: the basic colour names in English ("grey" is "gray") and
//     Chinese ("黑色" is "black").
//   - Brands: the catalog's brands, matched on their words' stems, as many
//     words as they have ("paper mate pens"); placeholder brands
//     ("Unknown", "Generic") are none.
//   - Category: see Intent.Category.
//   - Language: by the script of the letters; Latin script is English
//     unless French, German or Spanish function words outnumber English
//     stop words.
//   - Spelling, for English queries only: a word that is neither a catalog
//     word nor a catalog stem nor a word of the grammar above nor an
//     English word of the Hunspell en_US list (with its suffix flags:
//     "blond" is not "bond", "swipe" not "wipe") is replaced
//     by the catalog word fewest edits away (insertions, deletions,
//     substitutions, transpositions; one edit for words under eight
//     letters, Config.MaxEdits for longer ones), the most frequent among
//     equals, found SymSpell-style through an index of deletions. Numbers
//     and model numbers ("cs6114") are never corrected.
//   - Chinese over an English catalog: runs of Chinese are split by
//     forward maximum matching over CC-CEDICT's headwords and the Chinese
//     cue words above, and each word is translated into the first of its
//     English glosses whose terms the catalog all has ("订书机" gives
//     "stapler"); the next glosses become its synonyms. A Chinese word the
//     catalog itself has is kept as it is.
//
// # Synonyms
//
// Synonyms come from three sources. Learn pairs catalog terms written
// side by side with the one word they make ("ball point" and "ballpoint");
// it learns from searches followed, within 30 minutes, by the same
// shopper's click, cart add or purchase, pairing query terms the chosen
// items lack with their title terms (see Config.MinSynonymCount); and it
// reads Config.SynonymFile, a text file in the Solr format:
//
//	# a comment; blank lines are skipped
//	couch, sofa, settee             each phrase also matches the others
//	biro => ballpoint pen           the left phrase is replaced by the right
//	laptop, notebook => notebook computer, laptop computer
//
// A line is either comma-separated phrases (two or more, all equivalent)
// or phrases, "=>", phrases: each phrase on the left is replaced in Terms
// by the first phrase on the right, the others becoming its synonyms.
// Phrases are analysed into index terms; a phrase that gives none (only
// stop words), an empty phrase or a second "=>" is an error naming
// file:line.
package query

// Intent is what a query asks for. Search applies its structured parts
// as filters and sorts and matches Terms (with Synonyms) against the
// catalog; the HTTP API returns it as the response's "intent" so a caller
// can show "showing results for …" and the filters chosen.
type Intent struct {
	// Query is the query as given; Corrected is it after spelling
	// correction ("" when nothing was corrected).
	Query     string `json:"query"`
	Corrected string `json:"corrected,omitempty"`
	// Language is the query's main language as a BCP 47 base tag ("en",
	// "zh", ...; "" when it cannot be told, e.g. only digits).
	Language string `json:"language,omitempty"`
	// Terms are the words left to match once the brand, colours, prices,
	// exclusions and sort words were taken out, corrected, in the
	// catalog's language (a Chinese query's words translated when the
	// catalog is English), as index terms: the output of
	// analyze.Analyzer.Terms, stemmed and without stop words ("pens" is
	// "pen"). The words naming Category stay in Terms.
	Terms []string `json:"terms,omitempty"`
	// Synonyms maps a phrase of Terms (one term, or consecutive terms
	// joined by a space) to the alternatives it also matches, each one or
	// more index terms joined by a space ("ballpoint": ["ball point"]).
	Synonyms map[string][]string `json:"synonyms,omitempty"`
	// Category is a catalog category named by the query, as the catalog
	// spells it ("" for none): one whose name (or a part of it, "Pens" of
	// "Pens & Refills") has all its terms among Terms and their synonyms,
	// preferring the one covering most terms, then one naming the last
	// term (the head noun: "printer paper" is "Paper"), then the deepest
	// level, among those holding a fair share of the items that have all
	// the query's terms ("paper shredder" names "Shredders"; "cordless
	// phone" does not name "Phones", which holds one of its 70-odd
	// items). It is a guess: search may prefer to boost by it rather
	// than filter.
	Category string `json:"category,omitempty"`
	// Brand is a catalog brand named by the query, as the catalog spells it.
	Brand string `json:"brand,omitempty"`
	// Colors are colour names asked for, canonical lower case English
	// ("black", also for "黑色"). Catalogs without a colour attribute
	// (Office) say colours in titles: match them as text (the names are
	// not all their own index terms: "orange" is "orang", so analyse them).
	Colors []string `json:"colors,omitempty"`
	// MinPrice and MaxPrice bound the price ("under 30": MaxPrice 30;
	// "30-50": both); nil is unbounded.
	MinPrice *float64 `json:"min_price,omitempty"`
	MaxPrice *float64 `json:"max_price,omitempty"`
	// Exclude are index terms the shopper does not want ("without
	// bluetooth", "no batteries" gives "batteri", "-wireless", "不要蓝牙"
	// gives "bluetooth"); items matching them are dropped.
	Exclude []string `json:"exclude,omitempty"`
	// Sort is a sort the query asks for: one of the Sort constants, ""
	// for relevance.
	Sort string `json:"sort,omitempty"`
}

// Sort orders a query can ask for.
const (
	SortPriceAsc  = "price_asc"  // "cheapest", "lowest price", "便宜"
	SortPriceDesc = "price_desc" // "most expensive", "highest price", "最贵"
	SortNewest    = "newest"     // "newest", "latest", "new arrivals", "最新"
	SortPopular   = "popular"    // "best selling", "most popular", "热销"
)
