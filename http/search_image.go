package http

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
)

// PhotoEncoder turns a query photo into the vector search by photo
// compares with the items' image vectors, so it must be the image model
// that made those. Implementations must be safe for concurrent use.
type PhotoEncoder interface {
	// EncodePhoto decodes data (the photo's original bytes) and returns
	// its image vector. Bytes that are not a photo, or a corrupt or
	// truncated one, are an *aisle.Error with code EINVALID; a photo over
	// the size or pixel limits (checked before decoding) ETOOLARGE.
	EncodePhoto(ctx context.Context, data []byte) ([]float32, error)
}

// SetPhotoEncoder makes POST /v1/search/image encode query photos with
// pe; until it is called (or after SetPhotoEncoder(nil)) the route
// replies 503. It may be called at any time, also while serving.
func (s *Server) SetPhotoEncoder(pe PhotoEncoder) { s.photoEncoder.set(pe) }

// searchImage finds items like a photo: POST /v1/search/image, the photo
// as the body (Content-Type image/*) with the search parameters in the
// query string, or a multipart/form-data body with the photo in the file
// field image and the parameters as text fields (or in the query string:
// one given in both is "given more than once"), read by readPhoto. q is
// optional; with it, the photo's nearest items are fused with the text
// search's. Errors: another Content-Type 415; a body over the photo limit
// 413; an empty, missing, corrupt or non-image photo 400 (field image),
// bad parameters or unknown form fields 400 naming them; no
// PhotoEncoder, or no search index yet, 503.
func (s *Server) searchImage(w http.ResponseWriter, r *http.Request) error {
	pe, err := s.photoEncoder.need("search by photo needs an image model")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	data, form, err := s.readPhoto(w, r)
	if err != nil {
		return err
	}
	for name, vs := range form {
		if !slices.Contains(searchParams, name) {
			return aisle.FieldErrorf(aisle.EINVALID, clip(name), "unknown form field (the form holds image and %s)", strings.Join(searchParams, ", "))
		}
		q[name] = append(q[name], vs...)
	}
	req, err := searchRequest(q)
	if err != nil {
		return err
	}
	vec, err := pe.EncodePhoto(r.Context(), data)
	switch code := aisle.ErrorCode(err); {
	case (code == aisle.EINVALID || code == aisle.ETOOLARGE) && aisle.ErrorField(err) == "":
		return aisle.WithFieldPrefix(err, "image")
	case err != nil:
		return err
	case len(vec) == 0:
		return errors.New("search image: the photo encoder returned no vector")
	}
	req.Image = vec
	return s.runSearch(w, r, req)
}
