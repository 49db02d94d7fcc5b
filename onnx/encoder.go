package onnx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/tokenizer"
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

// ErrClosed is returned by Encode after Close.
var ErrClosed = errors.New("onnx: encoder closed")

var _ aisle.TextEncoder = (*TextEncoder)(nil)

// TextEncoder is a BERT-family sentence encoder run by ONNX Runtime. It is
// safe for concurrent use: each Encode batch runs on one of the pool's
// sessions, so up to TextConfig.Sessions batches run at once.
type TextEncoder struct {
	rt        *Runtime
	tok       *tokenizer.WordPiece
	inputs    []string // the model's inputs, in the session's order
	output    string
	pooled    bool // the output is [batch, hidden], already pooled
	pooling   Pooling
	normalize bool
	dim       int
	batchSize int
	maxLength int

	all       []*session
	sessions  chan *session // the idle ones
	closing   chan struct{} // closed when Close begins
	closeOnce sync.Once
	closeErr  error
}

// session is one ONNX Runtime session and the run options used to stop it.
type session struct {
	s   *ort.DynamicAdvancedSession
	run *ort.RunOptions
}

// OpenTextEncoder loads the sentence encoder in dir: model.onnx (or
// onnx/model.onnx) with inputs input_ids, attention_mask and optionally
// token_type_ids (int64, [batch, seq]); the tokenizer from tokenizer.json
// or vocab.txt (see package tokenizer); the pooling from
// 1_Pooling/config.json when present. It opens cfg.Sessions sessions. The
// error names the file or input at fault for a missing file, a corrupt
// model, inputs or outputs of another kind, or a missing ONNX Runtime
// library (wrapping ErrNoLibrary).
func OpenTextEncoder(ctx context.Context, dir string, cfg TextConfig) (*TextEncoder, error) {
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
		rt:        rt,
		tok:       tok,
		pooling:   pooling,
		normalize: !cfg.NoNormalize,
		batchSize: cfg.BatchSize,
		maxLength: orDefault(cfg.MaxLength, layout.maxLength),
		closing:   make(chan struct{}),
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
	cfg.Logger.Info("onnx text encoder open", attrs...)
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

	opts, err := ort.NewSessionOptions()
	if err != nil {
		return fmt.Errorf("session options: %w", err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(cfg.Threads); err != nil {
		return fmt.Errorf("session options: %w", err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		return fmt.Errorf("session options: %w", err)
	}
	e.sessions = make(chan *session, cfg.Sessions)
	for range cfg.Sessions {
		s, err := ort.NewDynamicAdvancedSession(layout.model, e.inputs, []string{e.output}, opts)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		run, err := ort.NewRunOptions()
		if err != nil {
			s.Destroy()
			return fmt.Errorf("run options: %w", err)
		}
		ss := &session{s: s, run: run}
		e.all = append(e.all, ss)
		e.sessions <- ss
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
	if batches <= 1 || len(e.all) == 1 {
		for i := range batches {
			if err := encode(ctx, i); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// Several batches and sessions: workers take batches in turn, and the
	// first error stops the rest.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(batches, len(e.all)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= batches || ctx.Err() != nil {
					return
				}
				if err := encode(ctx, i); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
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
	defer func() { e.sessions <- s }()
	vecs, err := e.run(ctx, s, b)
	if err != nil {
		return nil, fmt.Errorf("onnx: encode: %w", err)
	}
	return vecs, nil
}

// acquire takes an idle session, waiting for one.
func (e *TextEncoder) acquire(ctx context.Context) (*session, error) {
	select {
	case <-e.closing:
		return nil, ErrClosed
	default:
	}
	select {
	case s := <-e.sessions:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-e.closing:
		return nil, ErrClosed
	}
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

// runStoppable runs s, terminating the run if ctx ends meanwhile. An
// output ONNX Runtime allocates is left in outputs, for the caller to
// destroy, even when ctx ended.
func (e *TextEncoder) runStoppable(ctx context.Context, s *session, inputs, outputs []ort.Value) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	terminated := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(terminated)
		s.run.Terminate()
	})
	err := s.s.RunWithOptions(inputs, outputs, s.run)
	if !stop() {
		<-terminated
		s.run.UnsetTerminate()
		return ctx.Err()
	}
	return err
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
func (e *TextEncoder) Close() error {
	e.closeOnce.Do(func() {
		close(e.closing)
		for range e.all {
			<-e.sessions
		}
		e.closeErr = e.destroy()
	})
	return e.closeErr
}

// destroy releases the sessions (all idle) and the runtime.
func (e *TextEncoder) destroy() error {
	var errs []error
	for _, s := range e.all {
		errs = append(errs, s.s.Destroy(), s.run.Destroy())
	}
	e.all = nil
	errs = append(errs, e.rt.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("onnx: close: %w", err)
	}
	return nil
}
