package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/embedding"
	"github.com/aislehq/aisle/onnx"
)

func bindText(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Text.Encoder, "text-encoder", c.Text.Encoder, "text encoder for item vectors and dense search: builtin (trained by aisle train), onnx (-onnx-model) or openai (-openai-url, -openai-model)")
	fs.StringVar(&c.Text.ONNXModel, "onnx-model", c.Text.ONNXModel, "sentence-transformer `directory` (model.onnx, tokenizer.json or vocab.txt) for -text-encoder onnx")
	fs.StringVar(&c.Text.ONNXLibrary, "onnx-lib", c.Text.ONNXLibrary, "ONNX Runtime library `path` (default: $"+onnx.EnvLibrary+", then "+onnx.DefaultLibrary+")")
	fs.StringVar(&c.Text.OpenAIURL, "openai-url", c.Text.OpenAIURL, "OpenAI-compatible API root `URL`, e.g. http://localhost:11434/v1, for -text-encoder openai")
	fs.StringVar(&c.Text.OpenAIModel, "openai-model", c.Text.OpenAIModel, "embedding model `name` for -text-encoder openai")
	fs.StringVar(&c.Text.OpenAIKeyEnv, "openai-key-env", c.Text.OpenAIKeyEnv, "environment `variable` holding the API key for -text-encoder openai")
}

// openTextEncoder returns the configured external text encoder, the name
// its vectors are stored under, and what closes it; nil for the built-in
// encoder, which the recommendation engine takes from the trained version.
func (c *Config) openTextEncoder(ctx context.Context, logger *slog.Logger) (aisle.TextEncoder, string, func() error, error) {
	switch t := c.Text; {
	case t.Encoder == embedding.TextONNX && t.ONNXModel == "":
		return nil, "", nil, usageError{"-text-encoder onnx needs -onnx-model DIR"}
	case t.Encoder == embedding.TextOpenAI && (t.OpenAIURL == "" || t.OpenAIModel == ""):
		return nil, "", nil, usageError{"-text-encoder openai needs -openai-url and -openai-model"}
	case !slices.Contains([]string{"", embedding.TextBuiltin, embedding.TextONNX, embedding.TextOpenAI}, t.Encoder):
		return nil, "", nil, usageError{fmt.Sprintf("-text-encoder %q: want builtin, onnx or openai", t.Encoder)}
	}
	return embedding.OpenText(ctx, c.Text, http.DefaultClient, logger)
}
