// Package qa answers shoppers' questions about a product, in English and
// Chinese, from what Aisle knows about it: its facts (title, brand,
// categories, attributes, the attributes read from its text, price and
// availability), what was seen in its photo (colours, the predicted
// category, labels), and the questions other shoppers asked about it and
// about similar items, retrieved with BM25 (Index). It also captions
// product photos from their visual features.
//
// Everything is built in and deterministic; a vision model (Vision) is
// asked about the photo when one is configured, and its failure falls
// back to the built-in answer. When nothing supports an answer the
// answer is "unknown", never a guess. Catalog text and stored answers are
// data: they are quoted, never followed.
package qa

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
)

// Answer types.
const (
	TypeYes     = "yes"
	TypeNo      = "no"
	TypeOpen    = "open"
	TypeUnknown = "unknown"
)

// Kinds of Source.
const (
	// SourceFact is one of the item's facts; Field names it ("brand",
	// "extracted.colors", "attributes.material", "price").
	SourceFact = "fact"
	// SourcePhoto is what was seen in the item's photo; Field is
	// "visual.colors", "visual.category" or "visual.labels".
	SourcePhoto = "photo"
	// SourceQuestion is a stored question and answer; ID is its id and
	// Item its item.
	SourceQuestion = "question"
	// SourceVision is the vision model's reading of the photo.
	SourceVision = "vision"
)

// MaxQuestionBytes bounds a question.
const MaxQuestionBytes = 4 << 10

// Answer is the reply to a question.
type Answer struct {
	// Answer is the text, in the question's language.
	Answer string `json:"answer"`
	// Type is TypeYes, TypeNo, TypeOpen or TypeUnknown.
	Type string `json:"answer_type"`
	// Confidence is from 0 (unknown) to 1.
	Confidence float64 `json:"confidence"`
	// Sources are what the answer rests on; empty when unknown.
	Sources []Source `json:"sources"`
}

// Source is one thing an answer rests on.
type Source struct {
	// Kind is SourceFact, SourcePhoto, SourceQuestion or SourceVision.
	Kind  string `json:"kind"`
	Field string `json:"field,omitempty"`
	ID    string `json:"id,omitempty"`
	Item  string `json:"item,omitempty"`
}

// Vision is a model that reads a photo: Describe answers prompt about the
// image at imageURL. Implementations must be safe for concurrent use.
type Vision interface {
	Describe(ctx context.Context, prompt, imageURL string) (string, error)
}

// QuestionSource returns an item's stored questions (aisle.QuestionStore).
type QuestionSource interface {
	Questions(ctx context.Context, item string, limit int) ([]aisle.Question, error)
}

// SimilarItems finds items like an item, best first; a recommender's
// Similar.
type SimilarItems interface {
	Similar(ctx context.Context, item string, n int) ([]aisle.Recommendation, error)
}

// Options configure an Answerer. The zero value is the default for each
// field.
type Options struct {
	// Analyzer tokenises questions (nil: a fresh analyze.New, which
	// splits Chinese into characters until its dictionary is loaded).
	Analyzer *analyze.Analyzer
	// Vision, when not nil, is asked photo questions and captions first.
	Vision Vision
	// VisionTimeout bounds one Vision call (default 5s); a call that
	// fails or times out falls back to the built-in answer.
	VisionTimeout time.Duration
	// ImageURL returns the URL the vision model is given for an item's
	// photo, "" for none (nil: the first image when it is an http(s)
	// URL).
	ImageURL func(it *aisle.Item) string
	// SimilarItems is how many similar items' questions are searched
	// beside the item's own, when those alone do not answer (default 5,
	// each a store read; negative: none).
	SimilarItems int
	// QuestionsPerItem caps the questions read per item (default 100).
	QuestionsPerItem int
	// CachedQuestions caps the stored questions whose terms are kept
	// between calls (default 100,000; negative: none kept).
	CachedQuestions int
}

// Answerer answers questions about items. Create it with New; it is safe
// for concurrent use.
type Answerer struct {
	questions QuestionSource
	similar   SimilarItems
	opts      Options
	// terms caches the terms of the stored pairs read.
	terms *termCache
}

// New returns an Answerer reading stored questions from questions (nil:
// none) and similar items from similar (nil: none). It does no I/O.
func New(questions QuestionSource, similar SimilarItems, opts Options) *Answerer {
	if opts.Analyzer == nil {
		opts.Analyzer = analyze.New(analyze.Config{})
	}
	if opts.VisionTimeout <= 0 {
		opts.VisionTimeout = 5 * time.Second
	}
	if opts.ImageURL == nil {
		opts.ImageURL = defaultImageURL
	}
	if opts.SimilarItems == 0 {
		opts.SimilarItems = 5
	}
	if opts.QuestionsPerItem <= 0 {
		opts.QuestionsPerItem = 100
	}
	if opts.CachedQuestions == 0 {
		opts.CachedQuestions = 100_000
	}
	a := &Answerer{questions: questions, similar: similar, opts: opts}
	if opts.CachedQuestions > 0 {
		a.terms = &termCache{max: opts.CachedQuestions}
	}
	return a
}

// defaultImageURL is the item's first image when it is an http(s) URL.
func defaultImageURL(it *aisle.Item) string {
	if len(it.Images) > 0 && (strings.HasPrefix(it.Images[0], "https://") || strings.HasPrefix(it.Images[0], "http://")) {
		return it.Images[0]
	}
	return ""
}

// CheckRequest validates a question and its language: errors are
// *aisle.Error with code EINVALID naming "question" (empty, over
// MaxQuestionBytes, not UTF-8) or "lang" (not "", "en" or "zh").
func CheckRequest(question, lang string) error {
	switch {
	case strings.TrimSpace(question) == "":
		return aisle.FieldErrorf(aisle.EINVALID, "question", "must not be empty")
	case len(question) > MaxQuestionBytes:
		return aisle.FieldErrorf(aisle.EINVALID, "question", "longer than %d bytes", MaxQuestionBytes)
	case !utf8.ValidString(question):
		return aisle.FieldErrorf(aisle.EINVALID, "question", "must be valid UTF-8")
	}
	switch lang {
	case "", "en", "zh":
	default:
		return aisle.FieldErrorf(aisle.EINVALID, "lang", "must be en or zh")
	}
	return nil
}

// Language returns lang, or when it is "" the language text is written
// in: "zh" when it has Han characters, "en" otherwise.
func Language(text, lang string) string {
	if lang != "" {
		return lang
	}
	for _, r := range text {
		if unicode.Is(unicode.Han, r) {
			return "zh"
		}
	}
	return "en"
}

// Ask answers question about it in lang ("en", "zh", or "": the
// question's language). In order: a vision model for questions about the
// photo (when configured), the item's facts and photo attributes, then
// the stored questions of the item, then those of the item and similar
// items together; "unknown" when none
// supports an answer. Errors: EINVALID from CheckRequest, and the
// question source's errors.
func (a *Answerer) Ask(ctx context.Context, it *aisle.Item, question, lang string) (Answer, error) {
	if err := CheckRequest(question, lang); err != nil {
		return Answer{}, err
	}
	lang = Language(question, lang)
	in := parseIntent(question)
	if in.photo && a.opts.Vision != nil {
		if ans, ok := a.askVision(ctx, it, question, lang, in); ok {
			return ans, nil
		}
	}
	if ans, ok := factAnswer(it, in, lang); ok {
		return ans, nil
	}
	ans, ok, err := a.fromQuestions(ctx, it, question, lang, in)
	if err != nil {
		return Answer{}, err
	}
	if ok {
		return ans, nil
	}
	return unknown(lang), nil
}

// unknown is the answer when nothing supports one.
func unknown(lang string) Answer {
	text := "Sorry, I don't know: nothing in the product's details, photo or other shoppers' answers says."
	if lang == "zh" {
		text = "抱歉，我不知道：商品信息、图片和其他顾客的回答里都没有提到。"
	}
	return Answer{Answer: text, Type: TypeUnknown, Sources: []Source{}}
}

// askVision asks the vision model; ok is false when there is no photo
// URL or the model fails (the caller falls back).
func (a *Answerer) askVision(ctx context.Context, it *aisle.Item, question, lang string, in intent) (Answer, bool) {
	url := a.opts.ImageURL(it)
	if url == "" {
		return Answer{}, false
	}
	prompt := "Answer the shopper's question about this product photo in one or two sentences"
	if lang == "zh" {
		prompt += ", in Chinese"
	}
	if in.yesNo {
		prompt += `, beginning with "Yes" or "No"`
	}
	// The question goes in quotes as data; it is the only text sent.
	prompt += ". Question: " + fmt.Sprintf("%q", question)
	vctx, cancel := context.WithTimeout(ctx, a.opts.VisionTimeout)
	defer cancel()
	text, err := a.opts.Vision.Describe(vctx, prompt, url)
	text = strings.TrimSpace(text)
	if err != nil || text == "" {
		return Answer{}, false
	}
	ans := Answer{Answer: text, Type: TypeOpen, Confidence: 0.6, Sources: []Source{{Kind: SourceVision}}}
	if in.yesNo {
		switch AnswerPolarity(text) {
		case Yes:
			ans.Type = TypeYes
		case No:
			ans.Type = TypeNo
		}
	}
	return ans, true
}

// minCoverage is the least share of a question's terms (weighted by
// IDF) a stored question and its answer must hold to answer it.
const minCoverage = 0.5

// fromQuestions answers from the stored questions of the item and, when
// they do not answer, from those of the item and similar items together;
// ok is false when none is close enough. Reading the item's own first
// saves the similar items' reads when they answer.
func (a *Answerer) fromQuestions(ctx context.Context, it *aisle.Item, question, lang string, in intent) (Answer, bool, error) {
	if a.questions == nil {
		return Answer{}, false, nil
	}
	qs, err := a.questions.Questions(ctx, it.ID, a.opts.QuestionsPerItem)
	if err != nil {
		return Answer{}, false, fmt.Errorf("questions of %s: %w", it.ID, err)
	}
	if ans, ok := a.answerFrom(qs, it.ID, question, lang, in); ok {
		return ans, true, nil
	}
	if a.similar == nil || a.opts.SimilarItems <= 0 {
		return Answer{}, false, nil
	}
	recs, err := a.similar.Similar(ctx, it.ID, a.opts.SimilarItems)
	if err != nil {
		if ctx.Err() != nil {
			return Answer{}, false, fmt.Errorf("similar items of %s: %w", it.ID, err)
		}
		// Similar items only widen the search; without them the item's
		// own questions have already been tried.
		return Answer{}, false, nil
	}
	n := len(qs)
	for _, r := range recs {
		if r.Item == it.ID {
			continue
		}
		more, err := a.questions.Questions(ctx, r.Item, a.opts.QuestionsPerItem)
		if err != nil {
			return Answer{}, false, fmt.Errorf("questions of %s: %w", r.Item, err)
		}
		qs = append(qs, more...)
	}
	if len(qs) == n {
		return Answer{}, false, nil
	}
	ans, ok := a.answerFrom(qs, it.ID, question, lang, in)
	return ans, ok, nil
}

// answerFrom answers question about item from the pairs qs: a yes/no
// question by the retrieved pairs' vote when it is clear and its best
// voter covers the question, otherwise by quoting the best of the top 5
// pairs that covers it (yes or no by what its answer says).
func (a *Answerer) answerFrom(qs []aisle.Question, item, question, lang string, in intent) (Answer, bool) {
	if len(qs) == 0 {
		return Answer{}, false
	}
	ix := newIndex(a.opts.Analyzer, qs, a.terms, true)
	hits := ix.Search(question, item, 0, nil)
	if in.yesNo {
		v := voteOf(hits)
		if p := v.Polarity(); p != Neither && v.Margin() >= YesNoMargin {
			best := bestOf(v.Hits, p)
			if ix.Coverage(question, best) >= minCoverage {
				return quoteAnswer(best, p, v.Margin(), lang), true
			}
		}
	}
	for _, h := range hits[:min(len(hits), 5)] {
		if strings.TrimSpace(h.Question.Answer) == "" || ix.Coverage(question, h) < minCoverage {
			continue
		}
		p := Neither
		if in.yesNo {
			p = pairPolarity(h.Question)
		}
		return quoteAnswer(h, p, 1, lang), true
	}
	return Answer{}, false
}

// bestOf returns the best hit that says p.
func bestOf(hits []Hit, p Polarity) Hit {
	for _, h := range hits {
		if pairPolarity(h.Question) == p {
			return h
		}
	}
	return hits[0]
}

// quoteAnswer answers by quoting a stored pair: yes or no when p says
// so, open otherwise. agreement (0–1) scales the confidence.
func quoteAnswer(h Hit, p Polarity, agreement float64, lang string) Answer {
	q := h.Question
	conf := 0.5
	if h.SameItem {
		conf = 0.7
	}
	conf *= 0.5 + agreement/2
	var b strings.Builder
	switch {
	case lang == "zh" && p == Yes:
		b.WriteString("是的。")
	case lang == "zh" && p == No:
		b.WriteString("不是。")
	case p == Yes:
		b.WriteString("Yes. ")
	case p == No:
		b.WriteString("No. ")
	}
	switch {
	case lang == "zh" && h.SameItem:
		fmt.Fprintf(&b, "有顾客问过类似的问题（“%s”），回答是：“%s”", clipText(q.Question, 200), clipText(q.Answer, 600))
	case lang == "zh":
		fmt.Fprintf(&b, "有顾客就类似商品问过（“%s”），回答是：“%s”", clipText(q.Question, 200), clipText(q.Answer, 600))
	case h.SameItem:
		fmt.Fprintf(&b, "A shopper asked %q and was told: %q", clipText(q.Question, 200), clipText(q.Answer, 600))
	default:
		fmt.Fprintf(&b, "About a similar item, a shopper asked %q and was told: %q", clipText(q.Question, 200), clipText(q.Answer, 600))
	}
	typ := TypeOpen
	switch p {
	case Yes:
		typ = TypeYes
	case No:
		typ = TypeNo
	}
	return Answer{Answer: b.String(), Type: typ, Confidence: round2(conf), Sources: []Source{{Kind: SourceQuestion, ID: q.ID, Item: q.Item}}}
}

// clipText shortens s to at most n runes, with an ellipsis.
func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// round2 rounds x to two decimals.
func round2(x float64) float64 { return float64(int(x*100+0.5)) / 100 }
