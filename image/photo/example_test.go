package photo_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/photo"
)

func ExampleDecodeContext() {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 640, 480))); err != nil {
		panic(err)
	}
	// One budget for every decode in the process; Fit reduces the photo
	// as soon as it is decoded.
	budget := photo.NewBudget(64 << 20)
	p, err := photo.DecodeContext(context.Background(), &buf, photo.Options{Budget: budget, Fit: 320})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Format, p.Width, p.Height, p.Image.Bounds().Dx(), p.Image.Bounds().Dy(), len(p.Hash))

	_, err = photo.DecodeContext(context.Background(), bytes.NewReader(p.Bytes), photo.Options{Limits: photo.Limits{MaxSide: 600}})
	fmt.Println(aisle.ErrorCode(err), aisle.ErrorMessage(err))
	// Output:
	// png 640 480 320 240 64
	// too_large photo is 640×480 pixels, over the limit of 600 pixels a side
}

func ExampleParseRef() {
	for _, ref := range []string{
		"https://cdn.example.com/a.jpg",
		"photos/a.jpg",
		"sha256:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"https://user:secret@cdn.example.com/a.jpg",
	} {
		r, err := photo.ParseRef(ref)
		if err != nil {
			fmt.Println(aisle.ErrorCode(err), aisle.ErrorMessage(err))
			continue
		}
		fmt.Println(r.Kind)
	}
	// Output:
	// url
	// file
	// upload
	// invalid image "https://user:secret@cdn.example.com/a.jpg": URLs with credentials (user:password@) are not accepted: they would be sent to the host and kept in the catalog
}
