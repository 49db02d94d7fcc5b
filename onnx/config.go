package onnx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Pooling is how token vectors become one sentence vector.
type Pooling string

// The poolings TextEncoder supports.
const (
	// PoolMean averages the vectors of the real (unmasked) tokens.
	PoolMean Pooling = "mean"
	// PoolCLS takes the vector of the first token, [CLS].
	PoolCLS Pooling = "cls"
)

// Defaults applied by OpenTextEncoder to zero-valued TextConfig fields.
const (
	// DefaultBatchSize is the default number of texts per session run.
	DefaultBatchSize = 32
	// DefaultMaxLength is the default token limit when the model directory
	// names none.
	DefaultMaxLength = 256
)

// TextConfig configures OpenTextEncoder. The zero value is a valid
// configuration: every field has a documented default.
type TextConfig struct {
	// Library is the ONNX Runtime shared library; empty means FindLibrary's
	// search ($AISLE_ONNXRUNTIME_LIB, then where make deps installs it).
	Library string
	// Pooling is used when the directory has no 1_Pooling/config.json
	// (default PoolMean). When both are given they must agree. It does not
	// apply to a model whose output is already pooled.
	Pooling Pooling
	// Output names the model output to read: a [batch, seq, hidden] token
	// output (e.g. last_hidden_state), pooled here, or a [batch, hidden]
	// sentence output (e.g. sentence_embedding), used as it is. Default:
	// the model's first output.
	Output string
	// BatchSize is the number of texts per session run (default 32). Each
	// batch is padded to its longest text only.
	BatchSize int
	// MaxLength is the token limit per text, [CLS] and [SEP] included;
	// longer texts are truncated. Default: max_seq_length of
	// sentence_bert_config.json, else 256, and never more than
	// tokenizer_config.json's model_max_length or config.json's
	// max_position_embeddings.
	MaxLength int
	// Sessions is the number of ONNX Runtime sessions, each serving one
	// Encode batch at a time, so that concurrent Encode calls run in
	// parallel (default 1 when GOMAXPROCS is below 4, else 2).
	Sessions int
	// Threads is the intra-op thread count of each session (default
	// GOMAXPROCS divided by Sessions, at least 1).
	Threads int
	// NoNormalize leaves the vectors as pooled instead of scaling them to
	// unit length. Leave it false for an aisle.TextEncoder.
	NoNormalize bool
}

// withDefaults fills in the defaults that do not depend on the model
// directory.
func (c TextConfig) withDefaults() (TextConfig, error) {
	switch c.Pooling {
	case "", PoolMean, PoolCLS:
	default:
		return c, fmt.Errorf("onnx: unknown pooling %q (want mean or cls)", c.Pooling)
	}
	if c.BatchSize < 0 || c.MaxLength < 0 || c.Sessions < 0 || c.Threads < 0 {
		return c, errors.New("onnx: BatchSize, MaxLength, Sessions and Threads must not be negative")
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	c.Sessions, c.Threads = poolDefaults(c.Sessions, c.Threads)
	return c, nil
}

// poolDefaults fills in the default session and thread counts: one
// session when GOMAXPROCS is below 4, else two, and GOMAXPROCS threads
// shared among them.
func poolDefaults(sessions, threads int) (int, int) {
	if sessions == 0 {
		sessions = 1
		if runtime.GOMAXPROCS(0) >= 4 {
			sessions = 2
		}
	}
	if threads == 0 {
		threads = max(1, runtime.GOMAXPROCS(0)/sessions)
	}
	return sessions, threads
}

// poolingConfig is sentence-transformers' 1_Pooling/config.json.
type poolingConfig struct {
	Dimension    int  `json:"word_embedding_dimension"`
	CLS          bool `json:"pooling_mode_cls_token"`
	Mean         bool `json:"pooling_mode_mean_tokens"`
	Max          bool `json:"pooling_mode_max_tokens"`
	MeanSqrtLen  bool `json:"pooling_mode_mean_sqrt_len_tokens"`
	WeightedMean bool `json:"pooling_mode_weightedmean_tokens"`
	LastToken    bool `json:"pooling_mode_lasttoken"`
}

// parsePooling reads a 1_Pooling/config.json: exactly one of the mean and
// CLS modes must be on and no other mode. It returns the pooling and the
// declared dimension (0 when absent).
func parsePooling(data []byte) (Pooling, int, error) {
	var pc poolingConfig
	if err := json.Unmarshal(data, &pc); err != nil {
		return "", 0, err
	}
	if pc.Max || pc.MeanSqrtLen || pc.WeightedMean || pc.LastToken {
		return "", 0, errors.New("unsupported pooling mode (only mean tokens or cls token)")
	}
	switch {
	case pc.Mean && !pc.CLS:
		return PoolMean, pc.Dimension, nil
	case pc.CLS && !pc.Mean:
		return PoolCLS, pc.Dimension, nil
	default:
		return "", 0, errors.New("exactly one of pooling_mode_mean_tokens and pooling_mode_cls_token must be true")
	}
}

// modelLayout is what a model directory says about itself.
type modelLayout struct {
	model     string  // path of the ONNX file
	pooling   Pooling // from 1_Pooling/config.json, or ""
	poolDim   int     // the dimension 1_Pooling/config.json declares, or 0
	maxLength int     // the default token limit
}

// readLayout finds the ONNX file in dir (model.onnx, or onnx/model.onnx as
// Hugging Face repositories ship it) and reads the optional configuration
// files.
func readLayout(dir string) (modelLayout, error) {
	var l modelLayout
	for _, name := range []string{"model.onnx", filepath.Join("onnx", "model.onnx")} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			l.model = p
			break
		}
	}
	if l.model == "" {
		return l, fmt.Errorf("no model.onnx or onnx/model.onnx in %s", dir)
	}
	if data, ok, err := readOptional(filepath.Join(dir, "1_Pooling", "config.json")); err != nil {
		return l, err
	} else if ok {
		if l.pooling, l.poolDim, err = parsePooling(data); err != nil {
			return l, fmt.Errorf("1_Pooling/config.json: %w", err)
		}
	}
	l.maxLength = DefaultMaxLength
	limits := []struct {
		file, key string
		isDefault bool
	}{
		{"sentence_bert_config.json", "max_seq_length", true},
		{"tokenizer_config.json", "model_max_length", false},
		{"config.json", "max_position_embeddings", false},
	}
	for _, lim := range limits {
		data, ok, err := readOptional(filepath.Join(dir, lim.file))
		if err != nil {
			return l, err
		}
		if !ok {
			continue
		}
		var fields map[string]any
		if err := json.Unmarshal(data, &fields); err != nil {
			return l, fmt.Errorf("%s: %w", lim.file, err)
		}
		n, ok := fields[lim.key].(float64)
		switch {
		case !ok || n < 2:
		case lim.isDefault:
			l.maxLength = int(n)
		case n < float64(l.maxLength):
			l.maxLength = int(n)
		}
	}
	return l, nil
}

// readOptional reads a file that may be absent.
func readOptional(path string) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}
