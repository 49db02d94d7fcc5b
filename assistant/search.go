package assistant

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
)

// zhProducts translates the Chinese names of common office products into
// the English words the catalog uses, longest first, so that a Chinese
// dialogue finds the same items whether or not the search index can
// translate Chinese itself.
var zhProducts = []struct{ zh, en string }{
	{"惠普", "hp"}, {"佳能", "canon"}, {"爱普生", "epson"}, {"兄弟", "brother"}, {"三星", "samsung"}, {"松下", "panasonic"}, {"卡西欧", "casio"},
	{"激光打印机", "laser printer"}, {"喷墨打印机", "inkjet printer"}, {"照片打印机", "photo printer"}, {"标签打印机", "label printer"},
	{"无绳电话", "cordless phone"}, {"有线电话", "corded phone"}, {"订书机", "stapler"}, {"订书钉", "staples"}, {"打印机", "printer"},
	{"墨盒", "ink cartridge"}, {"墨水", "ink"}, {"硒鼓", "toner"}, {"碳粉", "toner"}, {"标签机", "label maker"}, {"标签纸", "labels"}, {"标签", "labels"},
	{"计算器", "calculator"}, {"碎纸机", "shredder"}, {"便利贴", "sticky notes"}, {"胶带", "tape"}, {"文件夹", "folder"}, {"活页夹", "binder"},
	{"自动铅笔", "mechanical pencil"}, {"铅笔", "pencil"}, {"彩色铅笔", "colored pencils"}, {"记号笔", "marker"}, {"马克笔", "marker"}, {"荧光笔", "highlighter"},
	{"白板笔", "dry erase marker"}, {"白板", "dry erase board"}, {"钢笔", "fountain pen"}, {"圆珠笔", "ballpoint pen"}, {"中性笔", "gel pen"}, {"笔芯", "refill"}, {"笔", "pen"},
	{"鼠标垫", "mouse pad"}, {"护腕", "wrist rest"}, {"电话", "phone"}, {"扫描仪", "scanner"}, {"椅子", "chair"}, {"办公椅", "desk chair"},
	{"复印纸", "copy paper"}, {"相纸", "photo paper"}, {"信封", "envelope"}, {"剪刀", "scissors"}, {"笔记本", "notebook"}, {"削笔器", "pencil sharpener"},
	{"卷笔刀", "pencil sharpener"}, {"过塑机", "laminator"}, {"塑封机", "laminator"}, {"传真机", "fax machine"}, {"显示器支架", "monitor stand"},
	{"笔记本支架", "laptop stand"}, {"回形针", "paper clips"}, {"夹子", "clips"}, {"纸", "paper"}, {"邮寄秤", "postal scale"}, {"装订机", "binding machine"},
}

// translateZh replaces the Chinese product names in s with English ones.
func translateZh(s string) string {
	if !isHan(s) {
		return s
	}
	for _, p := range zhProducts {
		s = strings.ReplaceAll(s, p.zh, " "+p.en+" ")
	}
	return s
}

// topicWords returns the words of m that name what is wanted: m without
// request words, references, colours, prices, Chinese particles and
// punctuation, Chinese product names in English.
func topicWords(m, brand string) []string {
	// Ordinals first: 第一个 holds the filler 一个.
	for _, o := range ordinalWords {
		for _, w := range o.words {
			if isHan(w) {
				m = strings.ReplaceAll(m, w, " ")
			}
		}
	}
	for _, w := range zhFillers {
		m = strings.ReplaceAll(m, w, " ")
	}
	for _, w := range append(append([]string{}, itWords...), theseWords...) {
		if isHan(w) {
			m = strings.ReplaceAll(m, w, " ")
		}
	}
	for _, w := range append(append([]string{}, cheaperWords...), vagueWords...) {
		if isHan(w) {
			m = strings.ReplaceAll(m, w, " ")
		}
	}
	m = translateZh(m)
	var out []string
	for _, w := range strings.FieldsFunc(m, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '&' && r != '\''
	}) {
		w = strings.Trim(w, "-'")
		if w == "" || isFiller(w) || isOrdinal(w) || (brand != "" && strings.Contains(strings.ToLower(brand), w)) {
			continue
		}
		if slices.Contains(cheaperWords, w) || slices.Contains(vagueWords, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

func isOrdinal(w string) bool {
	for _, o := range ordinalWords {
		if slices.Contains(o.words, w) {
			return true
		}
	}
	return false
}

// addOnWords mark a message that narrows the current topic ("electric
// ones") rather than starting another.
var addOnWords = []string{"one", "ones", "those", "them", "also", "but", "with", "that are", "which are", "带有", "也要"}

// anyWords clear a constraint: "any colour", "any brand".
var (
	anyColour = []string{"any color", "any colour", "other colors", "other colours", "颜色不限", "任何颜色", "什么颜色都行"}
	anyBrand  = []string{"any brand", "other brands", "品牌不限", "任何品牌", "什么品牌都行"}
	anyPrice  = []string{"any price", "价格不限"}
)

// search finds items for the turn: the message's topic (a new one resets
// the constraints) and constraints (which refine the current topic).
func (a *Assistant) search(ctx context.Context, t *turn) (Reply, error) {
	m := t.msg
	colour, rest := findColour(m)
	lo, hi, rest := findPrice(rest)
	cheaper := containsAny(m, cheaperWords)
	words := topicWords(rest, "")
	st := t.s.state
	brand := ""
	newTopic := false
	if len(words) > 0 {
		// Read the words as the search does, for the brand and colours
		// it knows and whether anything but them is left.
		_, in, err := a.tools.Search(ctx, SearchQuery{Query: strings.Join(words, " "), N: 1})
		if err != nil && aisle.ErrorCode(err) != aisle.EINVALID {
			return Reply{}, err
		}
		brand = in.Brand
		if brand == "" {
			brand = shownBrand(t.s.shown, m)
		}
		if colour == "" && len(in.Colors) > 0 {
			colour = in.Colors[0]
		}
		if lo == nil {
			lo = in.MinPrice
		}
		if hi == nil {
			hi = in.MaxPrice
		}
		topic := topicWords(strings.Join(words, " "), brand)
		if colour != "" {
			topic = slices.DeleteFunc(topic, func(w string) bool { c, _ := findColour(w); return c != "" })
		}
		newTopic = len(topic) > 0 && len(in.Terms) > 0
		if newTopic {
			text := strings.Join(topic, " ")
			if st.Topic != "" && containsAny(m, addOnWords) && in.Category == "" && !strings.Contains(st.Topic, text) {
				st.Topic += " " + text
			} else if st.Topic == "" {
				// Constraints asked for before any topic apply to it.
				st.Topic = text
			} else if text != st.Topic {
				st = Constraints{Topic: text}
			}
		}
	}
	constrained := colour != "" || brand != "" || lo != nil || hi != nil || cheaper ||
		containsAny(m, anyColour) || containsAny(m, anyBrand) || containsAny(m, anyPrice)
	if !newTopic && !constrained {
		if st.Topic == "" || containsAny(m, vagueWords) || len(words) > 0 {
			return a.clarify(t), nil
		}
	}
	if containsAny(m, anyColour) {
		st.Color = ""
	}
	if containsAny(m, anyBrand) {
		st.Brand = ""
	}
	if containsAny(m, anyPrice) {
		st.MinPrice, st.MaxPrice = nil, nil
	}
	if colour != "" {
		st.Color = colour
	}
	if brand != "" {
		st.Brand = brand
	}
	if lo != nil {
		st.MinPrice = lo
	}
	if hi != nil {
		st.MaxPrice = hi
	}
	if cheaper {
		st.Sort = "price_asc"
		if p := minPrice(t.s.shown); p != nil && hi == nil {
			v := *p - 0.01
			st.MaxPrice = &v
		}
	}
	if st.Topic == "" && st.Brand == "" {
		t.s.state = st
		return a.clarify(t), nil
	}
	return a.find(ctx, t, st, cheaper)
}

// find searches for st, which becomes the session's constraints, and
// lists what it found: the search tool of both modes. cheaper says the
// shopper asked for cheaper items.
func (a *Assistant) find(ctx context.Context, t *turn, st Constraints, cheaper bool) (Reply, error) {
	t.s.state = st
	// The colour goes in the query: search matches it against the
	// colours items' photos show and, for items without, their titles.
	q := SearchQuery{Query: st.Topic, User: t.user, Brand: st.Brand, MinPrice: st.MinPrice, MaxPrice: st.MaxPrice, N: a.opts.N}
	if q.Query == "" {
		q.Query = st.Brand
	}
	if st.Color != "" {
		q.Query += " " + st.Color
	}
	items, _, err := a.tools.Search(ctx, q)
	if err != nil {
		return Reply{}, err
	}
	if st.Sort == "price_asc" {
		slices.SortStableFunc(items, func(x, y Item) int {
			switch {
			case x.Price == nil && y.Price == nil:
				return 0
			case x.Price == nil:
				return 1
			case y.Price == nil:
				return -1
			}
			return cmp.Compare(*x.Price, *y.Price)
		})
	}
	for i := range items {
		if st.Brand != "" {
			items[i].Reasons = append(items[i].Reasons, "brand "+st.Brand)
		}
		if st.Color != "" {
			items[i].Reasons = append(items[i].Reasons, "colour "+st.Color)
		}
	}
	args := map[string]any{"query": q.Query}
	if q.Brand != "" {
		args["brand"] = q.Brand
	}
	if st.Color != "" {
		args["color"] = st.Color
	}
	if q.MinPrice != nil {
		args["min_price"] = *q.MinPrice
	}
	if q.MaxPrice != nil {
		args["max_price"] = *q.MaxPrice
	}
	a.log(ctx, t, aisle.Event{Type: aisle.EventSearch, Query: q.Query})
	t.s.focus = nil
	desc := describe(st, t.lang)
	r := a.list(t, ActResults, items,
		"Here is what I found"+desc+":", "为您找到"+desc+"：",
		"I found nothing"+desc+".", "没有找到"+desc+"的商品。")
	if len(items) == 0 {
		if st.MinPrice != nil || st.MaxPrice != nil {
			r.Reply += map[string]string{"en": " Prices are not listed for every item, and unpriced items cannot match a price limit; say \"any price\" to drop it.", "zh": " 并非所有商品都标有价格，未标价的商品不符合价格条件；说“价格不限”即可取消。"}[t.lang]
		} else if st.Color != "" || st.Brand != "" {
			r.Reply += map[string]string{"en": " Say \"any colour\" or \"any brand\" to widen the search.", "zh": " 可以说“颜色不限”或“品牌不限”来放宽条件。"}[t.lang]
		}
		t.s.shown = nil
	} else if cheaper && minPrice(items) == nil {
		r.Reply += map[string]string{"en": "\n(These items do not list prices, so I can't rank them by price.)", "zh": "\n（这些商品未标价格，无法按价格排序。）"}[t.lang]
	}
	r.Actions = []Action{{Tool: "search", Arguments: args}}
	return r, nil
}

// shownBrand returns the brand an "only X" or "by X" in m names among the
// items shown, "" for none: the brands search did not recognise.
func shownBrand(shown []Item, m string) string {
	c := brandCue.FindStringSubmatch(m)
	if c == nil {
		return ""
	}
	for _, it := range shown {
		b := strings.ToLower(it.Brand)
		if b != "" && (strings.HasPrefix(c[1], b) || hasWord(c[1], b)) {
			return it.Brand
		}
	}
	return ""
}

// clarify asks what the shopper is looking for.
func (a *Assistant) clarify(t *turn) Reply {
	if c := t.s.state.Color; c != "" && t.s.state.Topic == "" {
		return t.say(ActClarify, fmt.Sprintf("What kind of product would you like in %s? For example a pen, a stapler or a phone.", c),
			fmt.Sprintf("您想要什么%s的商品？比如笔、订书机或电话。", zhColour(c)))
	}
	return t.say(ActClarify, "Happy to help! What kind of product are you looking for? For example printer ink, a stapler, or a label maker, and any brand or colour you prefer.",
		"乐意帮忙！您想找哪类商品？比如打印机墨盒、订书机或标签机，以及想要的品牌或颜色。")
}

// describe says the constraints in lang, as " for X by B in C".
func describe(st Constraints, lang string) string {
	var b strings.Builder
	if lang == "zh" {
		if st.Brand != "" {
			b.WriteString(" " + st.Brand)
		}
		if st.Color != "" {
			b.WriteString(" " + zhColour(st.Color))
		}
		if st.MaxPrice != nil {
			fmt.Fprintf(&b, " %g元以下", *st.MaxPrice)
		}
		if st.MinPrice != nil {
			fmt.Fprintf(&b, " %g元以上", *st.MinPrice)
		}
		if st.Topic != "" {
			b.WriteString(" " + st.Topic)
		}
		return b.String()
	}
	if st.Topic != "" {
		b.WriteString(" for \"" + st.Topic + "\"")
	}
	if st.Brand != "" {
		b.WriteString(" by " + st.Brand)
	}
	if st.Color != "" {
		b.WriteString(" in " + st.Color)
	}
	if st.MinPrice != nil {
		fmt.Fprintf(&b, " over $%g", *st.MinPrice)
	}
	if st.MaxPrice != nil {
		fmt.Fprintf(&b, " under $%g", *st.MaxPrice)
	}
	return b.String()
}

// zhColour names an English colour in Chinese.
func zhColour(c string) string {
	for _, w := range colourWords {
		if w.name == c && isHan(w.word) {
			return w.word
		}
	}
	return c
}

// minPrice returns the lowest price among items, nil when none has one.
func minPrice(items []Item) *float64 {
	var p *float64
	for _, it := range items {
		if it.Price != nil && (p == nil || *it.Price < *p) {
			v := *it.Price
			p = &v
		}
	}
	return p
}
