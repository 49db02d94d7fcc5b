// Package clipgen builds small CLIP-signature ONNX models with random
// weights, for testing package onnx's CLIP without CLIP's weights: a vision
// tower (patch embedding by a strided convolution, ReLU, mean over the
// patches, linear projection) from pixel_values [batch, 3, size, size] to
// image_embeds [batch, embed], and a text tower (token plus position
// embeddings, the attention mask applied, a running sum over positions
// standing in for causal attention, tanh, the state at the end of text,
// which is the largest id as in CLIP, linear projection) from
// input_ids [batch, context] (and optionally attention_mask) to
// text_embeds [batch, embed]. Vision and Text compute the same networks in
// plain Go, so a test can check ONNX Runtime's output against them.
package clipgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"

	"github.com/aislehq/aisle/onnx/internal/onnxgen"
)

// Config is the shape of a generated model pair.
type Config struct {
	// Vocab is the number of token embeddings (the tokenizer's VocabSize).
	Vocab int
	// Context is the text length, CLIP's 77.
	Context int
	// Width is the hidden width of both towers.
	Width int
	// Embed is the width of the image embedding and, unless TextEmbed is
	// set, of the text embedding.
	Embed, TextEmbed int
	// ImageSize is the image side; Patch, the patch side, must divide it.
	ImageSize, Patch int
	// Seed seeds the random weights.
	Seed uint64
}

// Graph is how a model is written: its input and output names and how
// they are declared.
type Graph struct {
	PixelValues, ImageEmbeds string
	InputIDs, TextEmbeds     string
	// AttentionMask names the text tower's mask input; empty leaves it out.
	AttentionMask string
	// IDsInt32 declares the ids (and mask) int32 rather than int64.
	IDsInt32 bool
	// Symbolic declares the text length and the embedding widths as
	// symbols rather than numbers, as some exporters do.
	Symbolic bool
}

// OpenAI is the graph of OpenAI CLIP's exports: no attention mask.
var OpenAI = Graph{PixelValues: "pixel_values", ImageEmbeds: "image_embeds", InputIDs: "input_ids", TextEmbeds: "text_embeds"}

// HF is the graph of Hugging Face's CLIPVisionModelWithProjection and
// CLIPTextModelWithProjection exports.
var HF = Graph{PixelValues: "pixel_values", ImageEmbeds: "image_embeds", InputIDs: "input_ids", TextEmbeds: "text_embeds", AttentionMask: "attention_mask"}

// Model is a CLIP-signature model pair with random weights.
type Model struct {
	cfg     Config
	patchW  []float32 // [Width, 3, Patch, Patch]
	patchB  []float32 // [Width]
	visProj []float32 // [Width, Embed]
	tokens  []float32 // [Vocab, Width]
	pos     []float32 // [Context, Width]
	txtProj []float32 // [Width, TextEmbed]
}

// New returns a model pair of shape cfg with random weights drawn from
// cfg.Seed.
func New(cfg Config) (*Model, error) {
	if cfg.TextEmbed == 0 {
		cfg.TextEmbed = cfg.Embed
	}
	if cfg.Vocab <= 0 || cfg.Context <= 0 || cfg.Width <= 0 || cfg.Embed <= 0 || cfg.TextEmbed <= 0 ||
		cfg.Patch <= 0 || cfg.ImageSize <= 0 || cfg.ImageSize%cfg.Patch != 0 {
		return nil, fmt.Errorf("clipgen: bad config %+v", cfg)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x2545f4914f6cdd1d))
	uniform := func(n int, scale float64) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = float32((2*rng.Float64() - 1) * scale)
		}
		return out
	}
	fanIn := 3 * cfg.Patch * cfg.Patch
	return &Model{
		cfg:     cfg,
		patchW:  uniform(cfg.Width*fanIn, 1/math.Sqrt(float64(fanIn))),
		patchB:  uniform(cfg.Width, 0.1),
		visProj: uniform(cfg.Width*cfg.Embed, 1/math.Sqrt(float64(cfg.Width))),
		tokens:  uniform(cfg.Vocab*cfg.Width, 1),
		pos:     uniform(cfg.Context*cfg.Width, 0.5),
		txtProj: uniform(cfg.Width*cfg.TextEmbed, 1/math.Sqrt(float64(cfg.Width))),
	}, nil
}

// WriteVision writes the vision tower as an ONNX file.
func (m *Model) WriteVision(path string, g Graph) error { return write(path, m.MarshalVision(g)) }

// WriteText writes the text tower as an ONNX file.
func (m *Model) WriteText(path string, g Graph) error { return write(path, m.MarshalText(g)) }

func write(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("clipgen: %w", err)
	}
	return nil
}

// dim is n, or the symbol name when g declares symbols.
func (g Graph) dim(n int, name string) any {
	if g.Symbolic {
		return name
	}
	return n
}

// MarshalVision encodes the vision tower as an ONNX ModelProto.
func (m *Model) MarshalVision(g Graph) []byte {
	c := m.cfg
	w, p := int64(c.Width), int64(c.Patch)
	b := &onnxgen.Builder{}
	x := b.Op("Conv", []string{g.PixelValues, b.Floats("patch.weight", m.patchW, w, 3, p, p), b.Floats("patch.bias", m.patchB, w)},
		onnxgen.AttrInts("kernel_shape", p, p), onnxgen.AttrInts("strides", p, p))
	x = b.Op("Relu", []string{x})
	x = b.Op("ReduceMean", []string{x}, onnxgen.AttrInts("axes", 2, 3), onnxgen.AttrInt("keepdims", 0))
	b.OpTo(g.ImageEmbeds, "MatMul", []string{x, b.Floats("visual.proj", m.visProj, w, int64(c.Embed))})
	b.Input(g.PixelValues, onnxgen.ElemFloat, "batch", 3, c.ImageSize, c.ImageSize)
	b.Output(g.ImageEmbeds, onnxgen.ElemFloat, "batch", g.dim(c.Embed, "embed"))
	return b.Model("clipgen-vision", "aisle-clipgen")
}

// MarshalText encodes the text tower as an ONNX ModelProto.
func (m *Model) MarshalText(g Graph) []byte {
	c := m.cfg
	w := int64(c.Width)
	b := &onnxgen.Builder{}
	x := b.Op("Gather", []string{b.Floats("token.embedding", m.tokens, int64(c.Vocab), w), g.InputIDs})
	x = b.Op("Add", []string{x, b.Floats("position.embedding", m.pos, int64(c.Context), w)})
	if g.AttentionMask != "" {
		mask := b.Op("Cast", []string{g.AttentionMask}, onnxgen.AttrInt("to", onnxgen.ElemFloat))
		mask = b.Op("Unsqueeze", []string{mask, b.Ints("const.axis2", []int64{2}, 1)})
		x = b.Op("Mul", []string{x, mask})
	}
	// A running sum over the positions stands in for causal attention: the
	// state at the end of text has seen every token before it.
	x = b.Op("CumSum", []string{x, b.Ints("const.axis1", []int64{1})})
	x = b.Op("Tanh", []string{x})
	eot := b.Op("ArgMax", []string{g.InputIDs}, onnxgen.AttrInt("axis", 1), onnxgen.AttrInt("keepdims", 1))
	x = b.Op("GatherND", []string{x, eot}, onnxgen.AttrInt("batch_dims", 1))
	b.OpTo(g.TextEmbeds, "MatMul", []string{x, b.Floats("text.proj", m.txtProj, w, int64(c.TextEmbed))})
	elem := int64(onnxgen.ElemInt64)
	if g.IDsInt32 {
		elem = onnxgen.ElemInt32
	}
	seq := g.dim(c.Context, "sequence")
	b.Input(g.InputIDs, elem, "batch", seq)
	if g.AttentionMask != "" {
		b.Input(g.AttentionMask, elem, "batch", seq)
	}
	b.Output(g.TextEmbeds, onnxgen.ElemFloat, "batch", g.dim(c.TextEmbed, "embed"))
	return b.Model("clipgen-text", "aisle-clipgen")
}

// Vision computes the vision tower on n images, pixels [n, 3, ImageSize,
// ImageSize], in float64: one unnormalised embedding per image.
func (m *Model) Vision(pixels []float32, n int) [][]float32 {
	c := m.cfg
	s, p := c.ImageSize, c.Patch
	grid := s / p
	out := make([][]float32, n)
	for i := range n {
		img := pixels[i*3*s*s : (i+1)*3*s*s]
		hidden := make([]float64, c.Width)
		for f := range c.Width {
			k := m.patchW[f*3*p*p : (f+1)*3*p*p]
			sum := 0.0
			for gy := range grid {
				for gx := range grid {
					v := float64(m.patchB[f])
					for ch := range 3 {
						for dy := range p {
							for dx := range p {
								v += float64(k[(ch*p+dy)*p+dx]) * float64(img[ch*s*s+(gy*p+dy)*s+gx*p+dx])
							}
						}
					}
					sum += max(v, 0)
				}
			}
			hidden[f] = sum / float64(grid*grid)
		}
		out[i] = project(hidden, m.visProj, c.Embed)
	}
	return out
}

// Text computes the text tower on n rows of ids (and mask, nil when the
// graph has none), each Context long, in float64: one unnormalised
// embedding per row.
func (m *Model) Text(ids, mask []int64, n int) [][]float32 {
	c := m.cfg
	out := make([][]float32, n)
	for r := range n {
		row := ids[r*c.Context : (r+1)*c.Context]
		at := 0 // ArgMax takes the first of equal largest ids
		for t, id := range row {
			if id > row[at] {
				at = t
			}
		}
		hidden := make([]float64, c.Width)
		for t := range at + 1 {
			keep := 1.0
			if mask != nil {
				keep = float64(mask[r*c.Context+t])
			}
			for j := range hidden {
				hidden[j] += keep * (float64(m.tokens[int(row[t])*c.Width+j]) + float64(m.pos[t*c.Width+j]))
			}
		}
		for j, v := range hidden {
			hidden[j] = math.Tanh(v)
		}
		out[r] = project(hidden, m.txtProj, c.TextEmbed)
	}
	return out
}

// project multiplies x by the [len(x), width] matrix w.
func project(x []float64, w []float32, width int) []float32 {
	out := make([]float32, width)
	for j := range out {
		v := 0.0
		for i, xi := range x {
			v += xi * float64(w[i*width+j])
		}
		out[j] = float32(v)
	}
	return out
}
