package http

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/aislehq/aisle"
)

// Videos reads product videos into items' photos; *video.Uploader
// satisfies it. Implementations must be safe for concurrent use.
type Videos interface {
	// UploadVideo reads a video from r and makes its keyframes item id's
	// photo, returning the item as stored with its Visual: ETOOLARGE over
	// MaxBytes, EINVALID for an upload that is not a video (with an error
	// whose UnsupportedMedia method says so in its chain: 415),
	// EUNPROCESSABLE for a video too long or undecodable, ENOTFOUND for an
	// unknown item, EUNAVAILABLE without ffmpeg.
	UploadVideo(ctx context.Context, id string, r io.Reader) (aisle.Item, error)
	// MaxBytes is the largest video accepted.
	MaxBytes() int64
	// Available reports, as EUNAVAILABLE, when videos cannot be read
	// (ffmpeg is not installed).
	Available() error
}

// SetVideos makes PUT /v1/items/{id}/video use v; until it is called the
// route replies 503. It may be called at any time.
func (s *Server) SetVideos(v Videos) {
	s.videos.set(v)
}

// videoRoutes registers the video routes. An upload holds one of the
// photo routes' slots: extracting keyframes is the heaviest photo work.
func (s *Server) videoRoutes() []route {
	return []route{
		{"PUT /v1/items/{id}/video", s.handle(s.putVideo), access{role: aisle.RoleWrite, photo: true}},
	}
}

// videoTypes are the Content-Types a video upload may have besides none.
var videoTypes = map[string]bool{"video/mp4": true, "video/webm": true, "application/octet-stream": true}

// putVideo uploads an item's product video: PUT /v1/items/{id}/video with
// an MP4 or WebM as the body. Its keyframes are read as the item's photo
// (the middle one becomes its first image); the reply is the item with
// its Visual, which combines every keyframe.
func (s *Server) putVideo(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	videos, err := s.videos.need("videos are not enabled on this server")
	if err != nil {
		return err
	}
	if err := videos.Available(); err != nil {
		return err
	}
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); ct != "" && (err != nil || !videoTypes[mt]) {
		return aisle.Errorf(codeUnsupportedMediaType, "Content-Type must be video/mp4 or video/webm (the video as the body), not %q", clip(ct))
	}
	// The cheap check first: an unknown item costs no upload.
	if _, err := s.store.Item(r.Context(), id); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, videos.MaxBytes()+1)
	if _, err := videos.UploadVideo(r.Context(), id, body); err != nil {
		var tooLarge *http.MaxBytesError
		var media interface{ UnsupportedMedia() bool }
		switch {
		case errors.As(err, &tooLarge):
			return bodyError(err)
		case errors.As(err, &media) && media.UnsupportedMedia():
			return errors.Join(aisle.Errorf(codeUnsupportedMediaType, "%s", aisle.ErrorMessage(err)), err)
		}
		return err
	}
	synced, err := s.syncItems(r.Context(), []string{id})
	if err != nil {
		return err
	}
	it, ok := synced[id]
	if !ok { // deleted since the upload
		return aisle.Errorf(aisle.ENOTFOUND, "item %q not found", clip(id))
	}
	return writeJSON(w, http.StatusOK, it)
}
