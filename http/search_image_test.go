package http

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
	"github.com/aislehq/aisle/text/extract"
	"github.com/google/go-cmp/cmp"
)

// fakePhotoEncoder "encodes" a photo whose bytes name a seeded item
// ("pen-1") to that item's image vector, and answers the errors a real
// one gives for "corrupt" and "huge".
type fakePhotoEncoder map[string][]float32

func (f fakePhotoEncoder) EncodePhoto(_ context.Context, data []byte) ([]float32, error) {
	switch s := string(data); s {
	case "corrupt":
		return nil, aisle.Errorf(aisle.EINVALID, "photo is corrupt: bad marker")
	case "huge":
		return nil, aisle.Errorf(aisle.ETOOLARGE, "photo is 50000×50000 pixels, over the limit")
	default:
		if v, ok := f[s]; ok {
			return v, nil
		}
		return nil, aisle.Errorf(aisle.EINVALID, "photo format unknown")
	}
}

// photoVectors are the seeded items' fake image vectors: pens alike,
// the mug and the lamp each their own.
var photoVectors = fakePhotoEncoder{
	"pen-1":  {1, 0, 0},
	"pen-2":  {0.9, 0.1, 0},
	"mug-1":  {0, 1, 0},
	"lamp-1": {0, 0, 1},
}

// seedImageSearch seeds e and gives its server a search index with the
// seeded items' image vectors and the fake photo encoder.
func (e *testEnv) seedImageSearch() {
	e.t.Helper()
	e.seed()
	page, err := e.db.ListItems(e.t.Context(), aisle.ItemFilter{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	images := make([][]float32, len(page.Items))
	for i, it := range page.Items {
		images[i] = photoVectors[it.ID]
	}
	x := search.New(search.Config{}, search.Deps{}, nil)
	if err := x.UpsertVectors(page.Items, nil, images); err != nil {
		e.t.Fatal(err)
	}
	e.srv.SetSearcher(x)
	e.srv.SetPhotoEncoder(photoVectors)
}

// imageForm returns a multipart/form-data body with the photo in field
// image (of partType, "" for none) and the given text fields, and its
// Content-Type.
func imageForm(t *testing.T, photo []byte, partType string, fields ...string) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for i := 0; i+1 < len(fields); i += 2 {
		if err := w.WriteField(fields[i], fields[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if photo != nil {
		h := map[string][]string{"Content-Disposition": {`form-data; name="image"; filename="photo"`}}
		if partType != "" {
			h["Content-Type"] = []string{partType}
		}
		p, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		p.Write(photo)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

func TestSearchImage(t *testing.T) {
	e := newEnv(t, nil)
	e.expect(http.StatusServiceUnavailable, "POST", "/v1/search/image", "pen-1", "Content-Type", "image/jpeg")
	e.seedImageSearch()

	form, formType := imageForm(t, []byte("pen-1"), "image/jpeg", "q", "pen", "brand", "acme")
	tests := []struct {
		name, path, contentType string
		body                    []byte
		ids                     []string
		sources                 []string // of the first hit
	}{
		{"raw photo", "/v1/search/image", "image/jpeg", []byte("pen-1"), []string{"pen-1", "pen-2"}, []string{"image"}},
		{"raw photo, filters in the query", "/v1/search/image?category=kitchen", "image/png", []byte("mug-1"), []string{"mug-1"}, []string{"image"}},
		{"raw photo and a query", "/v1/search/image?q=mug", "image/webp", []byte("pen-1"), []string{"mug-1", "pen-1", "mug-2", "pen-2"}, []string{"bm25"}},
		{"form with a query and a filter", "/v1/search/image", formType, form, []string{"pen-1", "pen-2"}, []string{"bm25", "image"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeJSON[search.Result](t, e.expect(http.StatusOK, "POST", tt.path, tt.body, "Content-Type", tt.contentType).body)
			ids := []string{}
			for _, h := range got.Items {
				ids = append(ids, h.ID)
			}
			if d := cmp.Diff(ids, tt.ids); d != "" {
				t.Errorf("ids (-got +want):\n%s", d)
			}
			if len(got.Items) > 0 && !cmp.Equal(got.Items[0].Sources, tt.sources) {
				t.Errorf("first hit's sources %v, want %v", got.Items[0].Sources, tt.sources)
			}
		})
	}

	first := decodeJSON[search.Result](t, e.expect(http.StatusOK, "POST", "/v1/search/image?n=1", []byte("pen-1"), "Content-Type", "image/jpeg").body)
	if len(first.Items) != 1 || first.NextCursor == "" || first.Total != 2 {
		t.Fatalf("first page %+v; want one of two and a cursor", first)
	}
	next := decodeJSON[search.Result](t, e.expect(http.StatusOK, "POST", "/v1/search/image?n=1&cursor="+first.NextCursor, []byte("pen-1"), "Content-Type", "image/jpeg").body)
	if len(next.Items) != 1 || next.Items[0].ID != "pen-2" || next.NextCursor != "" {
		t.Errorf("second page %+v; want pen-2, the last", next)
	}

	unknown, unknownType := imageForm(t, []byte("pen-1"), "", "size", "XL")
	twice, twiceType := imageForm(t, []byte("pen-1"), "", "brand", "acme")
	noPhoto, noPhotoType := imageForm(t, nil, "", "q", "pen")
	badN, badNType := imageForm(t, []byte("pen-1"), "", "n", "0")
	for _, bad := range []struct {
		name, path, contentType string
		body                    []byte
		status                  int
		field                   string
	}{
		{"text body", "/v1/search/image", "text/plain", []byte("pen-1"), http.StatusUnsupportedMediaType, ""},
		{"JSON body", "/v1/search/image", "application/json", []byte(`{"q":"pen"}`), http.StatusUnsupportedMediaType, ""},
		{"empty photo", "/v1/search/image", "image/jpeg", []byte{}, http.StatusBadRequest, ""},
		{"corrupt photo", "/v1/search/image", "image/jpeg", []byte("corrupt"), http.StatusBadRequest, "image"},
		{"not a photo", "/v1/search/image", "image/jpeg", []byte("hello"), http.StatusBadRequest, "image"},
		{"too many pixels", "/v1/search/image", "image/png", []byte("huge"), http.StatusRequestEntityTooLarge, "image"},
		{"bad min_price", "/v1/search/image?min_price=cheap", "image/jpeg", []byte("pen-1"), http.StatusBadRequest, "min_price"},
		{"crossed prices", "/v1/search/image?min_price=5&max_price=1", "image/jpeg", []byte("pen-1"), http.StatusBadRequest, "max_price"},
		{"cursor of another photo", "/v1/search/image?n=1&cursor=" + first.NextCursor, "image/jpeg", []byte("mug-1"), http.StatusBadRequest, "cursor"},
		{"unknown form field", "/v1/search/image", unknownType, unknown, http.StatusBadRequest, "size"},
		{"field in the form and the query", "/v1/search/image?brand=bic", twiceType, twice, http.StatusBadRequest, "brand"},
		{"form without a photo", "/v1/search/image", noPhotoType, noPhoto, http.StatusBadRequest, "image"},
		{"bad n in the form", "/v1/search/image", badNType, badN, http.StatusBadRequest, "n"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			got := apiError(t, e.expect(bad.status, "POST", bad.path, bad.body, "Content-Type", bad.contentType))
			if bad.field != "" && got.Field != bad.field {
				t.Errorf("error %+v, want field %q", got, bad.field)
			}
		})
	}
	e.srv.SetPhotoEncoder(nil)
	got := apiError(t, e.expect(http.StatusServiceUnavailable, "POST", "/v1/search/image", []byte("pen-1"), "Content-Type", "image/jpeg"))
	if !strings.Contains(got.Message, "image model") {
		t.Errorf("503 without an encoder says %q, want it to name the image model", got.Message)
	}
}

// TestSearchFilters checks the colour and price parameters of GET
// /v1/search.
func TestSearchFilters(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	page, err := e.db.ListItems(t.Context(), aisle.ItemFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ex := extract.New(extract.Learn(page.Items)) // this test store extracts nothing
	for i := range page.Items {
		page.Items[i].Extracted = ex.Extract(&page.Items[i])
	}
	x := search.New(search.Config{}, search.Deps{}, nil)
	if err := x.Upsert(page.Items, nil); err != nil {
		t.Fatal(err)
	}
	e.srv.SetSearcher(x)
	for _, tt := range []struct {
		path string
		ids  []string
	}{
		{"/v1/search?q=pen&color=blue", []string{"pen-1"}},
		{"/v1/search?q=pen&color=Red", []string{"pen-2"}},
		{"/v1/search?q=lamp&color=red", []string{}},
		{"/v1/search?q=pen&min_price=1&max_price=2", []string{"pen-1"}},
		{"/v1/search?q=pen&min_price=2", []string{}},
	} {
		got := decodeJSON[search.Result](t, e.expect(http.StatusOK, "GET", tt.path, nil).body)
		ids := []string{}
		for _, h := range got.Items {
			ids = append(ids, h.ID)
		}
		if d := cmp.Diff(ids, tt.ids); d != "" {
			t.Errorf("%s: ids (-got +want):\n%s", tt.path, d)
		}
	}
	for _, bad := range []struct{ path, field string }{
		{"/v1/search?q=pen&min_price=-1", "min_price"},
		{"/v1/search?q=pen&max_price=NaN", "max_price"},
		{"/v1/search?q=pen&max_price=1e999", "max_price"},
		{"/v1/search?q=pen&min_price=3&max_price=2", "max_price"},
		{"/v1/search?q=pen&color=" + strings.Repeat("x", maxAttributeParamBytes+1), "color"},
	} {
		if got := apiError(t, e.expect(http.StatusBadRequest, "GET", bad.path, nil)); got.Field != bad.field {
			t.Errorf("%s: error %+v, want field %q", bad.path, got, bad.field)
		}
	}
}
