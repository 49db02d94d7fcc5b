package qa

import (
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
)

// BM25 parameters, the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Weights of a pair's score in Index.Search: BM25 over its question plus
// answerWeight times BM25 over its answer, times sameItemBoost when the
// pair is about the asked item.
const (
	answerWeight  = 0.5
	sameItemBoost = 1.5
)

// Index is a retrieval index over question-and-answer pairs: BM25 over
// the questions, lexical overlap with the answers, and the pairs of each
// item. Build it with NewIndex; it is read-only
// afterwards and safe for concurrent use.
type Index struct {
	an     *analyze.Analyzer
	pairs  []pair
	byItem map[string][]int
	// q and a are the BM25 statistics of the questions and the answers.
	q, a field
}

// pair is one indexed question with its terms.
type pair struct {
	q      aisle.Question
	qTerms map[string]int
	aTerms map[string]int
	qLen   int
	aLen   int
}

// field holds the document frequencies and mean length of one text field.
type field struct {
	// df holds every term's document frequency, or, when count is set,
	// those counted so far.
	df     map[string]int
	n      int
	avgLen float64
	// count, when set, counts the documents holding a term, for an index
	// that counts document frequencies as they are asked for.
	count func(t string) int
}

// docFreq returns the number of documents holding t.
func (f *field) docFreq(t string) int {
	if f.count == nil {
		return f.df[t]
	}
	d, ok := f.df[t]
	if !ok {
		d = f.count(t)
		f.df[t] = d
	}
	return d
}

// idf is BM25's inverse document frequency of t (never negative).
func (f *field) idf(t string) float64 {
	df := float64(f.docFreq(t))
	return math.Log(1 + (float64(f.n)-df+0.5)/(df+0.5))
}

// bm25 scores a document with term counts tf and length n for the query
// terms qt.
func (f *field) bm25(qt []string, tf map[string]int, n int) float64 {
	if n == 0 || len(tf) == 0 {
		return 0
	}
	norm := bm25K1 * (1 - bm25B + bm25B*float64(n)/max(f.avgLen, 1))
	var s float64
	for _, t := range qt {
		c := float64(tf[t])
		if c == 0 {
			continue
		}
		s += f.idf(t) * c * (bm25K1 + 1) / (c + norm)
	}
	return s
}

// NewIndex indexes qs, tokenised by an (nil: a fresh analyze.New without
// the Chinese dictionary). Questions with an empty question text are
// skipped. It does no I/O.
func NewIndex(an *analyze.Analyzer, qs []aisle.Question) *Index {
	return newIndex(an, qs, nil, false)
}

// newIndex is NewIndex taking the pairs' terms from cache (nil: none)
// when it has them, and keeping them there. With lazy it counts document
// frequencies only for the terms asked about, which suits an index built
// for one question; such an index is not safe for concurrent use.
func newIndex(an *analyze.Analyzer, qs []aisle.Question, cache *termCache, lazy bool) *Index {
	if an == nil {
		an = analyze.New(analyze.Config{})
	}
	ix := &Index{
		an:     an,
		byItem: make(map[string][]int),
		q:      field{df: make(map[string]int)},
		a:      field{df: make(map[string]int)},
	}
	var qTotal, aTotal int
	for _, q := range qs {
		if strings.TrimSpace(q.Question) == "" {
			continue
		}
		p, ok := cache.get(q)
		if !ok {
			p = pair{q: q}
			p.qTerms, p.qLen = ix.counts(q.Question)
			p.aTerms, p.aLen = ix.counts(q.Answer)
			cache.put(p)
		}
		if !lazy {
			for t := range p.qTerms {
				ix.q.df[t]++
			}
			for t := range p.aTerms {
				ix.a.df[t]++
			}
		}
		qTotal += p.qLen
		aTotal += p.aLen
		ix.byItem[q.Item] = append(ix.byItem[q.Item], len(ix.pairs))
		ix.pairs = append(ix.pairs, p)
	}
	ix.q.n, ix.a.n = len(ix.pairs), len(ix.pairs)
	if lazy {
		ix.q.count = func(t string) int { return ix.countPairs(t, func(p *pair) map[string]int { return p.qTerms }) }
		ix.a.count = func(t string) int { return ix.countPairs(t, func(p *pair) map[string]int { return p.aTerms }) }
	}
	if n := len(ix.pairs); n > 0 {
		ix.q.avgLen = float64(qTotal) / float64(n)
		ix.a.avgLen = float64(aTotal) / float64(n)
	}
	return ix
}

// countPairs counts the pairs whose terms (of the field terms returns)
// hold t.
func (ix *Index) countPairs(t string, terms func(p *pair) map[string]int) int {
	n := 0
	for i := range ix.pairs {
		if terms(&ix.pairs[i])[t] > 0 {
			n++
		}
	}
	return n
}

// counts returns the term counts of text and its length in terms.
func (ix *Index) counts(text string) (map[string]int, int) {
	ts := ix.an.Terms(nil, text)
	m := make(map[string]int, len(ts))
	for _, t := range ts {
		m[t]++
	}
	return m, len(ts)
}

// terms returns the distinct terms of text, in order of first use.
func (ix *Index) terms(text string) []string {
	ts := ix.an.Terms(nil, text)
	seen := make(map[string]bool, len(ts))
	out := ts[:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// Len returns the number of indexed pairs.
func (ix *Index) Len() int { return len(ix.pairs) }

// Hit is one retrieved pair.
type Hit struct {
	// Question is the pair, as indexed.
	Question aisle.Question
	// Score is BM25 over its question plus half BM25 over its answer,
	// times 1.5 when it is about the asked item; 0 means no word in
	// common.
	Score float64
	// QuestionScore is the BM25 part over its question alone.
	QuestionScore float64
	// SameItem says the pair is about the asked item.
	SameItem bool
	// pos is the pair's position in the index.
	pos int
}

// Search returns up to n pairs (all when n ≤ 0) that share a term with
// question, best first: BM25 over the pairs' questions plus lexical
// overlap (BM25) with their answers, pairs about item counting more.
// Ties go to the earlier indexed pair. skip, when not nil, leaves out the
// pairs it returns true for.
func (ix *Index) Search(question, item string, n int, skip func(aisle.Question) bool) []Hit {
	qt := ix.terms(question)
	if len(qt) == 0 {
		return nil
	}
	cand := make(map[int]bool)
	for i := range ix.pairs {
		p := &ix.pairs[i]
		for _, t := range qt {
			if p.qTerms[t] > 0 || p.aTerms[t] > 0 {
				cand[i] = true
				break
			}
		}
	}
	hits := make([]Hit, 0, len(cand))
	idx := make([]int, 0, len(cand))
	for i := range cand {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	for _, i := range idx {
		p := &ix.pairs[i]
		if skip != nil && skip(p.q) {
			continue
		}
		qs := ix.q.bm25(qt, p.qTerms, p.qLen)
		s := qs + answerWeight*ix.a.bm25(qt, p.aTerms, p.aLen)
		same := item != "" && p.q.Item == item
		if same {
			s *= sameItemBoost
		}
		if s <= 0 {
			continue
		}
		hits = append(hits, Hit{Question: p.q, Score: s, QuestionScore: qs, SameItem: same, pos: i})
	}
	slices.SortStableFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if n > 0 && len(hits) > n {
		hits = hits[:n]
	}
	return hits
}

// AnswerBM25 scores answer for question by BM25 alone, with the answers'
// statistics of the index: the lexical baseline RankAnswers improves on.
func (ix *Index) AnswerBM25(question, answer string) float64 {
	tf, n := ix.counts(answer)
	return ix.a.bm25(ix.terms(question), tf, n)
}

// DefaultContextWeight is the weight ScoreAnswer gives the answer's
// similarity to the item's other pairs, chosen on a development split
// (see docs/BENCHMARKS.md, "Product Q&A").
const DefaultContextWeight = 16

// ScoreAnswer scores a candidate answer to question about item with
// DefaultContextWeight; see ScoreAnswerWith.
func (ix *Index) ScoreAnswer(question, item, answer string) float64 {
	return ix.ScoreAnswerWith(question, item, answer, DefaultContextWeight)
}

// ScoreAnswerWith scores a candidate answer to question about item: BM25
// of the question over the answer, with the statistics of the indexed
// answers, plus contextWeight times the TF-IDF cosine between the answer
// and the item's other indexed pairs (leaving out those whose answer is
// this very text), which favours answers about the item.
func (ix *Index) ScoreAnswerWith(question, item, answer string, contextWeight float64) float64 {
	tf, n := ix.counts(answer)
	s := ix.a.bm25(ix.terms(question), tf, n)
	if contextWeight != 0 {
		s += contextWeight * ix.itemContext(item, answer, tf)
	}
	return s
}

// itemContext is the TF-IDF cosine between the terms tf of answer and the
// terms of item's indexed pairs, leaving out pairs whose answer is answer.
func (ix *Index) itemContext(item, answer string, tf map[string]int) float64 {
	if item == "" || len(tf) == 0 {
		return 0
	}
	ctx := make(map[string]float64)
	for _, i := range ix.byItem[item] {
		p := &ix.pairs[i]
		if p.q.Answer == answer {
			continue
		}
		for t, c := range p.qTerms {
			ctx[t] += float64(c)
		}
		for t, c := range p.aTerms {
			ctx[t] += float64(c)
		}
	}
	if len(ctx) == 0 {
		return 0
	}
	var dot, na, nc float64
	for _, t := range sortedKeys(ctx) {
		w := ctx[t] * ix.a.idf(t)
		nc += w * w
	}
	for _, t := range sortedKeys(tf) {
		idf := ix.a.idf(t)
		w := float64(tf[t]) * idf
		na += w * w
		dot += w * ctx[t] * idf
	}
	if na == 0 || nc == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nc)
}

// yesNoNeighbours is how many retrieved pairs with a yes or a no vote on
// a yes/no question.
const yesNoNeighbours = 10

// Vote is what the pairs retrieved for a yes/no question say.
type Vote struct {
	// Yes and No are the summed retrieval scores of the pairs that answer
	// yes and no (by their label, else by how their answer begins).
	Yes, No float64
	// Hits are the voting pairs, best first.
	Hits []Hit
}

// Polarity is the vote's outcome: Yes or No for the larger side, Neither
// on a tie (no votes included).
func (v Vote) Polarity() Polarity {
	switch {
	case v.Yes > v.No:
		return Yes
	case v.No > v.Yes:
		return No
	}
	return Neither
}

// Margin is the winning side's share of the votes minus the losing
// side's, from 0 (a tie, or no votes) to 1 (unanimous).
func (v Vote) Margin() float64 {
	if v.Yes+v.No == 0 {
		return 0
	}
	return math.Abs(v.Yes-v.No) / (v.Yes + v.No)
}

// YesNo retrieves the pairs most like question (Search, pairs about item
// counting more) and lets the first yesNoNeighbours that say yes or no
// vote, each with its score. skip is as for Search.
func (ix *Index) YesNo(question, item string, skip func(aisle.Question) bool) Vote {
	return voteOf(ix.Search(question, item, 0, skip))
}

// voteOf lets the first yesNoNeighbours of hits that say yes or no vote.
func voteOf(hits []Hit) Vote {
	var v Vote
	for _, h := range hits {
		switch pairPolarity(h.Question) {
		case Yes:
			v.Yes += h.Score
		case No:
			v.No += h.Score
		default:
			continue
		}
		v.Hits = append(v.Hits, h)
		if len(v.Hits) == yesNoNeighbours {
			break
		}
	}
	return v
}

// sortedKeys returns m's keys in order, so that sums over them come out
// the same on every run.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// YesNoMargin is the least Vote.Margin on which the Answerer answers a
// yes/no question from other shoppers' answers; below it the answer is
// "unknown".
const YesNoMargin = 0.5

// Coverage is the share of question's terms, weighted by their IDF over
// the indexed questions, that the hit's question or answer holds: 1 when
// all of them, 0 when none. h must come from this index.
func (ix *Index) Coverage(question string, h Hit) float64 {
	p := &ix.pairs[h.pos]
	var all, got float64
	for _, t := range ix.terms(question) {
		w := ix.q.idf(t)
		all += w
		if p.qTerms[t] > 0 || p.aTerms[t] > 0 {
			got += w
		}
	}
	if all == 0 {
		return 0
	}
	return got / all
}

// termCache keeps the terms of question-and-answer pairs by question
// ID, so that the pairs an Answerer reads for every question are
// tokenised once; a cached pair whose text has changed is tokenised
// again. It holds at most max pairs and is emptied when full. A nil
// *termCache caches nothing. It is safe for concurrent use; the cached
// term maps are never written after they are stored.
type termCache struct {
	max int
	// mu guards m.
	mu sync.Mutex
	m  map[string]pair
}

// get returns the cached terms of q, if its text is unchanged.
func (c *termCache) get(q aisle.Question) (pair, bool) {
	if c == nil || q.ID == "" {
		return pair{}, false
	}
	c.mu.Lock()
	p, ok := c.m[q.ID]
	c.mu.Unlock()
	if !ok || p.q.Question != q.Question || p.q.Answer != q.Answer {
		return pair{}, false
	}
	p.q = q
	return p, true
}

// put caches p.
func (c *termCache) put(p pair) {
	if c == nil || p.q.ID == "" {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]pair)
	}
	c.m[p.q.ID] = p
}
