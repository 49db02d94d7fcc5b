package http

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
)

// Limits of item listings.
const (
	defaultListLimit = 50
	maxListLimit     = 1000
	// maxAttributeParamBytes bounds the color and material filters.
	maxAttributeParamBytes = 64
)

// listResponse is the shape of every list reply. NextCursor is "" on the
// last page.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// newList returns a list response; a nil list encodes as [].
func newList[T any](items []T, next string) listResponse[T] {
	if items == nil {
		items = []T{}
	}
	return listResponse[T]{Items: items, NextCursor: next}
}

// itemRoutes registers the catalog's routes.
func (s *Server) itemRoutes() []route {
	return []route{
		{"GET /v1/items", s.handle(s.listItems), readOnly},
		{"POST /v1/items", s.handle(s.upsertItems), writing},
		{"GET /v1/items/{id}", s.handle(s.getItem), readOnly},
		{"PUT /v1/items/{id}", s.handle(s.putItem), writing},
		{"DELETE /v1/items/{id}", s.handle(s.deleteItem), adminOnly},
		{"GET /v1/items/{id}/questions", s.handle(s.listQuestions), readOnly},
	}
}

// putItem creates or replaces one item: PUT /v1/items/{id}. It replies 201
// with the stored item when it was created, 200 otherwise.
func (s *Server) putItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var it aisle.Item
	if err := decodeObject(body, &it); err != nil {
		return err
	}
	if it.ID != "" && it.ID != id {
		return aisle.FieldErrorf(aisle.EUNPROCESSABLE, "id", "%q in the body differs from %q in the path", clip(it.ID), clip(id))
	}
	it.ID = id
	if err := s.checkItemWrite(&it); err != nil {
		return err
	}
	stats, err := s.store.UpsertItems(r.Context(), []aisle.Item{it})
	if err != nil {
		return unprefixField(err, "items[0]")
	}
	synced, err := s.syncItems(r.Context(), []string{id})
	if err != nil {
		return err
	}
	stored, ok := synced[id]
	if !ok { // deleted since it was written
		return aisle.Errorf(aisle.ENOTFOUND, "item %q not found", clip(id))
	}
	status := http.StatusOK
	if stats.Inserted > 0 {
		status = http.StatusCreated
	}
	return writeJSON(w, status, stored)
}

// upsertItems creates or replaces a batch of items atomically:
// POST /v1/items with {"items":[...]}. It replies with the counts.
func (s *Server) upsertItems(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	items, err := decodeList[aisle.Item](body, "items", s.cfg.MaxBatch)
	if err != nil {
		return err
	}
	ids := make([]string, len(items))
	for i := range items {
		if err := s.checkItemWrite(&items[i]); err != nil {
			return aisle.WithFieldPrefix(err, fmt.Sprintf("items[%d]", i))
		}
		ids[i] = items[i].ID
	}
	stats, err := s.store.UpsertItems(r.Context(), items)
	if err != nil {
		return err
	}
	if err := s.SyncItems(r.Context(), ids); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, stats)
}

// checkItemWrite checks what the API asks of an item beyond what the
// store does: a title (datasets imported by id alone may lack one, items
// written through the API may not), no read-only fields (what Aisle
// derives: extracted, visual, and the store's times), and photos named by
// URL or upload, not by file path, unless Config.AllowImageFiles.
func (s *Server) checkItemWrite(it *aisle.Item) error {
	switch {
	case it.Extracted != nil:
		return aisle.FieldErrorf(aisle.EINVALID, "extracted", "read-only: Aisle reads it from the item's text; leave it out")
	case it.Visual != nil:
		return aisle.FieldErrorf(aisle.EINVALID, "visual", "read-only: Aisle reads it from the item's photo; leave it out")
	case !it.CreatedAt.IsZero():
		return aisle.FieldErrorf(aisle.EINVALID, "created_at", "read-only: set by the store; leave it out")
	case !it.UpdatedAt.IsZero():
		return aisle.FieldErrorf(aisle.EINVALID, "updated_at", "read-only: set by the store; leave it out")
	case strings.TrimSpace(it.Title) == "":
		return aisle.FieldErrorf(aisle.EINVALID, "title", "required: every item needs a title")
	}
	for i, ref := range it.Images {
		field := fmt.Sprintf("images[%d]", i)
		parsed, err := photo.ParseRef(ref)
		if err != nil {
			return aisle.WithFieldPrefix(err, field)
		}
		if parsed.Kind == photo.RefFile && !s.cfg.AllowImageFiles {
			return aisle.FieldErrorf(aisle.EINVALID, field, "file paths are not accepted through the API: give an http(s) URL, or upload the photo with PUT /v1/items/{id}/image")
		}
	}
	return nil
}

// getItem returns one item: GET /v1/items/{id}.
func (s *Server) getItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	it, err := s.store.Item(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, it)
}

// deleteItem removes one item: DELETE /v1/items/{id}. It replies 204.
func (s *Server) deleteItem(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.store.DeleteItem(r.Context(), id); err != nil {
		return err
	}
	if err := s.SyncItems(r.Context(), []string{id}); err != nil {
		return err
	}
	s.audit(w, r, aisle.AuditEntry{Action: aisle.AuditDeleteItem, Target: id})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listItems pages through the catalog in id order:
// GET /v1/items?category=&brand=&color=&material=&cursor=&limit=.
func (s *Server) listItems(w http.ResponseWriter, r *http.Request) error {
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	var f aisle.ItemFilter
	if f.Category, err = stringParam(q, "category", aisle.MaxCategoryBytes); err != nil {
		return err
	}
	if f.Brand, err = stringParam(q, "brand", aisle.MaxBrandBytes); err != nil {
		return err
	}
	if f.Color, err = stringParam(q, "color", maxAttributeParamBytes); err != nil {
		return err
	}
	if f.Material, err = stringParam(q, "material", maxAttributeParamBytes); err != nil {
		return err
	}
	if f.Cursor, err = stringParam(q, "cursor", 4*aisle.MaxIDBytes); err != nil {
		return err
	}
	if f.Limit, err = intParam(q, "limit", defaultListLimit, 1, maxListLimit); err != nil {
		return err
	}
	page, err := s.store.ListItems(r.Context(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newList(page.Items, page.NextCursor))
}

// listQuestions returns an item's questions and answers, newest answer
// first: GET /v1/items/{id}/questions?limit=. Questions may name items not
// in the catalog, so it replies 404 only when the item is unknown and has
// no questions.
func (s *Server) listQuestions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q, err := queryParams(r)
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit", defaultListLimit, 1, maxListLimit)
	if err != nil {
		return err
	}
	qs, err := s.store.Questions(r.Context(), id, limit)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		if _, err := s.store.Item(r.Context(), id); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, newList(qs, ""))
}

// unprefixField removes prefix from the field path of a store error about
// a one-element batch, so PUT /v1/items/x reports "title", not
// "items[0].title".
func unprefixField(err error, prefix string) error {
	field := aisle.ErrorField(err)
	if field != prefix && !strings.HasPrefix(field, prefix+".") {
		return err
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(field, prefix), ".")
	msg := aisle.ErrorMessage(err)
	switch {
	case strings.HasPrefix(msg, field+": ") && rest == "":
		msg = strings.TrimPrefix(msg, field+": ")
	case strings.HasPrefix(msg, field):
		msg = rest + strings.TrimPrefix(msg, field)
	}
	return &aisle.Error{Code: aisle.ErrorCode(err), Message: msg, Field: rest}
}
