package candidate

import (
	"context"
	"fmt"

	"github.com/aislehq/aisle/internal/openblas"
	"github.com/aislehq/aisle/model/dataset"
)

// SLISTConfig configures SLIST. Zero fields take the defaults, which were
// chosen on Amazon Beauty's validation items (NDCG@10 0.0701 against 0.0693
// for α 0.2, λ 50, τ 2; see docs/BENCHMARKS.md).
type SLISTConfig struct {
	// Alpha balances the two objectives: Alpha on reconstructing the
	// shopper's item set (as EASE does), 1−Alpha on predicting the next
	// item from the recent ones (default 0.3).
	Alpha float64
	// Lambda is the L2 regularisation (default 100).
	Lambda float64
	// Window is how many preceding items form the input of each
	// next-item example, and how many recent items vote when scoring
	// (default 10).
	Window int
	// TrainTau is the position decay of inputs in training examples:
	// the item k steps before the target weighs exp(−(k−1)/TrainTau)
	// (default 3).
	TrainTau float64
	// ScoreTau is the decay of history items when scoring (default 3).
	ScoreTau float64
	// MaxItems is the largest catalog SLIST trains on (default
	// DefaultMaxDenseItems).
	MaxItems int
}

func (c SLISTConfig) withDefaults() SLISTConfig {
	if c.Alpha <= 0 {
		c.Alpha = 0.3
	}
	if c.Lambda <= 0 {
		c.Lambda = 100
	}
	if c.Window <= 0 {
		c.Window = 10
	}
	if c.TrainTau <= 0 {
		c.TrainTau = 3
	}
	if c.ScoreTau <= 0 {
		c.ScoreTau = 3
	}
	if c.MaxItems <= 0 {
		c.MaxItems = DefaultMaxDenseItems
	}
	return c
}

// SLIST is a closed-form linear model of the SLIST family (Choi et al.,
// WWW 2021) adapted to shopper histories. It solves
//
//	min_B α‖X − XB‖² + (1−α)‖T − SB‖² + λ‖B‖²
//
// where X is the shopper×item matrix (the EASE term, without EASE's zero
// diagonal: history items are excluded when ranking anyway), and each row
// of S holds the Window items before one position of a history with
// position-decayed weights while the same row of T holds the item at that
// position. So B = (αXᵀX + (1−α)SᵀS + λI)⁻¹ (αXᵀX + (1−α)SᵀT): one n×n
// inverse and one n×n×n product.
type SLIST struct {
	cfg SLISTConfig
	n   int
	b   []float32
}

// TrainSLIST fits SLIST on d.
func TrainSLIST(ctx context.Context, d *dataset.Dataset, cfg SLISTConfig) (*SLIST, error) {
	cfg = cfg.withDefaults()
	n := d.NumItems()
	if n > cfg.MaxItems {
		return nil, errTooManyItems("slist", n, cfg.MaxItems)
	}
	a := float32(cfg.Alpha)
	lhs := make([]float32, n*n) // αXᵀX + (1−α)SᵀS + λI
	rhs := make([]float32, n*n) // αXᵀX + (1−α)SᵀT
	if err := addGram(ctx, lhs, n, d, a); err != nil {
		return nil, err
	}
	copy(rhs, lhs)
	addDiagonal(lhs, n, float32(cfg.Lambda))
	decay := positionWeights(cfg.Window, cfg.TrainTau, nil)
	for u, seq := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for t := 1; t < len(seq); t++ {
			lo := max(0, t-cfg.Window)
			in := seq[lo:t]
			w := decay[len(decay)-len(in):]
			target := int(seq[t])
			for x, i := range in {
				wi := (1 - a) * w[x]
				row := lhs[int(i)*n:]
				for y, j := range in {
					row[j] += wi * w[y]
				}
				rhs[int(i)*n+target] += wi
			}
		}
	}
	if err := openblas.InvertSPD(lhs, n); err != nil {
		return nil, fmt.Errorf("slist: %w", err)
	}
	b := make([]float32, n*n)
	if err := openblas.Gemm(n, n, n, 1, lhs, rhs, 0, b); err != nil {
		return nil, fmt.Errorf("slist: %w", err)
	}
	return &SLIST{cfg: cfg, n: n, b: b}, nil
}

// Score writes Σ_p w_p·B[history_p][·] over the last Window history items,
// the most recent weighing most.
func (m *SLIST) Score(history []int32, scores []float32) {
	recent := history[max(0, len(history)-m.cfg.Window):]
	w := positionWeights(len(recent), m.cfg.ScoreTau, nil)
	sumRows(m.b, m.n, recent, w, scores)
}
