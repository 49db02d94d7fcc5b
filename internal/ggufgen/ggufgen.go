// Package ggufgen writes tiny llama-architecture language models as GGUF
// files, for tests and benchmarks that cannot download real weights. The
// weights are seeded random F32: the models load and generate through
// llama.cpp exactly as real ones do, but what they write is gibberish.
//
// The file is GGUF version 3: the header, the metadata key/value pairs,
// the tensor infos, then the tensor data, each tensor aligned to 32 bytes
// (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md). The
// tokenizer is a SentencePiece ("llama") vocabulary of a few hundred
// pieces: the special tokens, the 256 byte-fallback tokens (so any text
// tokenizes), letters and a few words, with ChatML's <|im_start|> and
// <|im_end|> as control tokens and a ChatML template in
// tokenizer.chat_template.
package ggufgen

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
)

// ChatML is the chat template the generated models carry, in the Jinja
// form Hugging Face tokenizers use; llama.cpp recognises it as "chatml".
const ChatML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

// Config is the shape of a generated model. Zero fields take the defaults
// of DefaultConfig.
type Config struct {
	// Embd is the embedding width; it must be a multiple of Heads.
	Embd int
	// Heads is the number of attention heads (as many key/value heads).
	Heads int
	// Layers is the number of transformer blocks.
	Layers int
	// FF is the feed-forward width.
	FF int
	// Context is the training context length the metadata declares.
	Context int
	// Seed seeds the random weights: the same Config writes the same bytes.
	Seed uint64
	// Template is tokenizer.chat_template; "" for ChatML, "-" for none.
	Template string
}

// DefaultConfig is a 2-layer model 32 wide, 4 heads, context 128.
func DefaultConfig() Config {
	return Config{Embd: 32, Heads: 4, Layers: 2, FF: 64, Context: 128, Seed: 1}
}

// Vocabulary returns the model's tokens and their types (llama.cpp's
// llama_token_type: 1 normal, 2 unknown, 3 control, 6 byte). The ids of
// the special tokens: 0 <unk>, 1 <s> (BOS), 2 </s>, 3 <|im_start|>,
// 4 <|im_end|> (EOS).
func Vocabulary() ([]string, []int32) {
	tokens := []string{"<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"}
	types := []int32{2, 3, 3, 3, 3}
	for i := range 256 {
		tokens = append(tokens, fmt.Sprintf("<0x%02X>", i))
		types = append(types, 6)
	}
	for c := 'a'; c <= 'z'; c++ {
		tokens = append(tokens, string(c), "▁"+string(c))
		types = append(types, 1, 1)
	}
	for _, w := range []string{"▁the", "▁and", "▁shoe", "▁red", "▁blue", "▁user", "▁assistant", "▁system", "user", "assistant", "system", "▁", ".", ",", "{", "}", "\""} {
		tokens = append(tokens, w)
		types = append(types, 1)
	}
	return tokens, types
}

// EOS is the id of the end-of-generation token, <|im_end|>.
const EOS = 4

// Write writes the model cfg describes to w.
func Write(w io.Writer, cfg Config) error {
	d := DefaultConfig()
	if cfg.Embd == 0 {
		cfg.Embd = d.Embd
	}
	if cfg.Heads == 0 {
		cfg.Heads = d.Heads
	}
	if cfg.Layers == 0 {
		cfg.Layers = d.Layers
	}
	if cfg.FF == 0 {
		cfg.FF = d.FF
	}
	if cfg.Context == 0 {
		cfg.Context = d.Context
	}
	if cfg.Embd%cfg.Heads != 0 {
		return fmt.Errorf("ggufgen: width %d is not a multiple of %d heads", cfg.Embd, cfg.Heads)
	}
	tmpl := cfg.Template
	if tmpl == "" {
		tmpl = ChatML
	}
	tokens, types := Vocabulary()
	scores := make([]float32, len(tokens))
	for i := range scores {
		// SentencePiece merges by score: longer pieces, listed later, win.
		scores[i] = float32(i) / float32(len(tokens))
	}
	kvs := []kv{
		{"general.architecture", "llama"},
		{"general.name", "aisle-tiny"},
		{"general.file_type", uint32(0)}, // all F32
		{"llama.context_length", uint32(cfg.Context)},
		{"llama.embedding_length", uint32(cfg.Embd)},
		{"llama.block_count", uint32(cfg.Layers)},
		{"llama.feed_forward_length", uint32(cfg.FF)},
		{"llama.attention.head_count", uint32(cfg.Heads)},
		{"llama.attention.head_count_kv", uint32(cfg.Heads)},
		{"llama.rope.dimension_count", uint32(cfg.Embd / cfg.Heads)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"tokenizer.ggml.model", "llama"},
		{"tokenizer.ggml.tokens", tokens},
		{"tokenizer.ggml.scores", scores},
		{"tokenizer.ggml.token_type", types},
		{"tokenizer.ggml.bos_token_id", uint32(1)},
		{"tokenizer.ggml.eos_token_id", uint32(EOS)},
		{"tokenizer.ggml.unknown_token_id", uint32(0)},
		{"tokenizer.ggml.add_bos_token", true},
	}
	if tmpl != "-" {
		kvs = append(kvs, kv{"tokenizer.chat_template", tmpl})
	}

	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	normal := func(n int, std float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64() * std)
		}
		return v
	}
	ones := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = 1
		}
		return v
	}
	e, ff, nv := cfg.Embd, cfg.FF, len(tokens)
	se, sf := 1/math.Sqrt(float64(e)), 1/math.Sqrt(float64(ff))
	// Dimensions are ggml's: ne[0], the row length, first.
	ts := []tensor{
		{"token_embd.weight", []uint64{uint64(e), uint64(nv)}, normal(e*nv, 1)},
		{"output_norm.weight", []uint64{uint64(e)}, ones(e)},
		{"output.weight", []uint64{uint64(e), uint64(nv)}, normal(e*nv, se)},
	}
	for l := range cfg.Layers {
		p := fmt.Sprintf("blk.%d.", l)
		ts = append(ts,
			tensor{p + "attn_norm.weight", []uint64{uint64(e)}, ones(e)},
			tensor{p + "attn_q.weight", []uint64{uint64(e), uint64(e)}, normal(e*e, se)},
			tensor{p + "attn_k.weight", []uint64{uint64(e), uint64(e)}, normal(e*e, se)},
			tensor{p + "attn_v.weight", []uint64{uint64(e), uint64(e)}, normal(e*e, se)},
			tensor{p + "attn_output.weight", []uint64{uint64(e), uint64(e)}, normal(e*e, se)},
			tensor{p + "ffn_norm.weight", []uint64{uint64(e)}, ones(e)},
			tensor{p + "ffn_gate.weight", []uint64{uint64(e), uint64(ff)}, normal(e*ff, se)},
			tensor{p + "ffn_up.weight", []uint64{uint64(e), uint64(ff)}, normal(e*ff, se)},
			tensor{p + "ffn_down.weight", []uint64{uint64(ff), uint64(e)}, normal(ff*e, sf)},
		)
	}
	return encode(w, kvs, ts)
}

// kv is one metadata pair; val is a string, uint32, float32, bool,
// []string, []float32 or []int32.
type kv struct {
	key string
	val any
}

// tensor is one F32 tensor.
type tensor struct {
	name string
	dims []uint64
	data []float32
}

// alignment is GGUF's default (general.alignment unset).
const alignment = 32

// GGUF metadata value types.
const (
	typeUint32  = 4
	typeInt32   = 5
	typeFloat32 = 6
	typeBool    = 7
	typeString  = 8
	typeArray   = 9
)

// encoder writes little-endian values and counts the bytes written.
type encoder struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (e *encoder) put(v any) {
	if e.err != nil {
		return
	}
	if err := binary.Write(e.w, binary.LittleEndian, v); err != nil {
		e.err = err
		return
	}
	e.n += int64(binary.Size(v))
}

func (e *encoder) str(s string) {
	e.put(uint64(len(s)))
	e.put([]byte(s))
}

func (e *encoder) pad() {
	for e.n%alignment != 0 {
		e.put(uint8(0))
	}
}

func (e *encoder) value(v any) {
	switch x := v.(type) {
	case uint32:
		e.put(uint32(typeUint32))
		e.put(x)
	case float32:
		e.put(uint32(typeFloat32))
		e.put(x)
	case bool:
		e.put(uint32(typeBool))
		e.put(x)
	case string:
		e.put(uint32(typeString))
		e.str(x)
	case []string:
		e.put(uint32(typeArray))
		e.put(uint32(typeString))
		e.put(uint64(len(x)))
		for _, s := range x {
			e.str(s)
		}
	case []float32:
		e.put(uint32(typeArray))
		e.put(uint32(typeFloat32))
		e.put(uint64(len(x)))
		e.put(x)
	case []int32:
		e.put(uint32(typeArray))
		e.put(uint32(typeInt32))
		e.put(uint64(len(x)))
		e.put(x)
	default:
		e.err = fmt.Errorf("ggufgen: no GGUF type for %T", v)
	}
}

// encode writes a GGUF v3 file of kvs and ts.
func encode(w io.Writer, kvs []kv, ts []tensor) error {
	e := &encoder{w: bufio.NewWriter(w)}
	e.put([]byte("GGUF"))
	e.put(uint32(3))
	e.put(uint64(len(ts)))
	e.put(uint64(len(kvs)))
	for _, p := range kvs {
		e.str(p.key)
		e.value(p.val)
	}
	var off uint64
	for _, t := range ts {
		n := uint64(1)
		for _, d := range t.dims {
			n *= d
		}
		if n != uint64(len(t.data)) {
			return fmt.Errorf("ggufgen: tensor %s: %d values for dims %v", t.name, len(t.data), t.dims)
		}
		e.str(t.name)
		e.put(uint32(len(t.dims)))
		e.put(t.dims)
		e.put(uint32(0)) // GGML_TYPE_F32
		e.put(off)
		off += (n*4 + alignment - 1) / alignment * alignment
	}
	e.pad()
	for _, t := range ts {
		e.put(t.data)
		e.pad()
	}
	if e.err != nil {
		return fmt.Errorf("ggufgen: write: %w", e.err)
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("ggufgen: write: %w", err)
	}
	return nil
}
