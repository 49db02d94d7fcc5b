package embedding

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/openai"
)

// Text encoders TextConfig.Encoder names.
const (
	TextBuiltin = "builtin" // trained by aisle train on the store's own data
	TextONNX    = "onnx"    // a sentence-transformer directory run by ONNX Runtime
	TextOpenAI  = "openai"  // an OpenAI-compatible /v1/embeddings endpoint
)

// TextConfig chooses the text encoder behind item vectors (content-based
// recommendations, similar items by text) and dense search.
type TextConfig struct {
	// Encoder is TextBuiltin ("" too), TextONNX or TextOpenAI.
	Encoder string
	// ONNXModel is the model directory (model.onnx with tokenizer.json or
	// vocab.txt) and ONNXLibrary the ONNX Runtime library ("" finds it).
	ONNXModel, ONNXLibrary string
	// OpenAIURL is the API root (e.g. http://localhost:11434/v1), OpenAIModel
	// the model name, OpenAIKeyEnv the environment variable holding the
	// API key ("" sends none).
	OpenAIURL, OpenAIModel, OpenAIKeyEnv string
}

// ErrTextConfig is wrapped by the error OpenText returns for a TextConfig
// that names no encoder it can open: an unknown Encoder, or one whose
// required fields are empty.
var ErrTextConfig = errors.New("text encoder configuration")

// OpenText opens the text encoder cfg chooses and returns it, the name its
// vectors are stored under, and what closes it; for TextBuiltin, nil, ""
// and a no-op: the recommendation engine takes the built-in encoder from
// the trained version. An OpenAI-compatible encoder calls its API with
// client and probes it once for its dimension. A nil logger discards
// logs.
func OpenText(ctx context.Context, cfg TextConfig, client *http.Client, logger *slog.Logger) (aisle.TextEncoder, string, func() error, error) {
	nop := func() error { return nil }
	switch cfg.Encoder {
	case TextBuiltin, "":
		return nil, "", nop, nil
	case TextONNX:
		if cfg.ONNXModel == "" {
			return nil, "", nil, fmt.Errorf("%w: %s needs a model directory", ErrTextConfig, TextONNX)
		}
		enc, err := onnx.OpenTextEncoder(ctx, cfg.ONNXModel, onnx.TextConfig{Library: cfg.ONNXLibrary}, logger)
		if err != nil {
			return nil, "", nil, err
		}
		name, err := onnx.ModelName(cfg.ONNXModel)
		if err != nil {
			enc.Close()
			return nil, "", nil, err
		}
		return enc, "onnx:" + name, enc.Close, nil
	case TextOpenAI:
		if cfg.OpenAIURL == "" || cfg.OpenAIModel == "" {
			return nil, "", nil, fmt.Errorf("%w: %s needs an API URL and a model", ErrTextConfig, TextOpenAI)
		}
		key := ""
		if cfg.OpenAIKeyEnv != "" {
			key = os.Getenv(cfg.OpenAIKeyEnv)
		}
		cl, err := openai.NewClient(openai.Config{BaseURL: cfg.OpenAIURL, Model: cfg.OpenAIModel, APIKey: key}, client, logger)
		if err != nil {
			return nil, "", nil, err
		}
		enc, err := openai.OpenEncoder(ctx, cl)
		if err != nil {
			return nil, "", nil, err
		}
		return enc, fmt.Sprintf("openai:%s#%s", cfg.OpenAIURL, cfg.OpenAIModel), nop, nil
	}
	return nil, "", nil, fmt.Errorf("%w: unknown encoder %q", ErrTextConfig, cfg.Encoder)
}
