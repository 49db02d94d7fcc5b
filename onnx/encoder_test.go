package onnx

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aislehq/aisle/onnx/internal/bertgen"
)

// longText is a real Office description, far longer than any title.
const longText = "VISUAL RING INDICATOR RAISED KEYS WITH BRAILLE KEYPAD 13-NUMBER MEMORY SPEAKERPHONE WITH LED INDICATOR & VOLUME CONTROL POWER FAILURE PROTECTION TONE/PULSE DIALING HEARING AID COMPATIBLE (HAC) ADJUSTABLE RINGER VOLUME"

func TestMatchesReferenceForwardPass(t *testing.T) {
	dir, model := modelDir(t, smallBERT, bertgen.Standard)
	texts := append(officeTitles(t, 5), "", longText)
	for _, pooling := range []Pooling{PoolMean, PoolCLS} {
		t.Run(string(pooling), func(t *testing.T) {
			e := openEncoder(t, dir, TextConfig{Pooling: pooling, NoNormalize: true})
			got, err := e.Encode(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			b := e.tok.EncodeBatch(texts, e.MaxLength())
			hidden := model.Forward(b.IDs, b.AttentionMask, b.TypeIDs, b.Rows, b.Cols)
			h := smallBERT.Hidden
			for r := range b.Rows {
				want := make([]float32, h)
				n := 0
				for c := range b.Cols {
					if b.AttentionMask[r*b.Cols+c] == 0 || (pooling == PoolCLS && c > 0) {
						continue
					}
					n++
					for j := range want {
						want[j] += hidden[(r*b.Cols+c)*h+j]
					}
				}
				for j := range want {
					want[j] /= float32(n)
				}
				if d := maxDiff(t, got[r], want); d > 1e-4 {
					t.Errorf("text %d (%q): max difference from the Go forward pass %g", r, texts[r], d)
				}
			}
		})
	}
}

func TestEncodeShapesAndNormalisation(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	e := openEncoder(t, dir, TextConfig{})
	if e.Dim() != smallBERT.Hidden {
		t.Fatalf("Dim() = %d, want %d", e.Dim(), smallBERT.Hidden)
	}
	if e.MaxLength() != 256 {
		t.Errorf("MaxLength() = %d, want 256 (no sentence_bert_config.json)", e.MaxLength())
	}
	tests := []struct {
		name  string
		texts []string
	}{
		{"none", nil},
		{"one", []string{"stapler"}},
		{"empty and odd texts", []string{"", "   ", "订书机", "🙂", strings.Repeat("paper clips ", 400)}},
		{"real titles", officeTitles(t, 40)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.Encode(context.Background(), tt.texts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.texts) {
				t.Fatalf("%d vectors, want %d", len(got), len(tt.texts))
			}
			for i, v := range got {
				if len(v) != e.Dim() {
					t.Fatalf("vector %d has %d floats, want %d", i, len(v), e.Dim())
				}
				if n := norm(v); math.Abs(n-1) > 1e-5 {
					t.Errorf("vector %d has length %g, want 1", i, n)
				}
			}
		})
	}
}

func TestPaddingIsMasked(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	for _, pooling := range []Pooling{PoolMean, PoolCLS} {
		t.Run(string(pooling), func(t *testing.T) {
			e := openEncoder(t, dir, TextConfig{Pooling: pooling})
			alone, err := e.Encode(context.Background(), []string{"stapler"})
			if err != nil {
				t.Fatal(err)
			}
			padded, err := e.Encode(context.Background(), []string{longText, "stapler", longText + longText})
			if err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(t, alone[0], padded[1]); d > 1e-5 {
				t.Errorf("padding changed the vector by %g", d)
			}
		})
	}
}

func TestBatchingAndDeterminism(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	texts := officeTitles(t, 17)
	ctx := context.Background()
	one := openEncoder(t, dir, TextConfig{BatchSize: 1})
	var want [][]float32
	for _, text := range texts {
		v, err := one.Encode(ctx, []string{text})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, v[0])
	}
	for _, cfg := range []TextConfig{
		{BatchSize: 5, Sessions: 1},
		{BatchSize: 17, Sessions: 1},
		{BatchSize: 32, Sessions: 1},
		{BatchSize: 3, Sessions: 3, Threads: 1}, // batches run in parallel
	} {
		e := openEncoder(t, dir, cfg)
		for run := range 2 {
			got, err := e.Encode(ctx, texts)
			if err != nil {
				t.Fatal(err)
			}
			for i := range texts {
				if d := maxDiff(t, got[i], want[i]); d > 1e-5 {
					t.Errorf("batch size %d, %d sessions, run %d, text %d: differs from one by one by %g", cfg.BatchSize, cfg.Sessions, run, i, d)
				}
			}
		}
	}
	again, err := one.Encode(ctx, texts[:1])
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, again[0], want[0]); d != 0 {
		t.Errorf("the same text encoded twice differs by %g", d)
	}
}

func TestPoolingsDiffer(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	texts := officeTitles(t, 3)
	mean, err := openEncoder(t, dir, TextConfig{Pooling: PoolMean}).Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	cls, err := openEncoder(t, dir, TextConfig{Pooling: PoolCLS}).Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if d := maxDiff(t, mean[i], cls[i]); d < 1e-3 {
			t.Errorf("text %d: mean and cls pooling differ by only %g", i, d)
		}
	}
}

func TestPooledOutput(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	texts := append(officeTitles(t, 6), longText)
	pooled := openEncoder(t, dir, TextConfig{Output: "sentence_embedding"})
	if pooled.Dim() != smallBERT.Hidden {
		t.Fatalf("Dim() = %d, want %d", pooled.Dim(), smallBERT.Hidden)
	}
	got, err := pooled.Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	// The generated sentence_embedding is the [CLS] hidden state.
	want, err := openEncoder(t, dir, TextConfig{Pooling: PoolCLS}).Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if d := maxDiff(t, got[i], want[i]); d > 1e-6 {
			t.Errorf("text %d: pooled output differs from cls pooling by %g", i, d)
		}
	}
}

func TestSymbolicHiddenSize(t *testing.T) {
	g := bertgen.Standard
	g.SymbolicHidden = true
	dir, _ := modelDir(t, smallBERT, g)
	texts := officeTitles(t, 3)
	for _, output := range []string{"last_hidden_state", "sentence_embedding"} {
		t.Run(output, func(t *testing.T) {
			e := openEncoder(t, dir, TextConfig{Output: output})
			if e.Dim() != smallBERT.Hidden {
				t.Fatalf("Dim() = %d, want %d (probed)", e.Dim(), smallBERT.Hidden)
			}
			got, err := e.Encode(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(texts) || len(got[0]) != smallBERT.Hidden {
				t.Fatalf("got %d vectors of %d, want %d of %d", len(got), len(got[0]), len(texts), smallBERT.Hidden)
			}
		})
	}
}

func TestModelDirectoryConfig(t *testing.T) {
	g := bertgen.Standard
	g.TokenTypeIDs = "" // also covers a model without token_type_ids
	dir, _ := modelDir(t, smallBERT, g)
	writeFile(t, dir, "1_Pooling/config.json", `{"word_embedding_dimension": 32, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}`)
	writeFile(t, dir, "sentence_bert_config.json", `{"max_seq_length": 128, "do_lower_case": false}`)
	e := openEncoder(t, dir, TextConfig{})
	if e.Pooling() != PoolCLS || e.MaxLength() != 128 {
		t.Fatalf("Pooling, MaxLength = %s, %d; want cls, 128", e.Pooling(), e.MaxLength())
	}
	got, err := e.Encode(context.Background(), []string{strings.Repeat("desk ", 300)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := openEncoder(t, dir, TextConfig{Pooling: PoolCLS, MaxLength: 128}).Encode(context.Background(), []string{strings.Repeat("desk ", 127)})
	if err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(t, got[0], want[0]); d > 1e-6 {
		t.Errorf("a text truncated at 128 tokens differs from its first 128 tokens by %g", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "onnx")); err == nil {
		t.Fatal("unexpected onnx folder")
	}
	// Hugging Face's layout: onnx/model.onnx.
	if err := os.Mkdir(filepath.Join(dir, "onnx"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "model.onnx"), filepath.Join(dir, "onnx", "model.onnx")); err != nil {
		t.Fatal(err)
	}
	openEncoder(t, dir, TextConfig{})
}

func TestOpenErrors(t *testing.T) {
	_, model := modelDir(t, smallBERT, bertgen.Standard)
	modelBytes := model.Marshal(bertgen.Standard)
	wrongNames := bertgen.Standard
	wrongNames.InputIDs = "ids"
	tests := []struct {
		name  string
		setup func(dir string) // prepares a copy of the model directory
		cfg   TextConfig
		want  string
	}{
		{"missing model", func(d string) { os.Remove(filepath.Join(d, "model.onnx")) }, TextConfig{}, "no model.onnx or onnx/model.onnx"},
		{"missing tokenizer", func(d string) {
			os.Remove(filepath.Join(d, "tokenizer.json"))
			os.Remove(filepath.Join(d, "vocab.txt"))
		}, TextConfig{}, "vocab.txt"},
		{"corrupt model", func(d string) { writeFile(t, d, "model.onnx", string(modelBytes[:len(modelBytes)/3])) }, TextConfig{}, "model.onnx"},
		{"wrong input names", func(d string) { writeFile(t, d, "model.onnx", string(model.Marshal(wrongNames))) }, TextConfig{}, `model input "ids" is not one of input_ids, attention_mask, token_type_ids`},
		{"unknown output", nil, TextConfig{Output: "pooler_output"}, `no output "pooler_output" (outputs: last_hidden_state, sentence_embedding)`},
		{"unknown pooling", nil, TextConfig{Pooling: "max"}, `unknown pooling "max"`},
		{"conflicting pooling", func(d string) {
			writeFile(t, d, "1_Pooling/config.json", `{"pooling_mode_cls_token": true}`)
		}, TextConfig{Pooling: PoolMean}, "pooling mean conflicts with cls"},
		{"unsupported pooling mode", func(d string) {
			writeFile(t, d, "1_Pooling/config.json", `{"pooling_mode_max_tokens": true}`)
		}, TextConfig{}, "unsupported pooling mode"},
		{"pooling dimension mismatch", func(d string) {
			writeFile(t, d, "1_Pooling/config.json", `{"word_embedding_dimension": 384, "pooling_mode_mean_tokens": true}`)
		}, TextConfig{}, "declares dimension 384"},
		{"missing library", nil, TextConfig{Library: "/nonexistent/libonnxruntime.so.1"}, "run make deps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := t.TempDir()
			if err := os.WriteFile(filepath.Join(d, "model.onnx"), modelBytes, 0o644); err != nil {
				t.Fatal(err)
			}
			linkTokenizer(t, d)
			if tt.setup != nil {
				tt.setup(d)
			}
			e, err := OpenTextEncoder(context.Background(), d, tt.cfg, nil)
			if err == nil {
				e.Close()
				t.Fatalf("OpenTextEncoder succeeded, want an error containing %q", tt.want)
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestConcurrentEncode(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	texts := officeTitles(t, 28)
	e := openEncoder(t, dir, TextConfig{Sessions: 2, Threads: 1, BatchSize: 8})
	want, err := e.Encode(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			lo := g * 4
			got, err := e.Encode(context.Background(), texts[lo:lo+8])
			if err != nil {
				t.Error(err)
				return
			}
			for i, v := range got {
				if d := maxDiff(t, v, want[lo+i]); d > 1e-5 {
					t.Errorf("goroutine %d, text %d differs by %g", g, lo+i, d)
				}
			}
		})
	}
	wg.Wait()
}

func TestCancelAndClose(t *testing.T) {
	dir, _ := modelDir(t, smallBERT, bertgen.Standard)
	e, err := OpenTextEncoder(context.Background(), dir, TextConfig{Sessions: 2, Threads: 1, BatchSize: 16}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Encode(ctx, []string{"stapler"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Encode with a cancelled context: %v, want context.Canceled", err)
	}
	// Cancelled while batches run: the run stops or finishes, and the
	// session serves the next call.
	long := make([]string, 256)
	for i := range long {
		long[i] = longText
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := e.Encode(ctx, long)
		done <- err
	}()
	cancel()
	err = <-done
	t.Logf("cancelled Encode: %v", err)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Encode cancelled while running: %v, want nil or context.Canceled", err)
	}
	want, err := openEncoder(t, dir, TextConfig{}).Encode(context.Background(), []string{"stapler"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Encode(context.Background(), []string{"stapler"})
	if err != nil {
		t.Fatalf("Encode after cancelled calls: %v", err)
	}
	if d := maxDiff(t, got[0], want[0]); d > 1e-6 {
		t.Errorf("after a cancelled run the vector differs by %g", d)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := e.Encode(context.Background(), []string{"stapler"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Encode after Close: %v, want ErrClosed", err)
	}
}
