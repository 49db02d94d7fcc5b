package qa

import (
	"context"
	"fmt"
	"strings"

	"github.com/aislehq/aisle"
)

// Caption modes.
const (
	ModeBuiltin = "builtin"
	ModeVision  = "vision"
)

// Caption describes an item's photo.
type Caption struct {
	// Caption is the description, in Lang.
	Caption string `json:"caption"`
	Lang    string `json:"lang"`
	// Mode is ModeBuiltin (from the photo's visual features) or
	// ModeVision (the vision model's).
	Mode string `json:"mode"`
	// Sources are the features it rests on.
	Sources []Source `json:"sources"`
}

// maxCaptionColors and maxCaptionLabels bound what a caption names.
const (
	maxCaptionColors = 3
	maxCaptionLabels = 3
)

// Caption describes the photo of it in lang ("en" or "zh"; "" is "en"):
// the vision model's description when one is configured and answers,
// otherwise one built from the photo's visual features: its colours, what
// it shows (the photo classifier's category, else the item's category,
// else the image model's first label) and the image model's other likely
// labels. The built-in caption is deterministic. Errors: EINVALID naming
// "lang"; EUNPROCESSABLE naming "visual" when the photo has not been read
// (or could not be).
func (a *Answerer) Caption(ctx context.Context, it *aisle.Item, lang string) (Caption, error) {
	switch lang {
	case "":
		lang = "en"
	case "en", "zh":
	default:
		return Caption{}, aisle.FieldErrorf(aisle.EINVALID, "lang", "must be en or zh")
	}
	if a.opts.Vision != nil {
		if url := a.opts.ImageURL(it); url != "" {
			prompt := "Describe this product photo for a shopper in one sentence: what it shows, its colours and style."
			if lang == "zh" {
				prompt = "用一句中文为顾客描述这张商品照片：它是什么、颜色和款式。"
			}
			vctx, cancel := context.WithTimeout(ctx, a.opts.VisionTimeout)
			text, err := a.opts.Vision.Describe(vctx, prompt, url)
			cancel()
			if text = strings.TrimSpace(text); err == nil && text != "" {
				return Caption{Caption: text, Lang: lang, Mode: ModeVision, Sources: []Source{{Kind: SourceVision}}}, nil
			}
		}
	}
	return BuiltinCaption(it, lang)
}

// BuiltinCaption is Caption without a vision model.
func BuiltinCaption(it *aisle.Item, lang string) (Caption, error) {
	v := it.Visual
	switch {
	case v == nil:
		return Caption{}, aisle.FieldErrorf(aisle.EUNPROCESSABLE, "visual", "the item's photo has not been read yet")
	case v.Error != "":
		return Caption{}, aisle.FieldErrorf(aisle.EUNPROCESSABLE, "visual", "the item's photo could not be read")
	}
	if lang == "" {
		lang = "en"
	}
	var srcs []Source
	add := func(field string) {
		s := Source{Kind: SourcePhoto, Field: field}
		for _, x := range srcs {
			if x == s {
				return
			}
		}
		srcs = append(srcs, s)
	}
	// What the photo shows.
	var what string
	labels := v.Labels
	switch {
	case len(v.Category) > 0:
		what = v.Category[len(v.Category)-1]
		add("visual.category")
	case len(it.Categories) > 0:
		what = it.Categories[len(it.Categories)-1]
		srcs = append(srcs, Source{Kind: SourceFact, Field: "categories"})
	case len(labels) > 0:
		what = labelName(labels[0].Name)
		labels = labels[1:]
		add("visual.labels")
	}
	colours := v.Colors[:min(len(v.Colors), maxCaptionColors)]
	if len(colours) > 0 {
		add("visual.colors")
	}
	var others []string
	for _, l := range labels {
		if len(others) == maxCaptionLabels {
			break
		}
		if n := labelName(l.Name); n != "" && !strings.EqualFold(n, what) {
			others = append(others, n)
			add("visual.labels")
		}
	}
	if srcs == nil {
		return Caption{}, aisle.FieldErrorf(aisle.EUNPROCESSABLE, "visual", "the item's photo has no visual features")
	}
	var b strings.Builder
	if lang == "zh" {
		cs := make([]string, len(colours))
		for i, c := range colours {
			cs[i] = zhColor(c)
		}
		cs = dedupeStrings(cs)
		switch {
		case what != "" && len(cs) > 0:
			fmt.Fprintf(&b, "一张%s%s的照片。", joinList(cs, "zh"), zhThing(what))
		case what != "":
			fmt.Fprintf(&b, "一张%s的照片。", zhThing(what))
		default:
			fmt.Fprintf(&b, "一张以%s为主色的商品照片。", joinList(cs, "zh"))
		}
		if len(others) > 0 {
			fmt.Fprintf(&b, "图像模型还识别出：%s。", strings.Join(others, "、"))
		}
	} else {
		thing := strings.ToLower(what)
		switch {
		case thing != "" && len(colours) > 0:
			// The article agrees with the thing ("pants" takes none) and
			// sounds with the first colour ("an orange dress").
			phrase := joinList(colours, "en") + " " + thing
			if withArticle(thing) != thing {
				phrase = withArticle(phrase)
			}
			fmt.Fprintf(&b, "A photo of %s.", phrase)
		case thing != "":
			fmt.Fprintf(&b, "A photo of %s.", withArticle(thing))
		default:
			fmt.Fprintf(&b, "A product photo in %s.", joinList(colours, "en"))
		}
		if len(others) > 0 {
			fmt.Fprintf(&b, " The image model also sees: %s.", strings.Join(others, ", "))
		}
	}
	return Caption{Caption: b.String(), Lang: lang, Mode: ModeBuiltin, Sources: srcs}, nil
}

// labelName is the first name of an image-model label ("jersey, T-shirt,
// tee shirt" gives "jersey").
func labelName(l string) string {
	n, _, _ := strings.Cut(l, ",")
	return strings.TrimSpace(n)
}
