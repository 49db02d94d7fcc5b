package classify

import (
	"math"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/vector"
)

// Softmax is a trained multinomial logistic regression over fixed-length
// float32 inputs. It is immutable once trained or decoded, and safe for
// concurrent use.
type Softmax struct {
	labels []string  // class k's name, sorted
	dim    int       // input length
	w      []float32 // len(labels)×dim weights, row-major
	b      []float32 // len(labels) biases
	mean   []float32 // per-dimension mean subtracted, nil without standardisation
	scale  []float32 // per-dimension factor applied after it, nil without standardisation
	lambda float64   // the L2 penalty it was trained with
	cv     []CVScore // the cross-validation behind lambda; nil after UnmarshalBinary
}

// CVScore is the cross-validated score of one candidate penalty.
type CVScore struct {
	// Lambda is the L2 penalty.
	Lambda float64
	// Accuracy is the share of held-out training inputs whose most
	// probable class was theirs, over all folds.
	Accuracy float64
	// LogLoss is their mean cross-entropy (natural log).
	LogLoss float64
}

// Labels returns the classes in the order Probs reports them (sorted). The
// caller must not modify the slice.
func (m *Softmax) Labels() []string { return m.labels }

// Dim is the input length the model expects.
func (m *Softmax) Dim() int { return m.dim }

// Lambda is the L2 penalty the model was trained with.
func (m *Softmax) Lambda() float64 { return m.lambda }

// Standardized reports whether inputs are standardised per dimension after
// L2 normalisation (Config.Standardize).
func (m *Softmax) Standardized() bool { return m.mean != nil }

// CV returns the cross-validated score of every candidate penalty, in the
// order tried; nil when there was a single candidate or the model was
// decoded by UnmarshalBinary. The caller must not modify the slice.
func (m *Softmax) CV() []CVScore { return m.cv }

// Probs returns the probability of each class of Labels for x, which is
// L2-normalised first (so its length does not matter). It returns
// EINVALID when len(x) is not Dim or x holds a NaN or infinity; a zero x
// gets the probabilities of the biases alone.
func (m *Softmax) Probs(x []float32) ([]float64, error) {
	if err := checkVector("x", x, m.dim); err != nil {
		return nil, err
	}
	u := normalized(x)
	p := make([]float64, len(m.labels))
	m.softmax(p, u, make([]float32, m.dim))
	return p, nil
}

// Predict returns the most probable class for x and its probability (the
// first in Labels order on ties); "" and 0 when Probs rejects x.
func (m *Softmax) Predict(x []float32) (label string, prob float64) {
	p, err := m.Probs(x)
	if err != nil {
		return "", 0
	}
	best := argmax(p)
	return m.labels[best], p[best]
}

// softmax writes to p the class probabilities of u, a unit-length input,
// using scratch (len Dim) for its standardised copy.
func (m *Softmax) softmax(p []float64, u, scratch []float32) {
	if m.mean != nil {
		for j, v := range u {
			scratch[j] = (v - m.mean[j]) * m.scale[j]
		}
		u = scratch
	}
	for k := range p {
		p[k] = float64(vector.Dot(m.w[k*m.dim:(k+1)*m.dim], u) + m.b[k])
	}
	softmaxInPlace(p)
}

// softmaxInPlace turns logits into probabilities, returning the log of the
// normaliser (log Σ exp z).
func softmaxInPlace(z []float64) float64 {
	hi := math.Inf(-1)
	for _, v := range z {
		hi = max(hi, v)
	}
	var sum float64
	for k, v := range z {
		z[k] = math.Exp(v - hi)
		sum += z[k]
	}
	for k := range z {
		z[k] /= sum
	}
	return hi + math.Log(sum)
}

// argmax returns the index of p's largest value, the first on ties.
func argmax(p []float64) int {
	best := 0
	for k, v := range p {
		if v > p[best] {
			best = k
		}
	}
	return best
}

// normalized returns a unit-length copy of x (zero when x is zero).
func normalized(x []float32) []float32 {
	u := make([]float32, len(x))
	copy(u, x)
	vector.Normalize(u)
	return u
}

// checkVector returns EINVALID naming field when x is not dim long or
// holds a value that is not finite.
func checkVector(field string, x []float32, dim int) error {
	if len(x) != dim {
		return aisle.FieldErrorf(aisle.EINVALID, field, "has %d dimensions, want %d", len(x), dim)
	}
	for j, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return aisle.FieldErrorf(aisle.EINVALID, field, "value %d is %v, want a finite number", j, v)
		}
	}
	return nil
}
