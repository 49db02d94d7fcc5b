package bertgen

import "math"

// Forward computes the network's hidden states, [rows, cols, Hidden]
// row-major, for a padded batch of rows×cols ids, in plain Go with float64
// arithmetic: the reference ONNX Runtime's output is checked against. types
// may be nil for all token types 0.
func (m *Model) Forward(ids, mask, types []int64, rows, cols int) []float32 {
	h := m.cfg.Hidden
	out := make([]float32, 0, rows*cols*h)
	for r := range rows {
		x := make([][]float64, cols)
		for t := range cols {
			id := ids[r*cols+t]
			typ := int64(0)
			if types != nil {
				typ = types[r*cols+t]
			}
			v := make([]float64, h)
			for j := range v {
				v[j] = float64(m.word[int(id)*h+j]) + float64(m.position[t*h+j]) + float64(m.types[int(typ)*h+j])
			}
			x[t] = normalize(v, m.embNorm)
		}
		bias := make([]float64, cols)
		for t := range cols {
			bias[t] = (1 - float64(mask[r*cols+t])) * maskBias
		}
		for _, l := range m.layers {
			x = m.layerForward(x, bias, l)
		}
		for _, v := range x {
			for _, f := range v {
				out = append(out, float32(f))
			}
		}
	}
	return out
}

// layerForward runs one transformer layer over one sequence.
func (m *Model) layerForward(x [][]float64, bias []float64, l layer) [][]float64 {
	heads, dh := m.cfg.Heads, m.cfg.Hidden/m.cfg.Heads
	q, k, v := apply(x, l.q), apply(x, l.k), apply(x, l.v)
	ctx := make([][]float64, len(x))
	for i := range x {
		ctx[i] = make([]float64, m.cfg.Hidden)
		for hd := range heads {
			lo := hd * dh
			scores := make([]float64, len(x))
			best := math.Inf(-1)
			for j := range x {
				s := 0.0
				for d := range dh {
					s += q[i][lo+d] * k[j][lo+d]
				}
				scores[j] = s/math.Sqrt(float64(dh)) + bias[j]
				best = max(best, scores[j])
			}
			sum := 0.0
			for j := range scores {
				scores[j] = math.Exp(scores[j] - best)
				sum += scores[j]
			}
			for j := range x {
				for d := range dh {
					ctx[i][lo+d] += scores[j] / sum * v[j][lo+d]
				}
			}
		}
	}
	attn := apply(ctx, l.o)
	for i := range x {
		attn[i] = normalize(add(attn[i], x[i]), l.attnNorm)
	}
	up := apply(attn, l.up)
	for _, row := range up {
		for j, u := range row {
			row[j] = 0.5 * u * (1 + math.Erf(u/math.Sqrt2))
		}
	}
	down := apply(up, l.down)
	for i := range down {
		down[i] = normalize(add(down[i], attn[i]), l.outNorm)
	}
	return down
}

// apply multiplies every row of x by d's weights and adds its bias.
func apply(x [][]float64, d dense) [][]float64 {
	out := make([][]float64, len(x))
	for i, row := range x {
		o := make([]float64, d.out)
		for j := range o {
			o[j] = float64(d.b[j])
		}
		for a, xa := range row {
			w := d.w[a*d.out : (a+1)*d.out]
			for j := range o {
				o[j] += xa * float64(w[j])
			}
		}
		out[i] = o
	}
	return out
}

func add(a, b []float64) []float64 {
	for i := range a {
		a[i] += b[i]
	}
	return a
}

// normalize applies a LayerNorm to v in place.
func normalize(v []float64, ln layerNorm) []float64 {
	mean, variance := 0.0, 0.0
	for _, f := range v {
		mean += f
	}
	mean /= float64(len(v))
	for _, f := range v {
		variance += (f - mean) * (f - mean)
	}
	variance /= float64(len(v))
	inv := 1 / math.Sqrt(variance+lnEpsilon)
	for i, f := range v {
		v[i] = (f-mean)*inv*float64(ln.gamma[i]) + float64(ln.beta[i])
	}
	return v
}
