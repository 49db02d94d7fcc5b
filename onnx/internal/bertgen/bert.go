// Package bertgen builds small BERT-architecture ONNX models with random
// weights, for testing and benchmarking package onnx without pretrained
// weights: word, position and token-type embeddings, LayerNorm, transformer
// layers with multi-head self-attention (the attention mask as an additive
// bias), a GELU feed-forward block and residual connections, as Hugging
// Face's BertModel computes them. Forward computes the same network in plain
// Go, so a test can check ONNX Runtime's output against it.
package bertgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/aislehq/aisle/onnx/internal/onnxgen"
)

// Config is the shape of a generated model.
type Config struct {
	// Vocab is the number of word embeddings (the tokenizer's VocabSize).
	Vocab int
	// Hidden is the width of every hidden state; Heads must divide it.
	Hidden, Heads int
	// Layers is the number of transformer layers.
	Layers int
	// Intermediate is the width of the feed-forward block.
	Intermediate int
	// MaxPositions is the number of position embeddings.
	MaxPositions int
	// Seed seeds the random weights.
	Seed uint64
}

// Graph is how a model is written: its input and output names, and how
// its outputs are declared. An empty TokenTypeIDs leaves that input out
// (token type 0 is used); an empty Pooled leaves out the pooled output.
type Graph struct {
	InputIDs, AttentionMask, TokenTypeIDs string
	// Hidden names the [batch, seq, hidden] output.
	Hidden string
	// Pooled names a [batch, hidden] output holding the hidden state of the
	// first ([CLS]) token.
	Pooled string
	// SymbolicHidden declares the outputs' hidden size as a symbol rather
	// than a number, as some exporters do.
	SymbolicHidden bool
}

// Standard is the graph Hugging Face's ONNX exports have, with a pooled
// output called sentence_embedding.
var Standard = Graph{
	InputIDs:      "input_ids",
	AttentionMask: "attention_mask",
	TokenTypeIDs:  "token_type_ids",
	Hidden:        "last_hidden_state",
	Pooled:        "sentence_embedding",
}

// layerNorm is a LayerNormalization's scale and bias.
type layerNorm struct{ gamma, beta []float32 }

// dense is a [in, out] weight matrix, row-major, and its bias.
type dense struct {
	w       []float32
	b       []float32
	in, out int
}

// layer is one transformer layer.
type layer struct {
	q, k, v, o dense
	attnNorm   layerNorm
	up, down   dense
	outNorm    layerNorm
}

// Model is a BERT network with random weights.
type Model struct {
	cfg      Config
	word     []float32 // [Vocab, Hidden]
	position []float32 // [MaxPositions, Hidden]
	types    []float32 // [2, Hidden]
	embNorm  layerNorm
	layers   []layer
}

// maskBias is added to the attention scores of padding positions.
const maskBias = -10000

// lnEpsilon is BERT's LayerNorm epsilon.
const lnEpsilon = 1e-12

// New returns a model of shape cfg with random weights drawn from cfg.Seed.
func New(cfg Config) (*Model, error) {
	if cfg.Vocab <= 0 || cfg.Hidden <= 0 || cfg.Heads <= 0 || cfg.Hidden%cfg.Heads != 0 ||
		cfg.Layers <= 0 || cfg.Intermediate <= 0 || cfg.MaxPositions <= 0 {
		return nil, fmt.Errorf("bertgen: bad config %+v", cfg)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	uniform := func(n int, scale float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32((2*rng.Float64() - 1) * scale)
		}
		return out
	}
	norm := func() layerNorm {
		g := uniform(cfg.Hidden, 0.1)
		for i := range g {
			g[i]++
		}
		return layerNorm{gamma: g, beta: uniform(cfg.Hidden, 0.1)}
	}
	lin := func(in, out int) dense {
		s := 1 / math.Sqrt(float64(in))
		return dense{w: uniform(in*out, s), b: uniform(out, 0.1), in: in, out: out}
	}
	m := &Model{
		cfg:      cfg,
		word:     uniform(cfg.Vocab*cfg.Hidden, 1),
		position: uniform(cfg.MaxPositions*cfg.Hidden, 0.5),
		types:    uniform(2*cfg.Hidden, 0.5),
		embNorm:  norm(),
	}
	h := cfg.Hidden
	for range cfg.Layers {
		m.layers = append(m.layers, layer{
			q: lin(h, h), k: lin(h, h), v: lin(h, h), o: lin(h, h),
			attnNorm: norm(),
			up:       lin(h, cfg.Intermediate), down: lin(cfg.Intermediate, h),
			outNorm: norm(),
		})
	}
	return m, nil
}

// Write writes the model as an ONNX file (opset 17) with the given g.
func (m *Model) Write(path string, g Graph) error {
	if err := os.WriteFile(path, m.Marshal(g), 0o644); err != nil {
		return fmt.Errorf("bertgen: %w", err)
	}
	return nil
}

// addDense adds x·d.w + d.b and returns its name.
func addDense(b *onnxgen.Builder, name string, x string, d dense) string {
	w := b.Floats(name+".weight", d.w, int64(d.in), int64(d.out))
	bias := b.Floats(name+".bias", d.b, int64(d.out))
	return b.Op("Add", []string{b.Op("MatMul", []string{x, w}), bias})
}

// addLayerNorm adds a LayerNormalization of x and returns its name.
func addLayerNorm(b *onnxgen.Builder, name, x string, ln layerNorm) string {
	g := b.Floats(name+".gamma", ln.gamma, int64(len(ln.gamma)))
	beta := b.Floats(name+".beta", ln.beta, int64(len(ln.beta)))
	return b.Op("LayerNormalization", []string{x, g, beta}, onnxgen.AttrFloat("epsilon", lnEpsilon), onnxgen.AttrInt("axis", -1))
}

// Marshal encodes the model as an ONNX ModelProto with the given g.
func (m *Model) Marshal(g Graph) []byte {
	cfg := m.cfg
	h, heads := int64(cfg.Hidden), int64(cfg.Heads)
	b := &onnxgen.Builder{}
	ids, mask := g.InputIDs, g.AttentionMask

	// Embeddings: word + position (0..seq-1) + token type, then LayerNorm.
	// const.zero and const.one are int64 scalars.
	word := b.Op("Gather", []string{b.Floats("embeddings.word", m.word, int64(cfg.Vocab), h), ids})
	seqLen := b.Op("Gather", []string{b.Op("Shape", []string{ids}), b.Ints("const.one", []int64{1})}, onnxgen.AttrInt("axis", 0))
	positions := b.Op("Range", []string{b.Ints("const.zero", []int64{0}), seqLen, "const.one"})
	pos := b.Op("Gather", []string{b.Floats("embeddings.position", m.position, int64(cfg.MaxPositions), h), positions})
	var typ string
	if g.TokenTypeIDs != "" {
		typ = b.Op("Gather", []string{b.Floats("embeddings.token_type", m.types, 2, h), g.TokenTypeIDs})
	} else {
		typ = b.Floats("embeddings.token_type0", m.types[:cfg.Hidden], h)
	}
	x := b.Op("Add", []string{b.Op("Add", []string{word, pos}), typ})
	x = addLayerNorm(b, "embeddings.norm", x, m.embNorm)

	// The attention bias: 0 on tokens, maskBias on padding, [batch,1,1,seq].
	maskF := b.Op("Cast", []string{mask}, onnxgen.AttrInt("to", onnxgen.ElemFloat))
	inv := b.Op("Sub", []string{b.Floats("const.onef", []float32{1}), maskF})
	bias := b.Op("Mul", []string{inv, b.Floats("const.maskbias", []float32{maskBias})})
	bias = b.Op("Unsqueeze", []string{bias, b.Ints("const.axes12", []int64{1, 2}, 2)})

	splitShape := b.Ints("const.split", []int64{0, 0, heads, h / heads}, 4)
	mergeShape := b.Ints("const.merge", []int64{0, 0, h}, 3)
	scale := b.Floats("const.scale", []float32{float32(1 / math.Sqrt(float64(h/heads)))})
	half := b.Floats("const.half", []float32{0.5})
	invSqrt2 := b.Floats("const.invsqrt2", []float32{float32(1 / math.Sqrt2)})
	heads4 := func(t string, perm ...int64) string {
		return b.Op("Transpose", []string{b.Op("Reshape", []string{t, splitShape})}, onnxgen.AttrInts("perm", perm...))
	}
	for i, l := range m.layers {
		p := "layer" + strconv.Itoa(i)
		q := heads4(addDense(b, p+".q", x, l.q), 0, 2, 1, 3)
		k := heads4(addDense(b, p+".k", x, l.k), 0, 2, 3, 1)
		v := heads4(addDense(b, p+".v", x, l.v), 0, 2, 1, 3)
		scores := b.Op("Add", []string{b.Op("Mul", []string{b.Op("MatMul", []string{q, k}), scale}), bias})
		probs := b.Op("Softmax", []string{scores}, onnxgen.AttrInt("axis", -1))
		ctx := b.Op("Transpose", []string{b.Op("MatMul", []string{probs, v})}, onnxgen.AttrInts("perm", 0, 2, 1, 3))
		ctx = b.Op("Reshape", []string{ctx, mergeShape})
		attn := addDense(b, p+".o", ctx, l.o)
		x = addLayerNorm(b, p+".attn_norm", b.Op("Add", []string{attn, x}), l.attnNorm)
		up := addDense(b, p+".up", x, l.up)
		erf := b.Op("Erf", []string{b.Op("Mul", []string{up, invSqrt2})})
		gelu := b.Op("Mul", []string{b.Op("Mul", []string{up, half}), b.Op("Add", []string{erf, "const.onef"})})
		down := addDense(b, p+".down", gelu, l.down)
		x = addLayerNorm(b, p+".out_norm", b.Op("Add", []string{down, x}), l.outNorm)
	}
	b.OpTo(g.Hidden, "Identity", []string{x})
	var hidden any = cfg.Hidden
	if g.SymbolicHidden {
		hidden = "hidden"
	}
	inputs := []string{ids, mask}
	if g.TokenTypeIDs != "" {
		inputs = append(inputs, g.TokenTypeIDs)
	}
	for _, in := range inputs {
		b.Input(in, onnxgen.ElemInt64, "batch", "sequence")
	}
	b.Output(g.Hidden, onnxgen.ElemFloat, "batch", "sequence", hidden)
	if g.Pooled != "" {
		b.OpTo(g.Pooled, "Gather", []string{x, "const.zero"}, onnxgen.AttrInt("axis", 1))
		b.Output(g.Pooled, onnxgen.ElemFloat, "batch", hidden)
	}
	return b.Model("bertgen", "aisle-bertgen")
}
