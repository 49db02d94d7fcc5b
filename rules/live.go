// Package rules applies the merchandising rules a store sets through the
// API (aisle.Rule) to ranked lists: recommendations, similar items,
// search results and cart suggestions. Live holds the rules compiled and
// is swapped atomically when they change; Apply re-ranks one list.
//
// What each action does, in this order:
//
//   - block: matching items are left out (a blocked item is never pinned
//     either).
//   - pin: each pin rule, in name order, takes the best-ranked candidate
//     it matches that no earlier pin took, or, when no candidate matches,
//     the first of its match.items the caller can insert (in the catalog,
//     kept by the request's filters), and puts it at its position. A
//     position an earlier pin holds passes to the next free one; a
//     position beyond the list's end is its last place, and one beyond n
//     leaves the item out of the first n.
//   - boost and bury: every other item is ranked by its place among them
//     minus the strengths of the boosts that match it plus those of the
//     buries, so a boost of 5 moves an item 5 places up, a bury 5 down,
//     both cancel; on a tie the item moved up more goes first, then the
//     better ranked. A boost only moves items already among the
//     candidates.
//
// Each item a rule moved gets a reason naming it (`pinned to position 1
// by rule "summer-sale"`, `boosted by rule "x"`, `buried by rule "y"`).
// A rule outside its time window (aisle.Rule.Active, on the clock New
// was given) does nothing.
package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle"
)

// Lister reads the stored rules; aisle.RuleStore is one.
type Lister interface {
	Rules(ctx context.Context) ([]aisle.Rule, error)
}

// set is one compiled generation of rules, in name order.
type set struct {
	rules    []*compiled
	all      byKind // rules split by action
	windowed bool   // some rule has a start or an end
}

// Live holds a store's rules, compiled for Apply, and replaces them
// atomically: an Apply sees the old rules or the new, never a mix. The
// zero value is not usable; create one with New. It is safe for
// concurrent use.
type Live struct {
	now func() time.Time
	set atomic.Pointer[set]
	// loadMu serialises Load, so the last to read the store is the last
	// to swap.
	loadMu sync.Mutex
}

// New returns a Live without rules whose time windows are read on now
// (nil: time.Now). It does no I/O.
func New(now func() time.Time) *Live {
	if now == nil {
		now = time.Now
	}
	l := &Live{now: now}
	l.set.Store(&set{})
	return l
}

// Set replaces the rules with rs. An invalid rule (aisle.ValidateRule)
// is an error naming it, and nothing changes.
func (l *Live) Set(rs []aisle.Rule) error {
	s, err := compileAll(rs)
	if err != nil {
		return err
	}
	l.set.Store(s)
	return nil
}

func compileAll(rs []aisle.Rule) (*set, error) {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b aisle.Rule) int { return strings.Compare(a.Name, b.Name) })
	s := &set{rules: make([]*compiled, 0, len(rs))}
	for i := range rs {
		r := rs[i]
		r.Normalize()
		if err := aisle.ValidateRule(&r); err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		if i > 0 && rs[i-1].Name == r.Name {
			return nil, fmt.Errorf("rule %q given twice", r.Name)
		}
		s.rules = append(s.rules, compile(&r))
		s.windowed = s.windowed || !r.Start.IsZero() || !r.End.IsZero()
	}
	s.all = split(s.rules)
	return s, nil
}

// Load replaces the rules with those st holds. When st reports rules it
// could not read beside others, the others are installed and its error
// returned; any other error changes nothing.
func (l *Live) Load(ctx context.Context, st Lister) error {
	l.loadMu.Lock()
	defer l.loadMu.Unlock()
	rs, err := st.Rules(ctx)
	if err != nil && rs == nil {
		return fmt.Errorf("load rules: %w", err)
	}
	if serr := l.Set(rs); serr != nil {
		return fmt.Errorf("load rules: %w", errors.Join(serr, err))
	}
	if err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	return nil
}

// Len returns how many rules are installed, active or not.
func (l *Live) Len() int { return len(l.set.Load().rules) }

// active returns the rules active now by action, each in name order.
func (l *Live) active() byKind {
	s := l.set.Load()
	if !s.windowed {
		return s.all
	}
	now := l.now()
	var out []*compiled
	for _, c := range s.rules {
		if c.active(now) {
			out = append(out, c)
		}
	}
	return split(out)
}

// Reach returns how far down the rules active now can reach into a
// ranked list for its first n places to come out right: n, plus as many
// more as blocks may remove (n again), as the strongest boost or bury
// moves an item, and one for each pin. It returns n when no rule is
// active: callers gather Reach(n) candidates for Apply.
func (l *Live) Reach(n int) int {
	k := l.active()
	if k.empty() {
		return n
	}
	strength := 0
	for _, c := range k.moves {
		strength = max(strength, c.strength)
	}
	return 2*n + len(k.pins) + strength
}

// Blocker returns a function that reports whether a block rule active
// now selects an item, or nil when none is active. It is for lists that
// block beyond the part Apply re-ranks (search's every match).
func (l *Live) Blocker() func(*Item) bool {
	blocks := l.active().blocks
	if len(blocks) == 0 {
		return nil
	}
	return func(it *Item) bool {
		for _, b := range blocks {
			if b.matches(it) {
				return true
			}
		}
		return false
	}
}
