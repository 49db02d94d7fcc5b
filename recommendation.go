package aisle

// Limits on recommendation requests.
const (
	DefaultN = 10  // items returned when n is not given
	MaxN     = 200 // largest n accepted
)

// RecommendRequest asks for a user's recommendations.
type RecommendRequest struct {
	// N is the number of items wanted (1..MaxN).
	N int
	// Exclude lists item ids that must not be returned.
	Exclude []string
	// IncludeBought allows items the user already bought.
	IncludeBought bool
	// Category keeps only items with this category (case-insensitive)
	// anywhere in their category path; "" keeps all. A category no item
	// has is EINVALID.
	Category string
	// Brand and Color keep only items of this brand (the item's brand
	// field) and colour (named in the item's text or dominant in its
	// photo, Item.Colors), case-insensitively; "" keeps all.
	Brand, Color string
	// MinPrice and MaxPrice keep only items with a price within them;
	// nil is no limit. With either set, items without a price are left
	// out.
	MinPrice, MaxPrice *float64
	// MaxPerCategory caps how many items of one leaf category the list
	// holds; 0 is no cap.
	MaxPerCategory int
	// Diversity (0..1) trades relevance for variety: the list is chosen
	// by maximal marginal relevance from three times as many of the best
	// items, 0 keeping their order, 1 taking each next item least like
	// those before it (by item vectors, else leaf category).
	Diversity float64
}

// Recommendation is one ranked item and why it was chosen. Recommenders
// return only items that are in the catalog, with their titles.
type Recommendation struct {
	Item  string  `json:"id"`
	Title string  `json:"title"`
	Score float64 `json:"score"`
	// Models names the candidate generators that proposed the item.
	Models []string `json:"models"`
	// Reasons are short explanations a shopper could read.
	Reasons []string `json:"reasons"`
	// Variants are other items of the same product line that differ only
	// in colour, size or pack count, shown as options of this one instead
	// of taking places of their own; nil when there are none.
	Variants []Variant `json:"variants,omitempty"`
}

// Variant is an item offered as an option of a recommended one.
type Variant struct {
	Item  string `json:"id"`
	Title string `json:"title"`
}

// PriceWithin reports whether price is within [min, max], either limit
// nil for none. With a limit, an unknown price (nil) is not within it: the
// price filters of search and recommendations leave such items out.
func PriceWithin(price, min, max *float64) bool {
	switch {
	case min == nil && max == nil:
		return true
	case price == nil:
		return false
	case min != nil && *price < *min:
		return false
	case max != nil && *price > *max:
		return false
	}
	return true
}
