// Package query understands shoppers' search queries: it reads from the
// words of a query the category, brand, colours, price limits, exclusions,
// sort order and language a shopper asks for, corrects misspellings
// against the catalog's own vocabulary and expands terms with synonyms
// learned from the catalog and behaviour or given in a synonym file.
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
	// Terms are the words left to match once the structured parts below
	// were taken out, corrected, in the catalog's language (a Chinese
	// query's words translated when the catalog is English).
	Terms []string `json:"terms,omitempty"`
	// Synonyms maps a term to the alternatives it also matches.
	Synonyms map[string][]string `json:"synonyms,omitempty"`
	// Category is a catalog category named by the query, as the catalog
	// spells it ("" for none).
	Category string `json:"category,omitempty"`
	// Brand is a catalog brand named by the query, as the catalog spells it.
	Brand string `json:"brand,omitempty"`
	// Colors are colour names asked for, canonical lower case ("black").
	Colors []string `json:"colors,omitempty"`
	// MinPrice and MaxPrice bound the price ("under 30": MaxPrice 30;
	// "30-50": both); nil is unbounded.
	MinPrice *float64 `json:"min_price,omitempty"`
	MaxPrice *float64 `json:"max_price,omitempty"`
	// Exclude are terms the shopper does not want ("without bluetooth",
	// "no batteries", "-wireless"); items matching them are dropped.
	Exclude []string `json:"exclude,omitempty"`
	// Sort is a sort the query asks for: one of the Sort constants, ""
	// for relevance.
	Sort string `json:"sort,omitempty"`
}

// Sort orders a query can ask for.
const (
	SortPriceAsc  = "price_asc"  // "cheapest", "lowest price", "便宜"
	SortPriceDesc = "price_desc" // "most expensive", "premium"
	SortNewest    = "newest"     // "newest", "latest", "new arrivals", "最新"
	SortPopular   = "popular"    // "best selling", "most popular", "热销"
)
