package recommend

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aislehq/aisle/embedding"

	"github.com/aislehq/aisle"
)

// brief is what the engine needs to know of a catalog item.
type brief struct {
	id         string // the item's id: memory's one copy of it
	title      string
	buyable    bool
	categories []string  // lower-cased category path
	added      time.Time // when the item entered the catalog
	brand      string    // lower-cased
	colors     []string  // lower-cased, named in the text or the photo's
	price      *float64
	item       *aisle.Item // what shoppers' profiles read of it (profileItem)
	variant    string      // its product line's key (variantKey), "" for none

	// attrs are its attributes and materials its extracted materials,
	// which rules match (rules.go).
	attrs     map[string]string
	materials []string
}

func briefOf(it *aisle.Item) brief {
	b := brief{id: it.ID, title: it.Title, buyable: buyable(it.Availability), added: it.CreatedAt, brand: strings.ToLower(it.Brand), price: it.Price, item: profileItem(it)}
	for _, c := range it.Categories {
		b.categories = append(b.categories, strings.ToLower(c))
	}
	for _, c := range it.Colors() {
		b.colors = append(b.colors, strings.ToLower(c))
	}
	b.variant = variantKey(it.Brand, b.leaf(), it.Title)
	if b.attrs = it.Attributes; it.Extracted != nil {
		b.materials = it.Extracted.Materials
	}
	return b
}

// leaf returns b's leaf category (lower-cased), "" when it has none.
func (b brief) leaf() string {
	if len(b.categories) == 0 {
		return ""
	}
	return b.categories[len(b.categories)-1]
}

func buyable(a aisle.Availability) bool {
	return a == aisle.AvailabilityInStock || a == aisle.AvailabilityPreorder || a == ""
}

// memory is the catalog and purchase history the engine serves from, so a
// recommendation needs no storage round trip. It is built from the store
// and kept current by Observe, ObserveItems, ForgetItem and ForgetUser.
type memory struct {
	items  map[string]brief
	bought map[string][]string // user → items bought, sorted
	recent map[string][]string // user → last maxRecent items interacted with, oldest first
	// newest are the maxNewest most recently added items, newest first.
	newest []string
	// categories counts the items having each (lower-cased) category.
	categories map[string]int
	// variants lists the items of each variant key (variants.go).
	variants map[string][]string
}

// setItem adds or replaces item id.
func (m *memory) setItem(id string, b brief) {
	m.deleteItem(id)
	m.items[id] = b
	m.addVariant(id, b.variant)
	for _, c := range b.categories {
		m.categories[c]++
	}
	m.addNewest(id, b.added)
}

// deleteItem removes item id, if present.
func (m *memory) deleteItem(id string) {
	old, ok := m.items[id]
	if !ok {
		return
	}
	for _, c := range old.categories {
		if m.categories[c]--; m.categories[c] <= 0 {
			delete(m.categories, c)
		}
	}
	delete(m.items, id)
	m.removeVariant(id, old.variant)
	if i := slices.Index(m.newest, id); i >= 0 {
		m.newest = slices.Delete(m.newest, i, i+1)
	}
}

// maxNewest is how many of the newest items memory keeps in order.
const maxNewest = 256

// addNewest records item id, added at t and not among the newest yet,
// among them if it is one of the maxNewest newest.
func (m *memory) addNewest(id string, t time.Time) {
	at, _ := slices.BinarySearchFunc(m.newest, t, func(x string, t time.Time) int { return t.Compare(m.items[x].added) })
	if at >= maxNewest {
		return
	}
	m.newest = slices.Insert(m.newest, at, id)
	if len(m.newest) > maxNewest {
		m.newest = m.newest[:maxNewest]
	}
}

// maxRecent is how many recent items per user are kept as model input.
const maxRecent = 50

func newMemory() *memory {
	return &memory{items: make(map[string]brief), bought: make(map[string][]string), recent: make(map[string][]string), categories: make(map[string]int), variants: make(map[string][]string)}
}

// addEvent records e in the shoppers' recent and bought items. Both hold
// memory's own copy of a catalog item's id (brief.id), not the event's, so
// that the half a million ids of a large log are a catalog's worth of
// strings for the garbage collector, not one per event; and both are
// slices, not maps, for the same reason.
func (m *memory) addEvent(e *aisle.Event) {
	if e.Item == "" {
		return
	}
	item := e.Item
	if b, ok := m.items[item]; ok && b.id == item {
		item = b.id
	}
	if isInteraction(e.Type) {
		r := m.recent[e.User]
		if len(r) >= maxRecent {
			// Readers copy it under the lock, so it shifts in place.
			r = r[len(r)-maxRecent:]
			copy(r, r[1:])
			r[len(r)-1] = item
		} else {
			r = append(r, item)
		}
		m.recent[e.User] = r
	}
	if e.Type != aisle.EventPurchase {
		return
	}
	b := m.bought[e.User]
	if i, found := slices.BinarySearch(b, item); !found {
		m.bought[e.User] = slices.Insert(b, i, item)
	}
}

// loadItems reads the whole catalog into m.
func (m *memory) loadItems(ctx context.Context, store Store) error {
	f := aisle.ItemFilter{Limit: 1000}
	for {
		page, err := store.ListItems(ctx, f)
		if err != nil {
			return fmt.Errorf("load catalog: %w", err)
		}
		for i := range page.Items {
			it := &page.Items[i]
			m.setItem(it.ID, briefOf(it))
		}
		if page.NextCursor == "" {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}

// change is a catalog or history change that arrived while a build ran;
// it is applied again to the new memory once the build swaps it in.
type change func(*memory)

// applyLocked runs c on the live memory, if any (none before the first
// build), and, during a build, journals it. e.memMu must be held for
// writing.
func (e *Engine) applyLocked(c change) {
	if e.mem != nil {
		c(e.mem)
	}
	if e.building {
		e.journal = append(e.journal, c)
	}
}

// ObserveItems records items as they were stored: new titles and
// availability take effect at once.
func (e *Engine) ObserveItems(items []aisle.Item) {
	briefs := make(map[string]brief, len(items))
	for i := range items {
		briefs[items[i].ID] = briefOf(&items[i])
	}
	e.memMu.Lock()
	e.applyLocked(func(m *memory) {
		for id, b := range briefs {
			m.setItem(id, b)
		}
	})
	e.memMu.Unlock()
	e.observeEmbeddings(items)
}

// ForgetItem records that an item was deleted: it is never recommended
// again unless it is added back.
func (e *Engine) ForgetItem(id string) {
	e.memMu.Lock()
	e.applyLocked(func(m *memory) { m.deleteItem(id) })
	e.memMu.Unlock()
	for _, cat := range []*embedding.Catalog{e.emb.Load(), e.img.Load(), e.fused.Load()} {
		if cat != nil {
			cat.Delete(id)
		}
	}
}
