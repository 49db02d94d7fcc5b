package aisle

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// RuleAction says what a Rule does to the items it matches.
type RuleAction string

// Rule actions.
const (
	// RuleBoost moves each matching item up Strength places.
	RuleBoost RuleAction = "boost"
	// RuleBury moves each matching item down Strength places.
	RuleBury RuleAction = "bury"
	// RulePin puts one matching item at Position.
	RulePin RuleAction = "pin"
	// RuleBlock leaves matching items out.
	RuleBlock RuleAction = "block"
)

// Valid reports whether a is one of the defined actions.
func (a RuleAction) Valid() bool {
	switch a {
	case RuleBoost, RuleBury, RulePin, RuleBlock:
		return true
	}
	return false
}

// Limits on rules.
const (
	// MaxRuleValues caps each list of a rule's match but Items
	// (categories, brands) and its attributes.
	MaxRuleValues = 100
	// MaxRuleItems caps a rule's match.items.
	MaxRuleItems = 1000
	// MaxRuleStrength is the most places a boost or bury moves an item.
	MaxRuleStrength = MaxN
	// DefaultRuleStrength is the places a boost or bury moves an item
	// when its rule gives no strength.
	DefaultRuleStrength = 5
)

// RuleMatch selects the items a rule applies to. Every criterion given
// must hold; within a list any value may: Categories any level of the
// item's category path, Brands the item's brand (both case-insensitive),
// each Attributes key the item's attribute of that name
// (case-insensitive name and value; "color" also matches the item's
// colours, Item.Colors, and "material" its extracted materials), the
// price within MinPrice and MaxPrice (as PriceWithin: an item without a
// price is outside any limit), and Items the item's id. A match with no
// criterion is invalid.
type RuleMatch struct {
	Categories []string          `json:"categories,omitempty"`
	Brands     []string          `json:"brands,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	MinPrice   *float64          `json:"min_price,omitempty"`
	MaxPrice   *float64          `json:"max_price,omitempty"`
	Items      []string          `json:"items,omitempty"`
}

// Empty reports whether m has no criterion.
func (m *RuleMatch) Empty() bool {
	return len(m.Categories) == 0 && len(m.Brands) == 0 && len(m.Attributes) == 0 &&
		m.MinPrice == nil && m.MaxPrice == nil && len(m.Items) == 0
}

// Rule is a merchandising rule a store sets: it boosts, buries, pins or
// blocks the items its Match selects in recommendations, similar items,
// search results and cart suggestions (package rules applies it), while
// the time is within [Start, End) (zero: unbounded). A rule outside its
// window has no effect but stays stored and listed.
type Rule struct {
	// Name identifies the rule (an id: see ValidateID); rules that
	// compete (pins for one position) apply in name order.
	Name   string     `json:"name"`
	Action RuleAction `json:"action"`
	Match  RuleMatch  `json:"match"`
	// Position is a pin's 1-based place in the list (1..MaxN); only pins
	// have one.
	Position int `json:"position,omitempty"`
	// Strength is how many places a boost moves an item up or a bury
	// down (1..MaxRuleStrength; Normalize sets DefaultRuleStrength when
	// zero); only boosts and buries have one.
	Strength int `json:"strength,omitempty"`
	// Start and End bound when the rule applies: from Start on, until
	// before End; zero for no bound.
	Start time.Time `json:"starts_at,omitzero"`
	End   time.Time `json:"ends_at,omitzero"`
	// CreatedAt and UpdatedAt are set by the store.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Active reports whether r applies at now: within [Start, End).
func (r *Rule) Active(now time.Time) bool {
	return (r.Start.IsZero() || !now.Before(r.Start)) && (r.End.IsZero() || now.Before(r.End))
}

// Normalize trims white space from both ends of the match's categories,
// brands and attribute values, and gives a boost or bury without a
// strength DefaultRuleStrength, in place.
func (r *Rule) Normalize() {
	for i, c := range r.Match.Categories {
		r.Match.Categories[i] = strings.TrimSpace(c)
	}
	for i, b := range r.Match.Brands {
		r.Match.Brands[i] = strings.TrimSpace(b)
	}
	for k, v := range r.Match.Attributes {
		r.Match.Attributes[k] = strings.TrimSpace(v)
	}
	if (r.Action == RuleBoost || r.Action == RuleBury) && r.Strength == 0 {
		r.Strength = DefaultRuleStrength
	}
}

// ValidateRule checks r against the formats and limits documented on
// Rule and RuleMatch. Errors are EINVALID naming the field ("name",
// "action", "match.brands[2]", "position", "strength", "ends_at", ...).
func ValidateRule(r *Rule) error {
	if err := checkID("name", r.Name); err != nil {
		return err
	}
	if !r.Action.Valid() {
		return FieldErrorf(EINVALID, "action", "must be one of boost, bury, pin, block")
	}
	if err := validateMatch(&r.Match); err != nil {
		return err
	}
	switch {
	case r.Action == RulePin && (r.Position < 1 || r.Position > MaxN):
		return FieldErrorf(EINVALID, "position", "a pin needs a position from 1 to %d", MaxN)
	case r.Action != RulePin && r.Position != 0:
		return FieldErrorf(EINVALID, "position", "only a pin has a position")
	case (r.Action == RuleBoost || r.Action == RuleBury) && (r.Strength < 0 || r.Strength > MaxRuleStrength):
		return FieldErrorf(EINVALID, "strength", "must be from 1 to %d places (0: %d)", MaxRuleStrength, DefaultRuleStrength)
	case r.Action != RuleBoost && r.Action != RuleBury && r.Strength != 0:
		return FieldErrorf(EINVALID, "strength", "only a boost or a bury has a strength")
	case !r.Start.IsZero() && !r.End.IsZero() && !r.End.After(r.Start):
		return FieldErrorf(EINVALID, "ends_at", "must be after starts_at")
	}
	return nil
}

// validateMatch checks a rule's match; errors name "match.<field>".
func validateMatch(m *RuleMatch) error {
	if m.Empty() {
		return FieldErrorf(EINVALID, "match", "needs at least one of categories, brands, attributes, min_price, max_price, items")
	}
	for _, l := range []struct {
		field  string
		values []string
		max    int
	}{{"match.categories", m.Categories, MaxCategoryBytes}, {"match.brands", m.Brands, MaxBrandBytes}} {
		if len(l.values) > MaxRuleValues {
			return FieldErrorf(EINVALID, l.field, "more than %d values", MaxRuleValues)
		}
		for i, v := range l.values {
			f := fmt.Sprintf("%s[%d]", l.field, i)
			if strings.TrimSpace(v) == "" {
				return FieldErrorf(EINVALID, f, "must not be empty")
			}
			if err := checkText(f, v, l.max, false); err != nil {
				return err
			}
		}
	}
	if len(m.Attributes) > MaxRuleValues {
		return FieldErrorf(EINVALID, "match.attributes", "more than %d attributes", MaxRuleValues)
	}
	if err := checkAttributes("match.attributes", m.Attributes); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(m.Attributes)) {
		if strings.TrimSpace(m.Attributes[k]) == "" {
			return FieldErrorf(EINVALID, "match.attributes."+truncate(k, 64), "must not be empty")
		}
	}
	for _, p := range []struct {
		field string
		v     *float64
	}{{"match.min_price", m.MinPrice}, {"match.max_price", m.MaxPrice}} {
		if p.v != nil && (math.IsNaN(*p.v) || math.IsInf(*p.v, 0) || *p.v < 0) {
			return FieldErrorf(EINVALID, p.field, "must be a finite number ≥ 0")
		}
	}
	if m.MinPrice != nil && m.MaxPrice != nil && *m.MaxPrice < *m.MinPrice {
		return FieldErrorf(EINVALID, "match.max_price", "is below min_price")
	}
	if len(m.Items) > MaxRuleItems {
		return FieldErrorf(EINVALID, "match.items", "more than %d items", MaxRuleItems)
	}
	for i, id := range m.Items {
		if err := checkID(fmt.Sprintf("match.items[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

// RuleStore keeps a store's merchandising rules. Implementations are safe
// for concurrent use.
type RuleStore interface {
	// PutRule normalizes and validates r (EINVALID naming the field) and
	// stores it, creating it or replacing the rule of that name. It
	// returns the rule as stored, its CreatedAt kept from the rule it
	// replaces and UpdatedAt the store's time now, and whether it was
	// created.
	PutRule(ctx context.Context, r Rule) (stored Rule, created bool, err error)
	// Rule returns the rule of that name; ENOTFOUND if there is none.
	Rule(ctx context.Context, name string) (Rule, error)
	// Rules returns every rule, in name order, those outside their time
	// window included. A stored rule that cannot be read back is left
	// out and named in the error, which comes with the other rules.
	Rules(ctx context.Context) ([]Rule, error)
	// DeleteRule removes the rule of that name; ENOTFOUND if there is
	// none.
	DeleteRule(ctx context.Context, name string) error
}

// Audit actions of rule changes (see AuditEntry).
const (
	AuditPutRule    = "rule.put"
	AuditDeleteRule = "rule.delete"
)
