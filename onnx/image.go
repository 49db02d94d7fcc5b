package onnx

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/aislehq/aisle/vector"
	ort "github.com/yalue/onnxruntime_go"
)

// Defaults applied by OpenImageEncoder to zero-valued ImageConfig fields:
// those of MobileNet v1 0.75 (../shared/models/mobilenet-v1-0.75-224).
const (
	// DefaultImageBatchSize is the default number of images per session run.
	DefaultImageBatchSize = 16
	// DefaultEmbeddingOutput is the default name of the feature output.
	DefaultEmbeddingOutput = "embedding"
	// DefaultProbsOutput is the default name of the class-probability output.
	DefaultProbsOutput = "probs"
	// DefaultTopLabels is the default number of labels per image.
	DefaultTopLabels = 5
)

// ImageConfig configures OpenImageEncoder. The zero value is a valid
// configuration for MobileNet v1 0.75: every field has a documented default.
type ImageConfig struct {
	// Library is the ONNX Runtime shared library; empty means FindLibrary's
	// search ($AISLE_ONNXRUNTIME_LIB, then where make deps installs it).
	Library string
	// Input names the model's image input, a float32 [batch, 3, height,
	// width] tensor of fixed height and width (default: the model's only
	// input).
	Input string
	// EmbeddingOutput names the feature output, float32 [batch, dim]
	// (default "embedding").
	EmbeddingOutput string
	// ProbsOutput names the class-probability output, float32 [batch,
	// classes] (default "probs"). When it is left empty and the model has
	// no "probs" output, Encode returns no labels.
	ProbsOutput string
	// TopLabels is the number of most probable classes Encode returns per
	// image (default 5).
	TopLabels int
	// BatchSize is the number of images per session run (default 16).
	BatchSize int
	// Sessions is the number of ONNX Runtime sessions, each serving one
	// Encode batch at a time (default 1 when GOMAXPROCS is below 4, else 2).
	Sessions int
	// Threads is the intra-op thread count of each session (default
	// GOMAXPROCS divided by Sessions, at least 1). The threads do not
	// spin-wait between runs.
	Threads int
}

// withDefaults fills in the defaults that do not depend on the model.
func (c ImageConfig) withDefaults() (ImageConfig, error) {
	if c.TopLabels < 0 || c.BatchSize < 0 || c.Sessions < 0 || c.Threads < 0 {
		return c, errors.New("onnx: TopLabels, BatchSize, Sessions and Threads must not be negative")
	}
	c.EmbeddingOutput = cmpOr(c.EmbeddingOutput, DefaultEmbeddingOutput)
	c.TopLabels = orDefault(c.TopLabels, DefaultTopLabels)
	c.BatchSize = orDefault(c.BatchSize, DefaultImageBatchSize)
	c.Sessions, c.Threads = poolDefaults(c.Sessions, c.Threads)
	return c, nil
}

// cmpOr returns s when it is not empty, else def.
func cmpOr(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// Label is one class of an image classifier and its probability.
type Label struct {
	// Name is the class's line in labels.txt, or its index when the model
	// directory has none.
	Name string
	// Prob is the model's probability for the class.
	Prob float32
}

// ImageFeatures is what ImageEncoder.Encode finds in one image.
type ImageFeatures struct {
	// Embedding is the image's feature vector, of unit length.
	Embedding []float32
	// Labels are the most probable classes, most probable first; nil when
	// the model has no probability output.
	Labels []Label
}

// ImageEncoder is an image CNN run by ONNX Runtime: it turns images into
// feature vectors and class labels. It is safe for concurrent use: each
// Encode batch runs on one of the pool's sessions, so up to
// ImageConfig.Sessions batches run at once.
type ImageEncoder struct {
	sessionPool
	input     string
	outputs   []string // embedding, then probs when the model has it
	size      int      // the input's height and width
	dim       int
	classes   int // the probability output's width, or 0
	labels    []string
	topLabels int
	batchSize int
}

// OpenImageEncoder loads the image model in dir: model.onnx with one
// float32 [batch, 3, size, size] input and the outputs cfg names, and
// labels.txt (optional; one class name a line, line 1 = class 0). It opens
// cfg.Sessions sessions. The error names the file, input or output at
// fault for a missing or corrupt model, inputs or outputs of another kind,
// a labels.txt whose line count is not the number of classes, or a missing
// ONNX Runtime library (wrapping ErrNoLibrary). Opening does not wait on
// anything ctx could stop; ctx is there for symmetry with OpenTextEncoder.
// logger receives one line when the encoder opens; nil discards it.
func OpenImageEncoder(ctx context.Context, dir string, cfg ImageConfig, logger *slog.Logger) (*ImageEncoder, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	model := filepath.Join(dir, "model.onnx")
	if _, err := os.Stat(model); err != nil {
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	labels, err := readLabels(filepath.Join(dir, "labels.txt"))
	if err != nil {
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	rt, err := OpenRuntime(cfg.Library)
	if err != nil {
		return nil, err
	}
	e := &ImageEncoder{
		sessionPool: newPool(rt),
		labels:      labels,
		topLabels:   cfg.TopLabels,
		batchSize:   cfg.BatchSize,
	}
	if err := e.open(model, cfg); err != nil {
		e.destroy()
		return nil, fmt.Errorf("onnx: open %s: %w", dir, err)
	}
	logger.Info("onnx image encoder open", "dir", dir, "library", rt.Library(),
		"input", e.input, "size", e.size, "outputs", e.outputs, "dim", e.dim, "classes", e.classes,
		"labels", len(labels), "sessions", cfg.Sessions, "threads", cfg.Threads)
	return e, nil
}

// readLabels reads labels.txt, which may be absent (nil, no error).
func readLabels(path string) ([]string, error) {
	data, ok, err := readOptional(path)
	if err != nil || !ok {
		return nil, err
	}
	var labels []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		labels = append(labels, sc.Text())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("labels.txt: %w", err)
	}
	return labels, nil
}

// open checks the model's input and outputs and creates the sessions.
func (e *ImageEncoder) open(model string, cfg ImageConfig) error {
	ins, outs, err := ort.GetInputOutputInfo(model)
	if err != nil {
		return fmt.Errorf("read %s: %w", model, err)
	}
	in, err := pickInfo(ins, cfg.Input, "input")
	if err != nil {
		return err
	}
	if !isFloatTensor(in, 4) || in.Dimensions[1] != 3 || in.Dimensions[2] <= 0 || in.Dimensions[2] != in.Dimensions[3] {
		return fmt.Errorf("model input %s, want a float32 [batch, 3, size, size] tensor of fixed size", in.String())
	}
	e.input, e.size = in.Name, int(in.Dimensions[2])
	emb, err := pickInfo(outs, cfg.EmbeddingOutput, "output")
	if err != nil {
		return err
	}
	if !isFloatTensor(emb, 2) || emb.Dimensions[1] <= 0 {
		return fmt.Errorf("model output %s, want a float32 [batch, dim] tensor", emb.String())
	}
	e.outputs, e.dim = []string{emb.Name}, int(emb.Dimensions[1])
	probsName := cmpOr(cfg.ProbsOutput, DefaultProbsOutput)
	if cfg.ProbsOutput != "" || slices.ContainsFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == probsName }) {
		probs, err := pickInfo(outs, probsName, "output")
		if err != nil {
			return err
		}
		if !isFloatTensor(probs, 2) || probs.Dimensions[1] <= 0 {
			return fmt.Errorf("model output %s, want a float32 [batch, classes] tensor", probs.String())
		}
		e.outputs, e.classes = append(e.outputs, probs.Name), int(probs.Dimensions[1])
	}
	if e.labels != nil && len(e.labels) != e.classes {
		return fmt.Errorf("labels.txt has %d lines, model output %s has %d classes", len(e.labels), probsName, e.classes)
	}
	// The sessions' threads sleep rather than spin between runs, leaving
	// the cores to the decoding and preprocessing around them (12% more
	// images a second in BenchmarkImageEncoder/pipeline on 2 cores).
	noSpin := map[string]string{"session.intra_op.allow_spinning": "0"}
	return e.sessionPool.open(model, []string{e.input}, e.outputs, cfg.Sessions, cfg.Threads, noSpin)
}

// pickInfo returns the input or output (kind) called name, or the only one
// when name is empty.
func pickInfo(infos []ort.InputOutputInfo, name, kind string) (ort.InputOutputInfo, error) {
	if name == "" {
		if len(infos) != 1 {
			return ort.InputOutputInfo{}, fmt.Errorf("model has %d %ss (%s); name the one to use", len(infos), kind, names(infos))
		}
		return infos[0], nil
	}
	i := slices.IndexFunc(infos, func(o ort.InputOutputInfo) bool { return o.Name == name })
	if i < 0 {
		return ort.InputOutputInfo{}, fmt.Errorf("model has no %s %q (%ss: %s)", kind, name, kind, names(infos))
	}
	return infos[i], nil
}

// isFloatTensor reports whether info is a float32 tensor of rank dims.
func isFloatTensor(info ort.InputOutputInfo, dims int) bool {
	return info.OrtValueType == ort.ONNXTypeTensor && info.DataType == ort.TensorElementDataTypeFloat && len(info.Dimensions) == dims
}

// Dim is the length of every embedding Encode returns.
func (e *ImageEncoder) Dim() int { return e.dim }

// Size is the model's input height and width: every image is centre-cropped
// to a square and resized to Size×Size.
func (e *ImageEncoder) Size() int { return e.size }

// Encode returns the features of each image, in order. Each image is
// centre-cropped to its largest square, resized bilinearly to Size×Size
// and scaled to [-1, 1] per RGB channel (x/127.5 − 1). Images run in
// batches of ImageConfig.BatchSize; the batches of one call run on as many
// sessions as are idle. It returns ctx's error when ctx ends first (running
// batches are stopped), ErrClosed after Close, or the runtime's error; an
// empty image is an error.
func (e *ImageEncoder) Encode(ctx context.Context, imgs []image.Image) ([]ImageFeatures, error) {
	for i, img := range imgs {
		if img == nil || img.Bounds().Empty() {
			return nil, fmt.Errorf("onnx: encode: image %d is empty", i)
		}
	}
	out := make([]ImageFeatures, len(imgs))
	batches := (len(imgs) + e.batchSize - 1) / e.batchSize
	err := e.forBatches(ctx, batches, func(ctx context.Context, i int) error {
		start := i * e.batchSize
		end := min(start+e.batchSize, len(imgs))
		return e.encodeBatch(ctx, imgs[start:end], out[start:end])
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// encodeBatch preprocesses and runs one batch, writing its features to
// out. The tensors are made while a session is held, so never after Close.
func (e *ImageEncoder) encodeBatch(ctx context.Context, imgs []image.Image, out []ImageFeatures) error {
	n := len(imgs)
	// Preprocessing runs before a session is taken, on all cores.
	data := preprocessAll(imgs, 3*e.size*e.size, func(dst []float32, img image.Image) { preprocess(dst, img, e.size) })
	s, err := e.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.release(s)
	input, err := ort.NewTensor(ort.NewShape(int64(n), 3, int64(e.size), int64(e.size)), data)
	if err != nil {
		return fmt.Errorf("onnx: encode: input: %w", err)
	}
	defer input.Destroy()
	widths := []int{e.dim, e.classes}
	outputs := make([]ort.Value, len(e.outputs))
	defer func() {
		for _, v := range outputs {
			if v != nil {
				v.Destroy()
			}
		}
	}()
	for i, name := range e.outputs {
		t, err := ort.NewEmptyTensor[float32](ort.NewShape(int64(n), int64(widths[i])))
		if err != nil {
			return fmt.Errorf("onnx: encode: output %s: %w", name, err)
		}
		outputs[i] = t
	}
	if err := e.runStoppable(ctx, s, []ort.Value{input}, outputs); err != nil {
		return fmt.Errorf("onnx: encode: %w", err)
	}
	emb := outputs[0].(*ort.Tensor[float32]).GetData()
	flat := make([]float32, n*e.dim)
	copy(flat, emb)
	var probs []float32
	if e.classes > 0 {
		probs = outputs[1].(*ort.Tensor[float32]).GetData()
	}
	for i := range out {
		v := flat[i*e.dim : (i+1)*e.dim : (i+1)*e.dim]
		vector.Normalize(v)
		out[i].Embedding = v
		if e.classes > 0 {
			out[i].Labels = e.top(probs[i*e.classes : (i+1)*e.classes])
		}
	}
	return nil
}

// top returns the TopLabels most probable classes of probs, most probable
// first (ties by class index).
func (e *ImageEncoder) top(probs []float32) []Label {
	idx := make([]int, 0, e.topLabels+1)
	for c, p := range probs {
		pos, _ := slices.BinarySearchFunc(idx, p, func(j int, p float32) int {
			if probs[j] >= p {
				return -1
			}
			return 1
		})
		if pos < e.topLabels {
			idx = slices.Insert(idx, pos, c)
			if len(idx) > e.topLabels {
				idx = idx[:e.topLabels]
			}
		}
	}
	labels := make([]Label, len(idx))
	for i, c := range idx {
		name := strconv.Itoa(c)
		if e.labels != nil {
			name = e.labels[c]
		}
		labels[i] = Label{Name: name, Prob: probs[c]}
	}
	return labels
}

// Close waits for running batches, then releases the sessions and the
// runtime reference. Encode returns ErrClosed afterwards. Calling Close
// again returns the first call's result.
func (e *ImageEncoder) Close() error { return e.close() }
