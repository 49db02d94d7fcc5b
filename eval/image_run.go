package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/classify"
	"github.com/aislehq/aisle/onnx"
)

// ImageOptions configure RunImage. Model is required; the other zero
// fields embed each photo once (its centre crop) and write text tables.
type ImageOptions struct {
	// Path is the dataset's path, named in the text report.
	Path string
	// Model is the image model's folder (onnx.OpenImageEncoder:
	// model.onnx and labels.txt).
	Model string
	// Letterbox also embeds every photo whole, letterboxed (see
	// Letterbox), and scores MethodSoftmaxLetterbox beside the other
	// methods: two CNN runs a photo.
	Letterbox bool
	// JSON writes one JSON object a line instead of text tables: the
	// embedding's EmbedTiming, then every ImageResult.
	JSON bool
}

// ImageReport is what an image evaluation measured.
type ImageReport struct {
	// Path is the dataset's path; Model the image model's folder.
	Path, Model string
	// Dim is the embedding's length.
	Dim int
	// Photos are the dataset's labelled photos, embedded.
	Photos []Photo
	// Timing is what embedding them cost.
	Timing EmbedTiming
	// Results are EvaluateImages's rows.
	Results []ImageResult
}

// RunImage evaluates photo categorisation and visual search on the image
// dataset in store (the photo-folder format, already imported; see
// Import): every photo embedded by the image model in opts.Model, then
// EvaluateImages. It writes the report to w: text tables, or with
// opts.JSON one JSON object a line. It returns ErrNoPhotos (wrapped) when
// the dataset has no labelled photos or lacks a split the protocol needs,
// and the model's or a photo's error. logger (nil discards) receives what
// the image model logs.
func RunImage(ctx context.Context, store aisle.ItemLister, opts ImageOptions, w io.Writer, logger *slog.Logger) error {
	items, err := aisle.AllItems(ctx, store)
	if err != nil {
		return err
	}
	photos, err := PhotosFromItems(items)
	if err != nil {
		return err
	}
	enc, err := onnx.OpenImageEncoder(ctx, opts.Model, onnx.ImageConfig{}, logger)
	if err != nil {
		return err
	}
	defer enc.Close()
	rep, err := ImageExperiment(ctx, enc, photos, opts.Letterbox)
	if err != nil {
		return err
	}
	rep.Path, rep.Model, rep.Dim = opts.Path, opts.Model, enc.Dim()
	if opts.JSON {
		return WriteImageJSON(w, rep)
	}
	WriteImageReport(w, rep)
	return nil
}

// ImageExperiment embeds photos with enc (EmbedPhotos, with their
// letterboxed views when letterbox is set) and scores them
// (EvaluateImages). The report's
// Path, Model and Dim are left for the caller.
func ImageExperiment(ctx context.Context, enc ImageEncoder, photos []Photo, letterbox bool) (*ImageReport, error) {
	timing, err := EmbedPhotos(ctx, enc, photos, letterbox)
	if err != nil {
		return nil, err
	}
	results, err := EvaluateImages(ctx, photos)
	if err != nil {
		return nil, err
	}
	return &ImageReport{Photos: photos, Timing: timing, Results: results}, nil
}

// WriteImageJSON writes rep as one JSON object a line: first
// {"task":"embed","model":…,"timing":…}, then every result.
func WriteImageJSON(w io.Writer, rep *ImageReport) error {
	out := json.NewEncoder(w)
	if err := out.Encode(map[string]any{"task": "embed", "model": modelName(rep.Model), "timing": rep.Timing}); err != nil {
		return err
	}
	for _, r := range rep.Results {
		if err := out.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

// modelName is the base name of a model folder.
func modelName(dir string) string { return filepath.Base(filepath.Clean(dir)) }

// WriteImageReport writes rep as text tables: the dataset, the embedding's
// cost, every result, and the per-class accuracy of the 1-NN and softmax
// heads.
func WriteImageReport(w io.Writer, rep *ImageReport) {
	classes := map[string]bool{}
	splits := map[string]int{}
	for _, p := range rep.Photos {
		classes[p.Label] = true
		splits[p.Split]++
	}
	var counts string
	for _, s := range slices.Sorted(maps.Keys(splits)) {
		if counts != "" {
			counts += ", "
		}
		counts += fmt.Sprintf("%s %d", s, splits[s])
	}
	fmt.Fprintf(w, "%s: %d photos, %d classes (%s); %s, %d-d embedding\n\n",
		rep.Path, len(rep.Photos), len(classes), counts, modelName(rep.Model), rep.Dim)
	t := rep.Timing
	runs := ""
	if t.Views == 2 {
		runs = "; each photo centre-cropped and letterboxed"
	}
	fmt.Fprintf(w, "embedding (decode + preprocess + CNN, %d cores%s): %d photos in %.2fs = %.1f photos/s; busy: decode %.2fs (all cores, a chunk ahead), encode %.2fs\n\n",
		runtime.GOMAXPROCS(0), runs, t.Photos, t.Seconds, t.PerSecond, t.DecodeS, t.EncodeS)
	fmt.Fprintf(w, "%-14s %-17s %-22s %7s %9s\n", "task", "method", "train → eval", "queries", "score")
	for _, r := range rep.Results {
		note := ""
		if r.Lambda > 0 {
			note = fmt.Sprintf("  (λ %g by %d-fold CV on %s, CV accuracy %.4f)", r.Lambda, classify.DefaultFolds, r.Train, r.CVAcc)
		}
		fmt.Fprintf(w, "%-14s %-17s %-22s %7d %9.4f%s\n", r.Task, r.Method, r.Train+" → "+r.Eval, r.Queries, r.Score, note)
	}
	fmt.Fprintln(w, "\ncategory: accuracy; visual-search: precision@10 (share of the 10 nearest photos by cosine of the query's class; all → all leaves the query out)")
	var heads []ImageResult
	for _, r := range rep.Results {
		if r.Method == MethodNearest || r.Method == MethodSoftmax || r.Method == MethodSoftmaxLetterbox {
			heads = append(heads, r)
		}
	}
	fmt.Fprintf(w, "\nper-class accuracy:\n%-12s", "class")
	widths := make([]int, len(heads))
	for i, r := range heads {
		h := r.Method + " " + r.Train + "→" + r.Eval
		widths[i] = max(utf8.RuneCountInString(h), 5)
		fmt.Fprintf(w, " %*s", widths[i], h)
	}
	fmt.Fprintln(w)
	for _, l := range slices.Sorted(maps.Keys(classes)) {
		fmt.Fprintf(w, "%-12s", l)
		for i, r := range heads {
			fmt.Fprintf(w, " %*.3f", widths[i], r.PerClass[l])
		}
		fmt.Fprintln(w)
	}
}
