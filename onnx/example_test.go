package onnx_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aislehq/aisle/onnx"
)

// A sentence-transformers directory (model.onnx or onnx/model.onnx,
// tokenizer.json, 1_Pooling/config.json) encodes texts into unit vectors
// whose dot product is their similarity.
func ExampleOpenTextEncoder() {
	ctx := context.Background()
	enc, err := onnx.OpenTextEncoder(ctx, "models/all-MiniLM-L6-v2", onnx.TextConfig{}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer enc.Close()
	vecs, err := enc.Encode(ctx, []string{"stapler", "heavy duty desk stapler"})
	if err != nil {
		log.Fatal(err)
	}
	var sim float32
	for i := range enc.Dim() {
		sim += vecs[0][i] * vecs[1][i]
	}
	fmt.Printf("similarity %.2f\n", sim)
}
