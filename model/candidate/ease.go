package candidate

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/internal/openblas"
	"github.com/aislehq/aisle/model/dataset"
)

// EASEConfig configures EASE. Zero fields take the defaults.
type EASEConfig struct {
	// Lambda is the L2 regularisation (default 250).
	Lambda float64
	// MaxItems is the largest catalog EASE trains on (default
	// DefaultMaxDenseItems).
	MaxItems int
}

func (c EASEConfig) withDefaults() EASEConfig {
	if c.Lambda <= 0 {
		c.Lambda = 250
	}
	if c.MaxItems <= 0 {
		c.MaxItems = DefaultMaxDenseItems
	}
	return c
}

// EASE is the closed-form linear item-item model of Steck (WWW 2019):
// B = I − P·diag(1/diag(P)) with P = (XᵀX + λI)⁻¹, so that item j's score
// for a shopper is Σ_{i∈history} B[i][j] and B's diagonal is zero.
type EASE struct {
	n int
	b []float32 // n×n, row major
}

// TrainEASE fits EASE on d's interactions.
func TrainEASE(ctx context.Context, d *dataset.Dataset, cfg EASEConfig) (*EASE, error) {
	cfg = cfg.withDefaults()
	n := d.NumItems()
	if n > cfg.MaxItems {
		return nil, errTooManyItems("ease", n, cfg.MaxItems)
	}
	p := make([]float32, n*n)
	if err := addGram(ctx, p, n, d, 1); err != nil {
		return nil, err
	}
	addDiagonal(p, n, float32(cfg.Lambda))
	if err := openblas.InvertSPD(p, n); err != nil {
		return nil, fmt.Errorf("ease: %w", err)
	}
	// B[i][j] = −P[i][j]/P[j][j] off the diagonal, 0 on it.
	diag := make([]float32, n)
	for j := range diag {
		diag[j] = p[j*n+j]
	}
	for i := 0; i < n; i++ {
		row := p[i*n : i*n+n]
		for j := range row {
			row[j] = -row[j] / diag[j]
		}
		row[i] = 0
	}
	return &EASE{n: n, b: p}, nil
}

// Score writes Σ_{i∈history} B[i][·] into scores; repeated history items
// count once.
func (m *EASE) Score(history []int32, scores []float32) {
	items := distinctSmall(history)
	sumRows(m.b, m.n, items, ones(len(items)), scores)
}

// distinctSmall returns history's distinct items in order (histories are
// short, so a quadratic scan beats a map).
func distinctSmall(history []int32) []int32 {
	out := make([]int32, 0, len(history))
	for _, i := range history {
		dup := false
		for _, j := range out {
			if i == j {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, i)
		}
	}
	return out
}

func ones(n int) []float32 {
	w := make([]float32, n)
	for i := range w {
		w[i] = 1
	}
	return w
}
