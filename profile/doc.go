// Package profile builds each shopper's interest profile from their
// events, in memory and at once (issue 13): weighted interest tags over
// the categories (every level of the path), brands, colours, materials and
// keywords of the items they touched, the colours and predicted category of
// those items' photos, and the words of their searches; a price band; and
// several interest centres in item-vector space, so a shopper with two
// unrelated interests is not averaged into neither.
//
// Events are weighted by type (purchase > add_to_cart > click > view;
// ratings by value) and decay exponentially with event time (a half-life).
// Every tag keeps the few most recent events that support it. A Profile is
// a read-only, JSON-ready View of one shopper, and Summary turns a View
// into one sentence in English or Chinese.
//
// The shopper controls their profile: Exclude removes a tag and keeps it
// from coming back, Forget erases the shopper. A profile is a function of
// the event log and the exclusions, so a restart rebuilds it by replaying
// the log through Observe; MarshalBinary and UnmarshalBinary also snapshot
// the whole state.
//
// A Builder is safe for concurrent use and starts no goroutines.
package profile
