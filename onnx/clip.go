package onnx

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/clip"
	"github.com/aislehq/aisle/vector"
	ort "github.com/yalue/onnxruntime_go"
)

// The names CLIP models give their inputs and outputs.
const (
	clipPixels      = "pixel_values"
	clipImageEmbeds = "image_embeds"
	clipTextEmbeds  = "text_embeds"
)

// Defaults applied by OpenCLIP to zero-valued CLIPConfig fields.
const (
	// DefaultCLIPImageBatchSize is the default number of images per run.
	DefaultCLIPImageBatchSize = 16
	// DefaultCLIPTextBatchSize is the default number of texts per run.
	DefaultCLIPTextBatchSize = 32
)

// CLIPConfig configures OpenCLIP. The zero value is a valid configuration:
// every field has a documented default.
type CLIPConfig struct {
	// Library is the ONNX Runtime shared library; empty means FindLibrary's
	// search ($AISLE_ONNXRUNTIME_LIB, then where make deps installs it).
	Library string
	// ImageOutput names the vision tower's embedding output, float32
	// [batch, dim] (default image_embeds, or the model's only output).
	ImageOutput string
	// TextOutput names the text tower's embedding output, float32 [batch,
	// dim] (default text_embeds, or the model's only output).
	TextOutput string
	// ContextLength is the token length every text is padded or cut to
	// (default: the length the text model's input_ids declares, else
	// clip.DefaultContextLength, 77). It may not exceed a declared length.
	ContextLength int
	// ImageBatchSize is the number of images per session run (default 16).
	ImageBatchSize int
	// TextBatchSize is the number of texts per session run (default 32).
	TextBatchSize int
	// Sessions is the number of ONNX Runtime sessions of each tower, each
	// serving one batch at a time (default 1 when GOMAXPROCS is below 4,
	// else 2).
	Sessions int
	// Threads is the intra-op thread count of each session (default
	// GOMAXPROCS divided by Sessions, at least 1). The threads do not
	// spin-wait between runs.
	Threads int
}

// withDefaults fills in the defaults that do not depend on the model.
func (c CLIPConfig) withDefaults() (CLIPConfig, error) {
	if c.ContextLength < 0 || c.ImageBatchSize < 0 || c.TextBatchSize < 0 || c.Sessions < 0 || c.Threads < 0 {
		return c, errors.New("onnx: ContextLength, ImageBatchSize, TextBatchSize, Sessions and Threads must not be negative")
	}
	if c.ContextLength == 1 {
		return c, errors.New("onnx: ContextLength must hold the start and end of text (at least 2)")
	}
	c.ImageBatchSize = orDefault(c.ImageBatchSize, DefaultCLIPImageBatchSize)
	c.TextBatchSize = orDefault(c.TextBatchSize, DefaultCLIPTextBatchSize)
	c.Sessions, c.Threads = poolDefaults(c.Sessions, c.Threads)
	return c, nil
}

var _ aisle.TextEncoder = (*CLIP)(nil)

// CLIP is a CLIP-style dual encoder run by ONNX Runtime: a vision tower and
// a text tower that embed images and texts in one space, so that a text's
// vector finds the images it describes (text-to-image search) and label
// prompts tag images (clip.Classifier). It is an aisle.TextEncoder. It is
// safe for concurrent use: each tower has its own pool of sessions.
type CLIP struct {
	vision, text  sessionPool
	tok           *clip.Tokenizer
	prep          *clip.Preprocessor
	pixelInput    string
	imageOutput   string
	textInputs    []string // the text model's inputs, in the session's order
	textOutput    string
	size          int // the image side
	contextLength int
	dim           int
	imageBatch    int
	textBatch     int
}

// clipFiles are the model files a CLIP directory may hold, per tower, in
// the order OpenCLIP looks for them.
var clipFiles = [2][]string{
	{"visual.onnx", "vision_model.onnx"},
	{"textual.onnx", "text_model.onnx"},
}

// findModel returns the first of names in dir or dir/onnx.
func findModel(dir string, names []string) (string, error) {
	for _, sub := range []string{"", "onnx"} {
		for _, n := range names {
			p := filepath.Join(dir, sub, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("no %s or %s (nor under onnx/) in %s", names[0], names[1], dir)
}

// OpenCLIP loads the CLIP model in dir: the vision tower visual.onnx (or
// vision_model.onnx), with a float32 pixel_values [batch, 3, size, size]
// input and an image_embeds [batch, dim] output; the text tower
// textual.onnx (or text_model.onnx), with an int64 input_ids [batch,
// context] input, optionally attention_mask of the same shape, and a
// text_embeds [batch, dim] output (either file also under onnx/, as
// Hugging Face repositories ship them; an output other than the default
// names needs CLIPConfig.ImageOutput or TextOutput unless it is the only
// one); the tokenizer (see clip.Load: tokenizer.json, vocab.json and
// merges.txt, or bpe_simple_vocab_16e6.txt); and preprocessor_config.json
// when present (see clip.ParsePreprocessorConfig; without it, OpenAI's
// preprocessing at the model's input size). It opens cfg.Sessions sessions
// per tower. The error names the file, input or output at fault for a
// missing or corrupt file, inputs or outputs of another kind or shape,
// towers whose embeddings differ in width, or a missing ONNX Runtime
// library (wrapping ErrNoLibrary). logger receives one line when the
// model opens; nil discards it.
func OpenCLIP(ctx context.Context, dir string, cfg CLIPConfig, logger *slog.Logger) (*CLIP, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var models [2]string
	for i, names := range clipFiles {
		if models[i], err = findModel(dir, names); err != nil {
			return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
		}
	}
	tok, err := clip.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	var prepCfg *clip.ImageConfig
	if data, ok, err := readOptional(filepath.Join(dir, "preprocessor_config.json")); err != nil {
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	} else if ok {
		pc, err := clip.ParsePreprocessorConfig(data)
		if err != nil {
			return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
		}
		prepCfg = &pc
	}
	var rts [2]*Runtime
	for i := range rts {
		if rts[i], err = OpenRuntime(cfg.Library); err != nil {
			if i > 0 {
				rts[0].Close()
			}
			return nil, err
		}
	}
	c := &CLIP{
		vision:     newPool(rts[0]),
		text:       newPool(rts[1]),
		tok:        tok,
		imageBatch: cfg.ImageBatchSize,
		textBatch:  cfg.TextBatchSize,
	}
	if err := c.open(ctx, models, prepCfg, cfg); err != nil {
		c.vision.destroy()
		c.text.destroy()
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	logger.Info("onnx clip open", "dir", dir, "vision", models[0], "text", models[1], "library", rts[0].Library(),
		"size", c.size, "context_length", c.contextLength, "text_inputs", c.textInputs, "dim", c.dim,
		"sessions", cfg.Sessions, "threads", cfg.Threads)
	return c, nil
}

// open checks both towers' inputs and outputs and creates the sessions.
func (c *CLIP) open(ctx context.Context, models [2]string, prepCfg *clip.ImageConfig, cfg CLIPConfig) error {
	imageDim, err := c.openVision(models[0], prepCfg, cfg)
	if err != nil {
		return err
	}
	textDim, err := c.openText(models[1], cfg)
	if err != nil {
		return err
	}
	if imageDim <= 0 {
		// The width is symbolic: learn it from one run.
		blank := image.NewRGBA(image.Rect(0, 0, 1, 1))
		vecs, err := c.encodeImageBatch(ctx, []image.Image{blank}, -1)
		if err != nil {
			return fmt.Errorf("probe %s width: %w", c.imageOutput, err)
		}
		imageDim = len(vecs[0])
	}
	if textDim <= 0 {
		vecs, err := c.encodeTextBatch(ctx, []string{""}, -1)
		if err != nil {
			return fmt.Errorf("probe %s width: %w", c.textOutput, err)
		}
		textDim = len(vecs[0])
	}
	if imageDim != textDim {
		return fmt.Errorf("%s output %s has %d floats, %s output %s has %d: not one embedding space",
			filepath.Base(models[0]), c.imageOutput, imageDim, filepath.Base(models[1]), c.textOutput, textDim)
	}
	c.dim = imageDim
	return nil
}

// openVision checks the vision tower and opens its sessions. It returns
// the embedding width, or -1 when the model leaves it symbolic.
func (c *CLIP) openVision(model string, prepCfg *clip.ImageConfig, cfg CLIPConfig) (int, error) {
	file := filepath.Base(model)
	ins, outs, err := ort.GetInputOutputInfo(model)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", model, err)
	}
	name := ""
	if slices.ContainsFunc(ins, func(i ort.InputOutputInfo) bool { return i.Name == clipPixels }) || len(ins) != 1 {
		name = clipPixels
	}
	in, err := pickInfo(ins, name, "input")
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	d := in.Dimensions
	if !isFloatTensor(in, 4) || d[1] != 3 || d[2] != d[3] {
		return 0, fmt.Errorf("%s: input %s, want a float32 [batch, 3, size, size] tensor", file, in.String())
	}
	c.pixelInput, c.size = in.Name, int(d[2])
	var pc clip.ImageConfig
	switch {
	case prepCfg != nil:
		pc = *prepCfg
		if side := orDefault(pc.CropSize, pc.Size); c.size > 0 && side != c.size {
			return 0, fmt.Errorf("preprocessor_config.json crops %d×%d, %s input %s takes %d×%d", side, side, file, in.Name, c.size, c.size)
		}
	case c.size > 0:
		pc = clip.ImageConfig{Size: c.size}
	}
	if c.prep, err = clip.NewPreprocessor(pc); err != nil {
		return 0, fmt.Errorf("preprocessor_config.json: %w", err)
	}
	c.size = c.prep.Side()
	out, err := pickEmbedding(outs, cfg.ImageOutput, clipImageEmbeds)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	c.imageOutput = out.Name
	noSpin := map[string]string{"session.intra_op.allow_spinning": "0"}
	if err := c.vision.open(model, []string{c.pixelInput}, []string{c.imageOutput}, cfg.Sessions, cfg.Threads, noSpin); err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	return int(out.Dimensions[1]), nil
}

// openText checks the text tower and opens its sessions. It returns the
// embedding width, or -1 when the model leaves it symbolic.
func (c *CLIP) openText(model string, cfg CLIPConfig) (int, error) {
	file := filepath.Base(model)
	ins, outs, err := ort.GetInputOutputInfo(model)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", model, err)
	}
	declared := int64(-1)
	for _, in := range ins {
		if in.Name != inputIDs && in.Name != inputMask {
			return 0, fmt.Errorf("%s: input %q is not %s or %s", file, in.Name, inputIDs, inputMask)
		}
		if in.OrtValueType != ort.ONNXTypeTensor || in.DataType != ort.TensorElementDataTypeInt64 || len(in.Dimensions) != 2 {
			return 0, fmt.Errorf("%s: input %s, want an int64 [batch, context] tensor", file, in.String())
		}
		if n := in.Dimensions[1]; n > 0 {
			if declared > 0 && n != declared {
				return 0, fmt.Errorf("%s: inputs of %d and %d tokens", file, declared, n)
			}
			declared = n
		}
		c.textInputs = append(c.textInputs, in.Name)
	}
	if !slices.Contains(c.textInputs, inputIDs) {
		return 0, fmt.Errorf("%s: no %s input (inputs: %s)", file, inputIDs, names(ins))
	}
	switch {
	case cfg.ContextLength == 0 && declared > 0:
		c.contextLength = int(declared)
	case cfg.ContextLength == 0:
		c.contextLength = clip.DefaultContextLength
	case declared > 0 && int64(cfg.ContextLength) > declared:
		return 0, fmt.Errorf("context length %d exceeds the %d tokens %s input %s takes", cfg.ContextLength, declared, file, inputIDs)
	default:
		c.contextLength = cfg.ContextLength
	}
	out, err := pickEmbedding(outs, cfg.TextOutput, clipTextEmbeds)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	c.textOutput = out.Name
	if err := c.text.open(model, c.textInputs, []string{c.textOutput}, cfg.Sessions, cfg.Threads, nil); err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	return int(out.Dimensions[1]), nil
}

// pickEmbedding returns the output called name, else def when the model
// has it, else the only output; it must be a float32 [batch, dim] tensor.
func pickEmbedding(outs []ort.InputOutputInfo, name, def string) (ort.InputOutputInfo, error) {
	if name == "" && (len(outs) != 1 || slices.ContainsFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == def })) {
		name = def
	}
	out, err := pickInfo(outs, name, "output")
	if err != nil {
		return out, err
	}
	if !isFloatTensor(out, 2) {
		return out, fmt.Errorf("output %s, want a float32 [batch, dim] tensor", out.String())
	}
	return out, nil
}

// Dim is the length of every vector EncodeImages and Encode return.
func (c *CLIP) Dim() int { return c.dim }

// ImageSize is the side of the square images the vision tower takes.
func (c *CLIP) ImageSize() int { return c.size }

// ContextLength is the number of tokens every text is padded or cut to.
func (c *CLIP) ContextLength() int { return c.contextLength }

// EncodeImages returns one unit vector per image, in order. Each image is
// preprocessed as clip.Preprocessor.Preprocess says (by
// preprocessor_config.json, else OpenAI's way). Images run in batches of
// CLIPConfig.ImageBatchSize; the batches of one call run on as many
// sessions as are idle. It returns ctx's error when ctx ends first
// (running batches are stopped), ErrClosed after Close, or the runtime's
// error; an empty image is an error.
func (c *CLIP) EncodeImages(ctx context.Context, imgs []image.Image) ([][]float32, error) {
	for i, img := range imgs {
		if img == nil || img.Bounds().Empty() {
			return nil, fmt.Errorf("onnx: encode images: image %d is empty", i)
		}
	}
	out := make([][]float32, len(imgs))
	batches := (len(imgs) + c.imageBatch - 1) / c.imageBatch
	err := c.vision.forBatches(ctx, batches, func(ctx context.Context, i int) error {
		start := i * c.imageBatch
		end := min(start+c.imageBatch, len(imgs))
		vecs, err := c.encodeImageBatch(ctx, imgs[start:end], c.dim)
		copy(out[start:end], vecs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encodeImageBatch preprocesses and runs one batch of images; dim is the
// output width, or -1 to let ONNX Runtime allocate the output.
func (c *CLIP) encodeImageBatch(ctx context.Context, imgs []image.Image, dim int) ([][]float32, error) {
	n := len(imgs)
	// Preprocessing runs before a session is taken, on all cores.
	data := preprocessAll(imgs, 3*c.size*c.size, c.prep.Preprocess)
	s, err := c.vision.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer c.vision.release(s)
	input, err := ort.NewTensor(ort.NewShape(int64(n), 3, int64(c.size), int64(c.size)), data)
	if err != nil {
		return nil, fmt.Errorf("onnx: encode images: input %s: %w", c.pixelInput, err)
	}
	defer input.Destroy()
	vecs, err := c.runEmbedding(ctx, &c.vision, s, []ort.Value{input}, c.imageOutput, n, dim)
	if err != nil {
		return nil, fmt.Errorf("onnx: encode images: %w", err)
	}
	return vecs, nil
}

// Encode returns one unit vector per text, in order, in the space of the
// image vectors. Each text is tokenized by CLIP's tokenizer and padded or
// cut to ContextLength tokens (the end of text kept). Texts run in batches
// of CLIPConfig.TextBatchSize; the batches of one call run on as many
// sessions as are idle. It returns ctx's error when ctx ends first
// (running batches are stopped), ErrClosed after Close, or the runtime's
// error.
func (c *CLIP) Encode(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	batches := (len(texts) + c.textBatch - 1) / c.textBatch
	err := c.text.forBatches(ctx, batches, func(ctx context.Context, i int) error {
		start := i * c.textBatch
		end := min(start+c.textBatch, len(texts))
		vecs, err := c.encodeTextBatch(ctx, texts[start:end], c.dim)
		copy(out[start:end], vecs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encodeTextBatch tokenizes and runs one batch of texts; dim is the output
// width, or -1 to let ONNX Runtime allocate the output.
func (c *CLIP) encodeTextBatch(ctx context.Context, texts []string, dim int) ([][]float32, error) {
	b := c.tok.EncodeBatch(texts, c.contextLength)
	s, err := c.text.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer c.text.release(s)
	shape := ort.NewShape(int64(b.Rows), int64(b.Cols))
	inputs := make([]ort.Value, len(c.textInputs))
	defer func() {
		for _, v := range inputs {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	for i, name := range c.textInputs {
		data := b.IDs
		if name == inputMask {
			data = b.AttentionMask
		}
		t, err := ort.NewTensor(shape, data)
		if err != nil {
			return nil, fmt.Errorf("onnx: encode: input %s: %w", name, err)
		}
		inputs[i] = t
	}
	vecs, err := c.runEmbedding(ctx, &c.text, s, inputs, c.textOutput, b.Rows, dim)
	if err != nil {
		return nil, fmt.Errorf("onnx: encode: %w", err)
	}
	return vecs, nil
}

// runEmbedding runs session s of pool p on inputs and returns the rows of
// its [rows, dim] output, each scaled to unit length. A negative dim lets
// ONNX Runtime allocate the output, of whatever width. The run is
// terminated if ctx ends.
func (c *CLIP) runEmbedding(ctx context.Context, p *sessionPool, s *session, inputs []ort.Value, output string, rows, dim int) ([][]float32, error) {
	outputs := []ort.Value{nil}
	if dim > 0 {
		t, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(rows), int64(dim)))
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", output, err)
		}
		outputs[0] = t
	}
	defer func() {
		if outputs[0] != nil {
			outputs[0].Destroy()
		}
	}()
	if err := p.runStoppable(ctx, s, inputs, outputs); err != nil {
		return nil, err
	}
	t, ok := outputs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("output %s is not a float32 tensor", output)
	}
	shape := t.GetShape()
	if len(shape) != 2 || shape[0] != int64(rows) || shape[1] <= 0 {
		return nil, fmt.Errorf("output %s has shape %v, want [%d, dim]", output, shape, rows)
	}
	width := int(shape[1])
	flat := make([]float32, rows*width)
	copy(flat, t.GetData())
	out := make([][]float32, rows)
	for i := range out {
		v := flat[i*width : (i+1)*width : (i+1)*width]
		vector.Normalize(v)
		out[i] = v
	}
	return out, nil
}

// Close waits for running batches, then releases both towers' sessions and
// runtime references. EncodeImages and Encode return ErrClosed
// afterwards. Calling Close again returns the first call's result.
func (c *CLIP) Close() error {
	return errors.Join(c.vision.close(), c.text.close())
}
