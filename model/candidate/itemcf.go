package candidate

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/aislehq/aisle/model/dataset"
)

// ItemCFConfig configures TrainItemCF. Zero fields take the defaults.
type ItemCFConfig struct {
	// Window is how many positions apart two items of a session may be to
	// count as co-occurring (default 10).
	Window int
	// PairTau decays a pair by exp(−(gap−1)/PairTau) for items gap
	// positions apart (default 3).
	PairTau float64
	// Backward weighs pairs against the order they happened in, j before
	// i, relative to 1 for i before j (default 0.5): "bought together"
	// is symmetric, but what follows predicts better.
	Backward float64
	// SessionGap splits a shopper's history where two interactions are
	// further apart than this (default 24h): items co-occur within a
	// session only.
	SessionGap time.Duration
	// Keep caps the neighbours kept per item (default 200).
	Keep int
	// Recent and ScoreTau choose how a history votes when scoring: its
	// last Recent items (default 10), the p-th before the last weighing
	// exp(−p/ScoreTau) (default 3).
	Recent   int
	ScoreTau float64
}

func (c ItemCFConfig) withDefaults() ItemCFConfig {
	if c.Window <= 0 {
		c.Window = 10
	}
	if c.PairTau <= 0 {
		c.PairTau = 3
	}
	if c.Backward <= 0 {
		c.Backward = 0.5
	}
	if c.SessionGap <= 0 {
		c.SessionGap = 24 * time.Hour
	}
	if c.Keep <= 0 {
		c.Keep = 200
	}
	if c.Recent <= 0 {
		c.Recent = 10
	}
	if c.ScoreTau <= 0 {
		c.ScoreTau = 3
	}
	return c
}

// TrainItemCF learns item-to-item collaborative filtering from
// co-occurrence: within each shopper's sessions, items up to Window
// positions apart co-occur, each pair weighted by position decay, by
// direction, and by the shopper's inverse frequency 1/log2(2 + session
// length) so that a few very long histories do not dominate; the counts
// are then normalised as a cosine, c(i,j)/√(n_i·n_j), which keeps
// best-sellers from being everyone's neighbour. It is sparse and scales
// to any catalog.
func TrainItemCF(ctx context.Context, d *dataset.Dataset, cfg ItemCFConfig) (*ItemItem, error) {
	cfg = cfg.withDefaults()
	n := d.NumItems()
	counts := make([]map[int32]float32, n)
	occ := make([]float32, n) // weighted occurrences n_i
	add := func(a, b int32, w float32) {
		if counts[a] == nil {
			counts[a] = make(map[int32]float32)
		}
		counts[a][b] += w
	}
	decay := make([]float32, cfg.Window+1)
	for g := 1; g <= cfg.Window; g++ {
		decay[g] = float32(math.Exp(-float64(g-1) / cfg.PairTau))
	}
	gap := int64(cfg.SessionGap / time.Second)
	for u, seq := range d.Seqs {
		if u%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var times []int64 // none: one session
		if u < len(d.Times) && len(d.Times[u]) == len(seq) {
			times = d.Times[u]
		}
		for start := 0; start < len(seq); {
			end := start + 1
			for end < len(seq) && (times == nil || times[end]-times[end-1] <= gap) {
				end++
			}
			s := seq[start:end]
			start = end
			iuf := float32(1 / math.Log2(2+float64(len(s))))
			for p, a := range s {
				occ[a] += iuf
				for q := p + 1; q < len(s) && q-p <= cfg.Window; q++ {
					b := s[q]
					if a == b {
						continue
					}
					w := iuf * decay[q-p]
					add(a, b, w)
					add(b, a, w*float32(cfg.Backward))
				}
			}
		}
	}
	rows := make([][]weighted, n)
	for i, c := range counts {
		if len(c) == 0 {
			continue
		}
		row := make([]weighted, 0, len(c))
		for j, v := range c {
			row = append(row, weighted{j, v / float32(math.Sqrt(float64(occ[i])*float64(occ[j])))})
		}
		rows[i] = bestFirst(row, cfg.Keep)
		counts[i] = nil
	}
	return newItemItem(n, cfg.Recent, cfg.ScoreTau, rows), nil
}

// bestFirst sorts row by weight, best first (ties by item), and keeps its
// first keep entries.
func bestFirst(row []weighted, keep int) []weighted {
	slices.SortFunc(row, func(x, y weighted) int {
		if x.w != y.w {
			if x.w > y.w {
				return -1
			}
			return 1
		}
		return int(x.item - y.item)
	})
	if len(row) > keep {
		row = slices.Clip(row[:keep])
	}
	return row
}
