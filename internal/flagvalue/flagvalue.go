// Package flagvalue holds the flag.Value types of aisle's command line:
// comma-separated lists and sizes in bytes.
package flagvalue

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// list is a comma-separated list flag setting *p.
type list struct {
	p     *[]string
	check func([]string) error
}

// List returns a flag.Value that sets *p to a comma-separated list,
// spaces around the items trimmed and empty items dropped. *p stays nil
// until the flag is set, so an unset flag keeps a component's default.
// check, when not nil, validates the list once set.
func List(p *[]string, check func([]string) error) flag.Value {
	return &list{p: p, check: check}
}

// String joins the list with commas.
func (l *list) String() string {
	if l == nil || l.p == nil {
		return ""
	}
	return strings.Join(*l.p, ",")
}

// Set replaces the list with the items of v, then checks it.
func (l *list) Set(v string) error {
	*l.p = []string{}
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l.p = append(*l.p, s)
		}
	}
	if l.check != nil {
		return l.check(*l.p)
	}
	return nil
}

// ByteSize is a flag of a positive number of bytes, with an optional
// KiB, MiB or GiB suffix (or K, M, G, the same). It shows the largest
// unit that divides it.
type ByteSize int64

// String shows b in the largest unit that divides it.
func (b *ByteSize) String() string {
	switch n := int64(*b); {
	case n > 0 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n > 0 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n > 0 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	default:
		return strconv.FormatInt(n, 10)
	}
}

// Set parses s; it refuses zero, negative numbers, and sizes over a
// pebibyte.
func (b *ByteSize) Set(s string) error {
	num, unit := s, int64(1)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			num, unit = n, u.size
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > 1<<50/unit {
		return fmt.Errorf("%q is not a size in bytes (e.g. 268435456, 256MiB or 1GiB)", s)
	}
	*b = ByteSize(n * unit)
	return nil
}
