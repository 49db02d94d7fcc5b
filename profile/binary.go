package profile

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/internal/modelfile"
)

// format is the binary format of a Builder's state (modelfile),
// little-endian; shoppers in user order, tags in kind and value order:
//
//	magic    [8]byte "AISLPROF"
//	version  uint32  1
//	shoppers × { 1 uint8, user string, last int64 (Unix ns), events int64,
//	           events uint32 × { id string, seq int64, type uint8 (index in aisle.EventTypes),
//	                             item string, time int64 },
//	           tags uint32 × { kind string, value string, weight float64, at int64, leaf uint8,
//	                           support uint32, support × uint32 (index in the events above),
//	                           purchases uint32, purchase times int64 × purchases },
//	           excluded uint32 × { kind string, value string },
//	           items uint32 × { id string, weight float64, at int64 },
//	           prices uint32, next uint32, prices × { price float64, weight float64, at int64 },
//	           centers uint32, dim uint32, centers × { weight float64, at int64, mean float32 × dim } }
//	end      uint8   0
//	checksum uint32  CRC-32C of everything before it
//
// A string is its length (uint32) and its bytes. The events are the
// distinct supporting events of the shopper's tags (an event supports
// every tag of its item), in the order the tags first name them.
var format = modelfile.Format{Magic: "AISLPROF", Version: 1, Err: ErrFormat}

// ErrFormat is wrapped by every error UnmarshalBinary returns for data
// that is not a profile snapshot it can read.
var ErrFormat = errors.New("not a profile snapshot")

// Limits of the format, beyond which data is corrupt.
const (
	maxTypeBytes = 32
	maxDim       = 1 << 16
	maxCount     = 1 << 24
)

// MarshalBinary encodes the state of every shopper (tags, exclusions,
// items, prices, centres) in a versioned, checksummed format. The
// configuration and collaborators are not part of it. It holds the lock
// for one shopper at a time, so events keep flowing while it runs: each
// shopper is encoded as it was at one moment, shoppers added meanwhile
// may be missing, and shoppers forgotten meanwhile are.
func (b *Builder) MarshalBinary() ([]byte, error) {
	b.mu.RLock()
	users := make([]string, 0, len(b.shoppers))
	for u := range b.shoppers {
		users = append(users, u)
	}
	b.mu.RUnlock()
	slices.Sort(users)
	e := format.NewEncoder(0)
	for _, u := range users {
		b.mu.RLock()
		if s := b.shoppers[u]; s != nil {
			e.Uint8(1)
			encodeShopper(e, u, s)
		}
		b.mu.RUnlock()
	}
	e.Uint8(0)
	data, err := e.Finish()
	if err != nil {
		return nil, fmt.Errorf("profile marshal: %w", err)
	}
	return data, nil
}

// encodeShopper writes user's state s. b.mu must be held.
func encodeShopper(e *modelfile.Encoder, u string, s *shopper) {
	e.String(u)
	e.Int64(s.last)
	e.Int64(s.events)
	tags := make([]Tag, 0, len(s.tags))
	for t := range s.tags {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, compareTags)
	index := make(map[evref]uint32)
	var table []evref
	for _, t := range tags {
		for _, r := range s.tags[t].support {
			if _, ok := index[r]; !ok {
				index[r] = uint32(len(table))
				table = append(table, r)
			}
		}
	}
	e.Uint32(uint32(len(table)))
	for _, r := range table {
		e.String(r.id)
		e.Int64(r.seq)
		e.Uint8(r.typ)
		e.String(r.item)
		e.Int64(r.at)
	}
	e.Uint32(uint32(len(tags)))
	for _, t := range tags {
		ts := s.tags[t]
		e.String(string(t.Kind))
		e.String(t.Value)
		e.Float64(ts.weight.w)
		e.Int64(ts.weight.at)
		leaf := uint8(0)
		if ts.leaf {
			leaf = 1
		}
		e.Uint8(leaf)
		e.Uint32(uint32(len(ts.support)))
		for _, r := range ts.support {
			e.Uint32(index[r])
		}
		e.Uint32(uint32(len(ts.purchases)))
		for _, p := range ts.purchases {
			e.Int64(p)
		}
	}
	excl := make([]Tag, 0, len(s.excluded))
	for t := range s.excluded {
		excl = append(excl, t)
	}
	slices.SortFunc(excl, compareTags)
	e.Uint32(uint32(len(excl)))
	for _, t := range excl {
		e.String(string(t.Kind))
		e.String(t.Value)
	}
	ids := make([]string, 0, len(s.items))
	for id := range s.items {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	e.Uint32(uint32(len(ids)))
	for _, id := range ids {
		e.String(id)
		e.Float64(s.items[id].w)
		e.Int64(s.items[id].at)
	}
	e.Uint32(uint32(len(s.prices)))
	e.Uint32(uint32(s.nextPrice))
	for _, p := range s.prices {
		e.Float64(p.price)
		e.Float64(p.weight.w)
		e.Int64(p.weight.at)
	}
	e.Uint32(uint32(len(s.centers)))
	dim := 0
	if len(s.centers) > 0 {
		dim = len(s.centers[0].mean)
	}
	e.Uint32(uint32(dim))
	for _, c := range s.centers {
		e.Float64(c.weight.w)
		e.Int64(c.weight.at)
		e.Float32s(c.mean)
	}
}

// UnmarshalBinary replaces the Builder's state with the one data holds,
// encoded by MarshalBinary. Supporting events beyond the Builder's
// MaxSupport are dropped. It returns an error wrapping ErrFormat for data
// that is truncated, corrupt, of another version or out of the limits,
// and leaves the Builder unchanged then.
func (b *Builder) UnmarshalBinary(data []byte) error {
	shoppers, err := b.decode(data)
	if err != nil {
		return fmt.Errorf("profile unmarshal: %w", err)
	}
	b.mu.Lock()
	b.shoppers = shoppers
	b.mu.Unlock()
	b.log.Info("profile snapshot loaded", "shoppers", len(shoppers), "bytes", len(data))
	return nil
}

// decode reads the state in the format above.
func (b *Builder) decode(data []byte) (map[string]*shopper, error) {
	d, err := format.Open(data)
	if err != nil {
		return nil, err
	}
	// count reads a count. The loops it drives stop at the first error,
	// and every pass reads bytes, so a hostile count ends at the data's
	// end.
	count := func() int {
		n := d.Uint32()
		if n > maxCount {
			d.Errorf("count %d, want at most %d", n, maxCount)
			return 0
		}
		return int(n)
	}
	weight := func(what string) decayed {
		w := decayed{w: d.Float64(), at: d.Int64()}
		if math.IsNaN(w.w) || math.IsInf(w.w, 0) || w.w < 0 {
			d.Errorf("%s weight %v", what, w.w)
		}
		return w
	}
	tag := func() Tag {
		t := Tag{Kind: Kind(d.String(maxTypeBytes)), Value: d.String(MaxTagValueBytes)}
		if d.Err() == nil && (!t.Kind.Valid() || t.Value == "") {
			d.Errorf("bad tag %q", t.String())
		}
		return t
	}
	shoppers := make(map[string]*shopper)
	for d.Err() == nil {
		switch d.Uint8() {
		case 0:
			return shoppers, d.Finish()
		case 1:
		default:
			d.Errorf("bad shopper mark")
			continue
		}
		u := d.String(aisle.MaxIDBytes)
		s := &shopper{last: d.Int64(), events: d.Int64(), items: make(map[string]decayed)}
		if _, dup := shoppers[u]; dup && d.Err() == nil {
			d.Errorf("shopper %q twice", u)
		}
		shoppers[u] = s
		var table []evref
		for range count() {
			if d.Err() != nil {
				break
			}
			r := evref{id: d.String(aisle.MaxIDBytes), seq: d.Int64(), typ: d.Uint8(), item: d.String(aisle.MaxIDBytes), at: d.Int64()}
			if int(r.typ) >= len(aisle.EventTypes) {
				d.Errorf("event type %d", r.typ)
			}
			table = append(table, r)
		}
		for range count() {
			if d.Err() != nil {
				break
			}
			t := tag()
			ts := tagState{weight: weight("tag")}
			switch d.Uint8() {
			case 0:
			case 1:
				ts.leaf = true
			default:
				d.Errorf("bad leaf mark")
			}
			for range count() {
				if d.Err() != nil {
					break
				}
				k := d.Uint32()
				if d.Err() == nil && uint64(k) >= uint64(len(table)) {
					d.Errorf("support event %d of %d", k, len(table))
				}
				if d.Err() == nil && len(ts.support) < b.cfg.MaxSupport {
					ts.support = append(ts.support, table[k])
				}
			}
			np := count()
			if np > maxPurchases {
				d.Errorf("%d purchase times, want at most %d", np, maxPurchases)
			}
			for range np {
				if d.Err() != nil {
					break
				}
				ts.purchases = append(ts.purchases, d.Int64())
			}
			if !slices.IsSorted(ts.purchases) {
				d.Errorf("purchase times out of order")
			}
			if _, dup := s.tags[t]; dup && d.Err() == nil {
				d.Errorf("tag %q twice", t.String())
			}
			if s.tags == nil {
				s.tags = make(map[Tag]tagState)
			}
			s.tags[t] = ts
		}
		for range count() {
			if d.Err() != nil {
				break
			}
			t := tag()
			if s.excluded == nil {
				s.excluded = make(map[Tag]struct{})
			}
			s.excluded[t] = struct{}{}
		}
		for range count() {
			if d.Err() != nil {
				break
			}
			id := d.String(aisle.MaxIDBytes)
			w := weight("item")
			s.items[id] = w
		}
		np, next := count(), count()
		if np > maxPrices || next >= max(np, 1) {
			d.Errorf("%d prices, next %d", np, next)
		}
		s.nextPrice = next
		for range np {
			if d.Err() != nil {
				break
			}
			p := priceSample{price: d.Float64()}
			p.weight = weight("price")
			if math.IsNaN(p.price) || math.IsInf(p.price, 0) || p.price < 0 {
				d.Errorf("price %v", p.price)
			}
			s.prices = append(s.prices, p)
		}
		nc, dim := count(), count()
		if nc > b.cfg.Centers*4+16 || dim > maxDim || nc > 0 && dim == 0 {
			d.Errorf("%d centres of dimension %d", nc, dim)
		}
		for range nc {
			if d.Err() != nil {
				break
			}
			c := &center{weight: weight("centre")}
			c.mean = d.FiniteFloat32s(uint64(dim))
			s.centers = append(s.centers, c)
		}
	}
	return nil, d.Err()
}
