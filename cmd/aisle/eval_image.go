package main

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/classify"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
	"github.com/aislehq/aisle/vector"
)

// imageChunk is the number of photos decoded ahead of the encoder: at most
// two chunks of decoded photos are held at once, whatever the dataset size.
const imageChunk = 64

// searchDepth is the number of neighbours precision@k counts.
const searchDepth = 10

// labelledPhoto is one photo of an image dataset and its embedding.
type labelledPhoto struct {
	id, split, label, path string
	emb                    []float32
}

// embedTiming is what embedding the photos cost: the whole pass, and the
// time each stage was busy (they overlap).
type embedTiming struct {
	Photos    int     `json:"photos"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"photos_per_second"`
	DecodeS   float64 `json:"decode_seconds"`
	EncodeS   float64 `json:"encode_seconds"`
}

// imageResult is one row of the image evaluation: a method's accuracy
// (classification) or precision@10 (visual search) from one split to
// another.
type imageResult struct {
	Task     string             `json:"task"` // "category" or "visual-search"
	Method   string             `json:"method"`
	Train    string             `json:"train"` // the split trained on, or searched
	Eval     string             `json:"eval"`  // the split of the queries
	Queries  int                `json:"queries"`
	Score    float64            `json:"score"` // accuracy, or precision@10
	PerClass map[string]float64 `json:"per_class,omitempty"`
	Lambda   float64            `json:"lambda,omitempty"`
	CVAcc    float64            `json:"cv_accuracy,omitempty"`
}

// runImageEval evaluates photo categorisation and visual search on an
// image dataset (the photo-folder format, already imported into store):
// every photo embedded by the image model in modelDir, then for each
// direction between the test and validation splits a softmax head trained
// on one split (package classify) scored on the other, beside the
// majority class and the nearest photo by cosine; and the precision@10 of
// visual search.
func runImageEval(ctx context.Context, e *env, path string, store aisle.ItemLister, modelDir string, asJSON bool) error {
	items, err := aisle.AllItems(ctx, store)
	if err != nil {
		return err
	}
	photos, err := labelledPhotos(items)
	if err != nil {
		return err
	}
	enc, err := onnx.OpenImageEncoder(ctx, modelDir, onnx.ImageConfig{})
	if err != nil {
		return err
	}
	defer enc.Close()
	timing, err := embedPhotos(ctx, enc, photos)
	if err != nil {
		return err
	}
	var results []imageResult
	for _, dir := range [][2]string{{"test", "validation"}, {"validation", "test"}} {
		rs, err := categoryResults(ctx, photos, dir[0], dir[1])
		if err != nil {
			return err
		}
		results = append(results, rs...)
	}
	results = append(results,
		searchResult(photos, "", ""),
		searchResult(photos, "test", "validation"))
	if asJSON {
		out := json.NewEncoder(e.stdout)
		if err := out.Encode(map[string]any{"task": "embed", "model": filepath.Base(filepath.Clean(modelDir)), "timing": timing}); err != nil {
			return err
		}
		for _, r := range results {
			if err := out.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	writeImageReport(e.stdout, path, modelDir, photos, enc.Dim(), timing, results)
	return nil
}

// labelledPhotos returns the photos of the imported items, each with its
// split and label attributes and one image.
func labelledPhotos(items []aisle.Item) ([]labelledPhoto, error) {
	var photos []labelledPhoto
	for _, it := range items {
		split, label := it.Attributes["split"], it.Attributes["label"]
		if len(it.Images) == 0 || split == "" || label == "" {
			continue
		}
		photos = append(photos, labelledPhoto{id: it.ID, split: split, label: label, path: it.Images[0]})
	}
	if len(photos) == 0 {
		return nil, usageError{"eval -task image: the dataset has no photos with a split and a label (labels.csv: path,split,label)"}
	}
	return photos, nil
}

// embedPhotos reads, decodes (photo.DecodeContext) and embeds every photo, setting
// its emb. Each chunk of photos is decoded on every core while the encoder
// embeds the previous one.
func embedPhotos(ctx context.Context, enc *onnx.ImageEncoder, photos []labelledPhoto) (embedTiming, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	type chunk struct {
		at   int
		imgs []image.Image
		err  error
		took time.Duration
	}
	chunks := make(chan chunk, 1)
	go func() {
		defer close(chunks)
		for at := 0; at < len(photos); at += imageChunk {
			t := time.Now()
			imgs, err := decodePhotos(ctx, photos[at:min(at+imageChunk, len(photos))])
			select {
			case chunks <- chunk{at: at, imgs: imgs, err: err, took: time.Since(t)}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var timing embedTiming
	var decode, encode time.Duration
	for c := range chunks {
		if c.err != nil {
			return timing, c.err
		}
		decode += c.took
		t := time.Now()
		feats, err := enc.Encode(ctx, c.imgs)
		if err != nil {
			return timing, err
		}
		encode += time.Since(t)
		for i, f := range feats {
			photos[c.at+i].emb = f.Embedding
		}
	}
	wall := time.Since(start).Seconds()
	timing = embedTiming{Photos: len(photos), Seconds: wall, PerSecond: float64(len(photos)) / wall, DecodeS: decode.Seconds(), EncodeS: encode.Seconds()}
	return timing, nil
}

// decodePhotos reads and decodes photos on GOMAXPROCS goroutines.
func decodePhotos(ctx context.Context, photos []labelledPhoto) ([]image.Image, error) {
	imgs := make([]image.Image, len(photos))
	errs := make([]error, len(photos))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(photos), runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(photos); i = int(next.Add(1) - 1) {
				imgs[i], errs[i] = decodeFile(ctx, photos[i].path)
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("eval: photo %s: %w", photos[i].path, err)
		}
	}
	return imgs, nil
}

// decodeFile decodes the photo file at path.
func decodeFile(ctx context.Context, path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := photo.DecodeContext(ctx, f, photo.Options{})
	if err != nil {
		return nil, err
	}
	return p.Image, nil
}

// categoryResults trains on split train and scores split eval: the
// majority class of train, the class of the nearest train photo (cosine),
// and the softmax head on the unit embeddings, plain and standardised.
func categoryResults(ctx context.Context, photos []labelledPhoto, train, eval string) ([]imageResult, error) {
	tr, ev := inSplit(photos, train), inSplit(photos, eval)
	if len(tr) == 0 || len(ev) == 0 {
		return nil, usageError{fmt.Sprintf("eval -task image: no photos in split %q or %q", train, eval)}
	}
	xs, labels := make([][]float32, len(tr)), make([]string, len(tr))
	for i, p := range tr {
		xs[i], labels[i] = p.emb, p.label
	}
	majority := majorityLabel(tr)
	methods := []struct {
		name    string
		predict func(labelledPhoto) string
		head    *classify.Softmax
	}{
		{name: "majority", predict: func(labelledPhoto) string { return majority }},
		{name: "1-NN", predict: func(q labelledPhoto) string { return nearest(tr, q.emb, "")[0].label }},
	}
	for _, h := range []struct {
		name string
		cfg  classify.Config
	}{
		{"softmax", classify.Config{}},
		{"softmax+std", classify.Config{Standardize: true}},
	} {
		head, err := classify.Train(ctx, xs, labels, h.cfg)
		if err != nil {
			return nil, fmt.Errorf("eval: train the category head on %s: %w", train, err)
		}
		methods = append(methods, struct {
			name    string
			predict func(labelledPhoto) string
			head    *classify.Softmax
		}{h.name, func(q labelledPhoto) string { l, _ := head.Predict(q.emb); return l }, head})
	}
	var results []imageResult
	for _, m := range methods {
		r := imageResult{Task: "category", Method: m.name, Train: train, Eval: eval, Queries: len(ev), PerClass: map[string]float64{}}
		hits, count := map[string]int{}, map[string]int{}
		for _, q := range ev {
			count[q.label]++
			if m.predict(q) == q.label {
				hits[q.label]++
			}
		}
		var all int
		for l, n := range count {
			all += hits[l]
			r.PerClass[l] = float64(hits[l]) / float64(n)
		}
		r.Score = float64(all) / float64(len(ev))
		if m.head != nil {
			r.Lambda = m.head.Lambda()
			i := slices.IndexFunc(m.head.CV(), func(s classify.CVScore) bool { return s.Lambda == r.Lambda })
			r.CVAcc = m.head.CV()[i].Accuracy
		}
		results = append(results, r)
	}
	return results, nil
}

// searchResult is the precision@10 of visual search: for every photo of
// split query ("" all), the share of its searchDepth nearest photos of
// split index ("" all, the query excluded) that are of its class.
func searchResult(photos []labelledPhoto, index, query string) imageResult {
	idx, qs := inSplit(photos, index), inSplit(photos, query)
	r := imageResult{Task: "visual-search", Method: "cosine", Train: cmpOrAll(index), Eval: cmpOrAll(query), Queries: len(qs)}
	var sum float64
	for _, q := range qs {
		near := nearest(idx, q.emb, q.id)
		near = near[:min(searchDepth, len(near))]
		var same int
		for _, p := range near {
			if p.label == q.label {
				same++
			}
		}
		sum += float64(same) / float64(searchDepth)
	}
	r.Score = sum / float64(len(qs))
	return r
}

// cmpOrAll names a split, "all" for "".
func cmpOrAll(split string) string {
	if split == "" {
		return "all"
	}
	return split
}

// inSplit returns the photos of split, or all when split is "".
func inSplit(photos []labelledPhoto, split string) []labelledPhoto {
	if split == "" {
		return photos
	}
	var in []labelledPhoto
	for _, p := range photos {
		if p.split == split {
			in = append(in, p)
		}
	}
	return in
}

// nearest returns the photos other than the one called skip, most similar
// to q first (cosine: the embeddings are unit vectors; ties by order).
func nearest(photos []labelledPhoto, q []float32, skip string) []labelledPhoto {
	type scored struct {
		p   labelledPhoto
		sim float32
	}
	s := make([]scored, 0, len(photos))
	for _, p := range photos {
		if p.id != skip {
			s = append(s, scored{p, vector.Dot(q, p.emb)})
		}
	}
	slices.SortStableFunc(s, func(a, b scored) int {
		switch {
		case a.sim > b.sim:
			return -1
		case a.sim < b.sim:
			return 1
		}
		return 0
	})
	out := make([]labelledPhoto, len(s))
	for i := range s {
		out[i] = s[i].p
	}
	return out
}

// majorityLabel is the most frequent label of photos (the first in sorted
// order on ties).
func majorityLabel(photos []labelledPhoto) string {
	count := map[string]int{}
	for _, p := range photos {
		count[p.label]++
	}
	labels := slices.Sorted(maps.Keys(count))
	best := labels[0]
	for _, l := range labels {
		if count[l] > count[best] {
			best = l
		}
	}
	return best
}

// writeImageReport prints the evaluation as tables.
func writeImageReport(w io.Writer, path, modelDir string, photos []labelledPhoto, dim int, t embedTiming, results []imageResult) {
	classes := map[string]bool{}
	splits := map[string]int{}
	for _, p := range photos {
		classes[p.label] = true
		splits[p.split]++
	}
	fmt.Fprintf(w, "%s: %d photos, %d classes (test %d, validation %d); %s, %d-d embedding\n\n",
		path, len(photos), len(classes), splits["test"], splits["validation"], filepath.Base(filepath.Clean(modelDir)), dim)
	fmt.Fprintf(w, "embedding (decode + preprocess + CNN, %d cores): %d photos in %.2fs = %.1f photos/s; busy: decode %.2fs (all cores, a chunk ahead), encode %.2fs\n\n",
		runtime.GOMAXPROCS(0), t.Photos, t.Seconds, t.PerSecond, t.DecodeS, t.EncodeS)
	fmt.Fprintf(w, "%-14s %-11s %-22s %7s %9s\n", "task", "method", "train → eval", "queries", "score")
	for _, r := range results {
		note := ""
		if r.Lambda > 0 {
			note = fmt.Sprintf("  (λ %g by %d-fold CV on %s, CV accuracy %.4f)", r.Lambda, classify.DefaultFolds, r.Train, r.CVAcc)
		}
		fmt.Fprintf(w, "%-14s %-11s %-22s %7d %9.4f%s\n", r.Task, r.Method, r.Train+" → "+r.Eval, r.Queries, r.Score, note)
	}
	fmt.Fprintln(w, "\ncategory: accuracy; visual-search: precision@10 (share of the 10 nearest photos by cosine of the query's class; all → all leaves the query out)")
	var heads []imageResult
	for _, r := range results {
		if r.Method == "1-NN" || r.Method == "softmax" {
			heads = append(heads, r)
		}
	}
	fmt.Fprintf(w, "\nper-class accuracy:\n%-12s", "class")
	for _, r := range heads {
		fmt.Fprintf(w, " %24s", r.Method+" "+r.Train+"→"+r.Eval)
	}
	fmt.Fprintln(w)
	for _, l := range slices.Sorted(maps.Keys(classes)) {
		fmt.Fprintf(w, "%-12s", l)
		for _, r := range heads {
			fmt.Fprintf(w, " %24.3f", r.PerClass[l])
		}
		fmt.Fprintln(w)
	}
}
