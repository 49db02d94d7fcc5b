package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aislehq/aisle/eval"
	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/model/train"
)

// runEval imports a dataset into a temporary store and runs an offline
// evaluation of package eval on it (eval.Run), or the image task
// (eval.RunImage; a dataset without labelled photos, or without a split
// the protocol needs, is a usage error).
func runEval(ctx context.Context, e *env, fs *flag.FlagSet, args []string) error {
	cfg := DefaultConfig()
	data := fs.String("data", "", "dataset `path`: a file or folder (required)")
	format := fs.String("format", "", "dataset format: s3rec, lcrec or aisle (default: detected)")
	protocol := fs.String("protocol", "full", "full, or sampled100 to print the 100-sampled-negatives protocol alongside full ranking")
	asJSON := fs.Bool("json", false, "print one JSON object per model and protocol")
	cold := fs.Bool("cold", true, "when items have texts, also run the cold-start experiment (a tenth of the items' interactions held out)")
	seed := fs.Uint64("seed", 1, "random seed (model initialisation, sampled negatives)")
	skip := fs.String("skip", "", "comma-separated models not to train (popular, transition, ease, slist, mf)")
	task := fs.String("task", "recommend", "recommend (next-item recommendation), search (the search benchmark on the catalog's categories), image (photo categories and visual search on a photo folder), fusion (the content generator over text, behaviour and fused item vectors), qa (product Q&A: yes/no accuracy and answer retrieval on held-out questions), copy (built-in product copy: claim precision, fact coverage, distinct-2, ROUGE-L and BLEU against the descriptions), photoqa (questions about a clothing photo's category and colour answered from the photo alone, on a photo folder with train and test splits; colours from -colours), or assistant (the built-in shopping assistant's turn and dialogue success on -dialogues, written for Office)")
	dialogues := fs.String("dialogues", filepath.Join("assistant", "testdata", "dialogues.json"), "dialogues `file` for -task assistant")
	imageModel := fs.String("image-model", filepath.Join("..", "shared", "models", "mobilenet-v1-0.75-224"), "image model `dir` for -task image and photoqa (model.onnx, labels.txt)")
	colours := fs.String("colours", filepath.Join("eval", "testdata", "clothing-colours.csv"), "hand-annotated photo colours `file` for -task photoqa (path,colours,notes; \"\" for none)")
	cfg.LogLevel = "warn"
	bindLog(fs, &cfg)
	logger, err := parseFlags(e, fs, &cfg, "aisle eval -data PATH [-format s3rec|lcrec|aisle] [-task recommend|search|image|fusion|qa|copy|photoqa|assistant] [-protocol full|sampled100] [-json]", args)
	if err != nil {
		return err
	}
	if *data == "" {
		return usageError{"-data is required"}
	}
	if *task != "recommend" && *task != "search" && *task != "image" && *task != "fusion" && *task != eval.TaskQA && *task != eval.TaskCopy && *task != eval.TaskPhotoQA && *task != eval.TaskAssistant {
		return usageError{fmt.Sprintf("-task %q: want recommend, search, image, fusion, qa, copy, photoqa or assistant", *task)}
	}
	if *protocol != string(metric.Full) && *protocol != string(metric.Sampled100) {
		return usageError{fmt.Sprintf("-protocol %q: want full or sampled100", *protocol)}
	}
	if *task == eval.TaskCopy {
		// The catalog only, read into memory: no store needed.
		return eval.RunCopy(ctx, eval.CopyOptions{Path: *data, Format: *format, JSON: *asJSON}, e.stdout)
	}
	if *task == eval.TaskQA {
		// Questions only, read into memory: no store needed.
		return eval.RunQA(ctx, eval.QAOptions{Path: *data, Format: *format, Seed: *seed, JSON: *asJSON}, e.stdout)
	}
	dir, err := os.MkdirTemp("", "aisle-eval-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.Store.Synchronous = dir, "NORMAL"
	db, err := cfg.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := eval.Import(ctx, db, *data, *format, e.stderr, logger); err != nil {
		return err
	}
	if *task == eval.TaskAssistant {
		return eval.RunAssistant(ctx, db, eval.AssistantOptions{Dialogues: *dialogues, Query: cfg.Search.Query, JSON: *asJSON}, e.stdout, logger)
	}
	if *task == eval.TaskPhotoQA {
		return runPhotoQA(ctx, e, cfg, db, eval.PhotoQAOptions{Path: *data, Model: *imageModel, Colours: *colours, ModelDir: filepath.Join(dir, "models"), JSON: *asJSON}, logger) // eval_photoqa.go
	}
	if *task == "image" {
		err := eval.RunImage(ctx, db, eval.ImageOptions{Path: *data, Model: *imageModel, Letterbox: true, JSON: *asJSON}, e.stdout, logger)
		if errors.Is(err, eval.ErrNoPhotos) {
			return usageError{"eval -task image: " + err.Error()}
		}
		return err
	}
	opts := eval.RunOptions{
		Task: *task, Path: *data, Protocol: metric.Protocol(*protocol), Cold: *cold, Seed: *seed, JSON: *asJSON,
		Progress: func() train.Progress { return train.TerminalProgress(e.stderr) },
	}
	if *skip != "" {
		opts.Skip = strings.Split(*skip, ",")
	}
	return eval.Run(ctx, db, opts, e.stdout, logger)
}
