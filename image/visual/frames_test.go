package visual

import (
	"context"
	"image/color"
	"math"
	"slices"
	"testing"

	"github.com/aislehq/aisle"
)

func TestUploadFramesCombinesFrames(t *testing.T) {
	ctx := context.Background()
	m, _, r := setup(t)
	r.SetClassifier(fixedClassifier{})
	m.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A", Images: []string{"blue.png"}}})
	red := solid(t, 64, 48, color.RGBA{200, 20, 30, 255})
	blue := solid(t, 64, 48, color.RGBA{20, 40, 200, 255})
	// Three red frames, then five blue ones: the middle (frame 4) is blue.
	frames := [][]byte{red, red, red, blue, blue, blue, blue, blue}
	it, err := r.UploadFrames(ctx, "a", frames)
	if err != nil {
		t.Fatal(err)
	}
	v := it.Visual
	if v == nil || v.Ref != it.Images[0] || len(it.Images) != 2 || it.Images[1] != "blue.png" {
		t.Fatalf("item %+v visual %+v", it, v)
	}
	if h, _ := aisle.ParseUploadRef(v.Ref); h != v.Image || string(m.originals[h]) != string(blue) {
		t.Errorf("kept frame %s is not the middle (blue) frame", v.Image)
	}
	if v.Format != "png" || v.Width != 64 || v.Height != 48 {
		t.Errorf("format %q %d×%d, want png 64×48", v.Format, v.Width, v.Height)
	}
	if !slices.Equal(v.Colors, []string{"blue", "red"}) {
		t.Errorf("colours %v, want [blue red] (5 blue frames, 3 red)", v.Colors)
	}
	if len(v.Labels) != 2 || v.Labels[0].Name != "jersey" || math.Abs(v.Labels[0].Prob-0.7) > 1e-6 || v.Labels[1].Name != "sock" {
		t.Errorf("labels %+v, want jersey 0.7 and sock 0.2 (mitten is below 0.05)", v.Labels)
	}
	if !slices.Equal(v.Category, []string{"Clothing", "Blue things"}) || math.Abs(v.CategoryScore-0.8*5/8) > 1e-9 {
		t.Errorf("category %v %.3f, want Clothing > Blue things by 5 votes of 8, 0.5", v.Category, v.CategoryScore)
	}
	vec, ok := m.vectors["image:test/a"]
	if !ok || vec.TextHash != aisle.TextHash(v.Image) {
		t.Fatalf("vector %+v not stored under the kept frame's hash", vec)
	}
	var norm float64
	for _, x := range vec.Vector {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-5 || !(vec.Vector[0] > 0 && vec.Vector[2] > vec.Vector[0]) {
		t.Errorf("vector %v: want unit length, more blue than red", vec.Vector)
	}
	if stored, _ := m.Item(ctx, "a"); stored.Visual == nil || !slices.Equal(stored.Visual.Colors, v.Colors) {
		t.Errorf("stored visual %+v", stored.Visual)
	}
}

func TestUploadFramesErrors(t *testing.T) {
	ctx := context.Background()
	m, _, r := setup(t)
	m.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A"}})
	red := m.files["red.png"]
	tests := []struct {
		name   string
		id     string
		frames [][]byte
		code   string
		field  string
	}{
		{"no frames", "a", nil, aisle.EUNPROCESSABLE, ""},
		{"too many", "a", slices.Repeat([][]byte{red}, MaxFrames+1), aisle.EINVALID, ""},
		{"junk frame", "a", [][]byte{red, m.files["junk.png"]}, aisle.EINVALID, "frames[1]"},
		{"bomb frame", "a", [][]byte{m.files["bomb.png"]}, aisle.ETOOLARGE, "frames[0]"},
		{"unknown item", "nope", [][]byte{red}, aisle.ENOTFOUND, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.UploadFrames(ctx, tt.id, tt.frames)
			if aisle.ErrorCode(err) != tt.code || aisle.ErrorField(err) != tt.field {
				t.Errorf("got %v (field %q), want %s naming %q", err, aisle.ErrorField(err), tt.code, tt.field)
			}
		})
	}
	if len(m.originals) != 0 || len(m.vectors) != 0 {
		t.Errorf("a refused upload kept %d originals, %d vectors", len(m.originals), len(m.vectors))
	}
}

func TestUploadFramesWithoutModel(t *testing.T) {
	ctx := context.Background()
	m := newMemory()
	r := New(nil, "", Deps{Fetch: m, Originals: m, Store: m}, Config{}, nil)
	m.UpsertItems(ctx, []aisle.Item{{ID: "a", Title: "A"}})
	green := solid(t, 32, 32, color.RGBA{30, 180, 40, 255})
	it, err := r.UploadFrames(ctx, "a", [][]byte{green, green})
	if err != nil {
		t.Fatal(err)
	}
	if it.Visual == nil || !slices.Equal(it.Visual.Colors, []string{"green"}) || it.Visual.Labels != nil || len(m.vectors) != 0 {
		t.Errorf("visual %+v, vectors %d: want green only, no labels or vectors", it.Visual, len(m.vectors))
	}
}
