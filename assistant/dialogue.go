package assistant

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/qa"
)

// turn is one message as the dialogue manager reads it.
type turn struct {
	raw, msg string // as written; lower case with spaces normalised
	lang     string
	user     string
	s        *session
	// hold keeps the turn's events in held instead of logging them.
	hold bool
	held []aisle.Event
}

var spaces = regexp.MustCompile(`\s+`)

// respond answers req in s: the message is read for, in order, unsafe
// and off-topic requests, a request for a person, policy questions,
// greetings, the cart, comparisons, similar items, questions and details
// about an item referred to, recommendations, refinements and searches.
func (a *Assistant) respond(ctx context.Context, s *session, req Request) (Reply, error) {
	t := newTurn(s, req)
	m := t.msg
	refs, hasRef := a.references(t)
	switch {
	case containsAny(m, unsafeWords):
		return t.say(ActRefuse, "Sorry, I can't help with that. I can help you find office products, compare them, or answer questions about our store.",
			"抱歉，这个我帮不了。我可以帮您找办公用品、比较商品，或解答关于本店的问题。"), nil
	case containsAny(m, humanWords) || containsAny(m, complaintWords):
		return a.handoff(ctx, t, "requested"), nil
	case asksPolicy(m) && !containsAny(m, policyProducts):
		return a.policy(ctx, t, t.raw), nil
	case containsAny(m, offTopicWords):
		return t.say(ActRefuse, "I'm the store's shopping assistant, so I can't help with that. Are you looking for any office supplies today?",
			"我是本店的购物助手，这个问题我帮不上忙。今天想找些什么办公用品吗？"), nil
	case isOnly(m, greetWords):
		return t.say(ActGreeting, "Hello! What are you looking for today? For example: a black stapler, printer ink, or a label maker.",
			"您好！今天想找什么？比如黑色订书机、打印机墨盒或标签机。"), nil
	case isOnly(m, thanksWords):
		return t.say(ActGreeting, "You're welcome! Anything else I can help you find?", "不客气！还需要找别的吗？"), nil
	case containsAny(m, cartAddWords):
		return a.addToCart(ctx, t, refs, hasRef), nil
	case containsAny(m, cartWords):
		basket := t.s.cart
		if len(basket) == 0 {
			switch {
			case hasRef:
				basket = refs
			case len(t.s.focus) > 0:
				basket = t.s.focus
			}
		}
		return a.completeCart(ctx, t, basket)
	case containsAny(m, compareWords):
		return a.compare(ctx, t, refs, hasRef)
	case containsAny(m, similarWords) && (hasRef || len(s.focus) > 0):
		if !hasRef {
			refs = s.focus
		}
		return a.similar(ctx, t, refs[0])
	case hasRef && isQuestion(m) && !hasConstraint(m):
		return a.ask(ctx, t, refs[0], t.raw)
	case containsAny(m, detailWords) && (hasRef || len(s.focus) > 0 && len(topicWords(m, "")) == 0):
		if !hasRef {
			refs = s.focus[:1]
		}
		return a.details(ctx, t, refs[0])
	case hasRef && !hasConstraint(m) && len(topicWords(m, "")) == 0 && !containsAny(m, cheaperWords):
		return a.details(ctx, t, refs[0])
	case containsAny(m, recommendWords) && len(topicWords(m, "")) == 0:
		return a.recommend(ctx, t)
	}
	return a.search(ctx, t)
}

// newTurn reads req in s.
func newTurn(s *session, req Request) *turn {
	t := &turn{raw: req.Message, user: s.user, s: s}
	if t.user == "" {
		t.user = req.User
	}
	t.msg = normalise(req.Message)
	t.lang = req.Lang
	if t.lang == "" {
		t.lang = "en"
		if isHan(t.msg) {
			t.lang = "zh"
		}
	}
	return t
}

// normalise is msg in lower case, its punctuation ASCII, its spaces
// single.
func normalise(msg string) string {
	return strings.TrimSpace(spaces.ReplaceAllString(strings.ToLower(normalisePunct(msg)), " "))
}

// normalisePunct maps full-width punctuation and digits to ASCII.
func normalisePunct(s string) string {
	return strings.NewReplacer("？", "?", "，", ",", "。", ".", "！", "!", "：", ":", "＄", "$", "（", "(", "）", ")",
		"０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9").Replace(s)
}

// isOnly reports whether msg is just one of words, with punctuation.
func isOnly(msg string, words []string) bool {
	m := strings.Trim(msg, " !.?,~")
	for _, w := range words {
		if m == w || strings.HasPrefix(m, w+" ") && len(topicWords(m[len(w):], "")) == 0 {
			return true
		}
	}
	return false
}

var questionStart = regexp.MustCompile(`^(?:is|are|does|do|can|will|would|could|has|have|how|what|which|who|where|why|should|did)\b`)

// isQuestion reports whether msg asks a question.
func isQuestion(m string) bool {
	if strings.HasPrefix(m, "what about") || strings.HasPrefix(m, "how about") {
		return strings.HasSuffix(m, "?") && len(strings.Fields(m)) > 5
	}
	return strings.HasSuffix(m, "?") || questionStart.MatchString(m) ||
		strings.HasSuffix(m, "吗") || strings.Contains(m, "是不是") || strings.Contains(m, "能不能") || strings.Contains(m, "多少") ||
		strings.Contains(m, "什么") || strings.Contains(m, "怎么") || strings.Contains(m, "有没有") || strings.Contains(m, "可以")
}

// hasConstraint reports whether msg states a colour, price or brand cue.
func hasConstraint(m string) bool {
	c, _ := findColour(m)
	lo, hi, _ := findPrice(m)
	return c != "" || lo != nil || hi != nil || brandCue.MatchString(m) && !strings.Contains(m, "by the way")
}

// references returns the shown items msg refers to ("the second one",
// "it", "those", 第二个, 它), and whether it refers to any.
func (a *Assistant) references(t *turn) ([]string, bool) {
	s, m := t.s, t.msg
	var ids []string
	add := func(id string) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	// "the first two", "前两个"
	for _, n := range []struct {
		words []string
		n     int
	}{{[]string{"first two", "top two", "前两个", "前两款"}, 2}, {[]string{"first three", "top three", "前三个", "前三款"}, 3}} {
		if containsAny(m, n.words) {
			for i := 0; i < n.n && i < len(s.shown); i++ {
				add(s.shown[i].ID)
			}
			return ids, len(ids) > 0
		}
	}
	for _, o := range ordinalWords {
		if !containsAny(m, o.words) {
			continue
		}
		i := o.index
		if i < 0 {
			i = len(s.shown) - 1
		}
		if i >= 0 && i < len(s.shown) {
			add(s.shown[i].ID)
		}
	}
	if len(ids) > 0 {
		return ids, true
	}
	// "the Swingline one": a shown item's brand.
	for _, it := range s.shown {
		if b := strings.ToLower(it.Brand); len(b) > 1 && hasWord(m, b) && (strings.Contains(m, " one") || strings.Contains(m, "那个") || strings.Contains(m, "the "+b)) {
			add(it.ID)
		}
	}
	if len(ids) > 0 {
		return ids, true
	}
	if containsAny(m, theseWords) && len(s.shown) > 0 {
		for i := 0; i < 3 && i < len(s.shown); i++ {
			add(s.shown[i].ID)
		}
		return ids, true
	}
	if containsAny(m, itWords) {
		switch {
		case len(s.focus) > 0:
			return s.focus[:1], true
		case len(s.shown) > 0:
			return []string{s.shown[0].ID}, true
		}
	}
	return nil, false
}

// say is a reply of one act in the turn's language.
func (t *turn) say(act, en, zh string) Reply {
	r := Reply{Act: act, Lang: t.lang, Reply: en}
	if t.lang == "zh" {
		r.Reply = zh
	}
	return r
}

// handoff hands the conversation to a person and tells the store.
func (a *Assistant) handoff(ctx context.Context, t *turn, reason string) Reply {
	r := t.say(ActHandoff, "I'll connect you with a member of our team, who will pick up this conversation shortly.",
		"我会为您转接人工客服，他们会尽快接手这段对话。")
	r.Actions = []Action{{Tool: "handoff", Arguments: map[string]any{"session": t.s.id, "reason": reason, "message": t.raw}}}
	a.log(ctx, t, aisle.Event{Type: aisle.EventCustom, Name: "handoff", Context: map[string]string{"reason": reason}})
	return r
}

// log records an event of the turn's shopper, when known; while the
// turn holds its events (a model turn, which may yet fall back), they
// wait in t.held.
func (a *Assistant) log(ctx context.Context, t *turn, evs ...aisle.Event) {
	if a.opts.Events == nil || t.user == "" {
		return
	}
	for i := range evs {
		evs[i].User, evs[i].Session = t.user, t.s.id
	}
	if t.hold {
		t.held = append(t.held, evs...)
		return
	}
	a.opts.Events.Log(ctx, evs)
}

// policy quotes the store's policy sections question is about.
func (a *Assistant) policy(ctx context.Context, t *turn, question string) Reply {
	secs := a.opts.Policies.Lookup(normalise(question))
	if len(secs) == 0 {
		r := t.say(ActHandoff, "I don't know the answer to that: I have no store policy about it. Would you like me to connect you with a person who can help?",
			"抱歉，我不知道：我没有这方面的店铺政策。需要我为您转接人工客服吗？")
		r.Actions = []Action{{Tool: "policy", Arguments: map[string]any{"question": question}},
			{Tool: "handoff", Arguments: map[string]any{"session": t.s.id, "reason": "no policy", "message": t.raw, "offer": true}}}
		a.log(ctx, t, aisle.Event{Type: aisle.EventCustom, Name: "handoff", Context: map[string]string{"reason": "no policy"}})
		return r
	}
	if len(secs) > 2 {
		secs = secs[:2]
	}
	var b strings.Builder
	if t.lang == "zh" {
		b.WriteString("根据本店政策：")
	} else {
		b.WriteString("From our store policy:")
	}
	r := Reply{Act: ActPolicy, Lang: t.lang, Actions: []Action{{Tool: "policy", Arguments: map[string]any{"question": question}}}}
	for _, s := range secs {
		fmt.Fprintf(&b, "\n\n%s: \"%s\"", s.Title, s.Text)
		r.Citations = append(r.Citations, Citation{Kind: "policy", Title: s.Title, Text: s.Text})
	}
	r.Reply = b.String()
	return r
}

// items reads ids as reply items.
func (a *Assistant) items(ctx context.Context, ids []string) ([]Item, []aisle.Item, error) {
	var out []Item
	var full []aisle.Item
	for _, id := range ids {
		it, err := a.tools.Item(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, Item{ID: it.ID, Title: it.Title, Brand: it.Brand, Category: it.Categories, Price: it.Price, Reasons: []string{"you asked about it"}})
		full = append(full, it)
	}
	return out, full, nil
}

// details describes one item.
func (a *Assistant) details(ctx context.Context, t *turn, id string) (Reply, error) {
	items, full, err := a.items(ctx, []string{id})
	if err != nil {
		return Reply{}, err
	}
	it := full[0]
	r := Reply{Act: ActDetails, Lang: t.lang, Items: items,
		Actions:   []Action{{Tool: "item", Arguments: map[string]any{"item": id}}},
		Citations: []Citation{{Kind: "item", ID: id, Title: it.Title}}}
	var b strings.Builder
	if t.lang == "zh" {
		fmt.Fprintf(&b, "%s", it.Title)
		if it.Brand != "" {
			fmt.Fprintf(&b, "\n品牌：%s", it.Brand)
		}
		if len(it.Categories) > 0 {
			fmt.Fprintf(&b, "\n类别：%s", strings.Join(it.Categories, " > "))
		}
		if it.Price != nil {
			fmt.Fprintf(&b, "\n价格：%.2f", *it.Price)
		} else {
			b.WriteString("\n价格：未标明")
		}
	} else {
		fmt.Fprintf(&b, "%s", it.Title)
		if it.Brand != "" {
			fmt.Fprintf(&b, "\nBrand: %s", it.Brand)
		}
		if len(it.Categories) > 0 {
			fmt.Fprintf(&b, "\nCategory: %s", strings.Join(it.Categories, " > "))
		}
		if it.Price != nil {
			fmt.Fprintf(&b, "\nPrice: %.2f", *it.Price)
		} else {
			b.WriteString("\nPrice: not listed")
		}
	}
	for _, k := range sortedKeys(it.Attributes) {
		fmt.Fprintf(&b, "\n%s: %s", k, it.Attributes[k])
	}
	r.Reply = b.String()
	t.s.focus = []string{id}
	a.log(ctx, t, aisle.Event{Type: aisle.EventView, Item: id})
	return r, nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// ask answers question about item id with product Q&A; a question
// nothing answers is offered a hand-off.
func (a *Assistant) ask(ctx context.Context, t *turn, id, question string) (Reply, error) {
	items, full, err := a.items(ctx, []string{id})
	if err != nil {
		return Reply{}, err
	}
	ans, err := a.tools.Ask(ctx, &full[0], question, t.lang)
	if err != nil {
		return Reply{}, fmt.Errorf("ask: %w", err)
	}
	t.s.focus = []string{id}
	r := Reply{Act: ActAnswer, Lang: t.lang, Items: items, Reply: ans.Answer,
		Actions: []Action{{Tool: "qa", Arguments: map[string]any{"item": id, "question": question, "answer_type": ans.Type}}}}
	for _, src := range ans.Sources {
		c := Citation{Kind: src.Kind, ID: src.ID, Title: src.Field}
		if src.Item != "" && c.ID == "" {
			c.ID = src.Item
		}
		r.Citations = append(r.Citations, c)
	}
	if ans.Type == qa.TypeUnknown {
		if t.lang == "zh" {
			r.Reply = strings.TrimSpace(ans.Answer + " 需要我为您转接人工客服吗？")
		} else {
			r.Reply = strings.TrimSpace(ans.Answer + " Would you like me to connect you with a person who can check?")
		}
		r.Actions = append(r.Actions, Action{Tool: "handoff", Arguments: map[string]any{"session": t.s.id, "reason": "unanswered question", "message": t.raw, "offer": true}})
		a.log(ctx, t, aisle.Event{Type: aisle.EventCustom, Name: "handoff", Item: id, Context: map[string]string{"reason": "unanswered question"}})
	}
	return r, nil
}

// compare builds a side-by-side table of 2-3 items: those referred to,
// else the first ones shown.
func (a *Assistant) compare(ctx context.Context, t *turn, refs []string, hasRef bool) (Reply, error) {
	ids := refs
	if len(ids) < 2 {
		ids = nil
		if hasRef && len(refs) == 1 {
			ids = append(ids, refs[0])
		}
		for _, it := range t.s.shown {
			if len(ids) >= 2 {
				break
			}
			if !slices.Contains(ids, it.ID) {
				ids = append(ids, it.ID)
			}
		}
	}
	if len(ids) > 3 {
		ids = ids[:3]
	}
	if len(ids) < 2 {
		return t.say(ActClarify, "Which items would you like me to compare? Search for something first, then say e.g. \"compare the first two\".",
			"您想比较哪些商品？请先搜索，然后说“比较前两个”。"), nil
	}
	items, full, err := a.items(ctx, ids)
	if err != nil {
		return Reply{}, err
	}
	tab := &Table{Items: ids}
	row := func(fact string, val func(it *aisle.Item) string) {
		r := Row{Fact: fact}
		any := false
		for i := range full {
			v := val(&full[i])
			any = any || v != ""
			r.Values = append(r.Values, v)
		}
		if any {
			tab.Rows = append(tab.Rows, r)
		}
	}
	row("title", func(it *aisle.Item) string { return it.Title })
	row("brand", func(it *aisle.Item) string { return it.Brand })
	row("category", func(it *aisle.Item) string { return strings.Join(it.Categories, " > ") })
	row("price", func(it *aisle.Item) string {
		if it.Price == nil {
			return ""
		}
		return fmt.Sprintf("%.2f", *it.Price)
	})
	var keys []string
	for i := range full {
		for k := range full[i].Attributes {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		row(k, func(it *aisle.Item) string { return it.Attributes[k] })
	}
	var b strings.Builder
	if t.lang == "zh" {
		b.WriteString("对比如下：")
	} else {
		b.WriteString("Here is how they compare:")
	}
	for _, r := range tab.Rows {
		fmt.Fprintf(&b, "\n%s: %s", r.Fact, strings.Join(r.Values, " | "))
	}
	t.s.focus = ids
	cites := make([]Citation, len(full))
	for i := range full {
		cites[i] = Citation{Kind: "item", ID: full[i].ID, Title: full[i].Title}
	}
	return Reply{Act: ActCompare, Lang: t.lang, Reply: b.String(), Items: items, Table: tab, Citations: cites,
		Actions: []Action{{Tool: "compare", Arguments: map[string]any{"items": ids}}}}, nil
}

// similar lists items like item id.
func (a *Assistant) similar(ctx context.Context, t *turn, id string) (Reply, error) {
	items, err := a.tools.Similar(ctx, id, a.opts.N)
	if err != nil {
		return Reply{}, err
	}
	t.s.focus = []string{id}
	r := a.list(t, ActResults, items, "Items similar to that one:", "与它类似的商品：", "I couldn't find similar items.", "没有找到类似的商品。")
	r.Actions = []Action{{Tool: "similar", Arguments: map[string]any{"item": id}}}
	return r, nil
}

// recommend lists the shopper's recommendations.
func (a *Assistant) recommend(ctx context.Context, t *turn) (Reply, error) {
	items, err := a.tools.Recommend(ctx, t.user, a.opts.N)
	if err != nil {
		return Reply{}, err
	}
	r := a.list(t, ActResults, items, "Here are some picks for you:", "为您推荐：", "I have no recommendations yet.", "暂时没有推荐。")
	r.Actions = []Action{{Tool: "recommend", Arguments: map[string]any{"user": t.user}}}
	return r, nil
}

// addToCart puts the items referred to in the session's cart.
func (a *Assistant) addToCart(ctx context.Context, t *turn, refs []string, hasRef bool) Reply {
	if !hasRef {
		if len(t.s.focus) == 0 {
			return t.say(ActClarify, "Which item should I add to your cart?", "要把哪件商品加入购物车？")
		}
		refs = t.s.focus[:1]
	}
	for _, id := range refs {
		if !slices.Contains(t.s.cart, id) {
			t.s.cart = append(t.s.cart, id)
		}
	}
	items, _, err := a.items(ctx, refs)
	if err != nil {
		return t.say(ActClarify, "I couldn't find that item any more.", "找不到这件商品了。")
	}
	t.s.focus = refs
	r := t.say(ActCart, fmt.Sprintf("Added to your cart (%d item(s) now). Say \"what else do I need\" for items that go with it.", len(t.s.cart)),
		fmt.Sprintf("已加入购物车（现有 %d 件）。说“还需要什么”看看搭配的商品。", len(t.s.cart)))
	r.Items = items
	r.Actions = []Action{{Tool: "add_to_cart", Arguments: map[string]any{"items": refs}}}
	evs := make([]aisle.Event, len(refs))
	for i, id := range refs {
		evs[i] = aisle.Event{Type: aisle.EventAddToCart, Item: id}
	}
	a.log(ctx, t, evs...)
	return r
}

// completeCart lists items that go with basket: the cart, or the items
// referred to when the cart is empty.
func (a *Assistant) completeCart(ctx context.Context, t *turn, basket []string) (Reply, error) {
	if len(basket) == 0 {
		return t.say(ActClarify, "What is in your cart? Add an item first (e.g. \"add the first one to my cart\").",
			"您的购物车里有什么？请先加入商品（例如“把第一个加入购物车”）。"), nil
	}
	items, err := a.tools.CompleteCart(ctx, t.user, basket, a.opts.N)
	if err != nil {
		return Reply{}, err
	}
	r := a.list(t, ActCart, items, "These go well with your cart:", "这些商品和您的购物车很搭：", "I found nothing that goes with your cart.", "没有找到搭配的商品。")
	r.Actions = []Action{{Tool: "complete_cart", Arguments: map[string]any{"items": basket}}}
	return r, nil
}

// list is a reply listing items, which become the ones shown.
func (a *Assistant) list(t *turn, act string, items []Item, en, zh, noneEn, noneZh string) Reply {
	r := Reply{Act: act, Lang: t.lang, Items: items}
	if len(items) == 0 {
		r.Reply = noneEn
		if t.lang == "zh" {
			r.Reply = noneZh
		}
		return r
	}
	t.s.shown = items
	var b strings.Builder
	if t.lang == "zh" {
		b.WriteString(zh)
	} else {
		b.WriteString(en)
	}
	for i, it := range items {
		fmt.Fprintf(&b, "\n%d. %s", i+1, it.Title)
	}
	r.Reply = b.String()
	return r
}
