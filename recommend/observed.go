package recommend

import (
	"context"

	"github.com/aislehq/aisle"
)

// CatalogIndex is an index that keeps its own copy of the catalog and is
// told of every change after the Engine; *search.Live is one. Its
// methods must not block for long.
type CatalogIndex interface {
	// ObserveItems is called with items as they are stored.
	ObserveItems(items []aisle.Item)
	// ForgetItem is called after an item was deleted.
	ForgetItem(id string)
	// ForgetUser is called when a user and their events are erased,
	// before the Engine forgets them.
	ForgetUser(id string)
}

// ItemWatcher is told of items as they are stored, to read their photos
// in the background, say; *visual.Worker is one. Observe must not block.
type ItemWatcher interface {
	Observe(items []aisle.Item)
}

// Observed is the Engine with more of the server told of catalog
// changes: as the Engine it serves every request (with all of the
// Engine's optional capabilities, such as SimilarVisual), and as the
// server's catalog observer (http.CatalogObserver) it tells the Engine,
// then Index, then Photos when set. Set its fields before serving; it is
// then safe for concurrent use.
type Observed struct {
	*Engine
	Index  CatalogIndex
	Photos ItemWatcher
}

// ObserveItems tells the Engine, the index and the photo watcher.
func (o *Observed) ObserveItems(items []aisle.Item) {
	o.Engine.ObserveItems(items)
	o.Index.ObserveItems(items)
	if o.Photos != nil {
		o.Photos.Observe(items)
	}
}

// ForgetItem tells the Engine and the index.
func (o *Observed) ForgetItem(id string) {
	o.Engine.ForgetItem(id)
	o.Index.ForgetItem(id)
}

// ForgetUser tells the index (which rebuilds what it learned from the
// user's searches), then the Engine, whose erasure it waits for and whose
// error it returns.
func (o *Observed) ForgetUser(ctx context.Context, id string) error {
	o.Index.ForgetUser(id)
	return o.Engine.ForgetUser(ctx, id)
}
