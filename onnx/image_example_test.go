package onnx_test

import (
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"log"
	"os"

	"github.com/aislehq/aisle/onnx"
)

// An image model directory (model.onnx, labels.txt) turns photos into unit
// feature vectors, whose dot product is their similarity, and class labels.
func ExampleOpenImageEncoder() {
	ctx := context.Background()
	enc, err := onnx.OpenImageEncoder(ctx, "models/mobilenet-v1-0.75-224", onnx.ImageConfig{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer enc.Close()
	f, err := os.Open("sandals.jpg")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	feats, err := enc.Encode(ctx, []image.Image{img})
	if err != nil {
		log.Fatal(err)
	}
	top := feats[0].Labels[0]
	fmt.Printf("%s %.2f, %d-dimensional embedding\n", top.Name, top.Prob, len(feats[0].Embedding))
}
