// Package synth generates a synthetic catalog and shopper behaviour of any
// size, for scale tests of training and serving. The data are invented:
// they exercise time and memory at sizes no shared dataset reaches, and
// accuracy measured on them means nothing.
//
// The catalog is split into clusters of ClusterSize consecutive items
// (a product line); clusters are drawn with Zipf-distributed popularity,
// and a shopper browses within a cluster, mostly stepping to the next item
// of the line, sometimes to a random one of it, and now and then jumping
// to another cluster. That gives the long tail, co-occurrence and
// sequential structure real logs have, so every model does real work.
package synth

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"time"

	"github.com/aislehq/aisle"
)

// Config sizes the data. Zero fields take the defaults.
type Config struct {
	Items  int // catalog size (default 1,000,000)
	Events int // interaction events (default 10,000,000)
	// MeanHistory is the mean number of events per shopper (default 20):
	// Events/MeanHistory shoppers.
	MeanHistory int
	// ClusterSize is the size of a product line (default 50).
	ClusterSize int
	// Categories is the number of leaf categories (default 1,000).
	Categories int
	Seed       uint64
}

func (c Config) withDefaults() Config {
	if c.Items <= 0 {
		c.Items = 1_000_000
	}
	if c.Events <= 0 {
		c.Events = 10_000_000
	}
	if c.MeanHistory <= 0 {
		c.MeanHistory = 20
	}
	if c.ClusterSize <= 0 {
		c.ClusterSize = 50
	}
	c.ClusterSize = min(c.ClusterSize, c.Items)
	if c.Categories <= 0 {
		c.Categories = 1000
	}
	return c
}

// ItemID returns the id of item i.
func ItemID(i int) string { return fmt.Sprintf("s%07d", i) }

// UserID returns the id of shopper u.
func UserID(u int) string { return fmt.Sprintf("v%07d", u) }

// Items yields the catalog: ids from ItemID, a title, a price and a
// category per product line.
func Items(cfg Config) iter.Seq[aisle.Item] {
	cfg = cfg.withDefaults()
	return func(yield func(aisle.Item) bool) {
		for i := range cfg.Items {
			line := i / cfg.ClusterSize
			cat := fmt.Sprintf("Category %d", line%cfg.Categories)
			price := float64(1+(i*7919)%20000) / 100
			it := aisle.Item{
				ID:         ItemID(i),
				Title:      fmt.Sprintf("Synthetic product %d of line %d", i%cfg.ClusterSize, line),
				Categories: []string{"Synthetic", cat},
				Price:      &price,
			}
			if !yield(it) {
				return
			}
		}
	}
}

// Start is the time of the first event.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Events yields cfg.Events interactions, shopper after shopper, each
// shopper's in time order: views, with every tenth a purchase.
func Events(cfg Config) iter.Seq[aisle.Event] {
	cfg = cfg.withDefaults()
	return func(yield func(aisle.Event) bool) {
		rng := rand.New(rand.NewPCG(cfg.Seed, 0x73796e7468))
		clusters := (cfg.Items + cfg.ClusterSize - 1) / cfg.ClusterSize
		zipf := rand.NewZipf(rng, 1.1, 2, uint64(clusters-1))
		// Popular clusters are spread over the catalog, not the first ids.
		perm := rng.Perm(clusters)
		size := func(c int) int { return min(cfg.ClusterSize, cfg.Items-c*cfg.ClusterSize) }
		n := 0
		for u := 0; n < cfg.Events; u++ {
			user := UserID(u)
			length := min(1+rng.IntN(2*cfg.MeanHistory-1), cfg.Events-n)
			c := perm[zipf.Uint64()]
			pos := rng.IntN(size(c))
			t := Start.Add(time.Duration(u) * time.Second)
			for k := range length {
				switch r := rng.Float64(); {
				case k == 0:
				case r < 0.6:
					pos = (pos + 1) % size(c)
				case r < 0.9:
					pos = rng.IntN(size(c))
				default:
					c = perm[zipf.Uint64()]
					pos = rng.IntN(size(c))
				}
				typ := aisle.EventView
				if k%10 == 9 {
					typ = aisle.EventPurchase
				}
				ev := aisle.Event{
					ID: fmt.Sprintf("e%d-%d", u, k), User: user, Item: ItemID(c*cfg.ClusterSize + pos),
					Type: typ, Time: t.Add(time.Duration(k) * time.Minute),
				}
				if !yield(ev) {
					return
				}
			}
			n += length
		}
	}
}
