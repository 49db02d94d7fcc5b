// Package palette finds the dominant colours of a product photo and names
// them with the canonical colour names package extract reads from item
// text ("black", "navy blue", …).
//
// Dominant samples the photo on a small grid, converts the samples from
// sRGB (gamma decoded) to OKLab, drops the background (the colours that
// fill the outer frame of the photo), weights the rest toward the centre,
// clusters them by weighted k-means with a seeded k-means++ start, and
// names each cluster after the nearest colour of a fixed palette (Names).
// Everything is deterministic and safe for concurrent use.
package palette

import (
	"cmp"
	"image"
	"image/color"
	"slices"
)

// Colour is one dominant colour of a photo.
type Colour struct {
	// Name is the canonical colour name (one of Names()).
	Name string
	// RGB is the mean 8-bit sRGB colour of the photo's pixels given Name.
	RGB [3]uint8
	// Share is the fraction of the photo's foreground (its opaque,
	// non-background pixels, weighted toward the centre) that has this
	// colour, in (0, 1].
	Share float64
}

// Config tunes Dominant. The zero value is DefaultConfig: each zero field
// takes its default.
type Config struct {
	// Size is the longer side, in samples, of the grid the photo is
	// sampled on (the shorter side keeps the aspect ratio); 0 means 64.
	Size int
	// K is the number of k-means clusters; 0 means 6. Clusters given the
	// same name are merged, so Dominant returns at most K colours.
	K int
	// Iterations caps the k-means rounds; 0 means 20.
	Iterations int
	// Seed seeds the k-means++ start. Any value, 0 included, is valid.
	Seed uint64
	// Border is the width of the frame whose colours are taken as the
	// background, as a fraction of the grid's width and height (at least
	// one sample); 0 means 0.05.
	Border float64
	// BackgroundShare is the least fraction of the frame a colour must
	// fill to count as background; 0 means 0.3.
	BackgroundShare float64
	// BackgroundDistance is the OKLab distance within which a pixel is
	// taken for the background and dropped; 0 means 0.08, a negative value
	// keeps the background. When dropping it would leave under 5% of the
	// photo (a swatch, a close-up of fabric), the background is kept.
	BackgroundDistance float64
	// CentreFalloff is how much less a corner sample weighs than a centre
	// one: weights fall as 1 − CentreFalloff·r², r being the distance from
	// the centre over the half-diagonal; 0 means 0.5, a negative value
	// weighs every sample alike.
	CentreFalloff float64
	// MinShare is the least share a colour needs to be returned; 0 means
	// 0.05, a negative value returns every colour found.
	MinShare float64
}

// DefaultConfig returns the configuration the zero Config stands for.
func DefaultConfig() Config {
	return Config{
		Size:               64,
		K:                  6,
		Iterations:         20,
		Border:             0.05,
		BackgroundShare:    0.3,
		BackgroundDistance: 0.08,
		CentreFalloff:      0.5,
		MinShare:           0.05,
	}
}

// withDefaults fills the zero fields of c from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	c.Size = cmp.Or(c.Size, d.Size)
	c.K = cmp.Or(c.K, d.K)
	c.Iterations = cmp.Or(c.Iterations, d.Iterations)
	c.Border = cmp.Or(c.Border, d.Border)
	c.BackgroundShare = cmp.Or(c.BackgroundShare, d.BackgroundShare)
	c.BackgroundDistance = cmp.Or(c.BackgroundDistance, d.BackgroundDistance)
	c.CentreFalloff = cmp.Or(c.CentreFalloff, d.CentreFalloff)
	c.MinShare = cmp.Or(c.MinShare, d.MinShare)
	return c
}

// minForeground is the least fraction of the photo's weight background
// removal may leave; below it the background is kept (see
// Config.BackgroundDistance).
const minForeground = 0.05

// Dominant returns the dominant colours of img, largest share first (ties
// by name), each with a share of at least cfg.MinShare. It returns nil for
// an empty or fully transparent image (samples less than half opaque are
// left out). Its cost depends on cfg.Size, not on the size of img.
func Dominant(img image.Image, cfg Config) []Colour {
	cfg = cfg.withDefaults()
	t := newDecodeTable()
	g := sample(img, cfg.Size, t)
	if len(g.points) == 0 {
		return nil
	}
	weights := g.centreWeights(cfg.CentreFalloff)
	if cfg.BackgroundDistance > 0 {
		g.dropBackground(weights, cfg)
	}
	points, weights := g.merge(weights)
	clusters := kmeans(points, weights, cfg.K, cfg.Iterations, cfg.Seed)
	return name(clusters, newNamer(t), cfg.MinShare)
}

// name merges the clusters that get the same canonical name and returns
// those with a share of at least minShare, largest first.
func name(clusters []cluster, n *namer, minShare float64) []Colour {
	var total float64
	byName := make(map[string]*cluster, len(clusters))
	var order []string
	for _, c := range clusters {
		total += c.weight
		nm := n.name(c.centre)
		m, ok := byName[nm]
		if !ok {
			byName[nm] = &cluster{centre: lab{c.weight * c.centre.l, c.weight * c.centre.a, c.weight * c.centre.b}, weight: c.weight}
			order = append(order, nm)
			continue
		}
		m.centre.l += c.weight * c.centre.l
		m.centre.a += c.weight * c.centre.a
		m.centre.b += c.weight * c.centre.b
		m.weight += c.weight
	}
	out := make([]Colour, 0, len(order))
	for _, nm := range order {
		m := byName[nm]
		share := m.weight / total
		if share < minShare {
			continue
		}
		mean := lab{m.centre.l / m.weight, m.centre.a / m.weight, m.centre.b / m.weight}
		out = append(out, Colour{Name: nm, RGB: mean.rgb(), Share: share})
	}
	slices.SortFunc(out, func(a, b Colour) int {
		if c := cmp.Compare(b.Share, a.Share); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	return out
}

// grid is a photo sampled on a w×h grid: the OKLab colour of every opaque
// sample, with its grid position and its colour quantised to 5 bits a
// channel.
type grid struct {
	w, h   int
	points []lab
	xs, ys []int32
	keys   []uint16
}

// merge returns one point for each quantised colour among the samples of
// positive weight: their weighted mean, weighing their summed weight.
// Clustering the merged points gives nearly the same clusters as
// clustering every sample, several times faster, since a photo has far
// fewer distinct 15-bit colours than samples.
func (g *grid) merge(weights []float64) ([]lab, []float64) {
	index := make(map[uint16]int, len(g.points)/4)
	var points []lab
	var sums []float64
	for i, p := range g.points {
		w := weights[i]
		if w == 0 {
			continue
		}
		j, ok := index[g.keys[i]]
		if !ok {
			j = len(points)
			index[g.keys[i]] = j
			points = append(points, lab{})
			sums = append(sums, 0)
		}
		points[j].l += w * p.l
		points[j].a += w * p.a
		points[j].b += w * p.b
		sums[j] += w
	}
	for j, w := range sums {
		points[j] = lab{points[j].l / w, points[j].a / w, points[j].b / w}
	}
	return points, sums
}

// sample samples img at the centres of the cells of a grid whose longer
// side has size cells (fewer for a smaller image).
func sample(img image.Image, size int, t *decodeTable) *grid {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return &grid{}
	}
	gw, gh := w, h
	if long := max(w, h); long > size {
		gw = max(1, int(int64(w)*int64(size)/int64(long)))
		gh = max(1, int(int64(h)*int64(size)/int64(long)))
	}
	g := &grid{w: gw, h: gh}
	g.points = make([]lab, 0, gw*gh)
	g.xs = make([]int32, 0, gw*gh)
	g.ys = make([]int32, 0, gw*gh)
	g.keys = make([]uint16, 0, gw*gh)
	at := pixelReader(img)
	for j := range gh {
		y := b.Min.Y + int((int64(2*j+1)*int64(h))/int64(2*gh))
		for i := range gw {
			x := b.Min.X + int((int64(2*i+1)*int64(w))/int64(2*gw))
			r, gr, bl, ok := at(x, y)
			if !ok {
				continue
			}
			g.points = append(g.points, t.toLab(r, gr, bl))
			g.xs = append(g.xs, int32(i))
			g.ys = append(g.ys, int32(j))
			g.keys = append(g.keys, uint16(r>>3)<<10|uint16(gr>>3)<<5|uint16(bl>>3))
		}
	}
	return g
}

// pixelReader returns a function reading img's 8-bit, non-premultiplied
// colour at (x, y), reporting false for a pixel less than half opaque. The
// common decoded types are read directly, without img.At's allocation.
func pixelReader(img image.Image) func(x, y int) (r, g, b uint8, ok bool) {
	switch m := img.(type) {
	case *image.YCbCr:
		return func(x, y int) (uint8, uint8, uint8, bool) {
			yi, ci := m.YOffset(x, y), m.COffset(x, y)
			r, g, b := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			return r, g, b, true
		}
	case *image.Gray:
		return func(x, y int) (uint8, uint8, uint8, bool) {
			v := m.Pix[m.PixOffset(x, y)]
			return v, v, v, true
		}
	case *image.RGBA:
		return func(x, y int) (uint8, uint8, uint8, bool) {
			p := m.Pix[m.PixOffset(x, y):]
			a := uint32(p[3])
			if a < 0x80 {
				return 0, 0, 0, false
			}
			un := func(c uint8) uint8 { return uint8(uint32(c) * 0xff / a) }
			return un(p[0]), un(p[1]), un(p[2]), true
		}
	case *image.NRGBA:
		return func(x, y int) (uint8, uint8, uint8, bool) {
			p := m.Pix[m.PixOffset(x, y):]
			return p[0], p[1], p[2], p[3] >= 0x80
		}
	}
	return func(x, y int) (uint8, uint8, uint8, bool) {
		r, g, b, a := img.At(x, y).RGBA()
		if a < 0x8000 {
			return 0, 0, 0, false
		}
		un := func(c uint32) uint8 { return uint8((c * 0xffff / a) >> 8) }
		return un(r), un(g), un(b), true
	}
}

// centreWeights returns each sample's weight, falling from 1 at the
// centre of the grid to 1 − falloff at its corners (all 1 when falloff is
// negative).
func (g *grid) centreWeights(falloff float64) []float64 {
	w := make([]float64, len(g.points))
	cx, cy := float64(g.w)/2, float64(g.h)/2
	half2 := cx*cx + cy*cy
	for i := range w {
		w[i] = 1
		if falloff > 0 {
			dx, dy := float64(g.xs[i])+0.5-cx, float64(g.ys[i])+0.5-cy
			w[i] = 1 - falloff*(dx*dx+dy*dy)/half2
		}
	}
	return w
}

// dropBackground sets to zero the weight of every sample within
// cfg.BackgroundDistance of a background colour: a colour filling at
// least cfg.BackgroundShare of the frame. The frame's colours are found by
// k-means with two clusters. It leaves weights alone when the photo would
// keep under minForeground of its weight.
func (g *grid) dropBackground(weights []float64, cfg Config) {
	bx := max(1, int(cfg.Border*float64(g.w)+0.5))
	by := max(1, int(cfg.Border*float64(g.h)+0.5))
	var frame []lab
	for i, p := range g.points {
		x, y := int(g.xs[i]), int(g.ys[i])
		if x < bx || y < by || x >= g.w-bx || y >= g.h-by {
			frame = append(frame, p)
		}
	}
	ones := make([]float64, len(frame))
	for i := range ones {
		ones[i] = 1
	}
	var bg []lab
	for _, c := range kmeans(frame, ones, 2, cfg.Iterations, cfg.Seed) {
		if c.weight >= cfg.BackgroundShare*float64(len(frame)) {
			bg = append(bg, c.centre)
		}
	}
	if len(bg) == 0 {
		return
	}
	d2 := cfg.BackgroundDistance * cfg.BackgroundDistance
	isBG := make([]bool, len(g.points))
	var total, kept float64
	for i, p := range g.points {
		total += weights[i]
		for _, c := range bg {
			if p.dist2(c) <= d2 {
				isBG[i] = true
				break
			}
		}
		if !isBG[i] {
			kept += weights[i]
		}
	}
	if kept < minForeground*total {
		return
	}
	for i, b := range isBG {
		if b {
			weights[i] = 0
		}
	}
}
