package embedding_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aislehq/aisle/embedding"
)

func TestOpenTextRefusesIncompleteConfigs(t *testing.T) {
	tests := []struct {
		name string
		cfg  embedding.TextConfig
	}{
		{"onnx without a model", embedding.TextConfig{Encoder: embedding.TextONNX}},
		{"openai without a model", embedding.TextConfig{Encoder: embedding.TextOpenAI, OpenAIURL: "http://localhost:1/v1"}},
		{"openai without a URL", embedding.TextConfig{Encoder: embedding.TextOpenAI, OpenAIModel: "m"}},
		{"unknown encoder", embedding.TextConfig{Encoder: "word2vec"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, _, _, err := embedding.OpenText(context.Background(), tt.cfg, http.DefaultClient, nil)
			if !errors.Is(err, embedding.ErrTextConfig) || enc != nil {
				t.Errorf("got %v, %v; want an ErrTextConfig", enc, err)
			}
		})
	}
}

func TestOpenTextBuiltin(t *testing.T) {
	for _, name := range []string{"", embedding.TextBuiltin} {
		enc, vecName, closer, err := embedding.OpenText(context.Background(), embedding.TextConfig{Encoder: name}, nil, nil)
		if err != nil || enc != nil || vecName != "" || closer == nil || closer() != nil {
			t.Errorf("%q: got %v, %q, %v; want the built-in encoder (nil) and a no-op close", name, enc, vecName, err)
		}
	}
}

func TestOpenTextONNXMissingModel(t *testing.T) {
	cfg := embedding.TextConfig{Encoder: embedding.TextONNX, ONNXModel: filepath.Join(t.TempDir(), "nope")}
	if _, _, _, err := embedding.OpenText(context.Background(), cfg, nil, nil); err == nil || errors.Is(err, embedding.ErrTextConfig) {
		t.Errorf("got %v, want the model's error", err)
	}
}

func TestOpenTextOpenAI(t *testing.T) {
	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		var req struct{ Input []string }
		json.NewDecoder(r.Body).Decode(&req)
		var data []string
		for range req.Input {
			data = append(data, `{"embedding":[0.6,0.8]}`)
		}
		fmt.Fprintf(w, `{"data":[%s]}`, strings.Join(data, ","))
	}))
	defer srv.Close()
	t.Setenv("AISLE_TEST_OPENAI_KEY", "sk-test")
	cfg := embedding.TextConfig{Encoder: embedding.TextOpenAI, OpenAIURL: srv.URL + "/v1", OpenAIModel: "tiny", OpenAIKeyEnv: "AISLE_TEST_OPENAI_KEY"}
	enc, name, closer, err := embedding.OpenText(context.Background(), cfg, srv.Client(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closer()
	if enc.Dim() != 2 || name != "openai:"+srv.URL+"/v1#tiny" || auth.Load() != "Bearer sk-test" {
		t.Errorf("dim %d, name %q, Authorization %q", enc.Dim(), name, auth.Load())
	}
}
