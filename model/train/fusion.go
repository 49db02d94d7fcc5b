package train

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/eval/metric"
	"github.com/aislehq/aisle/internal/openblas"
	"github.com/aislehq/aisle/model/candidate"
	"github.com/aislehq/aisle/model/dataset"
	"github.com/aislehq/aisle/model/fusion"
	"github.com/aislehq/aisle/text/ngram"
	"github.com/aislehq/aisle/vector"
)

// Choices of the content model's item vectors (ContentConfig.Vectors).
const (
	// VectorsAuto lets validation choose: the fused vectors when the
	// content model over them has the better NDCG@10 on the validation
	// items, and no worse on those that are new items, else the text
	// vectors (see chooseVectors).
	VectorsAuto = ""
	// VectorsText is the built-in text encoder's vectors alone.
	VectorsText = saved.VectorsText
	// VectorsFused is the learned fusion (package fusion) of each item's
	// text, image and behaviour vectors.
	VectorsFused = saved.VectorsFused
)

// itemModalities holds every item's vector of each modality (nil where an
// item lacks it), in fusion's terms.
type itemModalities struct {
	mods []fusion.Modality
	vecs [][][]float32 // [modality][item]
}

// modalities gathers d's items' modalities: text (the text encoder's
// vectors, by item index), image (cfg.Image, when it gives any item a
// vector) and behaviour (mf's item factors for the items with
// interactions in d, when mf is not nil).
func modalities(d *dataset.Dataset, cfg ContentConfig, text [][]float32, mf *candidate.MF) (itemModalities, error) {
	var iv itemModalities
	add := func(name string, vecs [][]float32) error {
		dim := 0
		for i, v := range vecs {
			switch {
			case len(v) == 0:
			case dim == 0:
				dim = len(v)
			case len(v) != dim:
				return fmt.Errorf("train: %s vector of item %q has %d dimensions, want %d", name, d.Items[i], len(v), dim)
			}
		}
		if dim > 0 {
			iv.mods = append(iv.mods, fusion.Modality{Name: name, Dim: dim})
			iv.vecs = append(iv.vecs, vecs)
		}
		return nil
	}
	if err := add(fusion.Text, text); err != nil {
		return iv, err
	}
	if cfg.Image != nil {
		img := make([][]float32, d.NumItems())
		for i, id := range d.Items {
			img[i] = cfg.Image(id)
		}
		if err := add(fusion.Image, img); err != nil {
			return iv, err
		}
	}
	if mf != nil {
		if err := add(fusion.Behaviour, behaviourVectors(d, mf)); err != nil {
			return iv, err
		}
	}
	return iv, nil
}

// behaviourVectors returns mf's item factor for each of d's items with an
// interaction, nil for the others (their factors say nothing).
func behaviourVectors(d *dataset.Dataset, mf *candidate.MF) [][]float32 {
	out := make([][]float32, d.NumItems())
	for _, seq := range d.Seqs {
		for _, i := range seq {
			if out[i] == nil && int(i) < mf.NumItems() {
				out[i] = mf.ItemFactor(int(i))
			}
		}
	}
	return out
}

// interactionCounts returns how many interactions each of d's items has.
func interactionCounts(d *dataset.Dataset) []int {
	out := make([]int, d.NumItems())
	for _, seq := range d.Seqs {
		for _, i := range seq {
			out[i]++
		}
	}
	return out
}

// trainFusion tunes the gates of the fusion of iv's modalities (trained
// on d) so the content model over the fused vectors ranks d's own last
// items best: on dataset.LeaveOneOut(d), the text encoder and matrix
// factorisation (when iv has behaviour) are trained again on Full, and
// the gates maximise NDCG@10 on Test (gateObjective). d's last items are
// never the caller's validation or test items; the vectors tuned on must
// not have seen them, or behaviour would look better than it is. With
// too few interactions for that split the gates stay equal.
func trainFusion(ctx context.Context, d *dataset.Dataset, cfg Config, iv itemModalities) (*fusion.Model, error) {
	inner := dataset.LeaveOneOut(d)
	if len(inner.Test) == 0 {
		m, err := fusion.New(iv.mods, iv.centres())
		if err != nil {
			return nil, fmt.Errorf("train: fusion: %w", err)
		}
		return m, nil
	}
	hasBehaviour := slices.ContainsFunc(iv.mods, isModality(fusion.Behaviour))
	base, err := baseVectors(ctx, inner.Full, cfg, hasBehaviour)
	if err != nil {
		return nil, fmt.Errorf("train: fusion: %w", err)
	}
	if !slices.Equal(base.iv.mods, iv.mods) {
		return nil, fmt.Errorf("train: fusion: modalities %v without the last items, %v with them", base.iv.mods, iv.mods)
	}
	start, err := withPredictor(fusion.New(iv.mods, base.iv.centres()))(base.iv)
	if err != nil {
		return nil, fmt.Errorf("train: fusion: %w", err)
	}
	obj, err := newGateObjective(start, base.iv, interactionCounts(inner.Full), inner.Test, cfg.Content.Scorer)
	if err != nil {
		return nil, fmt.Errorf("train: fusion: %w", err)
	}
	m, _, err := fusion.Tune(ctx, start, obj.ndcg, cfg.Content.Fusion)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if m, err = withPredictor(m.Recentred(iv.centres()))(iv); err != nil {
		return nil, fmt.Errorf("train: fusion: %w", err)
	}
	return m, nil
}

// predictorRidge is the ridge penalty of the behaviour predictor, on
// unit vectors.
const predictorRidge = 1

// withPredictor returns a function adding to m (unless err is set) the
// predictor of the behaviour block from the text block, fitted by ridge
// regression on iv's items that have both (their centred unit vectors),
// so items without interactions get a behaviour block estimated from
// their text. m is returned unchanged without both modalities.
func withPredictor(m *fusion.Model, err error) func(iv itemModalities) (*fusion.Model, error) {
	return func(iv itemModalities) (*fusion.Model, error) {
		if err != nil || !m.Has(fusion.Text) || !m.Has(fusion.Behaviour) {
			return m, err
		}
		var xs, ys [][]float32
		for i := range iv.vecs[0] {
			bl, err := m.Blocks(iv.inputs(i, nil))
			if err != nil {
				return nil, err
			}
			x, y := bl[slices.IndexFunc(iv.mods, isModality(fusion.Text))], bl[slices.IndexFunc(iv.mods, isModality(fusion.Behaviour))]
			if x != nil && y != nil {
				xs, ys = append(xs, x), append(ys, y)
			}
		}
		if len(xs) == 0 {
			return m, nil
		}
		w, err := ridge(xs, ys, predictorRidge)
		if err != nil {
			return nil, err
		}
		return m.WithPredictor(fusion.Behaviour, fusion.Text, w)
	}
}

// isModality returns a test for the modality called name.
func isModality(name string) func(fusion.Modality) bool {
	return func(md fusion.Modality) bool { return md.Name == name }
}

// ridge returns W (len(ys[0]) × len(xs[0]), row-major) minimising
// Σ|y − Wx|² + lambda·|W|²: W = YᵀX (XᵀX + λI)⁻¹.
func ridge(xs, ys [][]float32, lambda float64) ([]float32, error) {
	n, dx, dy := len(xs), len(xs[0]), len(ys[0])
	xt, yt := make([]float32, dx*n), make([]float32, dy*n)
	x := make([]float32, n*dx)
	for i := range n {
		copy(x[i*dx:], xs[i])
		for d, v := range xs[i] {
			xt[d*n+i] = v
		}
		for d, v := range ys[i] {
			yt[d*n+i] = v
		}
	}
	a := make([]float32, dx*dx)
	if err := openblas.Gemm(dx, dx, n, 1, xt, x, 0, a); err != nil {
		return nil, err
	}
	for d := range dx {
		a[d*dx+d] += float32(lambda)
	}
	if err := openblas.InvertSPD(a, dx); err != nil {
		return nil, fmt.Errorf("ridge: %w", err)
	}
	yx := make([]float32, dy*dx)
	if err := openblas.Gemm(dy, dx, n, 1, yt, x, 0, yx); err != nil {
		return nil, err
	}
	w := make([]float32, dy*dx)
	if err := openblas.Gemm(dy, dx, dx, 1, yx, a, 0, w); err != nil {
		return nil, err
	}
	return w, nil
}

// centres returns the mean of each modality's unit vectors over the items
// that have it (fusion's centres).
func (iv itemModalities) centres() [][]float32 {
	out := make([][]float32, len(iv.mods))
	for k, md := range iv.mods {
		c, u := make([]float32, md.Dim), make([]float32, md.Dim)
		n := 0
		for _, v := range iv.vecs[k] {
			copy(u, v)
			if v == nil || vector.Normalize(u) == 0 {
				continue
			}
			for d, x := range u {
				c[d] += x
			}
			n++
		}
		for d := range c {
			c[d] /= float32(max(n, 1))
		}
		out[k] = c
	}
	return out
}

// base is what baseVectors trained.
type base struct {
	enc  *ngram.Model
	text [][]float32   // by item, nil for an item without text
	mf   *candidate.MF // nil unless asked for
	iv   itemModalities
}

// baseVectors trains the text encoder and, withMF, matrix
// factorisation on d as Models does, and gathers d's items' modalities
// from them.
func baseVectors(ctx context.Context, d *dataset.Dataset, cfg Config, withMF bool) (*base, error) {
	enc, texts, err := TrainTextEncoder(ctx, d, cfg.Content, cfg.Seed)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return nil, fmt.Errorf("no item has text")
	}
	b := &base{enc: enc}
	if b.text, err = textVectors(ctx, enc, texts); err != nil {
		return nil, err
	}
	if withMF {
		if b.mf, err = candidate.TrainMF(ctx, d, cfg.mf(d.NumItems()), nil); err != nil {
			return nil, fmt.Errorf("train mf: %w", err)
		}
	}
	if b.iv, err = modalities(d, cfg.Content, b.text, b.mf); err != nil {
		return nil, err
	}
	return b, nil
}

// maxTuneFlops bounds the multiply-adds of one gateObjective evaluation
// (cases × items × fused length), so tuning's cost does not grow with
// the catalog past it: fewer cases are scored instead (at least
// minTuneCases, at most maxTuneCases).
const (
	maxTuneFlops = 2e10
	minTuneCases = 500
	maxTuneCases = 5000
	// maxTuneWindow caps the history items a profile weighs in tuning.
	maxTuneWindow = 1024
)

// gateObjective scores a fusion model's gates by the NDCG@10 of the
// content model (candidate.Content) over the fused vectors on held-out
// cases, under full ranking with the history excluded and ties counted
// against the target, as metric.Evaluate ranks. It uses that a profile's
// inner product with an item's fused vector is Σ_m g_m(item)·(P_m·u_m),
// P_m the profile of modality m's gated unit vectors: the per-modality
// unit vectors are fixed, so each evaluation is one matrix product per
// modality (OpenBLAS) over the cases. candidate.Content divides by the
// profile's length, which ranks nothing differently.
type gateObjective struct {
	n      int // items
	mods   []fusion.Modality
	rows   [][]float32 // [modality]: n×dim centred unit vectors, zero rows for missing ones
	cols   [][]float32 // [modality]: the same, dim×n
	has    [][]bool    // [modality][item]
	counts []int
	cases  []dataset.Case
	decay  []float32 // decay[j]: the profile's weight of the item j places before the latest
}

// newGateObjective returns the objective over iv's vectors made into
// blocks as m makes them (fusion.Model.Blocks: the models it scores must
// have m's centres and predictors), counts[i]
// being item i's interactions, scored on cases (an even sample of them
// when there are many) with profiles made as cfg makes them.
func newGateObjective(m *fusion.Model, iv itemModalities, counts []int, cases []dataset.Case, cfg candidate.ContentConfig) (*gateObjective, error) {
	n := len(counts)
	o := &gateObjective{n: n, mods: iv.mods, counts: counts}
	dim := 0
	for _, md := range iv.mods {
		dim += md.Dim
		o.rows = append(o.rows, make([]float32, n*md.Dim))
		o.cols = append(o.cols, make([]float32, md.Dim*n))
		o.has = append(o.has, make([]bool, n))
	}
	for i := range n {
		bl, err := m.Blocks(iv.inputs(i, nil))
		if err != nil {
			return nil, fmt.Errorf("gate objective: item %d: %w", i, err)
		}
		for k, r := range bl {
			if r == nil {
				continue
			}
			copy(o.rows[k][i*len(r):], r)
			o.has[k][i] = true
			for d, x := range r {
				o.cols[k][d*n+i] = x
			}
		}
	}
	keep := min(maxTuneCases, max(minTuneCases, int(maxTuneFlops/float64(max(1, n*dim)))))
	if len(cases) > keep {
		for j := range keep {
			o.cases = append(o.cases, cases[j*len(cases)/keep])
		}
	} else {
		o.cases = cases
	}
	// The profile's weights by position: the profile of one-hot vectors.
	long := 0
	for _, c := range o.cases {
		long = max(long, len(c.History))
	}
	long = min(long, maxTuneWindow)
	hot := make([][]float32, long)
	for j := range hot {
		hot[j] = make([]float32, long)
		hot[j][j] = 1
	}
	p := cfg.Profile(hot)
	for j := long - 1; j >= 0 && p[j] != 0; j-- {
		o.decay = append(o.decay, p[j])
	}
	if len(o.cases) == 0 || len(o.decay) == 0 {
		return nil, fmt.Errorf("gate objective: no case with a history")
	}
	return o, nil
}

// ndcg returns the mean NDCG@10 of m's fused vectors on o's cases.
func (o *gateObjective) ndcg(ctx context.Context, m *fusion.Model) (float64, error) {
	n, nm := o.n, len(o.mods)
	gates := make([][]float32, nm) // [modality][item], 0 where missing
	for k := range gates {
		gates[k] = make([]float32, n)
	}
	g := make([]float32, nm)
	for i := range n {
		g = m.Gates(g, o.counts[i])
		for k := range o.mods {
			if o.has[k][i] {
				gates[k][i] = g[k]
			}
		}
	}
	chunk := max(1, min(len(o.cases), (1<<22)/max(n, 1)))
	scores, q := make([]float32, chunk*n), make([]float32, chunk*n)
	mark := make([]int, n)
	var gain float64
	for lo := 0; lo < len(o.cases); lo += chunk {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		cs := o.cases[lo:min(lo+chunk, len(o.cases))]
		clear(scores)
		for k, md := range o.mods {
			p := make([]float32, len(cs)*md.Dim)
			for c, cas := range cs {
				row := p[c*md.Dim : (c+1)*md.Dim]
				for j, w := range o.decay {
					if j >= len(cas.History) {
						break
					}
					h := cas.History[len(cas.History)-1-j]
					if a := w * gates[k][h]; a != 0 {
						for d, x := range o.rows[k][int(h)*md.Dim : (int(h)+1)*md.Dim] {
							row[d] += a * x
						}
					}
				}
			}
			if err := openblas.Gemm(len(cs), n, md.Dim, 1, p, o.cols[k], 0, q); err != nil {
				return 0, err
			}
			gk := gates[k]
			for c := range cs {
				s, qc := scores[c*n:(c+1)*n], q[c*n:(c+1)*n]
				for i, w := range gk {
					s[i] += w * qc[i]
				}
			}
		}
		for c, cas := range cs {
			s := scores[c*n : (c+1)*n]
			epoch := lo + c + 1
			for _, h := range cas.History {
				mark[h] = epoch
			}
			t := max(s[cas.Target], 0)
			rank := 0
			for i, v := range s {
				if max(v, 0) >= t && i != int(cas.Target) && mark[i] != epoch {
					rank++
				}
			}
			if rank < 10 {
				gain += 1 / math.Log2(float64(rank)+2)
			}
		}
	}
	return gain / float64(len(o.cases)), nil
}

// fuseAll returns m's fused vector of every item of iv (nil for an item
// with no modality), counts[i] being item i's interactions, of the
// modalities keep allows (all when nil).
func fuseAll(m *fusion.Model, iv itemModalities, counts []int, keep func(name string) bool) ([][]float32, error) {
	n := len(iv.vecs[0])
	out := make([][]float32, n)
	for i := range out {
		v, err := m.Fuse(iv.inputs(i, keep), counts[i])
		if err != nil {
			return nil, fmt.Errorf("train: item %d: %w", i, err)
		}
		out[i] = v
	}
	return out, nil
}

// inputs returns item i's vectors of the modalities iv has, keeping only
// those keep allows (all when keep is nil).
func (iv itemModalities) inputs(i int, keep func(name string) bool) fusion.Inputs {
	in := fusion.Inputs{}
	for k, md := range iv.mods {
		if v := iv.vecs[k][i]; v != nil && (keep == nil || keep(md.Name)) {
			in[md.Name] = v
		}
	}
	return in
}

// chooseVectors settles VectorsAuto on the validation items: set was
// trained on sp.Train with cfg, its content model over fused vectors and
// the text-alone one beside it. The fused vectors win only if they have
// the better NDCG@10 on the validation items and no worse on those of
// them that have no interaction in sp.Train (new items, which the fused
// vectors see through their text alone; the content model is the one
// that reaches them). The loser is dropped from set, and
// cfg.Content.Vectors records the choice for the models trained next.
func chooseVectors(ctx context.Context, sp *dataset.Split, set *fitted, cfg *Config, logger *slog.Logger) error {
	c := set.Member(saved.ModelContent)
	if cfg.Content.Vectors != VectorsAuto || c == nil || set.textContent == nil {
		return nil
	}
	seen := make([]bool, sp.Train.NumItems())
	for _, seq := range sp.Train.Seqs {
		for _, i := range seq {
			seen[i] = true
		}
	}
	var unseen []dataset.Case
	for _, vc := range sp.Valid {
		if !seen[vc.Target] {
			unseen = append(unseen, vc)
		}
	}
	score := func(s metric.Scorer, cases []dataset.Case) (float64, error) {
		if len(cases) == 0 {
			return 0, nil
		}
		r, err := metric.Evaluate(ctx, s, cases, sp.Train.NumItems(), metric.Options{})
		if err != nil {
			return 0, fmt.Errorf("train: choose content vectors: %w", err)
		}
		return r.NDCG[10], nil
	}
	var ndcg [2][2]float64 // [fused, text][all, unseen]
	for k, s := range []metric.Scorer{c.Scorer, set.textContent} {
		for j, cases := range [][]dataset.Case{sp.Valid, unseen} {
			v, err := score(s, cases)
			if err != nil {
				return err
			}
			ndcg[k][j] = v
		}
	}
	cfg.Content.Vectors = VectorsFused
	if ndcg[0][0] <= ndcg[1][0] || ndcg[0][1] < ndcg[1][1] {
		cfg.Content.Vectors = VectorsText
		c.Scorer, set.Fusion = set.textContent, nil
	}
	set.textContent = nil
	logger.Info("content vectors chosen on validation", "vectors", cfg.Content.Vectors,
		"fused_ndcg@10", fmt.Sprintf("%.4f", ndcg[0][0]), "text_ndcg@10", fmt.Sprintf("%.4f", ndcg[1][0]),
		"new_items", len(unseen), "fused_new_ndcg@10", fmt.Sprintf("%.4f", ndcg[0][1]), "text_new_ndcg@10", fmt.Sprintf("%.4f", ndcg[1][1]))
	return nil
}

// ItemVectors are the item vectors training makes on a dataset before
// the content model ranks over them, by item index: each modality's, and
// the learned fusion of them. TrainItemVectors makes them.
type ItemVectors struct {
	// Text is the built-in text encoder's vector of each item, nil for
	// an item without text.
	Text [][]float32
	// Behaviour is matrix factorisation's item factor of each item with
	// an interaction, nil for the others; BehaviourDim is its length.
	Behaviour    [][]float32
	BehaviourDim int
	// Fusion is the fusion of the modalities with its gates tuned as
	// training tunes them, and FusionSeconds how long that took.
	Fusion        *fusion.Model
	FusionSeconds float64
	// Counts is each item's number of interactions.
	Counts []int

	iv itemModalities
}

// TrainItemVectors trains the text encoder, matrix factorisation and the
// fusion of the items' text, image (cfg.Content.Image) and behaviour
// vectors on d, as Models does for the content model.
func TrainItemVectors(ctx context.Context, d *dataset.Dataset, cfg Config) (*ItemVectors, error) {
	b, err := baseVectors(ctx, d, cfg, true)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	m, err := trainFusion(ctx, d, cfg, b.iv)
	if err != nil {
		return nil, err
	}
	return &ItemVectors{
		Text: b.text, Behaviour: behaviourVectors(d, b.mf), BehaviourDim: b.mf.Factors(),
		Fusion: m, FusionSeconds: time.Since(start).Seconds(), Counts: interactionCounts(d), iv: b.iv,
	}, nil
}

// Modalities names the modalities v fuses, in the fusion's order.
func (v *ItemVectors) Modalities() []string {
	var out []string
	for _, md := range v.iv.mods {
		out = append(out, md.Name)
	}
	return out
}

// Inputs returns item i's vector of each modality it has.
func (v *ItemVectors) Inputs(i int) fusion.Inputs { return v.iv.inputs(i, nil) }

// Fuse returns m's fused vector of every item, nil for an item with no
// modality; m is v.Fusion or another fusion of v's modalities (EqualGates).
func (v *ItemVectors) Fuse(m *fusion.Model) ([][]float32, error) {
	return fuseAll(m, v.iv, v.Counts, nil)
}

// EqualGates returns the fusion of v's modalities that tuning starts
// from, every gate equal, with the behaviour predictor fitted on v's
// vectors.
func (v *ItemVectors) EqualGates() (*fusion.Model, error) {
	m, err := withPredictor(fusion.New(v.iv.mods, v.iv.centres()))(v.iv)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return m, nil
}
