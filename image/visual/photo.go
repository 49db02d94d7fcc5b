package visual

import (
	"bytes"
	"context"
	"fmt"
	"image"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
)

// EncodePhoto returns the image vector of a shopper's photo, for search by
// photo: its header checked, then decoded within Config.Limits and
// Deps.Budget (EINVALID for a corrupt photo or one in no accepted
// format, ETOOLARGE for one over the limits or the whole budget, before
// any pixel is decoded; EUNAVAILABLE when ctx ends while the budget is
// full), reduced and encoded like the catalog's photos. The photo is not
// kept.
func (r *Reader) EncodePhoto(ctx context.Context, data []byte) ([]float32, error) {
	if r.enc == nil {
		return nil, aisle.Errorf(aisle.EUNAVAILABLE, "search by photo needs an image model (-image-model)")
	}
	p, err := photo.DecodeContext(ctx, bytes.NewReader(data), r.decodeOptions())
	if err != nil {
		return nil, err
	}
	feats, err := r.enc.Encode(ctx, []image.Image{p.Image})
	if err != nil {
		return nil, fmt.Errorf("visual: encode photo: %w", err)
	}
	return feats[0].Embedding, nil
}

// Input returns the embedding.Input of the catalog's image vectors: an
// item's key is its photo's content hash, and a photo whose vector is not
// stored (another model, say) is encoded again from its kept original.
// It is nil without an image model.
func (r *Reader) Input() *Input {
	if r.enc == nil {
		return nil
	}
	return &Input{r}
}

// Input is an embedding.Input over items' photos.
type Input struct{ r *Reader }

// Dim returns the image vectors' length.
func (in *Input) Dim() int { return in.r.enc.Dim() }

// Key returns the hash of it's photo's content hash; false while it has
// no readable photo.
func (in *Input) Key(it *aisle.Item) (uint64, bool) {
	if it.Visual == nil || it.Visual.Image == "" || Pending(it) {
		return 0, false
	}
	return aisle.TextHash(it.Visual.Image), true
}

// Encode encodes items' kept originals, Config.BatchSize photos at a
// time, so few decoded photos are held at once.
func (in *Input) Encode(ctx context.Context, items []aisle.Item) ([][]float32, error) {
	out := make([][]float32, 0, len(items))
	imgs := make([]image.Image, 0, in.r.cfg.BatchSize)
	for start := 0; start < len(items); start += in.r.cfg.BatchSize {
		imgs = imgs[:0]
		for i := start; i < min(len(items), start+in.r.cfg.BatchSize); i++ {
			data, err := in.r.originals.Get(items[i].Visual.Image)
			if err != nil {
				return nil, fmt.Errorf("visual: original of %s: %w", items[i].ID, err)
			}
			p, err := photo.DecodeContext(ctx, bytes.NewReader(data), in.r.decodeOptions())
			if err != nil {
				return nil, fmt.Errorf("visual: original of %s: %w", items[i].ID, err)
			}
			imgs = append(imgs, p.Image)
		}
		feats, err := in.r.enc.Encode(ctx, imgs)
		if err != nil {
			return nil, fmt.Errorf("visual: encode photos: %w", err)
		}
		for _, f := range feats {
			out = append(out, f.Embedding)
		}
	}
	return out, nil
}
