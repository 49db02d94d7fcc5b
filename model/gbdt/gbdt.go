// Package gbdt learns gradient-boosted regression trees for ranking
// (LambdaMART) and scores rows with them. Training is histogram-based and
// grows each tree leaf by leaf (the best split first), as LightGBM does;
// it is deterministic, needs no random numbers, and fits 2 cores. A Model
// is read-only once trained and safe for concurrent use.
package gbdt

import (
	"fmt"
	"math"
)

// Config sets training. Zero fields take the defaults beside them.
type Config struct {
	// Trees is the most trees trained (default 300); early stopping on
	// the validation data may keep fewer.
	Trees int
	// Leaves bounds each tree's leaves (default 31).
	Leaves int
	// LearningRate shrinks each tree (default 0.05).
	LearningRate float64
	// MinLeaf is the fewest rows a leaf may hold (default 50).
	MinLeaf int
	// L2 regularises leaf values (default 1).
	L2 float64
	// Bins is how many value bins each feature's splits choose among
	// (default 64, at most 256).
	Bins int
	// K is the cutoff of the NDCG the ranking loss optimises and early
	// stopping measures (default 10).
	K int
	// Truncation: only pairs with one row among the best Truncation of
	// the current ranking carry gradient (default 30).
	Truncation int
	// Patience stops training once validation NDCG@K has not improved
	// for this many trees (default 40).
	Patience int
	// Workers build histograms in parallel (default 2).
	Workers int
	// Base, when its Scale is not 0, starts every row's score at
	// Scale·x[Feature] instead of 0: the trees learn corrections to an
	// existing ranking (a first stage's score), which early stopping can
	// keep when they do not help.
	Base Base
}

// Base is a feature whose scaled value is every row's starting score.
type Base struct {
	Feature int
	Scale   float32
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Trees, 300)
	def(&c.Leaves, 31)
	def(&c.MinLeaf, 50)
	def(&c.Bins, 64)
	def(&c.K, 10)
	def(&c.Truncation, 30)
	def(&c.Patience, 40)
	def(&c.Workers, 2)
	c.Bins = min(c.Bins, 256)
	c.Leaves = max(c.Leaves, 2)
	if c.LearningRate <= 0 {
		c.LearningRate = 0.05
	}
	if c.L2 < 0 {
		c.L2 = 0
	} else if c.L2 == 0 {
		c.L2 = 1
	}
	return c
}

// Data is a ranking data set: rows of F features, each with a relevance
// label, in groups (one group per query; rows are ranked within their
// group).
type Data struct {
	// F is the number of features per row.
	F int
	// X holds the rows, row-major: row r is X[r*F : (r+1)*F].
	X []float32
	// Label is each row's relevance (0 for irrelevant; larger is better).
	Label []float32
	// Groups are the group boundaries: group g is the rows
	// Groups[g] ≤ r < Groups[g+1]; the first is 0 and the last the
	// number of rows.
	Groups []int
}

// Rows returns the number of rows.
func (d *Data) Rows() int { return len(d.Label) }

// check reports a malformed data set.
func (d *Data) check(f int) error {
	switch {
	case d.F <= 0:
		return fmt.Errorf("gbdt: %d features", d.F)
	case f > 0 && d.F != f:
		return fmt.Errorf("gbdt: %d features, the training data has %d", d.F, f)
	case len(d.X) != d.Rows()*d.F:
		return fmt.Errorf("gbdt: %d values for %d rows of %d features", len(d.X), d.Rows(), d.F)
	case len(d.Groups) < 2 || d.Groups[0] != 0 || d.Groups[len(d.Groups)-1] != d.Rows():
		return fmt.Errorf("gbdt: groups must run from row 0 to row %d", d.Rows())
	}
	for g := 1; g < len(d.Groups); g++ {
		if d.Groups[g] < d.Groups[g-1] {
			return fmt.Errorf("gbdt: group %d ends before it starts", g-1)
		}
	}
	for i, v := range d.X {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("gbdt: row %d feature %d is not finite", i/d.F, i%d.F)
		}
	}
	return nil
}

// Model is a trained ensemble: a row's score is the sum of its leaf in
// every tree.
type Model struct {
	// F is the number of features a row must have.
	F     int
	base  Base
	trees []tree
}

// tree is a binary regression tree in arrays. Node k tests
// x[feature[k]] ≤ threshold[k] and goes to left[k] or right[k]; a child c
// < 0 is the leaf ^c, whose value is value[^c].
type tree struct {
	feature     []int32
	threshold   []float32
	left, right []int32
	value       []float32
}

// Trees returns the number of trees.
func (m *Model) Trees() int { return len(m.trees) }

// Predict returns row x's score; x must have m.F features.
func (m *Model) Predict(x []float32) float32 {
	var s float32
	if m.base.Scale != 0 {
		s = m.base.Scale * x[m.base.Feature]
	}
	for t := range m.trees {
		s += m.trees[t].predict(x)
	}
	return s
}

// PredictRows writes the prediction for each of the len(out) rows of X,
// row j being X[j*f:(j+1)*f], into out: what Predict gives each row, bit
// for bit (every row sums its trees in the same order), but tree by tree,
// so that one tree's nodes stay in cache across the rows.
func (m *Model) PredictRows(X []float32, f int, out []float32) {
	for j := range out {
		out[j] = 0
		if m.base.Scale != 0 {
			out[j] = m.base.Scale * X[j*f+m.base.Feature]
		}
	}
	for t := range m.trees {
		tr := &m.trees[t]
		for j := range out {
			out[j] += tr.predict(X[j*f : (j+1)*f])
		}
	}
}

func (t *tree) predict(x []float32) float32 {
	if len(t.feature) == 0 {
		return t.value[0]
	}
	k := int32(0)
	for {
		var c int32
		if x[t.feature[k]] <= t.threshold[k] {
			c = t.left[k]
		} else {
			c = t.right[k]
		}
		if c < 0 {
			return t.value[^c]
		}
		k = c
	}
}
