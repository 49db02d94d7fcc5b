package aisle

import (
	"context"
	"time"
)

// MaxInterestBytes is the longest interest tag a shopper can remove from
// their profile ("brand:Brother", "category:Label Makers").
const MaxInterestBytes = 512

// InterestStore keeps the interests shoppers removed from their profiles
// (package profile), so that a restart rebuilds every profile without
// them: the events stay, the exclusion is kept. Erasing a user
// (UserStore.DeleteUser) erases their exclusions too. Implementations are
// safe for concurrent use.
type InterestStore interface {
	// ExcludeInterest records that user removed the interest tag at at;
	// removing it again changes nothing. EINVALID for a bad user id or
	// tag.
	ExcludeInterest(ctx context.Context, user, tag string, at time.Time) error
	// ExcludedInterests returns every user's removed interests, each
	// user's oldest first.
	ExcludedInterests(ctx context.Context) (map[string][]string, error)
}

// ValidateInterest checks an interest tag as InterestStore stores it:
// non-empty, at most MaxInterestBytes, one line of text without control
// characters or bidirectional overrides.
func ValidateInterest(field, tag string) error {
	if tag == "" {
		return FieldErrorf(EINVALID, field, "must not be empty")
	}
	return checkText(field, tag, MaxInterestBytes, false)
}
