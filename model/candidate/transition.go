package candidate

import (
	"context"
	"math"

	"github.com/aislehq/aisle/model/dataset"
)

// TransitionConfig configures Transition. Zero fields take the defaults.
type TransitionConfig struct {
	// Window is how many of the shopper's most recent items vote (default 5).
	Window int
	// Decay weighs the p-th most recent item by Decay^p, in (0, 1]
	// (default 0.5).
	Decay float64
	// Keep caps the successors kept per item (default 200).
	Keep int
}

func (c TransitionConfig) withDefaults() TransitionConfig {
	if c.Window <= 0 {
		c.Window = 5
	}
	if c.Decay <= 0 || c.Decay > 1 {
		c.Decay = 0.5
	}
	if c.Keep <= 0 {
		c.Keep = 200
	}
	return c
}

type weighted struct {
	item int32
	w    float32
}

// TrainTransition scores items by how often they directly followed the
// shopper's recent items in everyone's histories: a first-order Markov
// chain, P(next = j | current = i) estimated from counts, kept as an
// ItemItem whose last Window items vote with weights Decay^p (p = 0 for the
// most recent). It is sparse and scales to any catalog.
func TrainTransition(ctx context.Context, d *dataset.Dataset, cfg TransitionConfig) (*ItemItem, error) {
	cfg = cfg.withDefaults()
	n := d.NumItems()
	counts := make([]map[int32]float32, n)
	for u, seq := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		for t := 1; t < len(seq); t++ {
			a, b := seq[t-1], seq[t]
			if a == b {
				continue
			}
			if counts[a] == nil {
				counts[a] = make(map[int32]float32)
			}
			counts[a][b]++
		}
	}
	// Decay^p = exp(−p/tau) with tau = 1/ln(1/Decay).
	m := newItemItem(n, cfg.Window, 1/math.Log(1/cfg.Decay), make([][]weighted, n))
	for i, c := range counts {
		if len(c) == 0 {
			continue
		}
		var total float32
		row := make([]weighted, 0, len(c))
		for j, v := range c {
			row = append(row, weighted{j, v})
			total += v
		}
		row = bestFirst(row, cfg.Keep)
		for k := range row {
			row[k].w /= total
		}
		m.rows[i] = row
	}
	return m, nil
}

// positionWeights returns exp(−(L−1−p)/tau) for p = 0..L−1: the most
// recent item weighs 1.
func positionWeights(l int, tau float64, out []float32) []float32 {
	out = out[:0]
	for p := 0; p < l; p++ {
		out = append(out, float32(math.Exp(-float64(l-1-p)/tau)))
	}
	return out
}
