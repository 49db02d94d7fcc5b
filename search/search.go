package search

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/query"
)

// Retrieval modes of a Request.
const (
	// RetrievalHybrid fuses BM25 and dense rankings (dense only when the
	// index has an encoder); it is what "" means.
	RetrievalHybrid = "hybrid"
	// RetrievalBM25 ranks by BM25F alone.
	RetrievalBM25 = "bm25"
	// RetrievalDense ranks by the encoder's similarity alone.
	RetrievalDense = "dense"
)

// Merges of Config.Merge.
const (
	MergeRRF    = "rrf"    // reciprocal-rank fusion (the default)
	MergeLinear = "linear" // a weighted sum of normalised scores
)

// Sources a Hit names.
const (
	SourceBM25   = "bm25"   // the item matched the query's terms
	SourceDense  = "dense"  // the item was among the query's dense neighbours
	SourceFilter = "filter" // the query was all filters (a brand, a colour) and the item passes them
	SourceImage  = "image"  // the item was among the query photo's nearest items by image vector
)

// synonymWeight is the weight of a synonym's matches relative to the
// query's own terms.
const synonymWeight = 0.5

// maxTerms caps the distinct terms searched (the rest are ignored), so a
// hit's matched terms fit one bit mask.
const maxTerms = 32

// Request is one search.
type Request struct {
	// Query is the shopper's query (at most aisle.MaxQueryBytes); required
	// unless Image is given, when a blank Query means none.
	Query string
	// Image is a query photo's vector from the image encoder that made
	// the items' image vectors (Deps.ImageVectors): the search finds
	// the items whose photos are nearest, fused with the text ranking
	// when Query is given too. nil means none.
	Image []float32
	// User, when given, lets Deps.Personalizer re-order the best matches.
	User string
	// N is the page size: 0 means aisle.DefaultN, at most aisle.MaxN.
	N int
	// Cursor continues an earlier search with the same query, user and
	// filters (its Result.NextCursor); "" starts at the first result. It
	// holds an offset, so items indexed or deleted between pages shift
	// the later pages accordingly.
	Cursor string
	// Category keeps items with this category anywhere in their path and
	// Brand items of this brand, case-insensitively, as GET /v1/items
	// does; "" keeps all.
	Category, Brand string
	// Color keeps items with this colour (case-insensitively) among their
	// colours: those their text names and those seen in their photo
	// (aisle.Visual.Colors). "" keeps all. It applies beside the colours
	// the query names.
	Color string
	// MinPrice and MaxPrice keep items priced within them (inclusive);
	// nil is unbounded, and an item without a price passes neither. They
	// apply beside the query's own price limits (the tighter wins).
	MinPrice, MaxPrice *float64
	// Retrieval is one of the Retrieval constants; "" is RetrievalHybrid.
	Retrieval string
}

// Hit is one found item.
type Hit struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Score float64  `json:"score"`
	Price *float64 `json:"price,omitempty"`
	// Matched are the query's index terms (and synonyms) found in the
	// item, for highlighting.
	Matched []string `json:"matched"`
	// Sources name the retrievers that found it: SourceBM25, SourceDense,
	// SourceFilter, SourceImage.
	Sources []string `json:"sources"`
	// Reasons name the store's rules that moved it (Deps.Rules).
	Reasons []string `json:"reasons,omitempty"`
}

// Result is one page of a search.
type Result struct {
	Items []Hit `json:"items"`
	// Intent is what the query was read to ask for.
	Intent query.Intent `json:"intent"`
	// Facets count the whole matched set, not only this page.
	Facets Facets `json:"facets"`
	// Total is the size of the matched set.
	Total int `json:"total"`
	// NextCursor continues with the next page; "" on the last one.
	NextCursor string `json:"next_cursor"`
}

// cand is one matched item, copied out of the index so that ordering and
// paging run without the lock.
type cand struct {
	slot      int32
	id, title string
	price     *float64
	created   int64
	score     float64
	sources   uint8 // bit i set: source i of sourceNames
	mask      uint32
	reasons   []string // the rules that moved it (rules.go)
}

var sourceNames = [...]string{SourceBM25, SourceDense, SourceFilter, SourceImage}

const (
	srcBM25 = 1 << iota
	srcDense
	srcFilter
	srcImage
)

// Search runs req. Errors: an empty or over-long query without an image
// is EINVALID (field "q"), a bad n, cursor, price limit or image vector
// EINVALID (field "n", "cursor", "min_price", "max_price" or "image":
// one of another length than the items' image vectors, too); a
// cancelled ctx returns its error. A query that matches nothing gives an
// empty Result, not an error; so does a search by photo of an index
// without image vectors. Failures of the encoder, parser, popularity or
// personalizer that are not the caller's are logged and searched around
// (BM25 only, the plain query, relevance order).
func (x *Index) Search(ctx context.Context, req Request) (Result, error) {
	if err := checkRequest(&req); err != nil {
		return Result{}, err
	}
	hash := requestHash(&req)
	offset, err := decodeCursor(req.Cursor, hash)
	if err != nil {
		return Result{}, err
	}
	var (
		in query.Intent
		qv []float32
	)
	if req.Query != "" {
		if in, err = x.intent(req.Query); err != nil {
			return Result{}, err
		}
		if qv, err = x.queryVector(ctx, &in, req.Retrieval); err != nil {
			return Result{}, err
		}
	}
	x.mu.RLock()
	if req.Image != nil && x.imageDim > 0 && len(req.Image) != x.imageDim {
		x.mu.RUnlock()
		return Result{}, aisle.FieldErrorf(aisle.EINVALID, "image", "vector has %d floats; the items' image vectors have %d (another image model?)", len(req.Image), x.imageDim)
	}
	terms, cands := x.matchLocked(&in, &req, qv)
	// What the parser read out of the query can be wrong, or ask what the
	// catalog cannot say (a price limit where no item has a price): when
	// nothing matches, search without the category read, then without the
	// price limits too. The returned intent says what was applied.
	if len(cands) == 0 && in.Category != "" {
		in.Category = ""
		terms, cands = x.matchLocked(&in, &req, qv)
	}
	if len(cands) == 0 && (in.MinPrice != nil || in.MaxPrice != nil) {
		in.MinPrice, in.MaxPrice = nil, nil
		terms, cands = x.matchLocked(&in, &req, qv)
	}
	cands = x.blockLocked(cands) // rules.go
	facets := x.facetsLocked(cands)
	x.mu.RUnlock()
	if err := x.order(ctx, cands, &in, &req); err != nil {
		return Result{}, err
	}
	cands = x.applyRules(cands, offset+req.N, &in, &req) // rules.go
	res := Result{Intent: in, Facets: facets, Total: len(cands), Items: []Hit{}}
	end := min(offset+req.N, len(cands))
	for _, c := range cands[min(offset, end):end] {
		res.Items = append(res.Items, c.hit(terms))
	}
	if end < len(cands) {
		res.NextCursor = encodeCursor(end, hash)
	}
	return res, nil
}

// checkRequest validates req and fills its defaults; it scales a copy of
// req.Image to unit length.
func checkRequest(req *Request) error {
	if req.Image != nil {
		img, err := unitVector("image", req.Image)
		if err != nil {
			return err
		}
		req.Image = img
		if strings.TrimSpace(req.Query) == "" {
			req.Query = ""
		}
	}
	switch q := strings.TrimSpace(req.Query); {
	case q == "" && req.Image != nil:
	case q == "":
		return aisle.FieldErrorf(aisle.EINVALID, "q", "must not be empty")
	case len(req.Query) > aisle.MaxQueryBytes:
		return aisle.FieldErrorf(aisle.EINVALID, "q", "longer than %d bytes", aisle.MaxQueryBytes)
	case !utf8.ValidString(req.Query):
		return aisle.FieldErrorf(aisle.EINVALID, "q", "not valid UTF-8")
	}
	switch {
	case req.N == 0:
		req.N = aisle.DefaultN
	case req.N < 0 || req.N > aisle.MaxN:
		return aisle.FieldErrorf(aisle.EINVALID, "n", "must be from 1 to %d", aisle.MaxN)
	}
	for _, p := range []struct {
		field string
		v     *float64
	}{{"min_price", req.MinPrice}, {"max_price", req.MaxPrice}} {
		if p.v != nil && (math.IsNaN(*p.v) || math.IsInf(*p.v, 0) || *p.v < 0) {
			return aisle.FieldErrorf(aisle.EINVALID, p.field, "must be a finite number ≥ 0")
		}
	}
	if req.MinPrice != nil && req.MaxPrice != nil && *req.MaxPrice < *req.MinPrice {
		return aisle.FieldErrorf(aisle.EINVALID, "max_price", "is below min_price")
	}
	switch req.Retrieval {
	case "":
		req.Retrieval = RetrievalHybrid
	case RetrievalHybrid, RetrievalBM25, RetrievalDense:
	default:
		return aisle.FieldErrorf(aisle.EINVALID, "retrieval", "must be hybrid, bm25 or dense")
	}
	return nil
}

// intent parses q with the configured parser. A parser failure that is
// not an *aisle.Error is logged and the query's words are used instead.
func (x *Index) intent(q string) (query.Intent, error) {
	if x.deps.Parser != nil {
		in, err := x.deps.Parser.Parse(q)
		if err == nil {
			return in, nil
		}
		if aisle.ErrorCode(err) != aisle.EINTERNAL {
			return query.Intent{}, err
		}
		x.logger.Warn("search: parse query", "err", err)
	}
	return query.Intent{Query: q, Terms: x.deps.Analyzer.Terms(nil, q)}, nil
}

// queryVector encodes the (corrected) query for dense retrieval; nil when
// the mode or the index has none. Only a cancelled ctx is an error; an
// encoder failure is logged and gives nil.
func (x *Index) queryVector(ctx context.Context, in *query.Intent, mode string) ([]float32, error) {
	if x.deps.Encoder == nil || mode == RetrievalBM25 {
		return nil, nil
	}
	text := in.Query
	if in.Corrected != "" {
		text = in.Corrected
	}
	if translated(in) {
		// The catalog's words for a query in another script (Chinese
		// words translated by the parser) are what an encoder trained on
		// the catalog knows.
		text = strings.Join(append(append(slices.Clone(in.Colors), in.Brand), in.Terms...), " ")
	}
	vs, err := x.deps.Encoder.Encode(ctx, []string{text})
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		x.logger.Warn("search: encode query", "err", err)
		return nil, nil
	case len(vs) != 1 || len(vs[0]) != x.deps.Encoder.Dim():
		x.logger.Warn("search: encoder returned a malformed vector")
		return nil, nil
	}
	return vs[0], nil
}

// translated reports whether in's terms are a translation of a query in
// Chinese, Japanese or Korean rather than the query's own words.
func translated(in *query.Intent) bool {
	switch in.Language {
	case "zh", "ja", "ko":
	default:
		return false
	}
	for _, t := range in.Terms {
		for _, r := range t {
			if r >= 0x2E80 { // CJK: the query's own words, not translated
				return false
			}
		}
	}
	return len(in.Terms) > 0
}

// queryTerm is one distinct index term searched, with its weight.
type queryTerm struct {
	text   string
	weight float64
}

// queryTerms returns the distinct index terms of in's terms and synonyms.
func (x *Index) queryTerms(in *query.Intent) []queryTerm {
	var qts []queryTerm
	seen := make(map[string]bool)
	add := func(t string, w float64) {
		if !seen[t] && len(qts) < maxTerms {
			seen[t] = true
			qts = append(qts, queryTerm{t, w})
		}
	}
	// Terms, synonyms and their phrases are index terms already
	// (query.Intent): analysing them again would stem stems.
	for _, t := range in.Terms {
		add(t, 1)
	}
	// A synonym of several terms shares its weight among them, so that
	// one word of it ("stapl" of "stapl machin", a gloss of 订书机) does not
	// weigh as much as the whole.
	phrases := slices.Sorted(maps.Keys(in.Synonyms))
	for _, p := range phrases {
		for _, alt := range in.Synonyms[p] {
			ts := strings.Fields(alt)
			for _, t := range ts {
				add(t, synonymWeight/float64(len(ts)))
			}
		}
	}
	return qts
}

// scratch holds a search's per-slot state; pooled across searches.
type scratch struct {
	score []float32
	mask  []uint32
	keep  []uint8 // 0 unknown, 1 kept, 2 filtered out
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// matchLocked returns the query's terms and its matched set in relevance
// order: the text ranking (none without a query), fused with the nearest
// items by image vector when req has an image. It needs x.mu held for
// reading.
func (x *Index) matchLocked(in *query.Intent, req *Request, qv []float32) ([]queryTerm, []cand) {
	qts := x.queryTerms(in)
	f := x.newFilterLocked(in, req)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	n := len(x.docs)
	sc.score = resize(sc.score, n)
	sc.mask = resize(sc.mask, n)
	sc.keep = resize(sc.keep, n)
	keep := func(slot int32) bool {
		if sc.keep[slot] == 0 {
			sc.keep[slot] = 2
			if f.keep(slot) {
				sc.keep[slot] = 1
			}
		}
		return sc.keep[slot] == 1
	}

	vecKeep := keep
	if f.none() {
		vecKeep = nil // the vector indexes hold no dead or discontinued items
	}
	var images []scored
	if req.Image != nil && x.imageDim > 0 {
		images = x.nearestLocked(x.images, req.Image, x.cfg.ImageK, vecKeep)
	}
	if req.Query == "" {
		return qts, x.candsOf(images, srcImage)
	}
	cands := x.textLocked(qts, f, req, qv, sc, keep, vecKeep)
	if req.Image != nil {
		cands = x.fuse(cands, images, x.cfg.ImageWeight, srcImage, false)
	}
	return qts, cands
}

// textLocked returns the text ranking of a query: BM25 over qts and the
// dense neighbours of qv (nil for none), as req.Retrieval asks, among the
// items keep (and, for the vector index, vecKeep) accepts. It needs x.mu
// held for reading.
func (x *Index) textLocked(qts []queryTerm, f *filter, req *Request, qv []float32, sc *scratch, keep, vecKeep func(int32) bool) []cand {
	var lexical []scored
	if req.Retrieval != RetrievalDense {
		lexical = x.bm25Locked(qts, sc, keep)
	}
	var dense []scored
	if qv != nil {
		dense = x.nearestLocked(x.deps.Vectors, qv, x.cfg.DenseK, vecKeep)
	}
	linear := x.cfg.Merge == MergeLinear
	var cands []cand
	switch {
	case len(qts) == 0 && f.structured && req.Retrieval != RetrievalDense:
		// A query that is all filters ("hp", "red"): every item passing
		// them, in catalog order, fused with any dense neighbours.
		for slot := range x.docs {
			if keep(int32(slot)) {
				c := x.candLocked(int32(slot))
				c.sources = srcFilter
				cands = append(cands, c)
			}
		}
		if dense != nil {
			cands = x.fuse(cands, dense, x.cfg.DenseWeight, srcDense, linear)
		}
	case req.Retrieval == RetrievalDense:
		cands = x.candsOf(dense, srcDense)
	default:
		cands = make([]cand, len(lexical))
		for i, l := range lexical {
			cands[i] = x.candLocked(l.slot)
			cands[i].score, cands[i].mask, cands[i].sources = float64(l.score), sc.mask[l.slot], srcBM25
		}
		if req.Retrieval != RetrievalBM25 && qv != nil {
			cands = x.fuse(cands, dense, x.cfg.DenseWeight, srcDense, linear)
		}
	}
	return cands
}

// candsOf returns ranked as candidates found by src, scored by their
// similarity. It needs x.mu held for reading.
func (x *Index) candsOf(ranked []scored, src uint8) []cand {
	cands := make([]cand, len(ranked))
	for i, r := range ranked {
		cands[i] = x.candLocked(r.slot)
		cands[i].score, cands[i].sources = float64(r.score), src
	}
	return cands
}

// resize returns s with length n, all zero.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// candLocked copies slot's facts into a candidate.
func (x *Index) candLocked(slot int32) cand {
	d := &x.docs[slot]
	return cand{slot: slot, id: d.id, title: d.title, price: d.price, created: d.created.UnixMicro()}
}

// bm25Locked scores the kept documents matching qts by BM25F into sc and
// returns them best first.
func (x *Index) bm25Locked(qts []queryTerm, sc *scratch, keep func(int32) bool) []scored {
	if x.live == 0 {
		return nil
	}
	var avg [numFields]float64
	for f := range avg {
		avg[f] = max(x.lenSum[f]/float64(x.live), 1)
	}
	k1, b := x.cfg.K1, x.cfg.B
	var matched []int32
	for i, qt := range qts {
		id, ok := x.termIDs[qt.text]
		if !ok || x.df[id] == 0 {
			continue
		}
		df := float64(x.df[id])
		idf := math.Log(1 + (float64(x.live)-df+0.5)/(df+0.5))
		for _, p := range x.postings[id] {
			if !x.docs[p.doc].alive || !keep(p.doc) {
				continue
			}
			lens := &x.docs[p.doc].lens
			var tf float64
			for f, n := range p.tf {
				if n > 0 {
					tf += x.weights[f] * float64(n) / (1 - b + b*float64(lens[f])/avg[f])
				}
			}
			if sc.mask[p.doc] == 0 {
				matched = append(matched, p.doc)
			}
			sc.score[p.doc] += float32(qt.weight * idf * tf / (k1 + tf))
			sc.mask[p.doc] |= 1 << i
		}
	}
	ranked := make([]scored, len(matched))
	for i, slot := range matched {
		ranked[i] = scored{slot, sc.score[slot]}
	}
	slices.SortFunc(ranked, compareScored)
	return ranked
}

// fuse merges a first ranking (BM25's, the items passing a query that
// is all filters, or the text ranking) with a second one found by src
// (the dense neighbours, or the image neighbours), and returns the
// result best first.
//
// By reciprocal rank (linear false): each ranking adds w/(RRFK+rank) to
// its items' scores, the first weighing 1 and the second w. Linear: the
// score is (1-α)·score/best score of the first ranking + α·similarity,
// α = LinearDense, an item missing from a ranking scoring 0 there.
func (x *Index) fuse(first []cand, dense []scored, w float64, src uint8, linear bool) []cand {
	at := make(map[int32]int, len(first)+len(dense))
	out := make([]cand, 0, len(first)+len(dense))
	var best float64
	for _, c := range first {
		best = max(best, c.score)
	}
	for r, c := range first {
		at[c.slot] = len(out)
		switch {
		case !linear:
			c.score = 1 / (x.cfg.RRFK + float64(r+1))
		case best > 0:
			c.score = (1 - x.cfg.LinearDense) * c.score / best
		default:
			c.score = 0
		}
		out = append(out, c)
	}
	for r, d := range dense {
		add := w / (x.cfg.RRFK + float64(r+1))
		if linear {
			add = x.cfg.LinearDense * float64(d.score)
		}
		i, ok := at[d.slot]
		if !ok {
			i = len(out)
			out = append(out, x.candLocked(d.slot))
		}
		out[i].sources |= src
		out[i].score += add
	}
	slices.SortStableFunc(out, func(a, b cand) int { return cmp.Compare(b.score, a.score) })
	return out
}

// hit returns c as a Hit, naming its matched terms from qts.
func (c *cand) hit(qts []queryTerm) Hit {
	h := Hit{ID: c.id, Title: c.title, Score: c.score, Price: c.price, Matched: []string{}, Sources: []string{}}
	for i, qt := range qts {
		if c.mask&(1<<i) != 0 {
			h.Matched = append(h.Matched, qt.text)
		}
	}
	for i, s := range sourceNames {
		if c.sources&(1<<i) != 0 {
			h.Sources = append(h.Sources, s)
		}
	}
	h.Reasons = c.reasons
	return h
}

// order applies in's sort hint to cands, or else re-orders the best
// matches for req.User. Only a cancelled ctx is an error.
func (x *Index) order(ctx context.Context, cands []cand, in *query.Intent, req *Request) error {
	switch in.Sort {
	case query.SortPriceAsc, query.SortPriceDesc:
		sign := 1
		if in.Sort == query.SortPriceDesc {
			sign = -1
		}
		slices.SortStableFunc(cands, func(a, b cand) int {
			switch {
			case a.price == nil || b.price == nil:
				return cmp.Compare(boolInt(a.price == nil), boolInt(b.price == nil)) // unknown prices last
			}
			return sign * cmp.Compare(*a.price, *b.price)
		})
		return nil
	case query.SortNewest:
		slices.SortStableFunc(cands, func(a, b cand) int { return cmp.Compare(b.created, a.created) })
		return nil
	case query.SortPopular:
		if x.deps.Popularity == nil {
			return nil
		}
		pop, err := x.deps.Popularity.Popularity(ctx, ids(cands))
		if ok, err := x.usable(ctx, "popularity", err, len(pop), len(cands)); !ok {
			return err
		}
		sortBy(cands, pop)
		return nil
	}
	if req.User == "" || x.deps.Personalizer == nil {
		return nil
	}
	return x.personalize(ctx, cands[:min(len(cands), x.cfg.PersonalWindow)], req.User)
}

// personalize re-orders window by relevance blended with the user's
// affinity (see Config.PersonalWeight).
func (x *Index) personalize(ctx context.Context, window []cand, user string) error {
	if len(window) < 2 {
		return nil
	}
	aff, err := x.deps.Personalizer.Affinity(ctx, user, ids(window))
	if ok, err := x.usable(ctx, "personalize", err, len(aff), len(window)); !ok {
		return err
	}
	var maxRel, maxAff float64
	for i := range window {
		maxRel = max(maxRel, window[i].score)
		maxAff = max(maxAff, math.Abs(aff[i]))
	}
	if maxAff == 0 {
		return nil
	}
	w := x.cfg.PersonalWeight
	blend := make([]float64, len(window))
	for i := range window {
		rel := 1.0 // all equally relevant (a query that is all filters)
		if maxRel > 0 {
			rel = window[i].score / maxRel
		}
		blend[i] = (1-w)*rel + w*aff[i]/maxAff
	}
	sortBy(window, blend)
	return nil
}

// usable reports whether a helper's reply of got scores for want items
// can be used. A cancelled ctx is returned; a failure or a reply of the
// wrong length is logged and not used; an empty reply (no history) is
// not used either.
func (x *Index) usable(ctx context.Context, what string, err error, got, want int) (bool, error) {
	switch {
	case ctx.Err() != nil:
		return false, ctx.Err()
	case err != nil:
		x.logger.Warn("search: "+what, "err", err)
		return false, nil
	case got == 0:
		return false, nil
	case got != want:
		x.logger.Warn("search: "+what+" returned the wrong number of scores", "got", got, "want", want)
		return false, nil
	}
	return true, nil
}

// sortBy orders cands by key, highest first, stably.
func sortBy(cands []cand, key []float64) {
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(key[b], key[a]) })
	sorted := make([]cand, len(cands))
	for i, j := range idx {
		sorted[i] = cands[j]
	}
	copy(cands, sorted)
}

// ids returns the ids of cands.
func ids(cands []cand) []string {
	out := make([]string, len(cands))
	for i := range cands {
		out[i] = cands[i].id
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
