package classify

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/optimize"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// Defaults applied by Train to zero-valued Config fields.
const (
	// DefaultFolds is the number of cross-validation folds.
	DefaultFolds = 5
	// DefaultMaxIterations bounds the L-BFGS iterations of one fit.
	DefaultMaxIterations = 300
)

// DefaultLambdas returns the L2 penalties Train tries when Config.Lambdas
// is empty, largest first: 10⁻¹ down to 10⁻⁶ in half-decade steps (unit
// inputs need small penalties; standardised ones larger).
func DefaultLambdas() []float64 {
	return []float64{1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6}
}

// Config configures Train. The zero value is valid: every field has a
// documented default.
type Config struct {
	// Lambdas are the candidate L2 penalties (each positive and finite),
	// tried largest first, each fit starting from the previous one's
	// weights (default DefaultLambdas). With a single candidate there is
	// no cross-validation.
	Lambdas []float64
	// Folds is the number of stratified cross-validation folds (default
	// DefaultFolds); at least 2 and at most the number of inputs.
	Folds int
	// Standardize standardises every dimension of the L2-normalised inputs
	// (zero mean, unit deviation over the training inputs) before the
	// linear layer.
	Standardize bool
	// MaxIterations bounds the L-BFGS iterations of one fit (default
	// DefaultMaxIterations).
	MaxIterations int
	// Workers is the number of folds fitted at once (default GOMAXPROCS).
	// It changes the speed, never the model.
	Workers int
	// Extra holds optional extra views of the inputs: nil, or one entry per
	// input, Extra[i] being another embedding of input i (of its
	// horizontally flipped photo, say) or nil. Each is trained with input
	// i's label and held out with it, and is never scored in
	// cross-validation.
	Extra [][]float32
}

// withDefaults returns c with its zero fields set.
func (c Config) withDefaults() Config {
	if len(c.Lambdas) == 0 {
		c.Lambdas = DefaultLambdas()
	}
	if c.Folds == 0 {
		c.Folds = DefaultFolds
	}
	if c.MaxIterations == 0 {
		c.MaxIterations = DefaultMaxIterations
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	return c
}

// examples is a training set ready to fit: unit-length rows, their class
// indices, and for each row the input it came from (extra views share
// their input's index).
type examples struct {
	dim    int
	labels []string  // sorted class names
	rows   []float32 // n×dim, row-major
	y      []int     // class index per row
	origin []int     // input index per row
}

// n is the number of rows.
func (e *examples) n() int { return len(e.y) }

// row returns row i.
func (e *examples) row(i int) []float32 { return e.rows[i*e.dim : (i+1)*e.dim] }

// Train fits a Softmax on xs (every one the same length) and their labels,
// choosing the L2 penalty by cross-validation on xs alone (see the package
// documentation). It returns EINVALID when there are no inputs, labels and
// xs differ in length, a label is empty, there are fewer than two classes,
// an input or extra view differs in length from xs[0] or holds a NaN or
// infinity, or cfg is out of range; ctx's error when ctx ends first. Train
// does not modify xs.
func Train(ctx context.Context, xs [][]float32, labels []string, cfg Config) (*Softmax, error) {
	cfg = cfg.withDefaults()
	ex, err := prepare(xs, labels, cfg)
	if err != nil {
		return nil, err
	}
	lambda := cfg.Lambdas[0]
	var cv []CVScore
	if len(cfg.Lambdas) > 1 {
		if cv, err = crossValidate(ctx, ex, cfg); err != nil {
			return nil, err
		}
		lambda = best(cv)
	}
	all := make([]int, ex.n())
	for i := range all {
		all[i] = i
	}
	m, err := fit(ctx, ex, all, lambda, cfg, nil)
	if err != nil {
		return nil, err
	}
	m.cv = cv
	return m, nil
}

// prepare checks the inputs and cfg and returns the examples: normalised
// copies of xs and of the extra views.
func prepare(xs [][]float32, labels []string, cfg Config) (*examples, error) {
	switch {
	case len(xs) == 0:
		return nil, aisle.Errorf(aisle.EINVALID, "classify: no training inputs")
	case len(labels) != len(xs):
		return nil, aisle.Errorf(aisle.EINVALID, "classify: %d labels for %d inputs", len(labels), len(xs))
	case cfg.Extra != nil && len(cfg.Extra) != len(xs):
		return nil, aisle.FieldErrorf(aisle.EINVALID, "Extra", "%d extra views for %d inputs, want one (or nil) per input", len(cfg.Extra), len(xs))
	case cfg.Folds < 2 || cfg.Folds > len(xs):
		return nil, aisle.FieldErrorf(aisle.EINVALID, "Folds", "%d folds for %d inputs, want 2 to %d", cfg.Folds, len(xs), len(xs))
	case cfg.MaxIterations < 0:
		return nil, aisle.FieldErrorf(aisle.EINVALID, "MaxIterations", "%d, must not be negative", cfg.MaxIterations)
	}
	for i, l := range cfg.Lambdas {
		if !(l > 0) || math.IsInf(l, 0) {
			return nil, aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("Lambdas[%d]", i), "%v, want a positive finite penalty", l)
		}
	}
	ex := &examples{dim: len(xs[0])}
	if ex.dim == 0 {
		return nil, aisle.FieldErrorf(aisle.EINVALID, "xs[0]", "is empty")
	}
	for i, l := range labels {
		if l == "" {
			return nil, aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("labels[%d]", i), "is empty")
		}
	}
	ex.labels = slices.Compact(slices.Sorted(slices.Values(labels)))
	if len(ex.labels) < 2 {
		return nil, aisle.Errorf(aisle.EINVALID, "classify: every input is labelled %q, want at least two classes", ex.labels[0])
	}
	add := func(field string, x []float32, i, y int) error {
		if err := checkVector(field, x, ex.dim); err != nil {
			return err
		}
		start := len(ex.rows)
		ex.rows = append(ex.rows, x...)
		vector.Normalize(ex.rows[start:])
		ex.y = append(ex.y, y)
		ex.origin = append(ex.origin, i)
		return nil
	}
	for i, x := range xs {
		y, _ := slices.BinarySearch(ex.labels, labels[i])
		if err := add(fmt.Sprintf("xs[%d]", i), x, i, y); err != nil {
			return nil, err
		}
		if cfg.Extra != nil && cfg.Extra[i] != nil {
			if err := add(fmt.Sprintf("Extra[%d]", i), cfg.Extra[i], i, y); err != nil {
				return nil, err
			}
		}
	}
	return ex, nil
}

// folds assigns every input to one of k folds, stratified: the inputs of
// each class, in input order, are dealt round-robin, continuing from one
// class to the next so that the folds' sizes differ by at most one.
func folds(ex *examples, inputs, k int) []int {
	class := make([]int, inputs)
	for r, i := range ex.origin {
		class[i] = ex.y[r]
	}
	fold := make([]int, inputs)
	next := 0
	for c := range ex.labels {
		for i := range inputs {
			if class[i] == c {
				fold[i] = next % k
				next++
			}
		}
	}
	return fold
}

// crossValidate scores every candidate penalty on cfg.Folds folds. The
// folds are fitted cfg.Workers at a time; within a fold the penalties are
// fitted largest first, each from the previous fit's weights.
func crossValidate(ctx context.Context, ex *examples, cfg Config) ([]CVScore, error) {
	inputs := ex.origin[len(ex.origin)-1] + 1
	fold := folds(ex, inputs, cfg.Folds)
	type tally struct {
		hits   int
		loss   float64
		scored int
	}
	tallies := make([][]tally, cfg.Folds) // [fold][lambda]
	errs := make([]error, cfg.Folds)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, cfg.Workers)
	var wg sync.WaitGroup
	for f := range cfg.Folds {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var train, held []int
			for r, i := range ex.origin {
				switch {
				case fold[i] != f:
					train = append(train, r)
				case r == 0 || ex.origin[r-1] != i: // the input itself, not an extra view
					held = append(held, r)
				}
			}
			tallies[f] = make([]tally, len(cfg.Lambdas))
			var prev *Softmax
			for li, lambda := range cfg.Lambdas {
				m, err := fit(ctx, ex, train, lambda, cfg, prev)
				if err != nil {
					errs[f] = err
					cancel()
					return
				}
				p := make([]float64, len(ex.labels))
				scratch := make([]float32, ex.dim)
				t := &tallies[f][li]
				for _, r := range held {
					m.softmax(p, ex.row(r), scratch)
					if argmax(p) == ex.y[r] {
						t.hits++
					}
					t.loss -= math.Log(max(p[ex.y[r]], 1e-300))
					t.scored++
				}
				prev = m
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	scores := make([]CVScore, len(cfg.Lambdas))
	for li, lambda := range cfg.Lambdas {
		var sum tally
		for f := range tallies {
			t := tallies[f][li]
			sum.hits, sum.loss, sum.scored = sum.hits+t.hits, sum.loss+t.loss, sum.scored+t.scored
		}
		scores[li] = CVScore{Lambda: lambda, Accuracy: float64(sum.hits) / float64(sum.scored), LogLoss: sum.loss / float64(sum.scored)}
	}
	return scores, nil
}

// best returns the penalty with the best accuracy; ties go to the lower
// log loss, then to the larger penalty.
func best(cv []CVScore) float64 {
	b := cv[0]
	for _, s := range cv[1:] {
		if s.Accuracy > b.Accuracy ||
			s.Accuracy == b.Accuracy && (s.LogLoss < b.LogLoss || s.LogLoss == b.LogLoss && s.Lambda > b.Lambda) {
			b = s
		}
	}
	return b.Lambda
}

// fit trains a Softmax on the rows of ex listed in train with penalty
// lambda, starting from init's weights (zero when init is nil).
func fit(ctx context.Context, ex *examples, train []int, lambda float64, cfg Config, init *Softmax) (*Softmax, error) {
	p := newProblem(ex, train, lambda, cfg.Standardize)
	x0 := make([]float64, p.k*p.d+p.k)
	if init != nil {
		for i, v := range init.w {
			x0[i] = float64(v)
		}
		for i, v := range init.b {
			x0[p.k*p.d+i] = float64(v)
		}
	}
	settings := &optimize.Settings{
		GradientThreshold: 1e-5,
		MajorIterations:   cfg.MaxIterations,
		Converger:         &optimize.FunctionConverge{Absolute: 1e-9, Relative: 1e-9, Iterations: 10},
	}
	problem := optimize.Problem{
		Func: p.value,
		Grad: p.gradient,
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	res, err := optimize.Minimize(problem, x0, settings, &optimize.LBFGS{})
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	// A line search that can make no more progress ends at the best point
	// found, which is the minimum up to the gradient's float32 rounding.
	case err != nil && !errors.Is(err, optimize.ErrLinesearcherFailure) && !errors.Is(err, optimize.ErrNoProgress):
		return nil, fmt.Errorf("classify: fit: %w", err)
	case res == nil || math.IsNaN(res.F) || math.IsInf(res.F, 0):
		return nil, fmt.Errorf("classify: fit: the loss diverged")
	}
	m := &Softmax{labels: ex.labels, dim: p.d, w: make([]float32, p.k*p.d), b: make([]float32, p.k), lambda: lambda, mean: p.mean, scale: p.scale}
	for i := range m.w {
		m.w[i] = float32(res.X[i])
	}
	for i := range m.b {
		m.b[i] = float32(res.X[p.k*p.d+i])
	}
	return m, nil
}

// problem is the penalised mean cross-entropy of a training set, as a
// function of the weights (k×d, row-major) followed by the biases (k). The
// products run in float32 through vector.Dot; the sums in float64.
type problem struct {
	n, d, k     int
	lambda      float64
	x           []float32 // n×d inputs (standardised when mean is set)
	xt          []float32 // d×n: x transposed, for the gradient
	y           []int
	mean, scale []float32

	w32   []float32 // the weights being evaluated, as float32
	rt    []float32 // k×n: (p − onehot)/n, transposed
	z     []float64
	at    []float64 // the point f and g were computed at
	f     float64
	g     []float64
	valid bool
}

// newProblem gathers the rows train of ex, standardising them when asked
// with their own means and deviations.
func newProblem(ex *examples, train []int, lambda float64, standardize bool) *problem {
	n, d, k := len(train), ex.dim, len(ex.labels)
	p := &problem{
		n: n, d: d, k: k, lambda: lambda,
		x: make([]float32, n*d), xt: make([]float32, d*n), y: make([]int, n),
		w32: make([]float32, k*d), rt: make([]float32, k*n), z: make([]float64, k),
		at: make([]float64, k*d+k), g: make([]float64, k*d+k),
	}
	for i, r := range train {
		copy(p.x[i*d:(i+1)*d], ex.row(r))
		p.y[i] = ex.y[r]
	}
	if standardize {
		p.mean, p.scale = make([]float32, d), make([]float32, d)
		for j := range d {
			var s, ss float64
			for i := range n {
				v := float64(p.x[i*d+j])
				s += v
				ss += v * v
			}
			mu := s / float64(n)
			sd := math.Sqrt(max(ss/float64(n)-mu*mu, 0))
			p.mean[j], p.scale[j] = float32(mu), 1
			if sd > 1e-8 {
				p.scale[j] = float32(1 / sd)
			}
			for i := range n {
				p.x[i*d+j] = (p.x[i*d+j] - p.mean[j]) * p.scale[j]
			}
		}
	}
	for i := range n {
		for j := range d {
			p.xt[j*n+i] = p.x[i*d+j]
		}
	}
	return p
}

// value is the objective at w.
func (p *problem) value(w []float64) float64 {
	p.eval(w)
	return p.f
}

// gradient writes the objective's gradient at w to g.
func (p *problem) gradient(g, w []float64) {
	p.eval(w)
	copy(g, p.g)
}

// eval computes the objective and its gradient at w, unless they are
// those of the last point (L-BFGS asks for both at each point).
func (p *problem) eval(w []float64) {
	if p.valid && slices.Equal(w, p.at) {
		return
	}
	n, d, k := p.n, p.d, p.k
	for i := range p.w32 {
		p.w32[i] = float32(w[i])
	}
	bias := w[k*d:]
	var loss float64
	inv := 1 / float64(n)
	for i := range n {
		xi := p.x[i*d : (i+1)*d]
		for c := range k {
			p.z[c] = float64(vector.Dot(p.w32[c*d:(c+1)*d], xi)) + bias[c]
		}
		zy := p.z[p.y[i]]
		loss += softmaxInPlace(p.z) - zy // p.z now holds the probabilities
		for c := range k {
			r := p.z[c]
			if c == p.y[i] {
				r--
			}
			p.rt[c*n+i] = float32(r * inv)
		}
	}
	var reg float64
	for _, v := range w[:k*d] {
		reg += v * v
	}
	p.f = loss*inv + 0.5*p.lambda*reg
	for c := range k {
		rc := p.rt[c*n : (c+1)*n]
		var gb float64
		for _, v := range rc {
			gb += float64(v)
		}
		p.g[k*d+c] = gb
		for j := range d {
			p.g[c*d+j] = float64(vector.Dot(rc, p.xt[j*n:(j+1)*n])) + p.lambda*w[c*d+j]
		}
	}
	copy(p.at, w)
	p.valid = true
}
