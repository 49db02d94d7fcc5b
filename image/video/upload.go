package video

import (
	"context"
	"io"

	"github.com/aislehq/aisle"
)

// Photos makes a video's frames an item's photo; *visual.Reader
// satisfies it.
type Photos interface {
	// UploadFrames makes frames (encoded images, in order) item id's
	// photo, what was seen combining every frame, and returns the item as
	// stored.
	UploadFrames(ctx context.Context, id string, frames [][]byte) (aisle.Item, error)
}

// Uploader reads product videos into items' photos: it extracts the
// keyframes (Extractor) and hands them to the photo reader. It is safe
// for concurrent use.
type Uploader struct {
	ex     *Extractor
	photos Photos
}

// NewUploader returns an Uploader extracting keyframes with ex and reading
// them with photos. It does no I/O.
func NewUploader(ex *Extractor, photos Photos) *Uploader {
	return &Uploader{ex: ex, photos: photos}
}

// MaxBytes returns the largest video accepted.
func (u *Uploader) MaxBytes() int64 { return u.ex.MaxBytes() }

// Available reports, as EUNAVAILABLE, when ffmpeg or ffprobe cannot be
// found.
func (u *Uploader) Available() error { return u.ex.Available() }

// UploadVideo reads a video from r (Extractor.Keyframes' errors) and
// makes its keyframes item id's photo (Photos.UploadFrames' errors), and
// returns the item as stored.
func (u *Uploader) UploadVideo(ctx context.Context, id string, r io.Reader) (aisle.Item, error) {
	frames, err := u.ex.Keyframes(ctx, r)
	if err != nil {
		return aisle.Item{}, err
	}
	pngs := make([][]byte, len(frames))
	for k, f := range frames {
		pngs[k] = f.PNG
	}
	return u.photos.UploadFrames(ctx, id, pngs)
}
