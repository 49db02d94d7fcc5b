package visual

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/image/palette"
	"github.com/aislehq/aisle/image/photo"
	"github.com/aislehq/aisle/onnx"
)

// MaxFrames bounds the frames UploadFrames reads at once.
const MaxFrames = 32

// UploadFrames makes a product video's frames (encoded images in the
// photo formats, in order: package video's keyframes) item id's photo.
// Each frame is checked and decoded like an uploaded photo (EINVALID,
// ETOOLARGE as Upload); the middle one is kept as the item's first image
// (its upload reference leads Images, as Upload's) and gives the Visual's
// Image, Format and size. What was seen combines every frame: the
// colours are those covering the most of the frames' foreground on
// average (each at least Config.Palette.MinShare), the labels those of
// highest mean probability, the category the classifier's majority vote
// over frames (scored by its mean probability over all frames), and the
// vector is the frames' mean, of unit length. EUNPROCESSABLE without
// frames; EINVALID for more than MaxFrames; ENOTFOUND for an unknown
// item; ECONFLICT when the item's first image changed meanwhile.
func (r *Reader) UploadFrames(ctx context.Context, id string, frames [][]byte) (aisle.Item, error) {
	switch {
	case len(frames) == 0:
		return aisle.Item{}, aisle.Errorf(aisle.EUNPROCESSABLE, "the video yielded no frame")
	case len(frames) > MaxFrames:
		return aisle.Item{}, aisle.Errorf(aisle.EINVALID, "%d frames, more than %d", len(frames), MaxFrames)
	}
	opts := r.decodeOptions()
	for k, data := range frames {
		if _, err := photo.Probe(data, opts); err != nil {
			return aisle.Item{}, aisle.WithFieldPrefix(err, fmt.Sprintf("frames[%d]", k))
		}
	}
	it, err := r.store.Item(ctx, id)
	if err != nil {
		return aisle.Item{}, err
	}
	imgs := make([]image.Image, len(frames))
	var key *photo.Photo
	for k, data := range frames {
		p, err := photo.DecodeContext(ctx, bytes.NewReader(data), opts)
		if err != nil {
			return aisle.Item{}, aisle.WithFieldPrefix(err, fmt.Sprintf("frames[%d]", k))
		}
		imgs[k] = p.Image // at most MaxSide a side
		if k == len(frames)/2 {
			key = p
		}
	}
	v := aisle.Visual{Image: key.Hash, Format: key.Format, Width: key.Width, Height: key.Height, UpdatedAt: r.now().UTC()}
	v.Colors = r.frameColors(imgs)
	var vec []float32
	if r.enc != nil {
		feats, err := r.encodeFrames(ctx, imgs)
		if err != nil {
			return aisle.Item{}, err
		}
		vec = meanVector(feats)
		r.describeFrames(&v, feats)
	}
	// Everything is computed before the item changes, so that the
	// background reader seldom sees its new first image without a Visual.
	hash, err := r.originals.Put(key.Bytes)
	if err != nil {
		return aisle.Item{}, fmt.Errorf("visual: keep video frame: %w", err)
	}
	v.Ref = aisle.UploadRef(hash)
	refs := append([]string{v.Ref}, slices.DeleteFunc(slices.Clone(it.Images), func(s string) bool { return s == v.Ref })...)
	it.Images = refs[:min(len(refs), aisle.MaxImages)]
	if _, err := r.store.UpsertItems(ctx, []aisle.Item{it}); err != nil {
		return aisle.Item{}, err
	}
	if vec != nil {
		iv := []aisle.ItemVector{{Item: id, TextHash: aisle.TextHash(v.Image), Vector: vec}}
		if err := r.store.PutItemVectors(ctx, r.name, iv); err != nil {
			return aisle.Item{}, fmt.Errorf("visual: store video vector: %w", err)
		}
	}
	if err := r.store.SetItemVisual(ctx, id, &v); err != nil {
		return aisle.Item{}, err
	}
	return r.store.Item(ctx, id)
}

// encodeFrames runs the image model over imgs, Config.BatchSize at a
// time.
func (r *Reader) encodeFrames(ctx context.Context, imgs []image.Image) ([]onnx.ImageFeatures, error) {
	feats := make([]onnx.ImageFeatures, 0, len(imgs))
	for start := 0; start < len(imgs); start += r.cfg.BatchSize {
		f, err := r.enc.Encode(ctx, imgs[start:min(len(imgs), start+r.cfg.BatchSize)])
		if err != nil {
			return nil, fmt.Errorf("visual: encode video frames: %w", err)
		}
		feats = append(feats, f...)
	}
	return feats, nil
}

// frameColors returns the names of the Config.Colors colours with the
// largest mean share of the frames' foreground, each at least
// Config.Palette.MinShare, largest first.
func (r *Reader) frameColors(imgs []image.Image) []string {
	share := map[string]float64{}
	for _, img := range imgs {
		for _, c := range palette.Dominant(img, r.cfg.Palette) {
			share[c.Name] += c.Share / float64(len(imgs))
		}
	}
	return top(share, r.cfg.Colors, r.cfg.Palette.MinShare)
}

// describeFrames sets v's labels (highest mean probability over the
// frames) and category (the classifier's majority vote) from the frames'
// features.
func (r *Reader) describeFrames(v *aisle.Visual, feats []onnx.ImageFeatures) {
	n := float64(len(feats))
	prob := map[string]float64{}
	for _, f := range feats {
		for _, l := range f.Labels {
			prob[l.Name] += float64(l.Prob) / n
		}
	}
	for _, name := range top(prob, r.cfg.Labels, r.cfg.MinLabelProb) {
		v.Labels = append(v.Labels, aisle.VisualLabel{Name: name, Prob: prob[name]})
	}
	cls := r.classifier()
	if cls == nil {
		return
	}
	votes, score := map[string]int{}, map[string]float64{}
	for _, f := range feats {
		if label, p := cls.Predict(f.Embedding); label != "" {
			votes[label]++
			score[label] += p / n
		}
	}
	var best string
	for label, c := range votes {
		if best == "" || c > votes[best] || c == votes[best] && (score[label] > score[best] || score[label] == score[best] && label < best) {
			best = label
		}
	}
	if best != "" {
		v.Category, v.CategoryScore = strings.Split(best, CategorySep), score[best]
	}
}

// top returns the at most n keys of m with the largest values, each at
// least floor, largest first (ties by name).
func top(m map[string]float64, n int, floor float64) []string {
	keys := make([]string, 0, len(m))
	for k, x := range m {
		if x >= floor {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b))
	})
	return keys[:min(len(keys), n)]
}

// meanVector returns the mean of the frames' vectors scaled to unit
// length (the frames' own when their mean is zero).
func meanVector(feats []onnx.ImageFeatures) []float32 {
	mean := make([]float64, len(feats[0].Embedding))
	for _, f := range feats {
		for i, x := range f.Embedding[:min(len(f.Embedding), len(mean))] {
			mean[i] += float64(x)
		}
	}
	var norm float64
	for _, x := range mean {
		norm += x * x
	}
	if norm == 0 || math.IsNaN(norm) || math.IsInf(norm, 0) {
		return feats[len(feats)/2].Embedding
	}
	norm = math.Sqrt(norm)
	out := make([]float32, len(mean))
	for i, x := range mean {
		out[i] = float32(x / norm)
	}
	return out
}
