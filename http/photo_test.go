package http

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/image/visual"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/store/imagestore"
)

// tintEncoder is an image model whose vector is a photo's corner colour.
type tintEncoder struct{}

func (tintEncoder) Dim() int { return 3 }

func (tintEncoder) Encode(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error) {
	out := make([]onnx.ImageFeatures, len(imgs))
	for i, img := range imgs {
		r, g, b, _ := img.At(img.Bounds().Min.X, img.Bounds().Min.Y).RGBA()
		out[i] = onnx.ImageFeatures{Embedding: []float32{float32(r), float32(g), float32(b)}, Labels: []onnx.Label{{Name: "jersey", Prob: 0.9}}}
	}
	return out, nil
}

// pngOf returns a PNG of one colour.
func pngOf(t *testing.T, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bombPNG returns a valid PNG header claiming 50,000 × 50,000 pixels.
func bombPNG(t *testing.T) []byte {
	b := pngOf(t, color.RGBA{})
	binary.BigEndian.PutUint32(b[16:], 50000)
	binary.BigEndian.PutUint32(b[20:], 50000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

// multipartPhoto returns a multipart form body with data in field and
// the other fields, and its Content-Type.
func multipartPhoto(t *testing.T, field string, data []byte, fields ...string) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		mw.WriteField(fields[i], fields[i+1])
	}
	if data != nil {
		fw, err := mw.CreateFormFile(field, "photo.png")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// newPhotoEnv is a test server with photos enabled over its store.
func newPhotoEnv(t *testing.T, configure func(*Config, *fakeRecommender)) (*testEnv, *imagestore.Store) {
	e := newEnv(t, configure)
	return e, e.enablePhotos()
}

// enablePhotos serves photos over the env's store with a small fake
// image model, and returns where originals are kept.
func (e *testEnv) enablePhotos() *imagestore.Store {
	originals := imagestore.New(filepath.Join(e.t.TempDir(), "images"))
	fetch := &photo.Fetcher{Originals: originals}
	r := visual.New(tintEncoder{}, "image:tint", visual.Deps{Fetch: fetch, Originals: originals, Store: e.db}, visual.Config{}, nil)
	e.srv.SetPhotos(r, originals)
	return originals
}

func TestPhotoRoutesUnavailableWithoutPhotos(t *testing.T) {
	e := newEnv(t, nil)
	e.seed()
	resp := e.expect(http.StatusServiceUnavailable, "PUT", "/v1/items/pen-1/image", pngOf(t, color.RGBA{255, 0, 0, 255}), "Content-Type", "image/png")
	if d := apiError(t, resp); !strings.Contains(d.Message, "photos") {
		t.Errorf("message %q", d.Message)
	}
}

func TestUploadPhoto(t *testing.T) {
	e, _ := newPhotoEnv(t, nil)
	e.seed()
	red := pngOf(t, color.RGBA{220, 10, 20, 255})
	resp := e.expect(http.StatusOK, "PUT", "/v1/items/pen-1/image", red, "Content-Type", "image/png")
	it := decodeJSON[aisle.Item](t, resp.body)
	if len(it.Images) == 0 || !strings.HasPrefix(it.Images[0], aisle.UploadRefPrefix) {
		t.Fatalf("images %v: the upload is not first", it.Images)
	}
	v := it.Visual
	if v == nil || v.Ref != it.Images[0] || v.Format != "png" || v.Width != 40 || len(v.Colors) == 0 || v.Colors[0] != "red" || v.Labels[0].Name != "jersey" {
		t.Fatalf("visual %+v", v)
	}
	if got := e.rec.Requests(); !slices.Contains(got, "items pen-1") {
		t.Errorf("recommender not told of the new photo: %v", got)
	}
	// The stored item shows it, and the colour filter finds it.
	got := decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "GET", "/v1/items/pen-1", nil).body)
	if got.Visual == nil || got.Visual.Image != v.Image {
		t.Errorf("stored visual %+v", got.Visual)
	}
	list := decodeJSON[listResponse[aisle.Item]](t, e.expect(http.StatusOK, "GET", "/v1/items?color=red", nil).body)
	if !slices.ContainsFunc(list.Items, func(it aisle.Item) bool { return it.ID == "pen-1" }) {
		t.Errorf("color=red does not list the blue pen whose photo is red: %v", list.Items)
	}
	// The original is served byte for byte, by hash and by item.
	for _, path := range []string{"/v1/images/" + v.Image, "/v1/items/pen-1/image"} {
		resp := e.expect(http.StatusOK, "GET", path, nil)
		if !bytes.Equal(resp.body, red) || resp.header.Get("Content-Type") != "image/png" || resp.header.Get("ETag") != `"`+v.Image+`"` {
			t.Errorf("%s: %d bytes, %q %q", path, len(resp.body), resp.header.Get("Content-Type"), resp.header.Get("ETag"))
		}
	}
	e.expect(http.StatusNotModified, "GET", "/v1/images/"+v.Image, nil, "If-None-Match", `"`+v.Image+`"`)

	// A multipart upload replaces it.
	blue := pngOf(t, color.RGBA{10, 20, 230, 255})
	body, ct := multipartPhoto(t, "image", blue)
	it = decodeJSON[aisle.Item](t, e.expect(http.StatusOK, "PUT", "/v1/items/pen-1/image", body, "Content-Type", ct).body)
	if it.Visual.Colors[0] != "blue" || len(it.Images) != 2 {
		t.Errorf("after the second upload: images %v colours %v", it.Images, it.Visual.Colors)
	}
}

func TestUploadPhotoErrors(t *testing.T) {
	e, originals := newPhotoEnv(t, func(c *Config, _ *fakeRecommender) { c.MaxPhotoBytes = 1 << 20 })
	e.seed()
	before := e.snapshot()
	noPhoto, noPhotoCT := multipartPhoto(t, "file", nil, "q", "x")
	wrongField, wrongFieldCT := multipartPhoto(t, "picture", pngOf(t, color.RGBA{}))
	for _, c := range []struct {
		name, path, ct string
		body           []byte
		status         int
		field, msg     string
	}{
		{"unknown item", "/v1/items/nope/image", "image/png", pngOf(t, color.RGBA{}), http.StatusNotFound, "", "nope"},
		{"not an image", "/v1/items/pen-1/image", "image/jpeg", []byte("<html>hello</html>"), http.StatusBadRequest, "", "format"},
		{"truncated", "/v1/items/pen-1/image", "image/png", pngOf(t, color.RGBA{})[:60], http.StatusBadRequest, "", "truncated"},
		{"bomb", "/v1/items/pen-1/image", "image/png", bombPNG(t), http.StatusRequestEntityTooLarge, "", "50000"},
		{"too large", "/v1/items/pen-1/image", "image/png", bytes.Repeat([]byte{0xff}, 2<<20), http.StatusRequestEntityTooLarge, "", "limit"},
		{"empty", "/v1/items/pen-1/image", "image/png", nil, http.StatusBadRequest, "", "empty"},
		{"json", "/v1/items/pen-1/image", "application/json", []byte(`{"image":"x"}`), http.StatusUnsupportedMediaType, "", "multipart"},
		{"form without photo", "/v1/items/pen-1/image", noPhotoCT, noPhoto, http.StatusBadRequest, "image", "missing"},
		{"form with another file", "/v1/items/pen-1/image", wrongFieldCT, wrongField, http.StatusBadRequest, "picture", "field"},
		{"bad hash", "/v1/images/../../etc/passwd", "", nil, http.StatusNotFound, "", ""},
		{"hash not hex", "/v1/images/" + strings.Repeat("z", 64), "", nil, http.StatusBadRequest, "hash", "SHA-256"},
		{"hash unknown", "/v1/images/" + strings.Repeat("a", 64), "", nil, http.StatusNotFound, "", ""},
		{"item without photo", "/v1/items/pen-2/image", "", nil, http.StatusNotFound, "", "no photo"},
	} {
		t.Run(c.name, func(t *testing.T) {
			method, body := "PUT", any(c.body)
			if c.ct == "" {
				method, body = "GET", nil
			}
			if c.body == nil && method == "PUT" {
				body = []byte{}
			}
			resp := e.do(method, c.path, body, "Content-Type", c.ct)
			if resp.status != c.status {
				t.Fatalf("status %d, want %d: %s", resp.status, c.status, resp.body)
			}
			if c.msg == "" {
				return
			}
			d := apiError(t, resp)
			if d.Field != c.field || !strings.Contains(d.Message, c.msg) {
				t.Errorf("error %+v, want field %q and a message naming %q", d, c.field, c.msg)
			}
		})
	}
	if d := cmp.Diff(e.snapshot(), before); d != "" {
		t.Errorf("a rejected upload changed the store (-got +want):\n%s", d)
	}
	if originals.Has(strings.Repeat("a", 64)) {
		t.Error("unexpected original")
	}
}
