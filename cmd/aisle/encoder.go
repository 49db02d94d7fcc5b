package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/openai"
)

// Text encoders -text-encoder chooses among.
const (
	encoderBuiltin = "builtin" // trained by aisle train on the store's own data
	encoderONNX    = "onnx"    // a sentence-transformer directory run by ONNX Runtime
	encoderOpenAI  = "openai"  // an OpenAI-compatible /v1/embeddings endpoint
)

// TextConfig chooses the text encoder behind item vectors (content-based
// recommendations, similar items by text) and dense search.
type TextConfig struct {
	Encoder string
	// ONNXModel is the model directory (model.onnx with tokenizer.json or
	// vocab.txt) and ONNXLibrary the ONNX Runtime library ("" finds it).
	ONNXModel, ONNXLibrary string
	// OpenAIURL is the API root (e.g. http://localhost:11434/v1), OpenAIModel
	// the model name, OpenAIKeyEnv the environment variable holding the
	// API key ("" sends none).
	OpenAIURL, OpenAIModel, OpenAIKeyEnv string
}

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
	nop := func() error { return nil }
	switch c.Text.Encoder {
	case encoderBuiltin, "":
		return nil, "", nop, nil
	case encoderONNX:
		if c.Text.ONNXModel == "" {
			return nil, "", nil, usageError{"-text-encoder onnx needs -onnx-model DIR"}
		}
		enc, err := onnx.OpenTextEncoder(ctx, c.Text.ONNXModel, onnx.TextConfig{Library: c.Text.ONNXLibrary, Logger: logger})
		if err != nil {
			return nil, "", nil, err
		}
		name, err := modelName(c.Text.ONNXModel)
		if err != nil {
			enc.Close()
			return nil, "", nil, err
		}
		return enc, "onnx:" + name, enc.Close, nil
	case encoderOpenAI:
		if c.Text.OpenAIURL == "" || c.Text.OpenAIModel == "" {
			return nil, "", nil, usageError{"-text-encoder openai needs -openai-url and -openai-model"}
		}
		key := ""
		if c.Text.OpenAIKeyEnv != "" {
			key = os.Getenv(c.Text.OpenAIKeyEnv)
		}
		cl, err := openai.NewClient(openai.Config{BaseURL: c.Text.OpenAIURL, Model: c.Text.OpenAIModel, APIKey: key}, http.DefaultClient, logger)
		if err != nil {
			return nil, "", nil, err
		}
		enc, err := openai.OpenEncoder(ctx, cl)
		if err != nil {
			return nil, "", nil, err
		}
		return enc, fmt.Sprintf("openai:%s#%s", c.Text.OpenAIURL, c.Text.OpenAIModel), nop, nil
	}
	return nil, "", nil, usageError{fmt.Sprintf("-text-encoder %q: want builtin, onnx or openai", c.Text.Encoder)}
}

// modelName names an ONNX model directory's vectors: its path and its
// model file's size and modification time, so replacing the model
// re-encodes the catalog.
func modelName(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(filepath.Join(abs, "model.onnx"))
	if err != nil {
		return "", fmt.Errorf("onnx model: %w", err)
	}
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", abs, st.Size(), st.ModTime().UnixNano()))
	return filepath.Base(abs) + "-" + hex.EncodeToString(h[:6]), nil
}
