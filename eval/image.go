package eval

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/classify"
	"github.com/aislehq/aisle/vector"
)

// Splits of an image dataset (labels.csv's split column).
const (
	// SplitTrain is the split the dataset's own protocol trains on.
	SplitTrain = "train"
	// SplitValidation is a split every protocol scores.
	SplitValidation = "validation"
	// SplitTest is a split every protocol scores.
	SplitTest = "test"
)

// Image evaluation tasks (ImageResult.Task).
const (
	// ImageTaskCategory is photo categorisation, scored by accuracy.
	ImageTaskCategory = "category"
	// ImageTaskSearch is visual search, scored by precision@10.
	ImageTaskSearch = "visual-search"
)

// Category methods (ImageResult.Method of ImageTaskCategory).
const (
	// MethodMajority predicts the training split's most frequent class.
	MethodMajority = "majority"
	// MethodNearest predicts the class of the nearest training photo by
	// cosine.
	MethodNearest = "1-NN"
	// MethodSoftmax is classify.Train's head with its defaults on the
	// photos' embeddings.
	MethodSoftmax = "softmax"
	// MethodSoftmaxStd is the same head on standardised embeddings
	// (classify.Config.Standardize).
	MethodSoftmaxStd = "softmax+std"
	// MethodSoftmaxLetterbox is the same head on two views of each photo
	// concatenated: the embedding of its centre crop and that of the whole
	// photo letterboxed (Photo.Letterbox).
	MethodSoftmaxLetterbox = "softmax+letterbox"
)

// SearchDepth is the number of neighbours visual search's precision@k
// counts.
const SearchDepth = 10

// ErrNoPhotos is returned by PhotosFromItems, ImageCategory and RunImage
// when a dataset, or a split it needs, has no labelled photos.
var ErrNoPhotos = errors.New("no labelled photos")

// Photo is one photo of an image dataset, its labels and its embeddings.
type Photo struct {
	// ID is the item's id; Path the photo file.
	ID, Path string
	// Split is labels.csv's split (SplitTrain, SplitValidation,
	// SplitTest or any other); Label its class.
	Split, Label string
	// Embedding is the image model's unit-length vector of the photo; nil
	// until EmbedPhotos.
	Embedding []float32
	// Letterbox is the embedding of the whole photo, padded to a square
	// (Letterbox); nil unless EmbedPhotos was asked for it.
	Letterbox []float32
}

// PhotosFromItems returns the labelled photos among items, in their order:
// those with an image and both the split and label attributes that the
// image importer sets (labels.csv: path,split,label). It returns
// ErrNoPhotos when there are none.
func PhotosFromItems(items []aisle.Item) ([]Photo, error) {
	var photos []Photo
	for _, it := range items {
		split, label := it.Attributes["split"], it.Attributes["label"]
		if len(it.Images) == 0 || split == "" || label == "" {
			continue
		}
		photos = append(photos, Photo{ID: it.ID, Split: split, Label: label, Path: it.Images[0]})
	}
	if len(photos) == 0 {
		return nil, fmt.Errorf("eval: the dataset has no photos with a split and a label (labels.csv: path,split,label): %w", ErrNoPhotos)
	}
	return photos, nil
}

// ImageResult is one row of the image evaluation: a method's accuracy
// (ImageTaskCategory) or precision@10 (ImageTaskSearch) from one split to
// another.
type ImageResult struct {
	Task     string             `json:"task"` // ImageTaskCategory or ImageTaskSearch
	Method   string             `json:"method"`
	Train    string             `json:"train"` // the split trained on, or searched ("all": every photo)
	Eval     string             `json:"eval"`  // the split of the queries ("all": every photo)
	Queries  int                `json:"queries"`
	Score    float64            `json:"score"` // accuracy, or precision@10
	PerClass map[string]float64 `json:"per_class,omitempty"`
	Lambda   float64            `json:"lambda,omitempty"`      // the head's L2 penalty
	CVAcc    float64            `json:"cv_accuracy,omitempty"` // its cross-validated accuracy on Train
}

// Directions returns the train → eval split pairs the image evaluation
// scores the category heads on: the dataset's own protocol, SplitTrain →
// SplitValidation and SplitTrain → SplitTest, when some photo is in
// SplitTrain; otherwise both ways between SplitTest and SplitValidation.
func Directions(photos []Photo) [][2]string {
	if slices.ContainsFunc(photos, func(p Photo) bool { return p.Split == SplitTrain }) {
		return [][2]string{{SplitTrain, SplitValidation}, {SplitTrain, SplitTest}}
	}
	return [][2]string{{SplitTest, SplitValidation}, {SplitValidation, SplitTest}}
}

// EvaluateImages scores the embedded photos (EmbedPhotos): the category
// methods of ImageCategory in each of Directions, then the precision@10 of
// visual search over all the photos (each query left out) and from one
// split to another: with a train split, its photos searched by the
// validation and then the test photos; without, the test photos searched
// by the validation photos.
func EvaluateImages(ctx context.Context, photos []Photo) ([]ImageResult, error) {
	var results []ImageResult
	dirs := Directions(photos)
	if dirs[0][0] == SplitTrain {
		rs, err := ImageCategory(ctx, photos, SplitTrain, SplitValidation, SplitTest)
		if err != nil {
			return nil, err
		}
		results = append(results, rs...)
	} else {
		for _, dir := range dirs {
			rs, err := ImageCategory(ctx, photos, dir[0], dir[1])
			if err != nil {
				return nil, err
			}
			results = append(results, rs...)
		}
	}
	results = append(results, ImageSearch(photos, "", ""))
	if dirs[0][0] == SplitTrain {
		for _, d := range dirs {
			results = append(results, ImageSearch(photos, d[0], d[1]))
		}
	} else {
		results = append(results, ImageSearch(photos, SplitTest, SplitValidation))
	}
	return results, nil
}

// ImageCategory trains on split train and scores each of the evals
// splits, in order: the majority class of train (MethodMajority), the
// class of the nearest train photo by cosine (MethodNearest), and
// classify's softmax head on the embeddings, plain (MethodSoftmax) and
// standardised (MethodSoftmaxStd), each choosing its L2 penalty by
// cross-validation on train alone; and, when every photo has a
// Letterbox embedding, MethodSoftmaxLetterbox. Each head is trained once, whatever the number of
// evals. It returns ErrNoPhotos when a split is empty, ctx's error when
// ctx ends first.
func ImageCategory(ctx context.Context, photos []Photo, train string, evals ...string) ([]ImageResult, error) {
	tr := inSplit(photos, train)
	if len(tr) == 0 {
		return nil, fmt.Errorf("eval: split %q: %w", train, ErrNoPhotos)
	}
	for _, eval := range evals {
		if len(inSplit(photos, eval)) == 0 {
			return nil, fmt.Errorf("eval: split %q or %q: %w", train, eval, ErrNoPhotos)
		}
	}
	labels := make([]string, len(tr))
	for i, p := range tr {
		labels[i] = p.Label
	}
	majority := majorityLabel(tr)
	type method struct {
		name    string
		predict func(Photo) string
		head    *classify.Softmax
	}
	methods := []method{
		{name: MethodMajority, predict: func(Photo) string { return majority }},
		{name: MethodNearest, predict: func(q Photo) string { return nearest(tr, q.Embedding, "")[0].Label }},
	}
	type headSpec struct {
		name string
		cfg  classify.Config
		x    func(Photo) []float32 // a photo's input to the head
	}
	embedding := func(q Photo) []float32 { return q.Embedding }
	heads := []headSpec{
		{MethodSoftmax, classify.Config{}, embedding},
		{MethodSoftmaxStd, classify.Config{Standardize: true}, embedding},
	}
	if !slices.ContainsFunc(photos, func(p Photo) bool { return p.Letterbox == nil }) {
		heads = append(heads, headSpec{MethodSoftmaxLetterbox, classify.Config{}, bothViews})
	}
	for _, h := range heads {
		xs := make([][]float32, len(tr))
		for i, p := range tr {
			xs[i] = h.x(p)
		}
		head, err := classify.Train(ctx, xs, labels, h.cfg)
		if err != nil {
			return nil, fmt.Errorf("eval: train the category head on %s: %w", train, err)
		}
		methods = append(methods, method{h.name, func(q Photo) string { l, _ := head.Predict(h.x(q)); return l }, head})
	}
	var results []ImageResult
	for _, eval := range evals {
		ev := inSplit(photos, eval)
		for _, m := range methods {
			r := ImageResult{Task: ImageTaskCategory, Method: m.name, Train: train, Eval: eval, Queries: len(ev), PerClass: map[string]float64{}}
			hits, count := map[string]int{}, map[string]int{}
			for _, q := range ev {
				count[q.Label]++
				if m.predict(q) == q.Label {
					hits[q.Label]++
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
	}
	return results, nil
}

// bothViews is a photo's embedding followed by its Letterbox embedding.
func bothViews(p Photo) []float32 {
	return slices.Concat(p.Embedding, p.Letterbox)
}

// ImageSearch is the precision@10 of visual search: for every photo of
// split query ("" all), the share of its SearchDepth nearest photos of
// split index ("" all, the query excluded) that are of its class.
func ImageSearch(photos []Photo, index, query string) ImageResult {
	idx, qs := inSplit(photos, index), inSplit(photos, query)
	r := ImageResult{Task: ImageTaskSearch, Method: "cosine", Train: cmpOrAll(index), Eval: cmpOrAll(query), Queries: len(qs)}
	var sum float64
	for _, q := range qs {
		near := nearest(idx, q.Embedding, q.ID)
		near = near[:min(SearchDepth, len(near))]
		var same int
		for _, p := range near {
			if p.Label == q.Label {
				same++
			}
		}
		sum += float64(same) / float64(SearchDepth)
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
func inSplit(photos []Photo, split string) []Photo {
	if split == "" {
		return photos
	}
	var in []Photo
	for _, p := range photos {
		if p.Split == split {
			in = append(in, p)
		}
	}
	return in
}

// nearest returns the photos other than the one called skip, most similar
// to q first (cosine: the embeddings are unit vectors; ties by order).
func nearest(photos []Photo, q []float32, skip string) []Photo {
	type scored struct {
		p   Photo
		sim float32
	}
	s := make([]scored, 0, len(photos))
	for _, p := range photos {
		if p.ID != skip {
			s = append(s, scored{p, vector.Dot(q, p.Embedding)})
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
	out := make([]Photo, len(s))
	for i := range s {
		out[i] = s[i].p
	}
	return out
}

// majorityLabel is the most frequent label of photos (the first in sorted
// order on ties).
func majorityLabel(photos []Photo) string {
	count := map[string]int{}
	for _, p := range photos {
		count[p.Label]++
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
