package profile

import (
	"fmt"
	"strings"
	"time"

	"github.com/aislehq/aisle"
)

// Config sets how a Builder weighs events. The zero value is the default
// configuration: every zero field takes the default documented beside it.
// A negative event weight turns that event type off.
type Config struct {
	// Purchase, AddToCart, Click, View and Search weigh one event of
	// their type; defaults 1, 0.5, 0.2, 0.1 and 0.3. A search weighs its
	// query's words and, when it names one, its item.
	Purchase  float64
	AddToCart float64
	Click     float64
	View      float64
	Search    float64
	// Rating weighs a rating per point of its value (default 0.2, so a
	// 5-star rating weighs as much as a purchase); ratings of 0 or less
	// add nothing.
	Rating float64
	// HalfLife is how long it takes, in event time, for an event's weight
	// to halve; default 14 days.
	HalfLife time.Duration
	// MaxSupport is how many supporting events each tag keeps, the most
	// recent ones; default 5.
	MaxSupport int
	// MaxTags bounds each shopper's tags; a new tag beyond it replaces the
	// lightest one. Default 200.
	MaxTags int
	// MaxItems bounds the items each shopper's interest centres draw
	// their examples from; a new item beyond it replaces the lightest one.
	// Default 200.
	MaxItems int
	// Centers is the most interest centres a shopper has; default 4.
	Centers int
	// CenterSimilarity is the cosine similarity below which an item
	// starts a new interest centre instead of joining the nearest one;
	// default 0.5.
	CenterSimilarity float64
	// Examples is how many example items each centre shows; default 3.
	Examples int
}

// withDefaults returns c with its zero fields set to their defaults and
// negative weights set to 0.
func (c Config) withDefaults() Config {
	weight := func(w *float64, def float64) {
		switch {
		case *w == 0:
			*w = def
		case *w < 0:
			*w = 0
		}
	}
	weight(&c.Purchase, 1)
	weight(&c.AddToCart, 0.5)
	weight(&c.Click, 0.2)
	weight(&c.View, 0.1)
	weight(&c.Search, 0.3)
	weight(&c.Rating, 0.2)
	if c.HalfLife <= 0 {
		c.HalfLife = 14 * 24 * time.Hour
	}
	positive := func(n *int, def int) {
		if *n <= 0 {
			*n = def
		}
	}
	positive(&c.MaxSupport, 5)
	positive(&c.MaxTags, 200)
	positive(&c.MaxItems, 200)
	positive(&c.Centers, 4)
	positive(&c.Examples, 3)
	if c.CenterSimilarity == 0 {
		c.CenterSimilarity = 0.5
	}
	return c
}

// eventWeight returns e's weight under c (c has its defaults), 0 for
// events that say nothing about interest (custom ones).
func (c *Config) eventWeight(e *aisle.Event) float64 {
	switch e.Type {
	case aisle.EventPurchase:
		return c.Purchase
	case aisle.EventAddToCart:
		return c.AddToCart
	case aisle.EventClick:
		return c.Click
	case aisle.EventView:
		return c.View
	case aisle.EventSearch:
		return c.Search
	case aisle.EventRating:
		if e.Value != nil && *e.Value > 0 {
			return c.Rating * *e.Value
		}
	}
	return 0
}

// Kind is what an interest tag is about.
type Kind string

// The kinds of tag.
const (
	// KindCategory is one level of an item's category path (its own
	// Categories or Extracted.Category).
	KindCategory Kind = "category"
	// KindBrand is an item's brand (Extracted.Brand, else Brand).
	KindBrand Kind = "brand"
	// KindColor and KindMaterial are colours and materials named in an
	// item's text (Extracted), lower-case canonical names.
	KindColor    Kind = "color"
	KindMaterial Kind = "material"
	// KindKeyword is one of an item's most telling keywords
	// (Extracted.Tags, the first three).
	KindKeyword Kind = "keyword"
	// KindPhotoColor is a dominant colour of an item's photo
	// (Visual.Colors, the first three).
	KindPhotoColor Kind = "photo_color"
	// KindPhotoCategory is one level of the category the photo classifier
	// predicts (Visual.Category), weighed by its probability.
	KindPhotoCategory Kind = "photo_category"
	// KindQuery is a word of a shopper's search, lower case, English stop
	// words dropped.
	KindQuery Kind = "query"
)

// kinds lists every Kind, in a stable order.
var kinds = []Kind{KindCategory, KindBrand, KindColor, KindMaterial, KindKeyword, KindPhotoColor, KindPhotoCategory, KindQuery}

// Valid reports whether k is one of the defined kinds.
func (k Kind) Valid() bool {
	for _, v := range kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Tag is one interest: a kind and a value ("brand" "Brother"). Its string
// form, "kind:value", names it in Exclude and in URLs.
type Tag struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// String returns "kind:value".
func (t Tag) String() string { return string(t.Kind) + ":" + t.Value }

// MaxTagValueBytes bounds a tag's value; longer values are cut.
const MaxTagValueBytes = 256

// ParseTag parses a tag's string form, "kind:value". It returns an error
// for an unknown kind or an empty or too long value.
func ParseTag(s string) (Tag, error) {
	k, v, ok := strings.Cut(s, ":")
	if !ok {
		return Tag{}, fmt.Errorf("tag %q: want kind:value", s)
	}
	t := Tag{Kind: Kind(k), Value: v}
	if !t.Kind.Valid() {
		return Tag{}, fmt.Errorf("tag %q: unknown kind %q", s, k)
	}
	if v == "" || len(v) > MaxTagValueBytes {
		return Tag{}, fmt.Errorf("tag %q: value must be 1 to %d bytes", s, MaxTagValueBytes)
	}
	return t, nil
}
