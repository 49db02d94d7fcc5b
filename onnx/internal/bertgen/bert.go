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

// builder accumulates a graph's nodes and initializers.
type builder struct {
	nodes, inits []msg
	n            int
}

// op adds a node and returns the name of its single output.
func (b *builder) op(opType string, inputs []string, attrs ...attribute) string {
	b.n++
	out := opType + "_" + strconv.Itoa(b.n)
	b.opTo(out, opType, inputs, attrs...)
	return out
}

// opTo adds a node whose output has the given name.
func (b *builder) opTo(out, opType string, inputs []string, attrs ...attribute) {
	n := msg(nil)
	for _, in := range inputs {
		n = n.str(nodeInput, in)
	}
	n = n.str(nodeOutput, out).str(nodeName, out).str(nodeOpType, opType)
	for _, a := range attrs {
		n = n.bytes(nodeAttribute, a)
	}
	b.nodes = append(b.nodes, n)
}

func (b *builder) floats(name string, data []float32, dims ...int64) string {
	b.inits = append(b.inits, tensorProto(name, elemFloat, dims, float32Raw(data)))
	return name
}

func (b *builder) ints(name string, data []int64, dims ...int64) string {
	b.inits = append(b.inits, tensorProto(name, elemInt64, dims, int64Raw(data)))
	return name
}

func (b *builder) dense(name string, x string, d dense) string {
	w := b.floats(name+".weight", d.w, int64(d.in), int64(d.out))
	bias := b.floats(name+".bias", d.b, int64(d.out))
	return b.op("Add", []string{b.op("MatMul", []string{x, w}), bias})
}

func (b *builder) layerNorm(name, x string, ln layerNorm) string {
	g := b.floats(name+".gamma", ln.gamma, int64(len(ln.gamma)))
	beta := b.floats(name+".beta", ln.beta, int64(len(ln.beta)))
	return b.op("LayerNormalization", []string{x, g, beta}, attrFloat32("epsilon", lnEpsilon), attrInt64("axis", -1))
}

// Marshal encodes the model as an ONNX ModelProto with the given g.
func (m *Model) Marshal(g Graph) []byte {
	cfg := m.cfg
	h, heads := int64(cfg.Hidden), int64(cfg.Heads)
	b := &builder{}
	ids, mask := g.InputIDs, g.AttentionMask

	// Embeddings: word + position (0..seq-1) + token type, then LayerNorm.
	// const.zero and const.one are int64 scalars.
	word := b.op("Gather", []string{b.floats("embeddings.word", m.word, int64(cfg.Vocab), h), ids})
	seqLen := b.op("Gather", []string{b.op("Shape", []string{ids}), b.ints("const.one", []int64{1})}, attrInt64("axis", 0))
	positions := b.op("Range", []string{b.ints("const.zero", []int64{0}), seqLen, "const.one"})
	pos := b.op("Gather", []string{b.floats("embeddings.position", m.position, int64(cfg.MaxPositions), h), positions})
	var typ string
	if g.TokenTypeIDs != "" {
		typ = b.op("Gather", []string{b.floats("embeddings.token_type", m.types, 2, h), g.TokenTypeIDs})
	} else {
		typ = b.floats("embeddings.token_type0", m.types[:cfg.Hidden], h)
	}
	x := b.op("Add", []string{b.op("Add", []string{word, pos}), typ})
	x = b.layerNorm("embeddings.norm", x, m.embNorm)

	// The attention bias: 0 on tokens, maskBias on padding, [batch,1,1,seq].
	maskF := b.op("Cast", []string{mask}, attrInt64("to", elemFloat))
	inv := b.op("Sub", []string{b.floats("const.onef", []float32{1}), maskF})
	bias := b.op("Mul", []string{inv, b.floats("const.maskbias", []float32{maskBias})})
	bias = b.op("Unsqueeze", []string{bias, b.ints("const.axes12", []int64{1, 2}, 2)})

	splitShape := b.ints("const.split", []int64{0, 0, heads, h / heads}, 4)
	mergeShape := b.ints("const.merge", []int64{0, 0, h}, 3)
	scale := b.floats("const.scale", []float32{float32(1 / math.Sqrt(float64(h/heads)))})
	half := b.floats("const.half", []float32{0.5})
	invSqrt2 := b.floats("const.invsqrt2", []float32{float32(1 / math.Sqrt2)})
	heads4 := func(t string, perm ...int64) string {
		return b.op("Transpose", []string{b.op("Reshape", []string{t, splitShape})}, attrInt64s("perm", perm...))
	}
	for i, l := range m.layers {
		p := "layer" + strconv.Itoa(i)
		q := heads4(b.dense(p+".q", x, l.q), 0, 2, 1, 3)
		k := heads4(b.dense(p+".k", x, l.k), 0, 2, 3, 1)
		v := heads4(b.dense(p+".v", x, l.v), 0, 2, 1, 3)
		scores := b.op("Add", []string{b.op("Mul", []string{b.op("MatMul", []string{q, k}), scale}), bias})
		probs := b.op("Softmax", []string{scores}, attrInt64("axis", -1))
		ctx := b.op("Transpose", []string{b.op("MatMul", []string{probs, v})}, attrInt64s("perm", 0, 2, 1, 3))
		ctx = b.op("Reshape", []string{ctx, mergeShape})
		attn := b.dense(p+".o", ctx, l.o)
		x = b.layerNorm(p+".attn_norm", b.op("Add", []string{attn, x}), l.attnNorm)
		up := b.dense(p+".up", x, l.up)
		erf := b.op("Erf", []string{b.op("Mul", []string{up, invSqrt2})})
		gelu := b.op("Mul", []string{b.op("Mul", []string{up, half}), b.op("Add", []string{erf, "const.onef"})})
		down := b.dense(p+".down", gelu, l.down)
		x = b.layerNorm(p+".out_norm", b.op("Add", []string{down, x}), l.outNorm)
	}
	b.opTo(g.Hidden, "Identity", []string{x})
	var hidden any = cfg.Hidden
	if g.SymbolicHidden {
		hidden = "hidden"
	}
	outputs := []msg{valueInfo(g.Hidden, elemFloat, "batch", "sequence", hidden)}
	if g.Pooled != "" {
		b.opTo(g.Pooled, "Gather", []string{x, "const.zero"}, attrInt64("axis", 1))
		outputs = append(outputs, valueInfo(g.Pooled, elemFloat, "batch", hidden))
	}

	gm := msg(nil).str(graphName, "bertgen")
	for _, n := range b.nodes {
		gm = gm.bytes(graphNode, n)
	}
	for _, t := range b.inits {
		gm = gm.bytes(graphInitializer, t)
	}
	inputs := []string{ids, mask}
	if g.TokenTypeIDs != "" {
		inputs = append(inputs, g.TokenTypeIDs)
	}
	for _, in := range inputs {
		gm = gm.bytes(graphInput, valueInfo(in, elemInt64, "batch", "sequence"))
	}
	for _, out := range outputs {
		gm = gm.bytes(graphOutput, out)
	}
	opset := msg(nil).varint(opsetVersion, opsetImported)
	return msg(nil).varint(modelIRVersion, irVersion).str(modelProducer, "aisle-bertgen").
		bytes(modelGraph, gm).bytes(modelOpsetImport, opset)
}
