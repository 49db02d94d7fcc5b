package visual

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
)

// Upload makes data item id's first photo: it is checked (EINVALID for a
// corrupt photo or one in no accepted format, ETOOLARGE over the limits
// or the whole Deps.Budget, before anything is written), its original
// kept, the item's Images led by its upload reference (aisle.UploadRef;
// the reference moves to the front if it was there, and the last images
// give way beyond aisle.MaxImages), and read at once from the bytes sent.
// It returns the item as stored, with its Visual. ENOTFOUND when there is
// no such item; EUNAVAILABLE when ctx ends while the budget is full. The
// cheap checks come first: the photo's header, then the item, and only
// then are the pixels decoded. A concurrent write of the same item may
// win over the new image list.
func (r *Reader) Upload(ctx context.Context, id string, data []byte) (aisle.Item, error) {
	opts := r.decodeOptions()
	if _, err := photo.Probe(data, opts); err != nil {
		return aisle.Item{}, err
	}
	it, err := r.store.Item(ctx, id)
	if err != nil {
		return aisle.Item{}, err
	}
	p, err := photo.DecodeContext(ctx, bytes.NewReader(data), opts)
	if err != nil {
		return aisle.Item{}, err
	}
	hash, err := r.originals.Put(p.Bytes)
	if err != nil {
		return aisle.Item{}, fmt.Errorf("visual: keep upload: %w", err)
	}
	ref := aisle.UploadRef(hash)
	imgs := append([]string{ref}, slices.DeleteFunc(slices.Clone(it.Images), func(s string) bool { return s == ref })...)
	it.Images = imgs[:min(len(imgs), aisle.MaxImages)]
	batch := []aisle.Item{it}
	if _, err := r.store.UpsertItems(ctx, batch); err != nil {
		return aisle.Item{}, err
	}
	if it, err = r.store.Item(ctx, id); err != nil {
		return aisle.Item{}, err
	}
	batch[0] = it
	// The photo decoded above goes to the model as it is: not fetched
	// and decoded again.
	var rep Report
	if err := r.finish(ctx, batch, []decoded{r.seen(p, ref)}, &rep); err != nil {
		return aisle.Item{}, err
	}
	return batch[0], nil
}
