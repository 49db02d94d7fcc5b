// Package embedding keeps a vector for every catalog item, from one text
// encoder (aisle.TextEncoder), current as items change: vectors are read
// back from storage when an item's text is unchanged since it was encoded,
// and computed, then stored, only for new and changed texts. It answers
// nearest-neighbour queries over them (package vector) for dense search
// and content-based recommendation.
package embedding

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"sync"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// Store keeps item vectors per encoder; *sqlite.DB implements it.
type Store interface {
	ItemVectors(ctx context.Context, encoder string) iter.Seq2[aisle.ItemVector, error]
	PutItemVectors(ctx context.Context, encoder string, vs []aisle.ItemVector) error
}

// batchSize is how many texts go to the encoder, and how many vectors to
// the store, at once.
const batchSize = 256

// index is the vector index a Catalog searches.
type index interface {
	vector.Index
	Add(id int32, v []float32)
	Delete(id int32)
	Vector(id int32) ([]float32, bool)
}

// Hit is one nearest neighbour: an item and its cosine with the query.
type Hit struct {
	ID    string
	Score float32
}

// Catalog holds one encoder's vectors of the catalog's items. Create it
// with New, then Sync it with the catalog. It is safe for concurrent use:
// searches run beside updates.
type Catalog struct {
	enc    aisle.TextEncoder
	name   string
	store  Store // nil keeps vectors in memory only
	logger *slog.Logger

	// mu guards the fields below it.
	mu     sync.RWMutex
	slots  map[string]int32 // item id → slot in index
	ids    []string         // slot → item id ("" when deleted)
	hashes []uint64         // slot → aisle.TextHash of the text encoded
	idx    index
}

// New returns a catalog of enc's vectors, stored in store under name (nil
// store: kept in memory only). name must change whenever enc's vectors
// would (another model, another version). New does no I/O; a nil logger
// discards logs.
func New(enc aisle.TextEncoder, name string, store Store, logger *slog.Logger) *Catalog {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Catalog{
		enc: enc, name: name, store: store, logger: logger,
		slots: map[string]int32{}, idx: vector.New(enc.Dim(), vector.Config{}),
	}
}

// Name returns the name vectors are stored under.
func (c *Catalog) Name() string { return c.name }

// Encoder returns the text encoder.
func (c *Catalog) Encoder() aisle.TextEncoder { return c.enc }

// Len returns the number of items with a vector.
func (c *Catalog) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.idx.Len()
}

// Sync makes the catalog hold a vector for each of items (and only
// them): vectors already held for an unchanged text stay, vectors stored
// under Name for an unchanged text are reused (the store is read only
// when some item is not current in memory), the others encoded and
// stored. Items without text get none.
func (c *Catalog) Sync(ctx context.Context, items []aisle.Item) error {
	keep := make(map[string]bool, len(items))
	var todo []aisle.Item
	c.mu.RLock()
	for i := range items {
		it := &items[i]
		keep[it.ID] = true
		if s, ok := c.slots[it.ID]; ok && c.hashes[s] == aisle.TextHash(it.Text()) {
			continue
		}
		todo = append(todo, *it)
	}
	var gone []string
	for id := range c.slots {
		if !keep[id] {
			gone = append(gone, id)
		}
	}
	c.mu.RUnlock()
	for _, id := range gone {
		c.Delete(id)
	}
	current := len(items) - len(todo)
	if len(todo) > 0 && c.store != nil {
		stored := map[string]aisle.ItemVector{}
		for v, err := range c.store.ItemVectors(ctx, c.name) {
			if err != nil {
				return fmt.Errorf("embedding: read stored vectors: %w", err)
			}
			if len(v.Vector) == c.enc.Dim() {
				stored[v.Item] = v
			}
		}
		rest := todo[:0]
		for i := range todo {
			if v, ok := stored[todo[i].ID]; ok && v.TextHash == aisle.TextHash(todo[i].Text()) {
				c.put(v)
				continue
			}
			rest = append(rest, todo[i])
		}
		todo = rest
	}
	reused := len(items) - current - len(todo)
	if err := c.Upsert(ctx, todo); err != nil {
		return err
	}
	c.logger.Info("item vectors synced", "encoder", c.name, "items", len(items), "current", current, "reused", reused, "encoded", len(todo))
	return nil
}

// Drop deletes the vectors stored under Name, for a catalog replaced by
// another encoder's; the catalog itself is left as it is.
func (c *Catalog) Drop(ctx context.Context) error {
	d, ok := c.store.(interface {
		DeleteItemVectors(ctx context.Context, encoder string) error
	})
	if !ok {
		return nil
	}
	if err := d.DeleteItemVectors(ctx, c.name); err != nil {
		return fmt.Errorf("embedding: drop %s vectors: %w", c.name, err)
	}
	return nil
}

// Upsert encodes the items whose text differs from the one their vector
// was made from, stores the new vectors and indexes them. Items without
// text lose their vector.
func (c *Catalog) Upsert(ctx context.Context, items []aisle.Item) error {
	var texts []string
	var ids []string
	c.mu.RLock()
	for i := range items {
		text := items[i].Text()
		h := aisle.TextHash(text)
		if s, ok := c.slots[items[i].ID]; ok && c.hashes[s] == h {
			continue
		}
		ids, texts = append(ids, items[i].ID), append(texts, text)
	}
	c.mu.RUnlock()
	for start := 0; start < len(texts); start += batchSize {
		end := min(start+batchSize, len(texts))
		batch := make([]aisle.ItemVector, 0, end-start)
		var enc []string
		for _, t := range texts[start:end] {
			if t != "" {
				enc = append(enc, t)
			}
		}
		vecs, err := c.enc.Encode(ctx, enc)
		if err != nil {
			return fmt.Errorf("embedding: encode item texts: %w", err)
		}
		for k, t := range texts[start:end] {
			id := ids[start+k]
			if t == "" {
				c.Delete(id)
				continue
			}
			v := aisle.ItemVector{Item: id, TextHash: aisle.TextHash(t), Vector: vecs[0]}
			vecs = vecs[1:]
			batch = append(batch, v)
		}
		if c.store != nil && len(batch) > 0 {
			if err := c.store.PutItemVectors(ctx, c.name, batch); err != nil {
				return fmt.Errorf("embedding: store vectors: %w", err)
			}
		}
		for _, v := range batch {
			c.put(v)
		}
	}
	return nil
}

// put indexes v under its item's slot.
func (c *Catalog) put(v aisle.ItemVector) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.slots[v.Item]
	if !ok {
		s = int32(len(c.ids))
		c.slots[v.Item] = s
		c.ids = append(c.ids, v.Item)
		c.hashes = append(c.hashes, 0)
	}
	c.hashes[s] = v.TextHash
	c.idx.Add(s, v.Vector)
}

// Delete forgets id's vector (in memory; stored vectors of deleted items
// go with the item).
func (c *Catalog) Delete(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.slots[id]
	if !ok {
		return
	}
	delete(c.slots, id)
	c.ids[s] = ""
	c.idx.Delete(s)
}

// Vector returns a copy of id's vector, or nil when it has none.
func (c *Catalog) Vector(id string) []float32 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	s, ok := c.slots[id]
	if !ok {
		return nil
	}
	v, _ := c.idx.Vector(s)
	return v
}

// Encode returns text's vector from the catalog's encoder.
func (c *Catalog) Encode(ctx context.Context, text string) ([]float32, error) {
	vs, err := c.enc.Encode(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("embedding: encode: %w", err)
	}
	return vs[0], nil
}

// Nearest returns up to k items whose vectors have the largest inner
// product with q, best first, among those keep accepts (nil: all).
func (c *Catalog) Nearest(q []float32, k int, keep func(id string) bool) []Hit {
	if len(q) != c.enc.Dim() || k <= 0 {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	var f func(int32) bool
	if keep != nil {
		f = func(s int32) bool { return keep(c.ids[s]) }
	}
	hits := c.idx.Search(q, k, f)
	out := make([]Hit, len(hits))
	for j, h := range hits {
		out[j] = Hit{c.ids[h.ID], h.Score}
	}
	return out
}
