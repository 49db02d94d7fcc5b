package onnx_test

import (
	"context"
	"fmt"
	"image"
	"log"
	"os"

	"github.com/aislehq/aisle/image/clip"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/vector"
)

// A CLIP model directory (visual.onnx and textual.onnx, or Hugging Face's
// onnx/vision_model.onnx and onnx/text_model.onnx, with the tokenizer
// files) embeds photos and texts in one space: a query's vector finds the
// photos it describes, and label prompts tag a photo.
func ExampleOpenCLIP() {
	ctx := context.Background()
	model, err := onnx.OpenCLIP(ctx, "models/clip-vit-base-patch32", onnx.CLIPConfig{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer model.Close()
	f, err := os.Open("dress.jpg")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	p, err := photo.DecodeContext(ctx, f, photo.Options{})
	if err != nil {
		log.Fatal(err)
	}
	imgs, err := model.EncodeImages(ctx, []image.Image{p.Image})
	if err != nil {
		log.Fatal(err)
	}
	query, err := model.Encode(ctx, []string{"a red summer dress"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("query similarity %.2f\n", vector.Dot(query[0], imgs[0]))

	tagger, err := clip.NewClassifier(ctx, model, []clip.LabelSet{
		{Name: "colour", Labels: []string{"red", "blue", "black", "white"}},
		{Name: "category", Labels: []string{"dress", "shirt", "shoes", "trousers"}},
	}, clip.ZeroShotConfig{Templates: []string{"a photo of a {} product", "a {} item of clothing"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, pred := range tagger.Classify(imgs[0]) {
		best := pred.Labels[0]
		fmt.Printf("%s: %s (%.0f%%)\n", pred.Set, best.Label, 100*best.Prob)
	}
}
