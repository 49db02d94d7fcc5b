package onnx

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/tokenizer"
	"github.com/aislehq/aisle/vector"
	ort "github.com/yalue/onnxruntime_go"
)

// The model inputs, by name. token_type_ids is optional.
const (
	inputIDs      = "input_ids"
	inputMask     = "attention_mask"
	inputTypeIDs  = "token_type_ids"
	modelInputSet = inputIDs + ", " + inputMask + ", " + inputTypeIDs
)

var _ aisle.TextEncoder = (*TextEncoder)(nil)

// TextEncoder is a BERT-family sentence encoder run by ONNX Runtime. It is
// safe for concurrent use: each Encode batch runs on one of the pool's
// sessions, so up to TextConfig.Sessions batches run at once.
type TextEncoder struct {
	sessionPool
	tok       *tokenizer.WordPiece
	inputs    []string // the model's inputs, in the session's order
	output    string
	pooled    bool // the output is [batch, hidden], already pooled
	pooling   Pooling
	normalize bool
	dim       int
	batchSize int
	maxLength int
}

// OpenTextEncoder loads the sentence encoder in dir: model.onnx (or
// onnx/model.onnx) with inputs input_ids, attention_mask and optionally
// token_type_ids (int64, [batch, seq]); the tokenizer from tokenizer.json
// or vocab.txt (see package tokenizer); the pooling from
// 1_Pooling/config.json when present. It opens cfg.Sessions sessions. The
// error names the file or input at fault for a missing file, a corrupt
// model, inputs or outputs of another kind, or a missing ONNX Runtime
// library (wrapping ErrNoLibrary). logger receives one line when the
// encoder opens; nil discards it.
func OpenTextEncoder(ctx context.Context, dir string, cfg TextConfig, logger *slog.Logger) (*TextEncoder, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	layout, err := readLayout(dir)
	if err != nil {
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	tok, err := tokenizer.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	pooling := layout.pooling
	switch {
	case pooling == "" && cfg.Pooling == "":
		pooling = PoolMean
	case pooling == "":
		pooling = cfg.Pooling
	case cfg.Pooling != "" && cfg.Pooling != pooling:
		return nil, fmt.Errorf("onnx: open %s: pooling %s conflicts with %s in 1_Pooling/config.json", dir, cfg.Pooling, pooling)
	}
	rt, err := OpenRuntime(cfg.Library)
	if err != nil {
		return nil, err
	}
	e := &TextEncoder{
		sessionPool: newPool(rt),
		tok:         tok,
		pooling:     pooling,
		normalize:   !cfg.NoNormalize,
		batchSize:   cfg.BatchSize,
		maxLength:   orDefault(cfg.MaxLength, layout.maxLength),
	}
	if err := e.open(ctx, layout, cfg); err != nil {
		e.destroy()
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	attrs := []any{"dir", dir, "model", layout.model, "library", rt.Library(),
		"output", e.output, "pooled", e.pooled, "pooling", e.pooling, "dim", e.dim,
		"max_length", e.maxLength, "sessions", cfg.Sessions, "threads", cfg.Threads}
	if env := os.Getenv(EnvLibrary); env != "" && cfg.Library == "" {
		attrs = append(attrs, "library_from", EnvLibrary)
	}
	logger.Info("onnx text encoder open", attrs...)
	return e, nil
}

// orDefault returns v when it is set, else def.
func orDefault(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// open checks the model's inputs and outputs and creates the sessions.
func (e *TextEncoder) open(ctx context.Context, layout modelLayout, cfg TextConfig) error {
	ins, outs, err := ort.GetInputOutputInfo(layout.model)
	if err != nil {
		return fmt.Errorf("read %s: %w", layout.model, err)
	}
	have := map[string]bool{}
	for _, in := range ins {
		switch in.Name {
		case inputIDs, inputMask, inputTypeIDs:
		default:
			return fmt.Errorf("model input %q is not one of %s", in.Name, modelInputSet)
		}
		if in.OrtValueType != ort.ONNXTypeTensor || in.DataType != ort.TensorElementDataTypeInt64 || len(in.Dimensions) != 2 {
			return fmt.Errorf("model input %s is %s, want an int64 [batch, seq] tensor", in.Name, in.String())
		}
		have[in.Name] = true
		e.inputs = append(e.inputs, in.Name)
	}
	for _, name := range []string{inputIDs, inputMask} {
		if !have[name] {
			return fmt.Errorf("model has no %s input (inputs: %s)", name, names(ins))
		}
	}
	if len(outs) == 0 {
		return errors.New("model has no outputs")
	}
	out := outs[0]
	if cfg.Output != "" {
		i := slices.IndexFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == cfg.Output })
		if i < 0 {
			return fmt.Errorf("model has no output %q (outputs: %s)", cfg.Output, names(outs))
		}
		out = outs[i]
	}
	if out.OrtValueType != ort.ONNXTypeTensor || out.DataType != ort.TensorElementDataTypeFloat ||
		(len(out.Dimensions) != 2 && len(out.Dimensions) != 3) {
		return fmt.Errorf("model output %s, want a float32 [batch, seq, hidden] or [batch, hidden] tensor", out.String())
	}
	e.output = out.Name
	e.pooled = len(out.Dimensions) == 2
	e.dim = int(out.Dimensions[len(out.Dimensions)-1])

	if err := e.sessionPool.open(layout.model, e.inputs, []string{e.output}, cfg.Sessions, cfg.Threads, nil); err != nil {
		return err
	}
	if e.dim <= 0 {
		// The hidden size is symbolic: learn it from one run.
		vecs, err := e.encodeBatch(ctx, []string{""})
		if err != nil {
			return fmt.Errorf("probe dimension: %w", err)
		}
		e.dim = len(vecs[0])
	}
	if layout.poolDim > 0 && layout.poolDim != e.dim {
		return fmt.Errorf("1_Pooling/config.json declares dimension %d, model output %s has %d", layout.poolDim, e.output, e.dim)
	}
	return nil
}

func names(infos []ort.InputOutputInfo) string {
	var s []string
	for _, i := range infos {
		s = append(s, i.Name)
	}
	return strings.Join(s, ", ")
}

// Dim is the length of every vector Encode returns.
func (e *TextEncoder) Dim() int { return e.dim }

// MaxLength is the token limit per text, [CLS] and [SEP] included.
func (e *TextEncoder) MaxLength() int { return e.maxLength }

// Pooling is the pooling applied to the model's token output; it does not
// apply when the output is already pooled.
func (e *TextEncoder) Pooling() Pooling { return e.pooling }

// Encode returns one vector per text, in order, of unit length unless
// TextConfig.NoNormalize is set. Texts run in batches of
// TextConfig.BatchSize, each padded to its longest text and truncated at
// MaxLength tokens; the batches of one call run on as many sessions as are
// idle, up to all of them. It returns ctx's error when ctx ends first
// (running batches are stopped), ErrClosed after Close, or the runtime's
// error.
func (e *TextEncoder) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	batches := (len(texts) + e.batchSize - 1) / e.batchSize
	encode := func(ctx context.Context, i int) error {
		start := i * e.batchSize
		end := min(start+e.batchSize, len(texts))
		vecs, err := e.encodeBatch(ctx, texts[start:end])
		copy(out[start:end], vecs)
		return err
	}
	if err := e.forBatches(ctx, batches, encode); err != nil {
		return nil, err
	}
	return out, nil
}

// encodeBatch tokenizes, runs and pools one batch.
func (e *TextEncoder) encodeBatch(ctx context.Context, texts []string) ([][]float32, error) {
	b := e.tok.EncodeBatch(texts, e.maxLength)
	s, err := e.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer e.release(s)
	vecs, err := e.run(ctx, s, b)
	if err != nil {
		return nil, fmt.Errorf("onnx: encode: %w", err)
	}
	return vecs, nil
}

// run runs session s on batch b and pools its output into one vector per
// row. The run is terminated if ctx ends.
func (e *TextEncoder) run(ctx context.Context, s *session, b tokenizer.Batch) ([][]float32, error) {
	shape := ort.NewShape(int64(b.Rows), int64(b.Cols))
	inputs := make([]ort.Value, len(e.inputs))
	defer func() {
		for _, v := range inputs {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	for i, name := range e.inputs {
		data := b.IDs
		switch name {
		case inputMask:
			data = b.AttentionMask
		case inputTypeIDs:
			data = b.TypeIDs
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", name, err)
		}
		inputs[i] = t
	}
	// The output goes straight into a tensor of the expected shape; only
	// while probing the dimension does ONNX Runtime allocate it.
	want := ort.NewShape(int64(b.Rows), int64(b.Cols), int64(e.dim))
	if e.pooled {
		want = ort.NewShape(int64(b.Rows), int64(e.dim))
	}
	outputs := []ort.Value{nil}
	if e.dim > 0 {
		t, err := ort.NewEmptyTensor[float32](want)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", e.output, err)
		}
		outputs[0] = t
	}
	defer func() {
		if outputs[0] != nil {
			outputs[0].Destroy()
		}
	}()
	if err := e.runStoppable(ctx, s, inputs, outputs); err != nil {
		return nil, err
	}
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("output %s is not a float32 tensor", e.output)
	}
	got := t.GetShape()
	if e.dim <= 0 {
		want[len(want)-1] = got[len(got)-1]
	}
	if !got.Equals(want) {
		return nil, fmt.Errorf("output %s has shape %v, want %v", e.output, got, want)
	}
	return e.pool(t.GetData(), b, int(want[len(want)-1])), nil
}

// pool turns the output data of batch b into one vector of dim floats per
// row, normalised when configured. The vectors share one allocation.
func (e *TextEncoder) pool(data []float32, b tokenizer.Batch, dim int) [][]float32 {
	flat := make([]float32, b.Rows*dim)
	out := make([][]float32, b.Rows)
	for r := range b.Rows {
		v := flat[r*dim : (r+1)*dim : (r+1)*dim]
		switch {
		case e.pooled:
			copy(v, data[r*dim:(r+1)*dim])
		case e.pooling == PoolCLS:
			copy(v, data[r*b.Cols*dim:r*b.Cols*dim+dim])
		default:
			n := 0
			for c := range b.Cols {
				if b.AttentionMask[r*b.Cols+c] == 0 {
					continue
				}
				n++
				tok := data[(r*b.Cols+c)*dim : (r*b.Cols+c+1)*dim]
				for j, f := range tok {
					v[j] += f
				}
			}
			if n > 0 {
				inv := 1 / float32(n)
				for j := range v {
					v[j] *= inv
				}
			}
		}
		if e.normalize {
			vector.Normalize(v)
		}
		out[r] = v
	}
	return out
}

// Close waits for running batches, then releases the sessions and the
// runtime reference. Encode returns ErrClosed afterwards. Calling Close
// again returns the first call's result.
func (e *TextEncoder) Close() error { return e.close() }
