package palette

// named is one canonical colour name and the sRGB colour that stands for it.
type named struct {
	name string
	rgb  [3]uint8
}

// canonical is the fixed palette photo colours are named from. The names
// are a subset of the canonical lower-case colour names package extract
// reads from item text (extract does not export its lexicon), so a colour
// seen in a photo and the same colour written in the title compare equal.
// The subset keeps names a photo can tell apart; metallic and material
// names (silver, gold, clear, bronze) and near-duplicates (ivory, cream,
// graphite, khaki) are left out. The reference colours are typical of
// product photos: "black" is the near-black of a photographed black
// garment, "navy blue" a dark, slightly greyed blue.
var canonical = [...]named{
	{"black", [3]uint8{0x1c, 0x1c, 0x1c}},
	{"charcoal", [3]uint8{0x3c, 0x3c, 0x3c}},
	{"dark gray", [3]uint8{0x5a, 0x5a, 0x5a}},
	{"gray", [3]uint8{0x80, 0x80, 0x80}},
	{"light gray", [3]uint8{0xbe, 0xbe, 0xbe}},
	{"white", [3]uint8{0xf8, 0xf8, 0xf8}},
	{"red", [3]uint8{0xcc, 0x1f, 0x24}},
	{"maroon", [3]uint8{0x72, 0x14, 0x1e}},
	{"coral", [3]uint8{0xe8, 0x7a, 0x6e}},
	{"orange", [3]uint8{0xf0, 0x84, 0x1c}},
	{"yellow", [3]uint8{0xf2, 0xd5, 0x1b}},
	{"beige", [3]uint8{0xd9, 0xc4, 0xa0}},
	{"tan", [3]uint8{0xb0, 0x8a, 0x68}},
	{"brown", [3]uint8{0x7a, 0x4b, 0x2a}},
	{"olive", [3]uint8{0x70, 0x72, 0x2c}},
	{"green", [3]uint8{0x2f, 0x9a, 0x3e}},
	{"dark green", [3]uint8{0x1d, 0x48, 0x2a}},
	{"teal", [3]uint8{0x0e, 0x80, 0x80}},
	{"light blue", [3]uint8{0x9c, 0xc8, 0xe8}},
	{"blue", [3]uint8{0x24, 0x5e, 0xcc}},
	{"navy blue", [3]uint8{0x1e, 0x27, 0x4e}},
	{"purple", [3]uint8{0x6c, 0x3c, 0x9c}},
	{"pink", [3]uint8{0xf2, 0xa2, 0xc0}},
	{"magenta", [3]uint8{0xc8, 0x24, 0x8c}},
}

// Names returns the canonical colour names Dominant and Name can return,
// in a fixed order. The caller owns the slice.
func Names() []string {
	out := make([]string, len(canonical))
	for i, c := range canonical {
		out[i] = c.name
	}
	return out
}

// Name returns the canonical name of the palette colour nearest to rgb
// (an 8-bit sRGB colour) in OKLab, chroma weighed 1.5 times lightness.
func Name(rgb [3]uint8) string {
	t := newDecodeTable()
	return newNamer(t).name(t.toLab(rgb[0], rgb[1], rgb[2]))
}

// chromaWeight scales OKLab's a and b axes against lightness when a colour
// is named. Dark colours have little chroma in OKLab, so plain distance
// names a dark blue "dark gray"; weighing chroma 1.5 times keeps a dark
// blue blue while near-neutral greys (chroma under ~0.02) stay grey.
const chromaWeight = 1.5

// namer holds the canonical palette in OKLab, chroma scaled by
// chromaWeight.
type namer [len(canonical)]lab

// newNamer converts the canonical palette to OKLab with t.
func newNamer(t *decodeTable) *namer {
	var n namer
	for i, c := range canonical {
		n[i] = scaleChroma(t.toLab(c.rgb[0], c.rgb[1], c.rgb[2]))
	}
	return &n
}

// scaleChroma multiplies p's a and b by chromaWeight.
func scaleChroma(p lab) lab {
	return lab{p.l, chromaWeight * p.a, chromaWeight * p.b}
}

// name returns the canonical name nearest to p.
func (n *namer) name(p lab) string {
	p = scaleChroma(p)
	best, bestD := 0, n[0].dist2(p)
	for i := 1; i < len(n); i++ {
		if d := n[i].dist2(p); d < bestD {
			best, bestD = i, d
		}
	}
	return canonical[best].name
}
