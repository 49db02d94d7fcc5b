package http

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"hash/crc32"
	"image"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/search"
)

// Real files the search-by-photo test reads from beside the repository.
var (
	mobileNetDir = filepath.Join("..", "..", "shared", "models", "mobilenet-v1-0.75-224")
	clothingDir  = filepath.Join("..", "..", "shared", "data", "clothing-images")
)

// onnxPhotoEncoder is the PhotoEncoder a server with the shipped CNN
// uses: package photo's checks and decoding, then the model's embedding.
type onnxPhotoEncoder struct{ enc *onnx.ImageEncoder }

func (o onnxPhotoEncoder) EncodePhoto(ctx context.Context, data []byte) ([]float32, error) {
	p, err := photo.DecodeContext(ctx, bytes.NewReader(data), photo.Options{})
	if err != nil {
		return nil, err
	}
	feats, err := o.enc.Encode(ctx, []image.Image{p.Image})
	if err != nil {
		return nil, err
	}
	return feats[0].Embedding, nil
}

// clothingPhoto is one row of clothing-images/labels.csv.
type clothingPhoto struct{ path, split, label string }

// openClothing returns the real clothing photos and the real MobileNet,
// skipping when either or the ONNX Runtime library is absent.
func openClothing(t *testing.T) ([]clothingPhoto, *onnx.ImageEncoder) {
	t.Helper()
	f, err := os.Open(filepath.Join(clothingDir, "labels.csv"))
	if err != nil {
		t.Skipf("real clothing photos not found at %s: %v", clothingDir, err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("labels.csv: %v", err)
	}
	if _, err := os.Stat(filepath.Join(mobileNetDir, "model.onnx")); err != nil {
		t.Skipf("real MobileNet not found at %s: %v", mobileNetDir, err)
	}
	if _, err := onnx.FindLibrary(""); err != nil {
		t.Skipf("%v", err)
	}
	enc, err := onnx.OpenImageEncoder(t.Context(), mobileNetDir, onnx.ImageConfig{}, nil)
	if err != nil {
		t.Fatalf("OpenImageEncoder: %v", err)
	}
	t.Cleanup(func() { enc.Close() })
	var photos []clothingPhoto
	for _, r := range rows[1:] {
		photos = append(photos, clothingPhoto{path: r[0], split: r[1], label: r[2]})
	}
	return photos, enc
}

// everyNth returns every nth photo of split, in file order: a sample
// of the split with its classes' shares.
func everyNth(photos []clothingPhoto, split string, n int) []clothingPhoto {
	var out []clothingPhoto
	i := 0
	for _, p := range photos {
		if p.split != split {
			continue
		}
		if i%n == 0 {
			out = append(out, p)
		}
		i++
	}
	return out
}

// pngHeader returns the start of a PNG of w×h pixels: the signature and
// a valid IHDR chunk, which is all a decoder reads to learn the size.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32([]byte("IHDR"), w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	b := append([]byte("\x89PNG\r\n\x1a\n"), 0, 0, 0, 13)
	b = append(b, ihdr...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(ihdr))
}

// TestSearchImageReal indexes real clothing photos of the validation
// split (a third of them in short mode, all 341 else) with the real
// MobileNet's vectors, starts the real server, and searches with
// held-out photos of the test split over HTTP (every tenth, or all
// 372): precision@10, the share of the top 10 of the query photo's
// class, is logged and checked against a floor (chance, from the
// classes' shares, is 0.125). It also sends the malformed photos a
// client might: corrupt bytes, a decompression bomb's header, a text
// file, an oversized body.
func TestSearchImageReal(t *testing.T) {
	photos, enc := openClothing(t)
	// floor is the precision@10 measured with this model, 0.387 on the
	// short run's sample and 0.584 on the full splits, less a margin for
	// another ONNX Runtime build's rounding.
	indexed, queries, floor := everyNth(photos, "validation", 3), everyNth(photos, "test", 10), 0.33
	if !testing.Short() {
		indexed, queries, floor = everyNth(photos, "validation", 1), everyNth(photos, "test", 1), 0.55
	}
	read := func(p clothingPhoto) []byte {
		b, err := os.ReadFile(filepath.Join(clothingDir, p.path))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	pe := onnxPhotoEncoder{enc}
	items := make([]aisle.Item, len(indexed))
	images := make([][]float32, len(indexed))
	label := map[string]string{}
	for i, p := range indexed {
		id := strings.TrimSuffix(filepath.Base(p.path), ".jpg")
		items[i] = aisle.Item{ID: id, Title: p.label, Categories: []string{p.label}}
		label[id] = p.label
		v, err := pe.EncodePhoto(t.Context(), read(p))
		if err != nil {
			t.Fatalf("%s: %v", p.path, err)
		}
		images[i] = v
	}
	x := search.New(search.Config{}, search.Deps{}, nil)
	if err := x.UpsertVectors(items, nil, images); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil)
	e.srv.SetSearcher(x)
	e.srv.SetPhotoEncoder(pe)

	top10 := func(path string, data []byte) []string {
		t.Helper()
		res := decodeJSON[search.Result](t, e.expect(http.StatusOK, "POST", path, data, "Content-Type", "image/jpeg").body)
		var labels []string
		for _, h := range res.Items {
			labels = append(labels, label[h.ID])
		}
		return labels
	}
	var sum float64
	for _, q := range queries {
		got := top10("/v1/search/image?n=10", read(q))
		same := 0
		for _, l := range got {
			if l == q.label {
				same++
			}
		}
		sum += float64(same) / 10
	}
	p10 := sum / float64(len(queries))
	t.Logf("precision@10 by photo: %.3f over %d held-out test photos, %d indexed", p10, len(queries), len(items))
	if p10 < floor {
		t.Errorf("precision@10 = %.3f, want ≥ %.2f", p10, floor)
	}

	// The sandals of the onnx tests: most of their top 10 are shoes;
	// with a category filter all are hats; with the query "shoes" (every
	// shoe's title), fused by reciprocal rank, at least as many are
	// shoes (a dress among the photo's nearest may still place).
	sandals := read(clothingPhoto{path: "test/shoes/ab3238c6-2607-4850-8a17-3e9027867a6c.jpg"})
	count := func(labels []string, want string) int {
		n := 0
		for _, l := range labels {
			if l == want {
				n++
			}
		}
		return n
	}
	byPhoto := top10("/v1/search/image", sandals)
	if count(byPhoto, "shoes") < 6 {
		t.Errorf("sandals' top 10: %v, want mostly shoes", byPhoto)
	}
	if got := top10("/v1/search/image?category=hat", sandals); len(got) == 0 || count(got, "hat") != len(got) {
		t.Errorf("sandals' nearest hats: %v, want hats only", got)
	}
	if got := top10("/v1/search/image?q=shoes", sandals); len(got) != 10 || count(got, "shoes") < max(8, count(byPhoto, "shoes")) {
		t.Errorf("sandals' top 10 with q=shoes: %v, want at least 8 shoes and as many as by photo alone (%v)", got, byPhoto)
	}

	form, formType := imageForm(t, []byte("Not a photo, a note.\n"), "", "q", "shoes")
	for _, bad := range []struct {
		name, contentType string
		body              []byte
		status            int
		field, says       string
	}{
		{"corrupt", "image/jpeg", sandals[:2000], http.StatusBadRequest, "image", "corrupt"},
		{"bomb", "image/png", pngHeader(50_000, 50_000), http.StatusRequestEntityTooLarge, "image", "50000×50000"},
		{"text file as a photo", "image/jpeg", []byte("Not a photo, a note.\n"), http.StatusBadRequest, "image", "format"},
		{"text file in the form", formType, form, http.StatusBadRequest, "image", "format"},
		{"text body", "text/plain", []byte("Not a photo, a note.\n"), http.StatusUnsupportedMediaType, "", "Content-Type"},
		{"oversized body", "image/jpeg", make([]byte, photo.DefaultMaxBytes+100<<10), http.StatusRequestEntityTooLarge, "", "larger than"},
	} {
		t.Run(bad.name, func(t *testing.T) {
			got := apiError(t, e.expect(bad.status, "POST", "/v1/search/image", bad.body, "Content-Type", bad.contentType))
			if got.Field != bad.field || !strings.Contains(got.Message, bad.says) {
				t.Errorf("error %+v; want field %q and a message saying %q", got, bad.field, bad.says)
			}
		})
	}
}
