// Package grounding gives generated text (product copy, assistant replies,
// answers) something to stand on and a way to tell when it does not: a
// fact sheet per item (Facts) built from the catalog's own data, and a
// claim checker (Checker) that finds the factual claims in English or
// Chinese text — numbers with units, sizes, pack counts, brands, colours,
// materials, model numbers, compatibility, prices, availability — and says
// which the facts support. Filter removes the sentences and bullets that
// hold an unsupported claim.
//
// Catalog text is data, never instructions: fact values are plain text
// (markup stripped, entities decoded, control characters dropped), the
// item's description is not a fact (only what the store extracted from it
// is), and nothing in any value changes how facts are built or checked.
package grounding

import (
	"cmp"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
)

// Bounds on a fact sheet, whatever the item holds.
const (
	// MaxValueBytes caps each fact value.
	MaxValueBytes = 512
	// MaxQA caps the questions and answers a sheet keeps.
	MaxQA = 10
	// MaxProfileTags caps the shopper's interest tags a sheet keeps.
	MaxProfileTags = 20
)

// Attribute is one of the item's free key/value facts.
type Attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// QA is one of the item's answered questions.
type QA struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Facts is the fact sheet of one item: everything generated text about it
// may state. Build it with New; the zero value is a sheet with no facts.
// A Facts is plain data: safe for concurrent reads, encodable as JSON.
type Facts struct {
	Item  string `json:"item"`
	Title string `json:"title,omitempty"`
	Brand string `json:"brand,omitempty"`
	// Category is the category path, root first.
	Category []string `json:"category,omitempty"`
	// Attributes are sorted by name.
	Attributes []Attribute `json:"attributes,omitempty"`
	// Colors, Materials, Sizes, PackSize, ModelNumbers and Tags come from
	// the item's Extracted attributes.
	Colors       []string `json:"colors,omitempty"`
	Materials    []string `json:"materials,omitempty"`
	Sizes        []string `json:"sizes,omitempty"`
	PackSize     int      `json:"pack_size,omitempty"`
	ModelNumbers []string `json:"model_numbers,omitempty"`
	Tags         []string `json:"tags,omitempty"`
	// PhotoColors, PhotoCategory and PhotoLabels come from the item's
	// Visual (the photo's dominant colours, predicted category path and
	// image-model labels).
	PhotoColors   []string `json:"photo_colors,omitempty"`
	PhotoCategory []string `json:"photo_category,omitempty"`
	PhotoLabels   []string `json:"photo_labels,omitempty"`
	// Price is nil when unknown; Currency is its ISO 4217 code, if known.
	Price        *float64           `json:"price,omitempty"`
	Currency     string             `json:"currency,omitempty"`
	Availability aisle.Availability `json:"availability,omitempty"`
	// QA are the item's answered questions (at most MaxQA).
	QA []QA `json:"qa,omitempty"`
	// Profile are the shopper's interest tags ("brand:DYMO",
	// "color:black"), heaviest first, when the text is personalised. They
	// are about the shopper, not the item: they support no claim.
	Profile []string `json:"profile,omitempty"`
}

// New returns the fact sheet of it with its answered questions qs (those
// of other items and unanswered ones are left out) and the shopper's
// interest tags profile ("kind:value", heaviest first; nil when not
// personalising). Every value is cleaned to plain text (see Clean). The
// description is not a fact. New does no I/O and never fails.
func New(it *aisle.Item, qs []aisle.Question, profile []string) *Facts {
	f := &Facts{
		Item:         Clean(it.ID),
		Title:        Clean(it.Title),
		Brand:        Clean(it.Brand),
		Category:     cleanAll(it.Categories),
		Currency:     it.Currency,
		Availability: it.Availability,
	}
	if it.Price != nil {
		p := *it.Price
		f.Price = &p
	}
	if f.Availability == "" {
		f.Availability = aisle.AvailabilityInStock
	}
	for k, v := range it.Attributes {
		k, v = Clean(k), Clean(v)
		if k != "" && v != "" {
			f.Attributes = append(f.Attributes, Attribute{Name: k, Value: v})
		}
	}
	slices.SortFunc(f.Attributes, func(a, b Attribute) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Value, b.Value))
	})
	if ex := it.Extracted; ex != nil {
		if f.Brand == "" {
			f.Brand = Clean(ex.Brand)
		}
		if len(f.Category) == 0 {
			f.Category = cleanAll(ex.Category)
		}
		f.Colors = cleanAll(ex.Colors)
		f.Materials = cleanAll(ex.Materials)
		f.Sizes = cleanAll(ex.Sizes)
		f.PackSize = max(ex.PackSize, 0)
		f.ModelNumbers = cleanAll(ex.ModelNumbers)
		f.Tags = cleanAll(ex.Tags)
	}
	if v := it.Visual; v != nil && v.Error == "" {
		f.PhotoColors = cleanAll(v.Colors)
		f.PhotoCategory = cleanAll(v.Category)
		for _, l := range v.Labels {
			if s := Clean(l.Name); s != "" {
				f.PhotoLabels = append(f.PhotoLabels, s)
			}
		}
	}
	for _, q := range qs {
		if q.Item != it.ID || len(f.QA) >= MaxQA {
			continue
		}
		qa := QA{Question: Clean(q.Question), Answer: Clean(q.Answer)}
		if qa.Question != "" && qa.Answer != "" {
			f.QA = append(f.QA, qa)
		}
	}
	for _, t := range profile {
		if len(f.Profile) >= MaxProfileTags {
			break
		}
		if t = Clean(t); strings.Contains(t, ":") {
			f.Profile = append(f.Profile, t)
		}
	}
	return f
}

// Fact is one statement of a sheet: its kind ("brand", "color",
// "attribute", ...), the attribute name for kind "attribute", and its
// value as the sheet holds it.
type Fact struct {
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
	Value string `json:"value"`
}

// String returns "kind: value", or "name: value" for an attribute.
func (f Fact) String() string {
	if f.Name != "" {
		return f.Name + ": " + f.Value
	}
	return f.Kind + ": " + f.Value
}

// The kinds of Fact.
const (
	KindTitle         = "title"
	KindBrand         = "brand"
	KindCategory      = "category"
	KindAttribute     = "attribute"
	KindColor         = "color"
	KindMaterial      = "material"
	KindSize          = "size"
	KindPackSize      = "pack_size"
	KindModel         = "model"
	KindTag           = "tag"
	KindPhotoColor    = "photo_color"
	KindPhotoCategory = "photo_category"
	KindPhotoLabel    = "photo_label"
	KindPrice         = "price"
	KindAvailability  = "availability"
	KindQA            = "qa"
)

// List returns the sheet's facts about the item (not the profile) in a
// fixed order: title, brand, category levels, attributes, colours,
// materials, sizes, pack size, model numbers, tags, photo facts, price,
// availability, Q&A (question and answer as one value).
func (f *Facts) List() []Fact {
	var out []Fact
	add := func(kind, v string) {
		if v != "" {
			out = append(out, Fact{Kind: kind, Value: v})
		}
	}
	add(KindTitle, f.Title)
	add(KindBrand, f.Brand)
	for _, c := range f.Category {
		add(KindCategory, c)
	}
	for _, a := range f.Attributes {
		out = append(out, Fact{Kind: KindAttribute, Name: a.Name, Value: a.Value})
	}
	for _, c := range f.Colors {
		add(KindColor, c)
	}
	for _, m := range f.Materials {
		add(KindMaterial, m)
	}
	for _, s := range f.Sizes {
		add(KindSize, s)
	}
	if f.PackSize > 0 {
		add(KindPackSize, strconv.Itoa(f.PackSize))
	}
	for _, m := range f.ModelNumbers {
		add(KindModel, m)
	}
	for _, t := range f.Tags {
		add(KindTag, t)
	}
	for _, c := range f.PhotoColors {
		add(KindPhotoColor, c)
	}
	if len(f.PhotoCategory) > 0 {
		add(KindPhotoCategory, strings.Join(f.PhotoCategory, " > "))
	}
	for _, l := range f.PhotoLabels {
		add(KindPhotoLabel, l)
	}
	if p := f.PriceText(); p != "" {
		add(KindPrice, p)
	}
	if f.Availability != "" {
		add(KindAvailability, string(f.Availability))
	}
	for _, qa := range f.QA {
		add(KindQA, qa.Question+" — "+qa.Answer)
	}
	return out
}

// PriceText returns the price as text ("12.99 USD", "$12.99" for USD),
// or "" when unknown.
func (f *Facts) PriceText() string {
	if f.Price == nil {
		return ""
	}
	n := strconv.FormatFloat(*f.Price, 'f', 2, 64)
	switch f.Currency {
	case "USD", "":
		return "$" + n
	case "EUR":
		return "€" + n
	case "GBP":
		return "£" + n
	case "CNY":
		return "¥" + n
	}
	return n + " " + f.Currency
}

// texts returns every fact value as text, for the checker's support
// index: the item's facts, never the profile.
func (f *Facts) texts() []string {
	var out []string
	for _, fa := range f.List() {
		switch fa.Kind {
		case KindQA:
			continue
		case KindAttribute:
			out = append(out, fa.Name+": "+fa.Value)
		default:
			out = append(out, fa.Value)
		}
	}
	for _, qa := range f.QA {
		out = append(out, qa.Answer)
	}
	return out
}

var (
	tagRE   = regexp.MustCompile(`<[^<>]{0,1000}>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// Clean returns s as plain text: invalid UTF-8, markup tags and control
// and bidirectional-override characters removed, HTML entities decoded,
// white space collapsed, cut to MaxValueBytes at a rune boundary.
func Clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	if strings.ContainsRune(s, '<') {
		s = tagRE.ReplaceAllString(s, " ")
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
		s = strings.ToValidUTF8(s, "")
		if strings.ContainsRune(s, '<') {
			s = tagRE.ReplaceAllString(s, " ")
		}
	}
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\ufeff':
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	return clip(s, MaxValueBytes)
}

func cleanAll(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = Clean(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// clip cuts s to n bytes at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
