package aisle

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Availability says whether an item can be bought now.
type Availability string

// Availability values. The zero value means AvailabilityInStock.
const (
	AvailabilityInStock      Availability = "in_stock"
	AvailabilityOutOfStock   Availability = "out_of_stock"
	AvailabilityPreorder     Availability = "preorder"
	AvailabilityDiscontinued Availability = "discontinued"
)

// Valid reports whether a is one of the defined values.
func (a Availability) Valid() bool {
	switch a {
	case AvailabilityInStock, AvailabilityOutOfStock, AvailabilityPreorder, AvailabilityDiscontinued:
		return true
	}
	return false
}

// Item is a product in the catalog.
type Item struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Brand       string `json:"brand,omitempty"`
	// Categories is one category path from the root to the leaf,
	// e.g. ["Office Products", "Writing", "Pens"].
	Categories []string `json:"categories,omitempty"`
	// Attributes holds free key/value facts (colour, size, material, ...).
	Attributes map[string]string `json:"attributes,omitempty"`
	// Price is optional; nil means unknown. Currency is an ISO 4217 code and
	// is only meaningful with a price.
	Price        *float64     `json:"price,omitempty"`
	Currency     string       `json:"currency,omitempty"`
	Availability Availability `json:"availability,omitempty"`
	// Images are references to product photos: file paths or URLs.
	Images []string `json:"images,omitempty"`
	// Extracted is what Aisle read from the item's text; see Extracted.
	Extracted *Extracted `json:"extracted,omitempty"`
	// Visual is what Aisle saw in the item's first photo; see Visual.
	Visual *Visual `json:"visual,omitempty"`
	// CreatedAt and UpdatedAt are set by the store.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Normalize fills defaults (availability in_stock) and trims white space
// from both ends of the title, the brand and the category names, in
// place. Validate then rejects what cannot be tidied (control characters
// other than tab and line breaks, bidirectional overrides).
func (it *Item) Normalize() {
	if it.Availability == "" {
		it.Availability = AvailabilityInStock
	}
	it.Title = strings.TrimSpace(it.Title)
	it.Brand = strings.TrimSpace(it.Brand)
	for i, c := range it.Categories {
		it.Categories[i] = strings.TrimSpace(c)
	}
}

// Validate checks every field against the limits and formats documented for
// items. Errors are *Error with code EINVALID (bad field) or EUNPROCESSABLE
// (fields that contradict each other) and name the field.
func (it *Item) Validate() error {
	if err := checkID("id", it.ID); err != nil {
		return err
	}
	if err := checkText("title", it.Title, MaxTitleBytes, true); err != nil {
		return err
	}
	if it.Title != "" && strings.TrimSpace(it.Title) == "" {
		return FieldErrorf(EINVALID, "title", "must not be blank")
	}
	if err := checkText("description", it.Description, MaxDescriptionBytes, true); err != nil {
		return err
	}
	if err := checkText("brand", it.Brand, MaxBrandBytes, true); err != nil {
		return err
	}
	if len(it.Categories) > MaxCategoryDepth {
		return FieldErrorf(EINVALID, "categories", "deeper than %d levels", MaxCategoryDepth)
	}
	for i, c := range it.Categories {
		f := fmt.Sprintf("categories[%d]", i)
		if strings.TrimSpace(c) == "" {
			return FieldErrorf(EINVALID, f, "must not be empty")
		}
		if err := checkText(f, c, MaxCategoryBytes, true); err != nil {
			return err
		}
	}
	if err := checkAttributes("attributes", it.Attributes); err != nil {
		return err
	}
	if it.Price != nil {
		p := *it.Price
		if math.IsNaN(p) || math.IsInf(p, 0) || p < 0 {
			return FieldErrorf(EINVALID, "price", "must be a finite number ≥ 0")
		}
	}
	if it.Currency != "" {
		if !isCurrencyCode(it.Currency) {
			return FieldErrorf(EINVALID, "currency", "must be a three-letter ISO 4217 code such as USD")
		}
		if it.Price == nil {
			return FieldErrorf(EUNPROCESSABLE, "currency", "given without a price")
		}
	}
	if it.Availability != "" && !it.Availability.Valid() {
		return FieldErrorf(EINVALID, "availability", "must be one of in_stock, out_of_stock, preorder, discontinued")
	}
	if len(it.Images) > MaxImages {
		return FieldErrorf(EINVALID, "images", "more than %d images", MaxImages)
	}
	for i, ref := range it.Images {
		f := fmt.Sprintf("images[%d]", i)
		if ref == "" {
			return FieldErrorf(EINVALID, f, "must not be empty")
		}
		if err := checkText(f, ref, MaxImageRefBytes, false); err != nil {
			return err
		}
	}
	return nil
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// ItemFilter selects items for ListItems. Zero fields do not filter.
type ItemFilter struct {
	// Category matches items having this category anywhere in their path.
	Category string
	Brand    string
	// Color and Material match items whose extracted colours or materials
	// include this canonical name (case-insensitive), e.g. "navy blue",
	// "stainless steel"; Color also matches the dominant colours of the
	// item's photo (Visual.Colors).
	Color    string
	Material string
	// Cursor continues a previous listing (the NextCursor it returned).
	Cursor string
	// Limit is the page size; 0 means 50.
	Limit int
}

// ItemPage is one page of a listing.
type ItemPage struct {
	Items []Item
	// NextCursor is "" on the last page.
	NextCursor string
}

// UpsertStats counts what a batch upsert did.
type UpsertStats struct {
	Inserted  int `json:"inserted"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// Add adds o's counts to s.
func (s *UpsertStats) Add(o UpsertStats) {
	s.Inserted += o.Inserted
	s.Updated += o.Updated
	s.Unchanged += o.Unchanged
}

// ItemStore stores the catalog. Implementations are safe for concurrent use.
type ItemStore interface {
	// UpsertItems validates and writes items atomically: either all are
	// written or none. Writing an item identical to the stored one changes
	// nothing (its UpdatedAt included) and counts as Unchanged.
	UpsertItems(ctx context.Context, items []Item) (UpsertStats, error)
	// Item returns one item; ENOTFOUND if it does not exist.
	Item(ctx context.Context, id string) (Item, error)
	// Items returns the items that exist among ids, in no particular order.
	Items(ctx context.Context, ids []string) (map[string]Item, error)
	// DeleteItem removes an item; ENOTFOUND if it does not exist. Events
	// that refer to it are kept: they are the store's history.
	DeleteItem(ctx context.Context, id string) error
	// ListItems pages through items in id order.
	ListItems(ctx context.Context, f ItemFilter) (ItemPage, error)
}

// Extracted holds the attributes Aisle reads from an item's own text
// (title, description, categories) when it is stored: search filters and
// facets and ranking features use them. The store sets it on every write;
// a value sent by a client is replaced. Empty fields were not found.
type Extracted struct {
	// Category is the item's own category path, root first; empty when
	// it has none (no category is inferred from text).
	Category []string `json:"category,omitempty"`
	// Brand is the item's brand field, or else a known brand (one other
	// items name in their brand field) that the title starts with.
	Brand string `json:"brand,omitempty"`
	// Colors and Materials are lower-case canonical names ("navy blue",
	// "stainless steel").
	Colors    []string `json:"colors,omitempty"`
	Materials []string `json:"materials,omitempty"`
	// Sizes are sizes and dimensions as written, normalised
	// ("8.5 x 11 in", "A4", "XL", "500 ml").
	Sizes []string `json:"sizes,omitempty"`
	// PackSize is how many units one item holds ("Pack of 12" is 12); 0
	// when not stated.
	PackSize int `json:"pack_size,omitempty"`
	// ModelNumbers are manufacturer part or model numbers ("HL-L2340DW").
	ModelNumbers []string `json:"model_numbers,omitempty"`
	// Tags are the item's most telling keywords, best first.
	Tags []string `json:"tags,omitempty"`
}

// ItemLister pages through the catalog; every ItemStore is one.
type ItemLister interface {
	ListItems(ctx context.Context, f ItemFilter) (ItemPage, error)
}

// AllItems reads the whole catalog from s, page by page.
func AllItems(ctx context.Context, s ItemLister) ([]Item, error) {
	var items []Item
	f := ItemFilter{Limit: 1000}
	for {
		page, err := s.ListItems(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		items = append(items, page.Items...)
		if page.NextCursor == "" {
			return items, nil
		}
		f.Cursor = page.NextCursor
	}
}

// Colors returns the item's colours: those its text names
// (Extracted.Colors), then its photo's dominant ones (Visual.Colors) not
// already among them, case-insensitively. The colour filters of search and
// recommendations match these.
func (it *Item) Colors() []string {
	var colors []string
	if it.Extracted != nil {
		colors = it.Extracted.Colors
	}
	if it.Visual == nil || len(it.Visual.Colors) == 0 {
		return colors
	}
	colors = slices.Clone(colors)
	for _, c := range it.Visual.Colors {
		if !slices.ContainsFunc(colors, func(v string) bool { return strings.EqualFold(v, c) }) {
			colors = append(colors, c)
		}
	}
	return colors
}
