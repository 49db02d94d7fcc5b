package onnx

import (
	"context"
	"errors"
	"image"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aislehq/aisle/image/clip"
	"github.com/aislehq/aisle/onnx/internal/clipgen"
	"github.com/aislehq/aisle/vector"
)

// clipVocab is where make clipvocab installs OpenAI's CLIP vocabulary.
var clipVocab = filepath.Join("..", "lib", "clip", clip.OpenAIVocab)

// smallCLIP is the shape of the models the CLIP tests generate (Vocab is
// the real tokenizer's).
var smallCLIP = clipgen.Config{Context: 77, Width: 24, Embed: 16, ImageSize: 32, Patch: 8, Seed: 5}

// clipLayout says how clipDir lays a model directory out.
type clipLayout struct {
	vision, text string // file names, relative to the directory
	files        map[string]string
}

var (
	openAILayout = clipLayout{vision: "visual.onnx", text: "textual.onnx"}
	hfLayout     = clipLayout{vision: "onnx/vision_model.onnx", text: "onnx/text_model.onnx"}
)

// clipTokenizer loads the real CLIP vocabulary: make test installs it, so
// its absence is a broken setup, not a skip.
func clipTokenizer(tb testing.TB) *clip.Tokenizer {
	tb.Helper()
	tok, err := clip.ReadOpenAI(clipVocab)
	if err != nil {
		tb.Fatalf("%v (run make clipvocab)", err)
	}
	return tok
}

// clipDir writes a generated model pair of shape cfg, written as g says,
// into a new directory laid out as l says beside a link to the real CLIP
// vocabulary, and returns the directory and the model.
func clipDir(tb testing.TB, cfg clipgen.Config, g clipgen.Graph, l clipLayout) (string, *clipgen.Model) {
	tb.Helper()
	requireLibrary(tb)
	cfg.Vocab = clipTokenizer(tb).VocabSize()
	m, err := clipgen.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	for _, f := range []string{l.vision, l.text} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	if err := m.WriteVision(filepath.Join(dir, l.vision), g); err != nil {
		tb.Fatal(err)
	}
	if err := m.WriteText(filepath.Join(dir, l.text), g); err != nil {
		tb.Fatal(err)
	}
	abs, err := filepath.Abs(clipVocab)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, clip.OpenAIVocab)); err != nil {
		tb.Fatal(err)
	}
	for name, data := range l.files {
		writeFile(tb, dir, name, data)
	}
	return dir, m
}

// openCLIP opens dir with cfg and closes it at the end of the test.
func openCLIP(tb testing.TB, dir string, cfg CLIPConfig) *CLIP {
	tb.Helper()
	c, err := OpenCLIP(context.Background(), dir, cfg, nil)
	if err != nil {
		tb.Fatalf("OpenCLIP: %v", err)
	}
	tb.Cleanup(func() {
		if err := c.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return c
}

// shortOr returns n, or short under -short (-race makes decoding the real
// photos slow).
func shortOr(n, short int) int {
	if testing.Short() {
		return short
	}
	return n
}

// unit returns v scaled to unit length, in a copy.
func unit(v []float32) []float32 {
	u := append([]float32(nil), v...)
	vector.Normalize(u)
	return u
}

// TestCLIPMatchesForward checks both towers against the plain-Go forward
// pass of the same weights, on real photos and real product titles, for
// each layout.
func TestCLIPMatchesForward(t *testing.T) {
	imgs := somePhotos(t, shortOr(6, 2))
	texts := append(officeTitles(t, 9), "", "a photo of a cat", strings.Repeat("very long text ", 60))
	for _, tt := range []struct {
		name   string
		g      clipgen.Graph
		layout clipLayout
		prep   clip.ImageConfig
	}{
		{"openai", clipgen.OpenAI, openAILayout, clip.ImageConfig{Size: 32}},
		{"hf with mask and preprocessor config", clipgen.HF, clipLayout{
			vision: hfLayout.vision, text: hfLayout.text,
			files: map[string]string{
				"preprocessor_config.json": `{"size": {"shortest_edge": 40}, "crop_size": {"height": 32, "width": 32}, "resample": 2,
					"image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5]}`,
			},
		}, clip.ImageConfig{Size: 40, CropSize: 32, Resample: clip.Bilinear, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}}},
		{"symbolic widths", func() clipgen.Graph { g := clipgen.HF; g.Symbolic = true; return g }(), openAILayout, clip.ImageConfig{Size: 32}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, m := clipDir(t, smallCLIP, tt.g, tt.layout)
			c := openCLIP(t, dir, CLIPConfig{})
			if c.Dim() != smallCLIP.Embed || c.ImageSize() != 32 || c.ContextLength() != 77 {
				t.Fatalf("Dim, ImageSize, ContextLength = %d, %d, %d, want 16, 32, 77", c.Dim(), c.ImageSize(), c.ContextLength())
			}
			got, err := c.EncodeImages(context.Background(), imgs)
			if err != nil {
				t.Fatal(err)
			}
			prep, err := clip.NewPreprocessor(tt.prep)
			if err != nil {
				t.Fatal(err)
			}
			px := 3 * 32 * 32
			pixels := make([]float32, len(imgs)*px)
			for i, img := range imgs {
				prep.Preprocess(pixels[i*px:(i+1)*px], img)
			}
			want := m.Vision(pixels, len(imgs))
			for i := range imgs {
				if d := maxDiff(t, got[i], unit(want[i])); d > 1e-4 {
					t.Errorf("image %d differs from the forward pass by %g", i, d)
				}
				if n := norm(got[i]); math.Abs(n-1) > 1e-5 {
					t.Errorf("image %d has length %v", i, n)
				}
			}
			gotT, err := c.Encode(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			b := clipTokenizer(t).EncodeBatch(texts, 77)
			mask := b.AttentionMask
			if tt.g.AttentionMask == "" {
				mask = nil
			}
			wantT := m.Text(b.IDs, mask, len(texts))
			for i := range texts {
				if d := maxDiff(t, gotT[i], unit(wantT[i])); d > 1e-4 {
					t.Errorf("text %q differs from the forward pass by %g", texts[i], d)
				}
			}
		})
	}
}

// TestCLIPBatching checks that batches give the vectors one-by-one runs
// give.
func TestCLIPBatching(t *testing.T) {
	dir, _ := clipDir(t, smallCLIP, clipgen.HF, openAILayout)
	batched := openCLIP(t, dir, CLIPConfig{ImageBatchSize: 3, TextBatchSize: 4, Sessions: 2, Threads: 1})
	single := openCLIP(t, dir, CLIPConfig{ImageBatchSize: 1, TextBatchSize: 1, Sessions: 1})
	imgs := somePhotos(t, shortOr(7, 4))
	texts := officeTitles(t, 13)
	got, err := batched.EncodeImages(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	gotT, err := batched.Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range imgs {
		want, err := single.EncodeImages(context.Background(), []image.Image{img})
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(t, got[i], want[0]); d > 1e-6 {
			t.Errorf("image %d: batched differs from alone by %g", i, d)
		}
	}
	for i, text := range texts {
		want, err := single.Encode(context.Background(), []string{text})
		if err != nil {
			t.Fatal(err)
		}
		if d := maxDiff(t, gotT[i], want[0]); d > 1e-6 {
			t.Errorf("text %d: batched differs from alone by %g", i, d)
		}
	}
	if v, err := batched.Encode(context.Background(), nil); err != nil || len(v) != 0 {
		t.Errorf("Encode(nil) = %v, %v, want no vectors", v, err)
	}
	if _, err := batched.EncodeImages(context.Background(), []image.Image{image.NewRGBA(image.Rect(0, 0, 0, 5))}); err == nil {
		t.Error("EncodeImages of an empty image: no error")
	}
}

// TestCLIPConcurrent runs both towers from several goroutines at once (run
// it with -race) and checks every result against a sequential one.
func TestCLIPConcurrent(t *testing.T) {
	dir, _ := clipDir(t, smallCLIP, clipgen.OpenAI, openAILayout)
	c := openCLIP(t, dir, CLIPConfig{Sessions: 2, Threads: 1, ImageBatchSize: 2, TextBatchSize: 3})
	imgs := somePhotos(t, shortOr(4, 2))
	texts := officeTitles(t, 7)
	wantI, err := c.EncodeImages(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	wantT, err := c.Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			for range 3 {
				if g%2 == 0 {
					got, err := c.EncodeImages(context.Background(), imgs)
					if err != nil {
						t.Error(err)
						return
					}
					for i := range got {
						if d := maxDiff(t, got[i], wantI[i]); d > 1e-6 {
							t.Errorf("goroutine %d image %d differs by %g", g, i, d)
						}
					}
					continue
				}
				got, err := c.Encode(context.Background(), texts)
				if err != nil {
					t.Error(err)
					return
				}
				for i := range got {
					if d := maxDiff(t, got[i], wantT[i]); d > 1e-6 {
						t.Errorf("goroutine %d text %d differs by %g", g, i, d)
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestCLIPCancelAndClose(t *testing.T) {
	dir, _ := clipDir(t, smallCLIP, clipgen.OpenAI, openAILayout)
	c, err := OpenCLIP(context.Background(), dir, CLIPConfig{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Encode(ctx, []string{"stapler"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Encode with a cancelled context: %v, want context.Canceled", err)
	}
	photo := somePhotos(t, 1)
	if _, err := c.EncodeImages(ctx, photo); !errors.Is(err, context.Canceled) {
		t.Errorf("EncodeImages with a cancelled context: %v, want context.Canceled", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := c.Encode(context.Background(), []string{"stapler"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Encode after Close: %v, want ErrClosed", err)
	}
	if _, err := c.EncodeImages(context.Background(), photo); !errors.Is(err, ErrClosed) {
		t.Errorf("EncodeImages after Close: %v, want ErrClosed", err)
	}
}

// TestCLIPZeroShot tags with clip.Classifier over the CLIP text tower: a
// text vector of one label's prompt, used as the image, must pick that
// label. (The weights are random, so real photos would pick at random.)
func TestCLIPZeroShot(t *testing.T) {
	dir, _ := clipDir(t, smallCLIP, clipgen.HF, openAILayout)
	c := openCLIP(t, dir, CLIPConfig{})
	sets := []clip.LabelSet{
		{Name: "colour", Labels: []string{"red", "navy blue", "green", "black"}},
		{Name: "category", Labels: []string{"dress", "shoe", "stapler"}},
	}
	cl, err := clip.NewClassifier(context.Background(), c, sets, clip.ZeroShotConfig{Templates: []string{"a photo of a {} product"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sets {
		for _, label := range s.Labels {
			v, err := c.Encode(context.Background(), []string{"a photo of a " + label + " product"})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range cl.Classify(v[0]) {
				if p.Set != s.Name {
					continue
				}
				if p.Labels[0].Label != label || math.Abs(float64(p.Labels[0].Similarity)-1) > 1e-5 {
					t.Errorf("%s prompt: best %s label %+v, want %s at similarity 1", label, s.Name, p.Labels[0], label)
				}
			}
		}
	}
}

func TestOpenCLIPErrors(t *testing.T) {
	requireLibrary(t)
	mustModel := func(cfg clipgen.Config) *clipgen.Model {
		cfg.Vocab = clipTokenizer(t).VocabSize()
		m, err := clipgen.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	good := mustModel(smallCLIP)
	wide := smallCLIP
	wide.TextEmbed = 8
	mismatched := mustModel(wide)
	renamed := clipgen.OpenAI
	renamed.ImageEmbeds, renamed.TextEmbeds = "feature", "sentence"
	badMask := clipgen.HF
	badMask.AttentionMask = "token_type_ids"
	int32IDs := clipgen.OpenAI
	int32IDs.IDsInt32 = true
	vision := func(m *clipgen.Model, g clipgen.Graph) string { return string(m.MarshalVision(g)) }
	text := func(m *clipgen.Model, g clipgen.Graph) string { return string(m.MarshalText(g)) }
	goodV, goodT := vision(good, clipgen.OpenAI), text(good, clipgen.OpenAI)
	tests := []struct {
		name  string
		files map[string]string
		cfg   CLIPConfig
		want  string
	}{
		{"empty dir", nil, CLIPConfig{}, "no visual.onnx or vision_model.onnx"},
		{"no text model", map[string]string{"visual.onnx": goodV}, CLIPConfig{}, "no textual.onnx or text_model.onnx"},
		{"corrupt vision", map[string]string{"visual.onnx": "not onnx", "textual.onnx": goodT}, CLIPConfig{}, "read "},
		{"no tokenizer", map[string]string{"visual.onnx": goodV, "textual.onnx": goodT, "no-vocab": ""}, CLIPConfig{}, "bpe_simple_vocab_16e6.txt"},
		{"other output names", map[string]string{"visual.onnx": vision(good, renamed), "textual.onnx": text(good, renamed)}, CLIPConfig{}, ""},
		{"named output missing", map[string]string{"visual.onnx": goodV, "textual.onnx": goodT}, CLIPConfig{TextOutput: "pooler_output"}, `textual.onnx: model has no output "pooler_output"`},
		{"unknown text input", map[string]string{"visual.onnx": goodV, "textual.onnx": text(good, badMask)}, CLIPConfig{}, `textual.onnx: input "token_type_ids" is not input_ids or attention_mask`},
		{"int32 ids", map[string]string{"visual.onnx": goodV, "textual.onnx": text(good, int32IDs)}, CLIPConfig{}, `textual.onnx: input Tensor "input_ids": [-1 77], ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, want an int64`},
		{"text model as vision", map[string]string{"visual.onnx": goodT, "textual.onnx": goodT}, CLIPConfig{}, `visual.onnx: input Tensor "input_ids"`},
		{"widths differ", map[string]string{"visual.onnx": vision(mismatched, clipgen.OpenAI), "textual.onnx": text(mismatched, clipgen.OpenAI)}, CLIPConfig{}, "image_embeds has 16 floats, textual.onnx output text_embeds has 8"},
		{"context too long", map[string]string{"visual.onnx": goodV, "textual.onnx": goodT}, CLIPConfig{ContextLength: 78}, "context length 78 exceeds the 77 tokens"},
		{"crop mismatch", map[string]string{"visual.onnx": goodV, "textual.onnx": goodT, "preprocessor_config.json": `{"size": 224}`}, CLIPConfig{}, "preprocessor_config.json crops 224×224, visual.onnx input pixel_values takes 32×32"},
		{"bad preprocessor config", map[string]string{"visual.onnx": goodV, "textual.onnx": goodT, "preprocessor_config.json": `{"resample": 0}`}, CLIPConfig{}, "preprocessor_config.json: resample 0"},
		{"negative batch", nil, CLIPConfig{TextBatchSize: -1}, "must not be negative"},
	}
	abs, err := filepath.Abs(clipVocab)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				writeFile(t, dir, name, data)
			}
			if _, noVocab := tt.files["no-vocab"]; !noVocab {
				if err := os.Symlink(abs, filepath.Join(dir, clip.OpenAIVocab)); err != nil {
					t.Fatal(err)
				}
			}
			c, err := OpenCLIP(context.Background(), dir, tt.cfg, nil)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("OpenCLIP: %v", err)
				}
				if err := c.Close(); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				c.Close()
				t.Fatalf("OpenCLIP succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("OpenCLIP: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
