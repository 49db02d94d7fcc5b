package http

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/aislehq/aisle"
)

// Photos reads product photos uploaded for items; *visual.Reader
// satisfies it. Implementations must be safe for concurrent use.
type Photos interface {
	// Upload makes data item id's first photo and reads it at once,
	// returning the item as stored with its Visual: EINVALID for a corrupt
	// photo or one in no accepted format, ETOOLARGE over the limits,
	// ENOTFOUND for an unknown item.
	Upload(ctx context.Context, id string, data []byte) (aisle.Item, error)
}

// Originals serves photos' original bytes by content hash;
// *imagestore.Store satisfies it.
type Originals interface {
	// Open opens the original stored under hash: ENOTFOUND when none,
	// EINVALID when hash is not a content hash.
	Open(hash string) (*os.File, error)
}

// photoParts are the photo services.
type photoParts struct {
	photos    Photos
	originals Originals
}

// SetPhotos makes the photo routes use p (uploads) and o (originals);
// until it is called they reply 503. It may be called at any time.
func (s *Server) SetPhotos(p Photos, o Originals) {
	s.photos.set(photoParts{p, o})
}

// photoParts returns the photo services; EUNAVAILABLE before SetPhotos.
func (s *Server) photoParts() (photoParts, error) {
	return s.photos.need("photos are not enabled on this server")
}

// photoRoutes registers the photo routes.
func (s *Server) photoRoutes() []route {
	return []route{
		{"PUT /v1/items/{id}/image", s.handle(s.putImage), access{role: aisle.RoleWrite, photo: true}},
		{"GET /v1/items/{id}/image", s.handle(s.getItemImage), readOnly},
		{"GET /v1/images/{hash}", s.handle(s.getImage), readOnly},
	}
}

// photoField is the multipart/form-data field holding the photo.
const photoField = "image"

// maxFormValueBytes caps one text field of a multipart photo request.
const maxFormValueBytes = 4096

// readPhoto reads a photo request's body: the raw photo (Content-Type
// image/* or application/octet-stream, or none) or a multipart/form-data
// form whose file field "image" holds it, its other fields returned as
// values. Bodies over Config.MaxPhotoBytes are ETOOLARGE; other content
// types 415; a form without the photo EINVALID naming the field.
func (s *Server) readPhoto(w http.ResponseWriter, r *http.Request) ([]byte, url.Values, error) {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxPhotoBytes+64<<10)
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	switch {
	case ct == "" || mt == "application/octet-stream" || (err == nil && strings.HasPrefix(mt, "image/")):
		data, err := s.readPhotoBytes(body)
		return data, url.Values{}, err
	case err == nil && mt == "multipart/form-data":
		return s.readPhotoForm(multipart.NewReader(body, params["boundary"]))
	}
	return nil, nil, aisle.Errorf(codeUnsupportedMediaType, "Content-Type must be image/* (the photo as the body) or multipart/form-data (the photo in field %q), not %q", photoField, clip(ct))
}

// readPhotoBytes reads a photo of at most Config.MaxPhotoBytes.
func (s *Server) readPhotoBytes(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, s.cfg.MaxPhotoBytes+1))
	if err != nil {
		return nil, bodyError(err)
	}
	if int64(len(data)) > s.cfg.MaxPhotoBytes {
		return nil, aisle.Errorf(aisle.ETOOLARGE, "photo is larger than the limit of %d bytes", s.cfg.MaxPhotoBytes)
	}
	if len(data) == 0 {
		return nil, aisle.Errorf(aisle.EINVALID, "photo is empty: send a JPEG, PNG, GIF or WebP")
	}
	return data, nil
}

// readPhotoForm reads a multipart form holding the photo in photoField.
func (s *Server) readPhotoForm(mr *multipart.Reader) ([]byte, url.Values, error) {
	var data []byte
	vals := url.Values{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, bodyError(err)
		}
		name := p.FormName()
		switch {
		case name == photoField:
			if data != nil {
				return nil, nil, aisle.FieldErrorf(aisle.EINVALID, photoField, "sent twice: send one photo")
			}
			if data, err = s.readPhotoBytes(p); err != nil {
				return nil, nil, aisle.WithFieldPrefix(err, photoField)
			}
		case p.FileName() != "":
			return nil, nil, aisle.FieldErrorf(aisle.EINVALID, name, "unexpected file: the photo goes in field %q", photoField)
		default:
			v, err := io.ReadAll(io.LimitReader(p, maxFormValueBytes+1))
			if err != nil {
				return nil, nil, bodyError(err)
			}
			if len(v) > maxFormValueBytes {
				return nil, nil, aisle.FieldErrorf(aisle.ETOOLARGE, name, "longer than %d bytes", maxFormValueBytes)
			}
			vals.Add(name, string(v))
		}
	}
	if data == nil {
		return nil, nil, aisle.FieldErrorf(aisle.EINVALID, photoField, "missing: send the photo as a file in field %q", photoField)
	}
	return data, vals, nil
}

// bodyError is the client error for a body that could not be read.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return aisle.Errorf(aisle.ETOOLARGE, "request body is larger than the limit of %d bytes", tooLarge.Limit)
	}
	return errors.Join(aisle.Errorf(aisle.EINVALID, "could not read the request body: %s", clip(err.Error())), err)
}

// putImage uploads an item's photo: PUT /v1/items/{id}/image with the
// photo as the body or in a multipart form. The photo becomes the item's
// first image and is read at once; the reply is the item with its Visual.
func (s *Server) putImage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.photoParts()
	if err != nil {
		return err
	}
	// The cheap check first: an unknown item costs no upload.
	if _, err := s.store.Item(r.Context(), id); err != nil {
		return err
	}
	data, _, err := s.readPhoto(w, r)
	if err != nil {
		return err
	}
	if _, err := b.photos.Upload(r.Context(), id, data); err != nil {
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

// getItemImage serves the original of an item's first photo once it was
// read: GET /v1/items/{id}/image. 404 when the item has no readable photo.
func (s *Server) getItemImage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := s.photoParts()
	if err != nil {
		return err
	}
	it, err := s.store.Item(r.Context(), id)
	if err != nil {
		return err
	}
	if it.Visual == nil || it.Visual.Image == "" || len(it.Images) == 0 || it.Visual.Ref != it.Images[0] {
		return aisle.Errorf(aisle.ENOTFOUND, "item %q has no photo read yet", clip(id))
	}
	return serveOriginal(w, r, b.originals, it.Visual.Image)
}

// getImage serves a photo's original bytes by content hash:
// GET /v1/images/{hash}. They never change, so they may be cached forever.
func (s *Server) getImage(w http.ResponseWriter, r *http.Request) error {
	b, err := s.photoParts()
	if err != nil {
		return err
	}
	hash := r.PathValue("hash")
	if !aisle.IsContentHash(hash) {
		return aisle.FieldErrorf(aisle.EINVALID, "hash", "must be a hex SHA-256 hash in lower case")
	}
	return serveOriginal(w, r, b.originals, hash)
}

// serveOriginal writes the original stored under hash, with its sniffed
// content type, an ETag and conditional and range requests.
func serveOriginal(w http.ResponseWriter, r *http.Request, o Originals, hash string) error {
	f, err := o.Open(hash)
	if err != nil {
		return err
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("rewind original: %w", err)
	}
	w.Header().Set("Content-Type", http.DetectContentType(head[:n]))
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("ETag", `"`+hash+`"`)
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat original: %w", err)
	}
	// ServeContent answers a bad range or a failed precondition in plain
	// text; keep the API's one error shape instead.
	jw := &errorCatcher{ResponseWriter: w}
	http.ServeContent(jw, r, "", st.ModTime(), f)
	switch jw.status {
	case 0:
		return nil
	case http.StatusRequestedRangeNotSatisfiable:
		return aisle.Errorf(codeRangeNotSatisfiable, "range %q is not satisfiable: the photo is %d bytes", clip(r.Header.Get("Range")), st.Size())
	case http.StatusPreconditionFailed:
		return aisle.Errorf(codePreconditionFailed, "precondition failed: the photo does not match If-Match or was modified after If-Unmodified-Since")
	}
	return fmt.Errorf("serve original: status %d", jw.status)
}

// errorCatcher passes a response through unless its status is an error
// (400 or above): then it keeps the status and drops the headers' body
// type and the body, so that the caller can write the API's JSON error.
type errorCatcher struct {
	http.ResponseWriter
	status int // the error status caught; 0 while none
}

func (c *errorCatcher) WriteHeader(code int) {
	if code >= 400 {
		c.status = code
		h := c.Header()
		h.Del("Content-Type")
		h.Del("X-Content-Type-Options")
		return
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *errorCatcher) Write(b []byte) (int, error) {
	if c.status != 0 {
		return len(b), nil
	}
	return c.ResponseWriter.Write(b)
}
