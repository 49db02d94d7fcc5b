package train

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/aislehq/aisle/model/saved"

	"github.com/aislehq/aisle/eval"
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
// against the target, as eval.Evaluate ranks. It uses that a profile's
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
	score := func(s eval.Scorer, cases []dataset.Case) (float64, error) {
		if len(cases) == 0 {
			return 0, nil
		}
		r, err := eval.Evaluate(ctx, s, cases, sp.Train.NumItems(), eval.Options{})
		if err != nil {
			return 0, fmt.Errorf("train: choose content vectors: %w", err)
		}
		return r.NDCG[10], nil
	}
	var ndcg [2][2]float64 // [fused, text][all, unseen]
	for k, s := range []eval.Scorer{c.Scorer, set.textContent} {
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

// Names of the item vectors FusionExperiment compares, each ranked by the
// content model (candidate.Content) over them.
const (
	VectorsOfText      = "text (ngram)"
	VectorsOfBehaviour = "behaviour (ALS item factors)"
	VectorsConcat      = "text ⊕ behaviour (fixed concatenation)"
	VectorsEqualGates  = "gated blocks, equal gates"
	VectorsOfFusion    = "fused (learned gates)"
)

// FusionReport is what FusionExperiment measured.
type FusionReport struct {
	// Valid and Test have one result per kind of item vectors (the
	// Vectors* names above), the content model over them scored on the
	// leave-one-out validation items (models trained on the train split)
	// and test items (trained on train+validation).
	Valid, Test []eval.Result
	// Cold and Warm are the same under ColdStart's split (every vector
	// trained on train+validation without the held-out items, which then
	// have text but no behaviour vector): Cold on the interactions with
	// held-out items, Warm on the test items that are not held out.
	Cold, Warm []eval.Result
	// Attention is the mean attention weight (squared gate) of each
	// modality over the items that have every modality, in the test
	// models.
	Attention map[string]float64
	// Gates are the test model's gates of each modality at each of
	// GateCounts interactions.
	Gates      map[string][]float64
	GateCounts []int
	// Modalities names the modalities fused.
	Modalities []string
	// Seconds is the fusion's training time on train+validation.
	Seconds                                                              float64
	Users, Items, ValidCases, TestCases, ColdItems, ColdCases, WarmCases int
}

// FusionExperiment compares the content candidate generator over text
// vectors, behaviour vectors (matrix factorisation's item factors), their
// fixed concatenation and their learned fusion (cfg.Content.Fusion), on
// d's leave-one-out split and on ColdStart's held-out items, under full
// ranking. Text comes from cfg.Content.Text and image vectors, if any,
// from cfg.Content.Image.
func FusionExperiment(ctx context.Context, d *dataset.Dataset, cfg Config, logger *slog.Logger) (*FusionReport, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Content.Text == nil {
		return nil, fmt.Errorf("fusion experiment: no item texts")
	}
	sp := dataset.LeaveOneOut(d)
	cs := dataset.HoldOutItems(d, ColdFraction, cfg.Seed+1)
	warm := warmCases(sp, cs)
	if len(sp.Test) == 0 || len(cs.Test) == 0 || len(warm) == 0 {
		return nil, fmt.Errorf("fusion experiment: too few interactions for leave-one-out and cold items")
	}
	rep := &FusionReport{Users: len(d.Users), Items: d.NumItems(), ValidCases: len(sp.Valid), TestCases: len(sp.Test), ColdCases: len(cs.Test), WarmCases: len(warm)}
	for _, c := range cs.Cold {
		if c {
			rep.ColdItems++
		}
	}
	type cases struct {
		what  string
		cases []dataset.Case
		out   *[]eval.Result
	}
	runs := []struct {
		on   *dataset.Dataset
		sets []cases
	}{
		{sp.Train, []cases{{"validation", sp.Valid, &rep.Valid}}},
		{sp.Full, []cases{{"test", sp.Test, &rep.Test}}},
		{sp.Full.Without(cs.Cold), []cases{{"cold", cs.Test, &rep.Cold}, {"warm", warm, &rep.Warm}}},
	}
	for k, r := range runs {
		start := time.Now()
		vs, err := vectorKinds(ctx, r.on, cfg)
		if err != nil {
			return nil, fmt.Errorf("fusion experiment: %w", err)
		}
		if k == 1 {
			rep.Attention, rep.Modalities, rep.Seconds = vs.attention, vs.modalities, vs.seconds
			rep.Gates, rep.GateCounts = vs.gates, gateCounts()
		}
		logger.Info("item vectors trained", "on", r.sets[0].what, "seconds", fmt.Sprintf("%.1f", time.Since(start).Seconds()))
		for _, kind := range vs.kinds {
			c, err := candidate.NewContent(kind.vecs, cfg.Content.Scorer)
			if err != nil {
				return nil, fmt.Errorf("fusion experiment: %w", err)
			}
			for _, set := range r.sets {
				res, err := eval.Evaluate(ctx, c, set.cases, d.NumItems(), eval.Options{})
				if err != nil {
					return nil, fmt.Errorf("fusion experiment: %w", err)
				}
				res.Model = kind.name
				*set.out = append(*set.out, res)
				logger.Info("evaluated", "cases", set.what, "vectors", kind.name, "ndcg@10", fmt.Sprintf("%.4f", res.NDCG[10]), "hr@10", fmt.Sprintf("%.4f", res.HR[10]))
			}
		}
	}
	return rep, nil
}

// vectorKind is one kind of item vectors, by item index.
type vectorKind struct {
	name string
	vecs [][]float32
}

// vectorSet is one training run's item vectors of every kind.
type vectorSet struct {
	kinds      []vectorKind
	attention  map[string]float64
	modalities []string
	gates      map[string][]float64
	seconds    float64 // the fusion's training
}

// vectorKinds trains the text encoder, matrix factorisation and the
// fusion on d as Models does, and returns the item vectors of each kind
// FusionExperiment compares.
func vectorKinds(ctx context.Context, d *dataset.Dataset, cfg Config) (*vectorSet, error) {
	b, err := baseVectors(ctx, d, cfg, true)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	m, err := trainFusion(ctx, d, cfg, b.iv)
	if err != nil {
		return nil, err
	}
	secs := time.Since(start).Seconds()
	counts := interactionCounts(d)
	fused, err := fuseAll(m, b.iv, counts, nil)
	if err != nil {
		return nil, err
	}
	equal, err := withPredictor(fusion.New(b.iv.mods, b.iv.centres()))(b.iv)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	equalVecs, err := fuseAll(equal, b.iv, counts, nil)
	if err != nil {
		return nil, err
	}
	behaviour := behaviourVectors(d, b.mf)
	vs := &vectorSet{attention: map[string]float64{}, seconds: secs}
	for _, md := range b.iv.mods {
		vs.modalities = append(vs.modalities, md.Name)
	}
	all := 0
	for i := range b.text {
		in := b.iv.inputs(i, nil)
		if len(in) < len(b.iv.mods) {
			continue
		}
		a, err := m.Attention(in, counts[i])
		if err != nil {
			return nil, err
		}
		for name, w := range a {
			vs.attention[name] += float64(w)
		}
		all++
	}
	for name := range vs.attention {
		vs.attention[name] /= float64(max(all, 1))
	}
	vs.gates = gateTable(m)
	add := func(name string, vecs [][]float32) {
		vs.kinds = append(vs.kinds, vectorKind{name, vecs})
	}
	add(VectorsOfText, b.text)
	add(VectorsOfBehaviour, behaviour)
	add(VectorsConcat, concat(b.text, behaviour, b.mf.Factors()))
	add(VectorsEqualGates, equalVecs)
	add(VectorsOfFusion, fused)
	return vs, nil
}

// gateCounts returns the interaction counts FusionReport.Gates shows.
func gateCounts() []int { return []int{0, 1, 2, 5, 10, 20, 50} }

// gateTable returns m's gates at each of gateCounts, by modality name.
func gateTable(m *fusion.Model) map[string][]float64 {
	out := map[string][]float64{}
	for _, n := range gateCounts() {
		for k, g := range m.Gates(nil, n) {
			name := m.Modalities()[k].Name
			out[name] = append(out[name], float64(g))
		}
	}
	return out
}

// concat returns each item's unit text and unit behaviour vectors end to
// end (zeros for a missing one), scaled to unit length: its cosine with
// another item's is the mean of the two cosines when both have both.
func concat(text, behaviour [][]float32, bdim int) [][]float32 {
	tdim := 0
	for _, v := range text {
		tdim = max(tdim, len(v))
	}
	out := make([][]float32, len(text))
	for i := range out {
		if text[i] == nil && behaviour[i] == nil {
			continue
		}
		v := make([]float32, tdim+bdim)
		copy(v, text[i])
		vector.Normalize(v[:tdim])
		copy(v[tdim:], behaviour[i])
		vector.Normalize(v[tdim:])
		vector.Normalize(v)
		out[i] = v
	}
	return out
}
