package visual

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/onnx"
)

// meanEncoder is an image model whose vector is a photo's mean colour.
type meanEncoder struct {
	mu     sync.Mutex
	photos int
}

func (e *meanEncoder) Dim() int { return 3 }

func (e *meanEncoder) Encode(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error) {
	e.mu.Lock()
	e.photos += len(imgs)
	e.mu.Unlock()
	out := make([]onnx.ImageFeatures, len(imgs))
	for i, img := range imgs {
		b := img.Bounds()
		var s [3]float64
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				r, g, bl, _ := img.At(x, y).RGBA()
				s[0], s[1], s[2] = s[0]+float64(r), s[1]+float64(g), s[2]+float64(bl)
			}
		}
		n := s[0] + s[1] + s[2] + 1
		out[i] = onnx.ImageFeatures{
			Embedding: []float32{float32(s[0] / n), float32(s[1] / n), float32(s[2] / n)},
			Labels:    []onnx.Label{{Name: "jersey", Prob: 0.7}, {Name: "sock", Prob: 0.2}, {Name: "mitten", Prob: 0.01}},
		}
	}
	return out, nil
}

// memory is an in-memory store, originals store and fetcher.
type memory struct {
	mu        sync.Mutex
	items     map[string]aisle.Item
	vectors   map[string]aisle.ItemVector
	originals map[string][]byte
	files     map[string][]byte
	errs      map[string]error // what Fetch answers for a reference, before files
	itemCalls int              // calls of Item
}

func newMemory() *memory {
	return &memory{items: map[string]aisle.Item{}, vectors: map[string]aisle.ItemVector{}, originals: map[string][]byte{}, files: map[string][]byte{}}
}

func (m *memory) SetItemVisual(ctx context.Context, id string, v *aisle.Visual) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	it, ok := m.items[id]
	switch {
	case !ok:
		return aisle.Errorf(aisle.ENOTFOUND, "item %q not found", id)
	case len(it.Images) == 0 || it.Images[0] != v.Ref:
		return aisle.Errorf(aisle.ECONFLICT, "item %q has another first image", id)
	}
	c := *v
	it.Visual = &c
	m.items[id] = it
	return nil
}

func (m *memory) SetItemVisuals(ctx context.Context, vs []aisle.ItemVisual) ([]error, error) {
	errs := make([]error, len(vs))
	for i, v := range vs {
		errs[i] = m.SetItemVisual(ctx, v.Item, v.Visual)
	}
	return errs, nil
}

func (m *memory) PutItemVectors(ctx context.Context, encoder string, vs []aisle.ItemVector) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range vs {
		m.vectors[encoder+"/"+v.Item] = v
	}
	return nil
}

func (m *memory) Item(ctx context.Context, id string) (aisle.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.itemCalls++
	it, ok := m.items[id]
	if !ok {
		return it, aisle.Errorf(aisle.ENOTFOUND, "item %q not found", id)
	}
	return it, nil
}

func (m *memory) UpsertItems(ctx context.Context, items []aisle.Item) (aisle.UpsertStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, it := range items {
		old := m.items[it.ID]
		it.Visual = nil
		if old.Visual != nil && len(it.Images) > 0 && old.Visual.Ref == it.Images[0] {
			it.Visual = old.Visual
		}
		m.items[it.ID] = it
	}
	return aisle.UpsertStats{Updated: len(items)}, nil
}

func (m *memory) ItemsWithoutVisual(ctx context.Context, limit int) ([]aisle.Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []aisle.Item
	for _, it := range m.items {
		if Pending(&it) && len(out) < limit {
			out = append(out, it)
		}
	}
	return out, nil
}

func (m *memory) Put(data []byte) (string, error) {
	sum := sha256.Sum256(data)
	h := hex.EncodeToString(sum[:])
	m.mu.Lock()
	m.originals[h] = bytes.Clone(data)
	m.mu.Unlock()
	return h, nil
}

func (m *memory) Get(hash string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.originals[hash]
	if !ok {
		return nil, aisle.Errorf(aisle.ENOTFOUND, "no original %s", hash)
	}
	return b, nil
}

func (m *memory) Fetch(ctx context.Context, ref string) ([]byte, error) {
	if h, ok := aisle.ParseUploadRef(ref); ok {
		return m.Get(h)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.errs[ref]; err != nil {
		return nil, err
	}
	b, ok := m.files[ref]
	if !ok {
		return nil, aisle.Errorf(aisle.ENOTFOUND, "image %q: no such file", ref)
	}
	return b, nil
}

// solid returns a PNG of one colour, w×h.
func solid(t testing.TB, w, h int, c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type fixedClassifier struct{}

func (fixedClassifier) Predict(x []float32) (string, float64) {
	if x[0] > x[2] {
		return "Clothing > Red things", 0.9
	}
	return "Clothing > Blue things", 0.8
}

func setup(t *testing.T) (*memory, *meanEncoder, *Reader) {
	m := newMemory()
	m.files["red.png"] = solid(t, 64, 48, color.RGBA{200, 20, 30, 255})
	m.files["blue.png"] = solid(t, 3000, 200, color.RGBA{20, 40, 200, 255})
	m.files["junk.png"] = []byte("not a photo at all")
	// A PNG header claiming 50,000 × 50,000 pixels.
	bomb := solid(t, 1, 1, color.RGBA{})
	bomb[16], bomb[17], bomb[18], bomb[19] = 0, 0, 0xc3, 0x50
	bomb[20], bomb[21], bomb[22], bomb[23] = 0, 0, 0xc3, 0x50
	binary.BigEndian.PutUint32(bomb[29:], crc32.ChecksumIEEE(bomb[12:29]))
	m.files["bomb.png"] = bomb
	enc := &meanEncoder{}
	return m, enc, New(enc, "image:test", Deps{Fetch: m, Originals: m, Store: m}, Config{}, nil)
}

func TestReadStoresVisualsVectorsAndErrors(t *testing.T) {
	ctx := context.Background()
	m, enc, r := setup(t)
	r.SetClassifier(fixedClassifier{})
	items := []aisle.Item{
		{ID: "red", Title: "Red", Images: []string{"red.png"}},
		{ID: "blue", Title: "Blue", Images: []string{"blue.png", "red.png"}},
		{ID: "junk", Title: "Junk", Images: []string{"junk.png"}},
		{ID: "bomb", Title: "Bomb", Images: []string{"bomb.png"}},
		{ID: "gone", Title: "Missing file", Images: []string{"gone.png"}},
		{ID: "bare", Title: "No photo"},
	}
	m.UpsertItems(ctx, items)
	rep, err := r.Read(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Read != 2 || rep.Failed != 3 || rep.Stale != 0 || len(rep.Vectors) != 2 {
		t.Fatalf("report %+v, want 2 read, 3 failed", rep)
	}
	red := m.items["red"].Visual
	if red == nil || red.Error != "" || red.Format != "png" || red.Width != 64 || red.Height != 48 || !aisle.IsContentHash(red.Image) {
		t.Fatalf("red visual %+v", red)
	}
	if len(red.Colors) == 0 || red.Colors[0] != "red" {
		t.Errorf("red colours %v, want red first", red.Colors)
	}
	if len(red.Labels) != 2 || red.Labels[0].Name != "jersey" {
		t.Errorf("labels %v: want the two above 5%%", red.Labels)
	}
	if strings.Join(red.Category, "/") != "Clothing/Red things" || red.CategoryScore != 0.9 {
		t.Errorf("category %v %v", red.Category, red.CategoryScore)
	}
	if _, ok := m.originals[red.Image]; !ok {
		t.Error("original not kept")
	}
	if v := m.vectors["image:test/red"]; v.TextHash != aisle.TextHash(red.Image) || len(v.Vector) != 3 {
		t.Errorf("vector %+v", v)
	}
	if blue := m.items["blue"].Visual; blue.Width != 3000 || blue.Colors[0] != "blue" {
		t.Errorf("blue visual %+v", blue)
	}
	for id, want := range map[string]string{"junk": "format", "bomb": "50000", "gone": "no such file"} {
		v := m.items[id].Visual
		if v == nil || !strings.Contains(v.Error, want) || v.Image != "" {
			t.Errorf("%s visual %+v, want an error naming %q", id, v, want)
		}
	}
	if items[0].Visual == nil || items[5].Visual != nil {
		t.Error("Read does not set the items' Visual")
	}
	// Nothing is pending any more: a second read encodes nothing.
	before := enc.photos
	if rep, err := r.Read(ctx, items); err != nil || rep.Read+rep.Failed+rep.Stale != 0 || enc.photos != before {
		t.Errorf("second read %+v %v encoded %d", rep, err, enc.photos-before)
	}
}

func TestReadStaleWhenImageChanged(t *testing.T) {
	ctx := context.Background()
	m, _, r := setup(t)
	items := []aisle.Item{{ID: "a", Title: "A", Images: []string{"red.png"}}}
	m.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A", Images: []string{"blue.png"}}})
	rep, err := r.Read(ctx, items)
	if err != nil || rep.Stale != 1 {
		t.Fatalf("%+v %v, want one stale", rep, err)
	}
	if m.items["a"].Visual != nil {
		t.Error("a stale read was stored")
	}
}

func TestUpload(t *testing.T) {
	ctx := context.Background()
	m, _, r := setup(t)
	m.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A", Images: []string{"blue.png"}}})
	for _, bad := range [][]byte{nil, []byte("<html>"), m.files["bomb.png"]} {
		if _, err := r.Upload(ctx, "a", bad); aisle.ErrorCode(err) == aisle.EINTERNAL || err == nil {
			t.Errorf("upload %q: %v, want a client error", bad[:min(len(bad), 8)], err)
		}
	}
	if len(m.originals) != 0 {
		t.Error("a bad upload was kept")
	}
	if _, err := r.Upload(ctx, "nope", m.files["red.png"]); aisle.ErrorCode(err) != aisle.ENOTFOUND {
		t.Errorf("unknown item: %v", err)
	}
	it, err := r.Upload(ctx, "a", m.files["red.png"])
	if err != nil {
		t.Fatal(err)
	}
	if len(it.Images) != 2 || it.Images[1] != "blue.png" || it.Visual == nil || it.Visual.Ref != it.Images[0] || it.Visual.Colors[0] != "red" {
		t.Fatalf("uploaded item %+v visual %+v", it, it.Visual)
	}
	// Uploading the same photo again keeps one reference.
	if it, err = r.Upload(ctx, "a", m.files["red.png"]); err != nil || len(it.Images) != 2 {
		t.Fatalf("second upload %v %v", it.Images, err)
	}
}

func TestEncodePhotoAndInput(t *testing.T) {
	ctx := context.Background()
	m, enc, r := setup(t)
	v, err := r.EncodePhoto(ctx, m.files["red.png"])
	if err != nil || len(v) != 3 || v[0] < v[2] {
		t.Fatalf("%v %v", v, err)
	}
	if _, err := r.EncodePhoto(ctx, m.files["junk.png"]); aisle.ErrorCode(err) != aisle.EINVALID {
		t.Errorf("junk: %v", err)
	}
	items := []aisle.Item{{ID: "r", Images: []string{"red.png"}}, {ID: "b", Images: []string{"blue.png"}}, {ID: "n"}}
	m.UpsertItems(ctx, items)
	if _, err := r.Read(ctx, items); err != nil {
		t.Fatal(err)
	}
	in := r.Input()
	if _, ok := in.Key(&items[2]); ok {
		t.Error("an item without a photo has a key")
	}
	k, ok := in.Key(&items[0])
	if !ok || k != aisle.TextHash(items[0].Visual.Image) {
		t.Error("key is not the photo's hash")
	}
	before := enc.photos
	vecs, err := in.Encode(ctx, items[:2])
	if err != nil || len(vecs) != 2 || enc.photos-before != 2 {
		t.Fatalf("%v %v", vecs, err)
	}
	if fmt.Sprint(vecs[0]) != fmt.Sprint(m.vectors["image:test/r"].Vector) {
		t.Errorf("re-encoded original %v differs from %v", vecs[0], m.vectors["image:test/r"].Vector)
	}
}

func TestReclassify(t *testing.T) {
	ctx := context.Background()
	m, _, r := setup(t)
	items := []aisle.Item{{ID: "r", Images: []string{"red.png"}}, {ID: "b", Images: []string{"blue.png"}}}
	m.UpsertItems(ctx, items)
	if _, err := r.Read(ctx, items); err != nil {
		t.Fatal(err)
	}
	vec := func(id string) []float32 { return m.vectors["image:test/"+id].Vector }
	if n, err := r.Reclassify(ctx, items, vec); n != 0 || err != nil {
		t.Errorf("without a classifier: %d %v", n, err)
	}
	r.SetClassifier(fixedClassifier{})
	if n, err := r.Reclassify(ctx, items, vec); n != 2 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
	if got := m.items["b"].Visual.Category; strings.Join(got, "/") != "Clothing/Blue things" {
		t.Errorf("b category %v", got)
	}
	if n, _ := r.Reclassify(ctx, items, vec); n != 0 {
		t.Errorf("unchanged categories stored again: %d", n)
	}
}

func TestWorkerReadsPendingAndObserved(t *testing.T) {
	ctx := context.Background()
	m, _, r := setup(t)
	m.UpsertItems(ctx, []aisle.Item{{ID: "r", Images: []string{"red.png"}}})
	got := make(chan []aisle.Item, 4)
	w := r.Worker(m, func(items []aisle.Item, vecs []aisle.ItemVector) {
		if len(vecs) != len(items) {
			t.Errorf("%d vectors for %d photos read", len(vecs), len(items))
		}
		got <- items
	}, 0)
	if err := w.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if items := <-got; len(items) != 1 || items[0].ID != "r" || items[0].Visual == nil {
		t.Fatalf("first scan read %+v", items)
	}
	m.UpsertItems(ctx, []aisle.Item{{ID: "b", Images: []string{"blue.png"}}})
	b, _ := m.Item(ctx, "b")
	w.Observe([]aisle.Item{b, {ID: "bare"}})
	if items := <-got; len(items) != 1 || items[0].ID != "b" || items[0].Visual.Colors[0] != "blue" {
		t.Fatalf("observed read %+v", items)
	}
}

func TestWithoutModelColoursOnly(t *testing.T) {
	ctx := context.Background()
	m, _, _ := setup(t)
	r := New(nil, "", Deps{Fetch: m, Originals: m, Store: m}, Config{}, nil)
	items := []aisle.Item{{ID: "r", Images: []string{"red.png"}}}
	m.UpsertItems(ctx, items)
	if rep, err := r.Read(ctx, items); err != nil || rep.Read != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if v := m.items["r"].Visual; v.Colors[0] != "red" || v.Labels != nil || len(m.vectors) != 0 {
		t.Errorf("visual %+v, vectors %d", v, len(m.vectors))
	}
	if r.HasModel() || r.Input() != nil {
		t.Error("a Reader without a model claims one")
	}
	if _, err := r.EncodePhoto(ctx, m.files["red.png"]); aisle.ErrorCode(err) != aisle.EUNAVAILABLE {
		t.Errorf("EncodePhoto without a model: %v", err)
	}
}

// TestReadDatesVisualsByTheClock checks that a Visual is dated by the
// Reader's clock (Deps.Now), for photos read and photos that failed.
func TestReadDatesVisualsByTheClock(t *testing.T) {
	ctx := context.Background()
	m, enc, _ := setup(t)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	r := New(enc, "image:test", Deps{Fetch: m, Originals: m, Store: m, Now: func() time.Time { return at }}, Config{}, nil)
	items := []aisle.Item{{ID: "red", Title: "Red", Images: []string{"red.png"}}, {ID: "junk", Title: "Junk", Images: []string{"junk.png"}}}
	m.UpsertItems(ctx, items)
	if _, err := r.Read(ctx, items); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"red", "junk"} {
		if v := m.items[id].Visual; v == nil || !v.UpdatedAt.Equal(at) || v.UpdatedAt.Location() != time.UTC {
			t.Errorf("%s visual %+v, want it read at %v in UTC", id, v, at)
		}
	}
}
