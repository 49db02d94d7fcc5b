package profile

import (
	"fmt"
	"math"
	"strings"
)

// Summary returns one sentence describing v, in Chinese when lang is "zh"
// (or starts with "zh-") and in English otherwise. It is deterministic and
// says only what v's tags say: the heaviest leaf categories (else any
// categories, else photo categories), brands and colours (else photo
// colours), else the search words; and "buys X monthly" (or weekly, every
// N days...) for the heaviest category bought at regular intervals. Tag
// values appear as they are.
func Summary(v View, lang string) string {
	zh := lang == "zh" || strings.HasPrefix(lang, "zh-")
	cats := top(v.Tags, 2, func(t *TagView) bool { return t.Kind == KindCategory && t.Leaf })
	if len(cats) == 0 {
		cats = top(v.Tags, 2, func(t *TagView) bool { return t.Kind == KindCategory })
	}
	if len(cats) == 0 {
		cats = top(v.Tags, 2, func(t *TagView) bool { return t.Kind == KindPhotoCategory && t.Leaf })
	}
	brands := top(v.Tags, 2, func(t *TagView) bool { return t.Kind == KindBrand })
	colors := top(v.Tags, 2, func(t *TagView) bool { return t.Kind == KindColor })
	if len(colors) == 0 {
		colors = top(v.Tags, 2, func(t *TagView) bool { return t.Kind == KindPhotoColor })
	}
	var queries []string
	if len(cats) == 0 && len(brands) == 0 {
		queries = top(v.Tags, 3, func(t *TagView) bool { return t.Kind == KindQuery })
	}
	var repeat string
	var every float64
	for i := range v.Tags {
		t := &v.Tags[i]
		if t.Kind == KindCategory && t.PurchaseEveryDays > 0 {
			repeat, every = t.Value, t.PurchaseEveryDays
			break
		}
	}

	var parts []string
	if zh {
		if len(cats) > 0 {
			parts = append(parts, "主要购买"+strings.Join(cats, "和"))
		}
		if len(brands) > 0 {
			parts = append(parts, "常选品牌"+strings.Join(brands, "、"))
		}
		if len(colors) > 0 {
			parts = append(parts, "偏好颜色"+strings.Join(colors, "、"))
		}
		if len(queries) > 0 {
			parts = append(parts, "常搜索"+strings.Join(queries, "、"))
		}
		if repeat != "" {
			parts = append(parts, periodZH(every)+"购买"+repeat)
		}
		if len(parts) == 0 {
			return "暂无兴趣偏好。"
		}
		return strings.Join(parts, "；") + "。"
	}
	if len(cats) > 0 {
		parts = append(parts, "Mostly "+andList(cats))
	}
	if len(brands) > 0 {
		parts = append(parts, plural(len(brands), "brand ", "brands ")+andList(brands))
	}
	if len(colors) > 0 {
		parts = append(parts, plural(len(colors), "colour ", "colours ")+andList(colors))
	}
	if len(queries) > 0 {
		parts = append(parts, "searches for "+andList(queries))
	}
	if repeat != "" {
		parts = append(parts, "buys "+repeat+" "+periodEN(every))
	}
	if len(parts) == 0 {
		return "No interests yet"
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// top returns the values of the first n tags (v.Tags is heaviest first)
// that keep accepts and weigh at least a quarter of the first one.
func top(tags []TagView, n int, keep func(*TagView) bool) []string {
	var out []string
	var first float64
	for i := range tags {
		t := &tags[i]
		if !keep(t) {
			continue
		}
		if len(out) == 0 {
			first = t.Weight
		} else if t.Weight < first/4 {
			break
		}
		out = append(out, t.Value)
		if len(out) == n {
			break
		}
	}
	return out
}

// andList joins "a", "a and b", "a, b and c".
func andList(vs []string) string {
	if len(vs) <= 1 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " and " + vs[len(vs)-1]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// periods are the named purchase intervals, in days, with their English
// and Chinese words; an interval within 20% of one takes its name.
var periods = []struct {
	days   float64
	en, zh string
}{
	{1, "daily", "每天"},
	{7, "weekly", "每周"},
	{14, "every two weeks", "每两周"},
	{30.4, "monthly", "每月"},
	{91, "quarterly", "每季度"},
	{365, "yearly", "每年"},
}

// period returns the index in periods that days is close to, or -1.
func period(days float64) int {
	for i, p := range periods {
		if math.Abs(days-p.days) <= 0.2*p.days {
			return i
		}
	}
	return -1
}

func periodEN(days float64) string {
	if i := period(days); i >= 0 {
		return periods[i].en
	}
	return fmt.Sprintf("every %.0f days", days)
}

func periodZH(days float64) string {
	if i := period(days); i >= 0 {
		return periods[i].zh
	}
	return fmt.Sprintf("每%.0f天", days)
}
