// Package metric measures next-item recommenders offline with the
// standard leave-one-out protocol: for every held-out case the model
// scores all items given the user's history, and the rank of the held-out
// target gives HR@k, NDCG@k and MRR. The top-10 lists the model would
// show give catalog coverage and, given a Catalog, the beyond-accuracy
// metrics (Beyond): novelty, popularity bias, the Gini coefficient of
// exposure and intra-list diversity.
//
// Ties are broken pessimistically: every other item that scores the same
// as the target is ranked above it, so a model that gives every item the
// same score never gets a hit. NaN scores count as -Inf.
//
// It is the part of evaluation that training needs to choose on
// validation items, and imports nothing of Aisle but package dataset; the
// experiments, benchmarks and reports built on it are in package eval.
package metric

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aislehq/aisle/model/dataset"
)

// Scorer scores every item for one user's history.
//
// Score receives the history as item indices, oldest first, and must write
// every element of scores (len(scores) is the number of items); higher is
// better. It must not modify or keep history or scores. Score must be safe
// for concurrent use: Evaluate calls it from several goroutines, each with
// its own scores buffer.
type Scorer interface {
	Score(history []int32, scores []float32)
}

// named is the optional capability Evaluate uses to fill Result.Model.
type named interface {
	Name() string
}

// Protocol chooses which items the target is ranked against.
type Protocol string

const (
	// Full ranks the target against every item (less the history unless
	// Options.KeepHistory is set).
	Full Protocol = "full"
	// Sampled100 ranks the target against 99 negatives drawn uniformly
	// from the items outside the case's history. It is easier than Full
	// and reported only for comparison with papers that use it.
	Sampled100 Protocol = "sampled100"
)

// sampledNegatives is the number of negatives Sampled100 draws per case.
const sampledNegatives = 99

// coverageK is the cut-off of the Coverage metric.
const coverageK = 10

// defaultKs are the cut-offs used when Options.Ks is empty.
var defaultKs = []int{5, 10, 20}

// Options configure Evaluate. The zero value is the standard setting: full
// ranking, history items excluded, k in {5, 10, 20}, one worker per CPU.
type Options struct {
	// Protocol is Full or Sampled100; empty means Full.
	Protocol Protocol
	// Ks are the cut-offs of HR@k and NDCG@k; empty means {5, 10, 20}.
	// Every k must be positive; duplicates are ignored.
	Ks []int
	// Seed makes Sampled100's negatives deterministic: a case's negatives
	// depend only on Seed and the case's position in cases.
	Seed uint64
	// Workers is the number of goroutines scoring cases in parallel, each
	// with its own scores buffer; 0 means runtime.GOMAXPROCS(0). Results
	// do not depend on it.
	Workers int
	// KeepHistory keeps the items of a case's history in the Full
	// ranking. By default (false) they are removed, except the target
	// itself, which is always ranked. Sampled100 never draws history
	// items as negatives, whatever KeepHistory says.
	KeepHistory bool
	// Catalog, if not nil, makes a Full evaluation also measure the
	// beyond-accuracy metrics (Result.Beyond: novelty, popularity bias,
	// exposure Gini, intra-list diversity) on the top-10 lists Coverage
	// counts. It changes no other metric. Sampled100 ignores it.
	Catalog *Catalog
}

// ErrBadOptions is wrapped by the errors Evaluate returns for invalid
// options or inputs.
var ErrBadOptions = errors.New("bad options")

// normalize returns o with its defaults filled in, or an error wrapping
// ErrBadOptions.
func (o Options) normalize() (Options, error) {
	switch o.Protocol {
	case "":
		o.Protocol = Full
	case Full, Sampled100:
	default:
		return o, fmt.Errorf("protocol %q: %w", o.Protocol, ErrBadOptions)
	}
	if len(o.Ks) == 0 {
		o.Ks = defaultKs
	}
	ks := slices.Clone(o.Ks)
	for _, k := range ks {
		if k <= 0 {
			return o, fmt.Errorf("k %d: %w", k, ErrBadOptions)
		}
	}
	slices.Sort(ks)
	o.Ks = slices.Compact(ks)
	switch {
	case o.Workers < 0:
		return o, fmt.Errorf("workers %d: %w", o.Workers, ErrBadOptions)
	case o.Workers == 0:
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return o, nil
}

// Result holds the metrics of one evaluation. Metrics are means over Cases;
// they are 0 when there are no cases.
type Result struct {
	// Model names the model. Evaluate sets it from the scorer's
	// Name() string method when it has one; otherwise the caller does.
	Model string
	// Protocol is the protocol the metrics were measured under.
	Protocol Protocol
	// Cases is the number of cases evaluated.
	Cases int
	// HR and NDCG are keyed by k: HR@k is the fraction of cases whose
	// target ranks in the top k, NDCG@k the mean of 1/log2(rank+2) over
	// those cases (0-based rank; 0 outside the top k).
	HR, NDCG map[int]float64
	// MRR is the mean of 1/(rank+1) over the full ranking (Sampled100:
	// over the 100 candidates).
	MRR float64
	// Coverage is the fraction of all items that appear in at least one
	// case's top 10, after exclusion. It is computed for Full only and is
	// 0 for Sampled100.
	Coverage float64
	// Beyond holds the beyond-accuracy metrics, measured on the same
	// top-10 lists as Coverage; nil unless Options.Catalog was set and
	// the protocol is Full.
	Beyond *Beyond
	// TrainSeconds is how long the model took to train. Evaluate leaves
	// it 0 for the caller to fill.
	TrainSeconds float64
}

// JSON returns r as a flat map ready for encoding/json: "model",
// "protocol", "cases", "hr@k" and "ndcg@k" for every k in r.HR and r.NDCG,
// "mrr", "coverage@10" and "train_seconds". With r.Beyond it adds
// "novelty@10", "head_items" (how many items make the 1% head),
// "head_share@10" (the share of top-10 slots they take),
// "exposure_gini@10", and "ild@10_category" and "ild@10_cosine" when
// measured (Beyond.ILD). Every number is a float64.
func (r Result) JSON() map[string]any {
	m := map[string]any{
		"model":         r.Model,
		"protocol":      string(r.Protocol),
		"cases":         float64(r.Cases),
		"mrr":           r.MRR,
		"coverage@10":   r.Coverage,
		"train_seconds": r.TrainSeconds,
	}
	for k, v := range r.HR {
		m[fmt.Sprintf("hr@%d", k)] = v
	}
	for k, v := range r.NDCG {
		m[fmt.Sprintf("ndcg@%d", k)] = v
	}
	if b := r.Beyond; b != nil {
		m["novelty@10"] = b.Novelty
		m["head_items"] = float64(b.HeadItems)
		m["head_share@10"] = b.HeadShare
		m["exposure_gini@10"] = b.ExposureGini
		for kind, v := range b.ILD {
			m["ild@10_"+kind] = v
		}
	}
	return m
}

// chunk is the number of consecutive cases a worker takes at a time.
const chunk = 64

// Evaluate scores every case with s and returns the metrics of the
// target's rank among numItems items under opts.Protocol.
//
// Cases are scored in parallel by opts.Workers goroutines; the result is
// the same for any number of workers. Evaluate returns an error wrapping
// ctx's error if ctx is done before every case is scored, and one wrapping
// ErrBadOptions for invalid options (an opts.Catalog that does not fit
// numItems included), numItems < 1, or a case whose target or history
// holds an item outside [0, numItems).
func Evaluate(ctx context.Context, s Scorer, cases []dataset.Case, numItems int, opts Options) (Result, error) {
	o, err := opts.normalize()
	if err != nil {
		return Result{}, fmt.Errorf("evaluate: %w", err)
	}
	if err := checkCases(cases, numItems); err != nil {
		return Result{}, fmt.Errorf("evaluate: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("evaluate: %w", err)
	}

	ranks := make([]int32, len(cases))
	workers := min(o.Workers, (len(cases)+chunk-1)/chunk)
	coverage := o.Protocol == Full
	var by *beyond
	if coverage && o.Catalog != nil {
		if by, err = newBeyond(o.Catalog, numItems, len(cases)); err != nil {
			return Result{}, fmt.Errorf("evaluate: %w", err)
		}
	}
	var (
		next    atomic.Int64
		stopped atomic.Bool
		wg      sync.WaitGroup
	)
	ws := make([]*worker, workers)
	for i := range ws {
		w := newWorker(numItems, coverage, o.Seed)
		if by != nil {
			w.exposure = make([]int32, numItems)
		}
		ws[i] = w
		wg.Go(func() {
			for {
				if ctx.Err() != nil {
					stopped.Store(true)
					return
				}
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(cases) {
					return
				}
				for j := lo; j < min(lo+chunk, len(cases)); j++ {
					c := &cases[j]
					s.Score(c.History, w.scores)
					if o.Protocol == Full {
						ranks[j] = int32(w.rankFull(c.History, c.Target, !o.KeepHistory))
						if by != nil {
							by.measure(j, w.top.idx, w.exposure)
						}
					} else {
						ranks[j] = int32(w.rankSampled(c.History, c.Target, uint64(j)))
					}
				}
			}
		})
	}
	wg.Wait()
	if stopped.Load() {
		return Result{}, fmt.Errorf("evaluate: %w", ctx.Err())
	}

	r := aggregate(ranks, o.Ks)
	r.Protocol = o.Protocol
	if n, ok := s.(named); ok {
		r.Model = n.Name()
	}
	if coverage && len(ws) > 0 {
		covered := ws[0].covered
		for _, w := range ws[1:] {
			for i, x := range w.covered {
				covered[i] |= x
			}
		}
		n := 0
		for _, x := range covered {
			n += bits.OnesCount64(x)
		}
		r.Coverage = float64(n) / float64(numItems)
	}
	if by != nil {
		exposure := make([]int32, numItems)
		for _, w := range ws {
			for i, x := range w.exposure {
				exposure[i] += x
			}
		}
		r.Beyond = by.result(exposure)
	}
	return r, nil
}

// checkCases reports the first case that refers to an item outside
// [0, numItems).
func checkCases(cases []dataset.Case, numItems int) error {
	if numItems < 1 {
		return fmt.Errorf("%d items: %w", numItems, ErrBadOptions)
	}
	n := int32(min(numItems, math.MaxInt32))
	for i, c := range cases {
		if c.Target < 0 || c.Target >= n {
			return fmt.Errorf("case %d: target %d outside [0, %d): %w", i, c.Target, numItems, ErrBadOptions)
		}
		for _, h := range c.History {
			if h < 0 || h >= n {
				return fmt.Errorf("case %d: history item %d outside [0, %d): %w", i, h, numItems, ErrBadOptions)
			}
		}
	}
	return nil
}

// aggregate turns per-case 0-based ranks into means, summing in case order
// so that the result does not depend on how cases were scheduled.
func aggregate(ranks []int32, ks []int) Result {
	r := Result{Cases: len(ranks), HR: make(map[int]float64, len(ks)), NDCG: make(map[int]float64, len(ks))}
	hits := make([]float64, len(ks))
	gains := make([]float64, len(ks))
	var rr float64
	for _, rank := range ranks {
		for i, k := range ks {
			if int(rank) < k {
				hits[i]++
				gains[i] += ndcg(int(rank))
			}
		}
		rr += 1 / float64(int(rank)+1)
	}
	n := float64(max(len(ranks), 1))
	for i, k := range ks {
		r.HR[k] = hits[i] / n
		r.NDCG[k] = gains[i] / n
	}
	r.MRR = rr / n
	return r
}

// ndcg is the gain of a single relevant item at 0-based rank.
func ndcg(rank int) float64 { return 1 / math.Log2(float64(rank)+2) }
