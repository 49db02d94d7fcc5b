package visual

import (
	"context"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// rgbDual is a dual encoder over three axes: a photo's mean colour, and
// texts naming red, green or blue (anything else points between them).
type rgbDual struct{}

func (rgbDual) Dim() int { return 3 }

func (rgbDual) EncodeImages(ctx context.Context, imgs []image.Image) ([][]float32, error) {
	out := make([][]float32, len(imgs))
	for i, img := range imgs {
		r, g, b, _ := img.At(0, 0).RGBA()
		v := []float32{float32(r), float32(g), float32(b)}
		vector.Normalize(v)
		out[i] = v
	}
	return out, nil
}

func (rgbDual) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := []float32{0.2, 0.2, 0.2}
		switch {
		case strings.Contains(t, "{} red") || strings.HasSuffix(t, " red product") || strings.HasSuffix(t, " of red") || strings.Contains(t, "dress"):
			v[0] = 1
		case strings.HasSuffix(t, " blue product") || strings.HasSuffix(t, " of blue") || strings.Contains(t, "jeans"):
			v[2] = 1
		}
		vector.Normalize(v)
		out[i] = v
	}
	return out, nil
}

func solidImage(c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, c.A
	}
	return img
}

func TestClipImagesTagsPhotos(t *testing.T) {
	ctx := context.Background()
	items := []aisle.Item{
		{ID: "a", Categories: []string{"Clothing", "dress"}},
		{ID: "b", Categories: []string{"Clothing", "jeans"}},
		{ID: "c", Categories: []string{"Clothing", "dress"}},
		{ID: "d"},
	}
	sets := CLIPLabelSets(items)
	if len(sets) != 2 || sets[1].Name != "category" || strings.Join(sets[1].Labels, ",") != "dress,jeans" {
		t.Fatalf("label sets %+v", sets)
	}
	enc, err := NewCLIPEncoder(ctx, rgbDual{}, items)
	if err != nil {
		t.Fatal(err)
	}
	feats, err := enc.Encode(ctx, []image.Image{solidImage(color.RGBA{250, 5, 5, 255}), solidImage(color.RGBA{5, 5, 250, 255})})
	if err != nil {
		t.Fatal(err)
	}
	names := func(i int) string {
		var s []string
		for _, l := range feats[i].Labels {
			s = append(s, l.Name)
		}
		return strings.Join(s, ",")
	}
	if !strings.Contains(names(0), "red") || !strings.Contains(names(0), "dress") {
		t.Errorf("red photo tagged %s", names(0))
	}
	if !strings.Contains(names(1), "blue") || !strings.Contains(names(1), "jeans") {
		t.Errorf("blue photo tagged %s", names(1))
	}
	if l := feats[0].Labels; len(l) != 2 || l[0].Prob < l[1].Prob || len(feats[0].Embedding) != 3 {
		t.Errorf("labels %+v not one per set, most probable first", l)
	}
}
