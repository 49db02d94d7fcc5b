// Package embedding keeps a vector for every catalog item, from one
// encoder — of the item's text (aisle.TextEncoder), of its photo, or of
// several modalities fused (any Input) — current as items change: vectors
// are read back from storage when what they were computed from is
// unchanged, and computed, then stored, only for new and changed items.
// It answers nearest-neighbour queries over them (package vector) for
// dense search, similar items and content-based recommendation.
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

// Input is what a catalog's vectors are computed from: an item's text for
// NewText, its photo or several modalities for other inputs.
type Input interface {
	// Dim is the length of every vector.
	Dim() int
	// Key hashes what it's vector is computed from; ok is false when it
	// has nothing to compute one from. A vector is recomputed only when
	// its item's key changes.
	Key(it *aisle.Item) (key uint64, ok bool)
	// Encode computes the vectors of items, each having a key, in order.
	Encode(ctx context.Context, items []aisle.Item) ([][]float32, error)
}

// textInput is an item's text (aisle.Item.Text) under a text encoder.
type textInput struct{ enc aisle.TextEncoder }

func (t textInput) Dim() int { return t.enc.Dim() }

func (t textInput) Key(it *aisle.Item) (uint64, bool) {
	text := it.Text()
	return aisle.TextHash(text), text != ""
}

func (t textInput) Encode(ctx context.Context, items []aisle.Item) ([][]float32, error) {
	texts := make([]string, len(items))
	for i := range items {
		texts[i] = items[i].Text()
	}
	return t.enc.Encode(ctx, texts)
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
// with New or NewText, then Sync it with the catalog. It is safe for concurrent use:
// searches run beside updates.
type Catalog struct {
	in     Input
	enc    aisle.TextEncoder // nil unless made by NewText
	name   string
	store  Store // nil keeps vectors in memory only
	logger *slog.Logger

	// mu guards the fields below it.
	mu     sync.RWMutex
	slots  map[string]int32 // item id → slot in index
	ids    []string         // slot → item id ("" when deleted)
	hashes []uint64         // slot → the Input's key of what was encoded
	idx    index
}

// New returns a catalog of in's vectors, stored in store under name (nil
// store: kept in memory only). name must change whenever in's vectors
// would (another model, another version). New does no I/O; a nil logger
// discards logs.
func New(in Input, name string, store Store, logger *slog.Logger) *Catalog {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Catalog{
		in: in, name: name, store: store, logger: logger,
		slots: map[string]int32{}, idx: vector.New(in.Dim(), vector.Config{}),
	}
}

// NewText returns a catalog of the vectors enc makes of items' texts; see
// New.
func NewText(enc aisle.TextEncoder, name string, store Store, logger *slog.Logger) *Catalog {
	c := New(textInput{enc}, name, store, logger)
	c.enc = enc
	return c
}

// Name returns the name vectors are stored under.
func (c *Catalog) Name() string { return c.name }

// Encoder returns the text encoder of a catalog made by NewText, else nil.
func (c *Catalog) Encoder() aisle.TextEncoder { return c.enc }

// Dim returns the length of the catalog's vectors.
func (c *Catalog) Dim() int { return c.in.Dim() }

// Len returns the number of items with a vector.
func (c *Catalog) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.idx.Len()
}

// Sync makes the catalog hold a vector for each of items (and only
// them): vectors already held for an unchanged key stay, vectors stored
// under Name for an unchanged key are reused (the store is read only when
// some item is not current in memory), the others encoded and stored.
// Items without a key (no text, no photo) get none.
func (c *Catalog) Sync(ctx context.Context, items []aisle.Item) error {
	keep := make(map[string]bool, len(items))
	var todo []aisle.Item
	c.mu.RLock()
	for i := range items {
		it := &items[i]
		keep[it.ID] = true
		if s, ok := c.slots[it.ID]; ok {
			if k, has := c.in.Key(it); has && c.hashes[s] == k {
				continue
			}
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
			if len(v.Vector) == c.in.Dim() {
				stored[v.Item] = v
			}
		}
		rest := todo[:0]
		for i := range todo {
			if v, ok := stored[todo[i].ID]; ok {
				if k, has := c.in.Key(&todo[i]); has && v.TextHash == k {
					c.put(v)
					continue
				}
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

// Upsert encodes the items whose key differs from the one their vector
// was made from, stores the new vectors and indexes them. Items without a
// key lose their vector.
func (c *Catalog) Upsert(ctx context.Context, items []aisle.Item) error {
	var todo []aisle.Item
	var keys []uint64
	var drop []string
	c.mu.RLock()
	for i := range items {
		k, has := c.in.Key(&items[i])
		s, held := c.slots[items[i].ID]
		switch {
		case !has:
			if held {
				drop = append(drop, items[i].ID)
			}
		case !held || c.hashes[s] != k:
			todo, keys = append(todo, items[i]), append(keys, k)
		}
	}
	c.mu.RUnlock()
	for _, id := range drop {
		c.Delete(id)
	}
	for start := 0; start < len(todo); start += batchSize {
		end := min(start+batchSize, len(todo))
		vecs, err := c.in.Encode(ctx, todo[start:end])
		if err != nil {
			return fmt.Errorf("embedding: encode %s: %w", c.name, err)
		}
		if len(vecs) != end-start {
			return fmt.Errorf("embedding: encode %s: %d vectors for %d items", c.name, len(vecs), end-start)
		}
		batch := make([]aisle.ItemVector, end-start)
		for k := range batch {
			batch[k] = aisle.ItemVector{Item: todo[start+k].ID, TextHash: keys[start+k], Vector: vecs[k]}
		}
		if c.store != nil {
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

// Put indexes vectors computed elsewhere from the same Input (and already
// stored under Name), such as the photo vectors a photo reader stores as
// it reads; vectors of another length are ignored.
func (c *Catalog) Put(vs []aisle.ItemVector) {
	for _, v := range vs {
		if len(v.Vector) == c.in.Dim() {
			c.put(v)
		}
	}
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

// Encode returns text's vector from the text encoder of a catalog made by
// NewText; other catalogs return an error.
func (c *Catalog) Encode(ctx context.Context, text string) ([]float32, error) {
	if c.enc == nil {
		return nil, fmt.Errorf("embedding: %s vectors are not made of text", c.name)
	}
	vs, err := c.enc.Encode(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("embedding: encode: %w", err)
	}
	return vs[0], nil
}

// Nearest returns up to k items whose vectors have the largest inner
// product with q, best first, among those keep accepts (nil: all).
func (c *Catalog) Nearest(q []float32, k int, keep func(id string) bool) []Hit {
	if len(q) != c.in.Dim() || k <= 0 {
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
