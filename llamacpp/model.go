package llamacpp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync/atomic"

	"github.com/hybridgroup/yzma/pkg/llama"

	"github.com/aislehq/aisle/openai"
)

// ErrClosed is returned by a Model used before Open or after Close.
var ErrClosed = errors.New("llamacpp: model is not open")

// ErrPromptTooLong is returned (wrapped) when the rendered prompt leaves
// no room for a reply in the context window.
var ErrPromptTooLong = errors.New("llamacpp: prompt does not fit the context window")

// Defaults of Options' zero fields.
const (
	// DefaultContextSize is the context window in tokens, when the
	// model was trained on at least as much.
	DefaultContextSize = 4096
	// DefaultMaxTokens caps a reply when ChatOptions.MaxTokens is 0.
	DefaultMaxTokens = 512
	// DefaultTemperature is the sampling temperature when
	// ChatOptions.Temperature is nil (llama.cpp's own default).
	DefaultTemperature = 0.8
	// maxThreads caps the default thread count: token generation is
	// bound by memory bandwidth well before it.
	maxThreads = 8
)

// Options configure a Model. The zero value is usable: every zero field
// takes the default its comment names.
type Options struct {
	// LibDir is the directory of llama.cpp's shared libraries; "" finds
	// it as FindLibDir does ($AISLE_LLAMACPP_LIB, then lib/llamacpp/).
	LibDir string
	// ContextSize is the context window in tokens, prompt and reply
	// together; 0 for DefaultContextSize or the model's training context,
	// whichever is smaller.
	ContextSize int
	// Threads is how many CPU threads evaluate the model; 0 for half of
	// GOMAXPROCS (about the physical cores, llama.cpp's advice; the rest
	// serve requests), at least 1 and at most 8. llama.cpp's threads
	// spin-wait for each other at every step, so on a machine whose
	// cores are busy with other work fewer are faster, and a tiny model
	// is fastest on one (docs/BENCHMARKS.md).
	Threads int
	// Seed seeds sampling above temperature 0; 0 for a random seed.
	Seed uint32
	// Chat are the options Chat completes with (copywriter.Chat has
	// none of its own); MaxTokens 0 means DefaultMaxTokens.
	Chat openai.ChatOptions
}

// Model is a GGUF language model run in process by llama.cpp. New makes
// one; Open loads it; Close frees it. It is safe for concurrent use:
// completions take turns on its one llama.cpp context.
type Model struct {
	path string
	opts Options

	// turn has one slot: whoever holds it may use the fields below it
	// (Open, Close and one completion at a time).
	turn   chan struct{}
	model  llama.Model
	lctx   llama.Context
	vocab  llama.Vocab
	tmpl   string // the model's chat template; "" when it has none
	nCtx   int
	open   bool
	closed bool

	// running is the ctx of the completion in progress, read by
	// llama.cpp's abort callback during evaluation.
	running atomic.Pointer[context.Context]

	// onToken, when not nil, is called after each generated token with
	// the count so far (a test hook).
	onToken func(n int)
}

// New returns a Model for the GGUF file at path. It does no I/O: Open
// loads the libraries and the model.
func New(path string, opts Options) *Model {
	return &Model{path: path, opts: opts, turn: make(chan struct{}, 1)}
}

// Path returns the model file's path.
func (m *Model) Path() string { return m.path }

// acquire waits for the model's turn or for ctx to be done.
func (m *Model) acquire(ctx context.Context) error {
	select {
	case m.turn <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *Model) release() { <-m.turn }

// Open loads llama.cpp's libraries (once per process) and the model, and
// makes its context. It returns an error wrapping ErrNoLibrary when the
// libraries are missing, an error naming the file when it is not a GGUF
// model llama.cpp can load (missing, truncated, corrupt, an architecture
// this llama.cpp lacks), and ErrClosed after Close. Opening an open Model
// does nothing.
func (m *Model) Open(ctx context.Context) error {
	if err := m.acquire(ctx); err != nil {
		return err
	}
	defer m.release()
	switch {
	case m.closed:
		return ErrClosed
	case m.open:
		return nil
	}
	if err := checkGGUF(m.path); err != nil {
		return err
	}
	if err := loadLibs(m.opts.LibDir); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	model, err := llama.ModelLoadFromFile(m.path, llama.ModelDefaultParams())
	if err != nil {
		return fmt.Errorf("llamacpp: load model %s: llama.cpp could not load it (truncated or corrupt file, or an architecture llama.cpp v0.5.0 lacks): %w", m.path, err)
	}
	nCtx := m.opts.ContextSize
	if nCtx <= 0 {
		nCtx = DefaultContextSize
		if train := int(llama.ModelNCtxTrain(model)); train > 0 && train < nCtx {
			nCtx = train
		}
	}
	threads := m.opts.Threads
	if threads <= 0 {
		threads = max(1, min(runtime.GOMAXPROCS(0)/2, maxThreads))
	}
	cp := llama.ContextDefaultParams()
	cp.NCtx = uint32(nCtx)
	cp.NBatch = uint32(nCtx) // a whole prompt decodes in one call
	cp.NUbatch = uint32(min(nCtx, 512))
	cp.NSeqMax = 1
	cp.NThreads, cp.NThreadsBatch = int32(threads), int32(threads)
	lctx, err := llama.InitFromModel(model, cp)
	if err != nil {
		llama.ModelFree(model)
		return fmt.Errorf("llamacpp: make a context of %d tokens for %s: %w", nCtx, m.path, err)
	}
	// One callback per context: purego callbacks are never freed.
	llama.SetAbortCallback(lctx, func() bool {
		c := m.running.Load()
		return c != nil && (*c).Err() != nil
	})
	m.model, m.lctx, m.vocab = model, lctx, llama.ModelGetVocab(model)
	m.tmpl = llama.ModelChatTemplate(model, "")
	m.nCtx = int(llama.NCtx(lctx))
	m.open = true
	return nil
}

// Close frees the model and its context, after the completion in progress,
// if any, ends. It is safe to call twice; the Model cannot be reopened.
func (m *Model) Close() error {
	m.turn <- struct{}{}
	defer m.release()
	if m.open {
		llama.Free(m.lctx)
		llama.ModelFree(m.model)
		m.model, m.lctx, m.vocab, m.open = 0, 0, 0, false
	}
	m.closed = true
	return nil
}

// ggufMagic opens every GGUF file.
var ggufMagic = []byte("GGUF")

// checkGGUF returns an error naming path when it cannot be read or does
// not start as a GGUF file does; llama.cpp checks the rest.
func checkGGUF(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("llamacpp: model: %w", err)
	}
	defer f.Close()
	var head [8]byte
	if _, err := io.ReadFull(f, head[:]); err != nil {
		return fmt.Errorf("llamacpp: model %s: not a GGUF file (%d bytes)", path, fileSize(f))
	}
	if !bytes.Equal(head[:4], ggufMagic) {
		return fmt.Errorf("llamacpp: model %s: not a GGUF file (it starts %q, not \"GGUF\")", path, head[:4])
	}
	if v := uint32(head[4]) | uint32(head[5])<<8 | uint32(head[6])<<16 | uint32(head[7])<<24; v < 2 || v > 3 {
		return fmt.Errorf("llamacpp: model %s: GGUF version %d, not 2 or 3", path, v)
	}
	return nil
}

func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}
