package palette_test

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"github.com/aislehq/aisle/image/palette"
)

func ExampleDominant() {
	// A red and blue product, 60/40, photographed on white.
	img := image.NewRGBA(image.Rect(0, 0, 100, 100))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(10, 10, 58, 90), image.NewUniform(color.RGBA{200, 30, 35, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(58, 10, 90, 90), image.NewUniform(color.RGBA{35, 90, 200, 255}), image.Point{}, draw.Src)
	for _, c := range palette.Dominant(img, palette.Config{CentreFalloff: -1}) {
		fmt.Printf("%s %.1f\n", c.Name, c.Share)
	}
	// Output:
	// red 0.6
	// blue 0.4
}
