package photo_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/photo"
)

func ExampleDecode() {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 640, 480))); err != nil {
		panic(err)
	}
	p, err := photo.Decode(&buf, photo.Limits{})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Format, p.Width, p.Height, len(p.Hash))

	_, err = photo.Decode(bytes.NewReader(p.Bytes), photo.Limits{MaxSide: 600})
	fmt.Println(aisle.ErrorCode(err), aisle.ErrorMessage(err))
	// Output:
	// png 640 480 64
	// too_large photo is 640×480 pixels, over the limit of 600 pixels a side
}
