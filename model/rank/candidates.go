package rank

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sync"
)

// ItemScorer scores chosen items for one history. Every member of a Blend
// that ranks candidates must be one.
type ItemScorer interface {
	// ScoreItems writes the score of items[j] into out[j].
	ScoreItems(history, items []int32, out []float32)
}

// Proposer is a member that can name its best items for a history without
// scoring the whole catalog.
type Proposer interface {
	// Top returns the k best items for history, best first, and their
	// scores; the first score is the largest any item gets.
	Top(history []int32, k int) ([]int32, []float32)
}

// Preparer is a member whose Top and ScoreItems for one history share
// most of their work: Prepare does it once, and top and score answer as
// Top(history, k) and ScoreItems(history, items, out) would. release ends
// the preparation; top and score must not be called after it.
type Preparer interface {
	Prepare(history []int32) (top func(k int) ([]int32, []float32), score func(items []int32, out []float32), release func())
}

// prepared is a Preparer's answer for one history.
type prepared struct {
	top     func(k int) ([]int32, []float32)
	score   func(items []int32, out []float32)
	release func()
}

// Candidates is the fused ranking of a candidate set: Items[j] scored
// Scores[j], best first.
type Candidates struct {
	Items  []int32
	Scores []float32
	// From[j] has bit m set when member m proposed Items[j].
	From []uint64
	// Members, from RankWithMembers only, holds each member's scaled
	// score of each item: Members[j*M+m] for Items[j] and member m of
	// the M members of the blend.
	Members []float32
}

// Rank scores history's candidates: the union of each proposing member's
// perMember best items, each member's scores scaled as Score scales them
// and weighed. A proposer's scale is its top score, which is its largest
// over the catalog, so proposers score candidates exactly as Score does;
// other members (matrix factorisation) are scaled by their largest score
// among the candidates. The cost depends on the candidates, not the
// catalog size. Members with weight 0 neither propose nor score. Rank
// panics if a weighted member is not an ItemScorer, and supports at most
// 64 members.
func (f *Blend) Rank(history []int32, perMember int) Candidates {
	return f.rank(history, perMember, false)
}

// RankWithMembers is Rank that also scores the candidates with the
// members of weight 0 (which still do not propose) and returns every
// member's scaled scores in Candidates.Members: the features of a second
// stage ranker.
func (f *Blend) RankWithMembers(history []int32, perMember int) Candidates {
	return f.rank(history, perMember, true)
}

func (f *Blend) rank(history []int32, perMember int, members bool) Candidates {
	weighted := func(m int) bool { return f.Weights[m] != 0 }
	scoring := weighted
	if members {
		scoring = func(int) bool { return true }
	}
	w := getWork()
	defer w.release()
	g := w.gather(f.Members, weighted, scoring, history, perMember, -1)
	M := len(f.Members)
	order, scores := w.order[:0], w.scores[:0]
	for j := range g.items {
		var s float32
		for m, wt := range f.Weights {
			s += float32(wt) * g.feats[j*M+m]
		}
		order, scores = append(order, j), append(scores, s)
	}
	w.order, w.scores = order, scores
	slices.SortFunc(order, func(a, b int) int {
		if scores[a] != scores[b] {
			return cmp.Compare(scores[b], scores[a])
		}
		return cmp.Compare(g.items[a], g.items[b])
	})
	c := Candidates{Items: make([]int32, len(order)), Scores: make([]float32, len(order)), From: make([]uint64, len(order))}
	if members {
		c.Members = make([]float32, len(order)*M)
	}
	for k, j := range order {
		c.Items[k], c.Scores[k], c.From[k] = g.items[j], scores[j], g.from[j]
		if members {
			copy(c.Members[k*M:(k+1)*M], g.feats[j*M:(j+1)*M])
		}
	}
	return c
}

// gathered is a candidate set with each member's scaled score of each
// candidate: feats[j*M+m] for candidate j and member m (0 for inactive
// members).
type gathered struct {
	items []int32
	from  []uint64
	feats []float32
}

// work is the scratch of one ranking: the gathered candidates and the
// buffers that order them, reused through workPool so that serving a
// request allocates little besides its answer (every allocation is work
// for the collector, whose cycles are what a steady request rate's slow
// tail is made of; docs/BENCHMARKS.md, serving latency).
type work struct {
	at     map[int32]int32 // candidate → its index in g.items
	prep   []prepared      // the Preparer members' preparations, by member
	g      gathered
	buf    []float32
	scales []float32
	order  []int
	scores []float32
}

// workPool holds work values between rankings; it keeps no state a caller
// can observe.
var workPool = sync.Pool{New: func() any { return &work{at: map[int32]int32{}} }}

// getWork returns empty scratch from workPool.
func getWork() *work { return workPool.Get().(*work) }

// release empties w and returns it to workPool; nothing gathered with it
// may be used after.
func (w *work) release() {
	clear(w.at)
	workPool.Put(w)
}

// gather collects the candidates that the proposing members for which
// propose is true propose for history, perMember each, and scores them
// with every member for which score is true, scaled as Rank documents.
// When extra ≥ 0 it is candidate 0 even if nobody proposed it (tuning's
// target); it is scored but does not count toward any member's scale. The
// result lives in w's buffers, valid until w is released.
func (w *work) gather(members []Scorer, propose, score func(m int) bool, history []int32, perMember int, extra int32) gathered {
	M := len(members)
	if M > 64 {
		panic("rank: at most 64 blend members")
	}
	g := gathered{items: w.g.items[:0], from: w.g.from[:0]}
	at := w.at
	if extra >= 0 {
		at[extra] = 0
		g.items, g.from = append(g.items, extra), append(g.from, 0)
	}
	scales := grow(w.scales, M)
	clear(scales)
	prep := grow(w.prep, M)
	clear(prep)
	w.prep = prep
	defer func() {
		for m := range prep {
			if prep[m].release != nil {
				prep[m].release()
			}
		}
		clear(prep)
	}()
	for m, s := range members {
		if pr, ok := s.(Preparer); ok && (propose(m) || score(m)) {
			top, sc, rel := pr.Prepare(history)
			prep[m] = prepared{top: top, score: sc, release: rel}
		}
	}
	for m, s := range members {
		p, ok := s.(Proposer)
		if !propose(m) || !ok {
			continue
		}
		var items []int32
		var scores []float32
		if prep[m].top != nil {
			items, scores = prep[m].top(perMember)
		} else {
			items, scores = p.Top(history, perMember)
		}
		scales[m] = float32(1 / maxScore(scores))
		for _, i := range items {
			j, seen := at[i]
			if !seen {
				j = int32(len(g.items))
				at[i] = j
				g.items, g.from = append(g.items, i), append(g.from, 0)
			}
			g.from[j] |= 1 << m
		}
	}
	g.feats = grow(w.g.feats, len(g.items)*M)
	clear(g.feats)
	buf := grow(w.buf, len(g.items))
	w.g, w.buf, w.scales = g, buf, scales
	proposed := buf
	if extra >= 0 && len(g.from) > 0 && g.from[0] == 0 {
		proposed = buf[1:] // the extra item does not set a scale
	}
	for m, s := range members {
		if !score(m) {
			continue
		}
		if prep[m].score != nil {
			prep[m].score(g.items, buf)
		} else {
			is, ok := s.(ItemScorer)
			if !ok {
				panic(fmt.Sprintf("rank: blend member %d (%T) cannot score chosen items", m, s))
			}
			is.ScoreItems(history, g.items, buf)
		}
		sc := scales[m]
		if sc == 0 { // not a proposer: scale by the candidates' best
			sc = float32(1 / maxScore(proposed))
		}
		for j, v := range buf {
			g.feats[j*M+m] = sc * v
		}
	}
	return g
}

// grow returns s resliced to length n, reallocated when its capacity is
// short; the values are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// CandidateScorer scores the catalog the way serving ranks it: the
// candidates of Blend.Rank get their fused scores and every other item
// −Inf, so offline evaluation measures exactly what is served.
type CandidateScorer struct {
	Blend     *Blend
	PerMember int
}

// Score implements Scorer.
func (s CandidateScorer) Score(history []int32, scores []float32) {
	inf := float32(math.Inf(-1))
	for i := range scores {
		scores[i] = inf
	}
	c := s.Blend.Rank(history, s.PerMember)
	for j, i := range c.Items {
		scores[i] = c.Scores[j]
	}
}
