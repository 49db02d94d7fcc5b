// Package search finds catalog items for a shopper's query: an in-memory
// BM25F index over the items' fields, optionally fused with dense retrieval
// from an aisle.TextEncoder by reciprocal-rank fusion, with the structured
// filters a query.Intent asks for, sort hints, facets over the whole
// matched set, cursor paging and an optional personal re-ordering of the
// best matches.
//
// An Index is kept current item by item (Upsert, Delete). It is guarded by
// one sync.RWMutex: searches share it, updates take it alone, so a search
// sees the catalog either before or after an update, never half of one.
package search

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/rules"
	"github.com/aislehq/aisle/text/query"
	"github.com/aislehq/aisle/vector"
)

// Analyzer turns text into index terms. Package analyze provides the
// real one; implementations must be safe for concurrent use.
type Analyzer interface {
	// Terms appends the index terms of text to dst and returns it.
	Terms(dst []string, text string) []string
}

// Parser reads what a query asks for. Package query provides the real
// one; implementations must be safe for concurrent use.
type Parser interface {
	// Parse returns the query's intent; an empty or over-long query is
	// an *aisle.Error with code EINVALID and field "q".
	Parse(q string) (query.Intent, error)
}

// Personalizer scores items by how much they suit one shopper; the
// recommendation engine implements it. Implementations must be safe for
// concurrent use.
type Personalizer interface {
	// Affinity returns one score per item, in the order of items: higher
	// is more to the user's taste. A nil slice or zeros mean no history.
	Affinity(ctx context.Context, user string, items []string) ([]float64, error)
}

// Popularity scores items by how popular they are, for queries asking
// for the best sellers. Implementations must be safe for concurrent use.
type Popularity interface {
	// Popularity returns one score per item, in the order of items:
	// higher is more popular.
	Popularity(ctx context.Context, items []string) ([]float64, error)
}

// FieldWeights weigh a term's occurrences in each field of an item (the
// "F" of BM25F). Zero fields take DefaultConfig's weights.
type FieldWeights struct {
	Title, Brand, Category, Tags, Description float64
}

// Config configures an Index. Zero fields take the defaults documented on
// each field, which DefaultConfig returns.
type Config struct {
	// K1 is BM25's term-frequency saturation (default 1.2) and B its
	// length normalisation (default 0.75), applied per field.
	K1, B float64
	// Weights are the field weights (default title 3, brand 2, category
	// 1.5, tags 1.2, description 0.3). Description 0.3 was chosen on the
	// hard variant of the search benchmark (eval.SearchBenchmark), where
	// the category field is stripped: nDCG@10 0.161 at weight 1, 0.174 at
	// 0.5, 0.183 at 0.3, 0.187 at 0.1; see docs/BENCHMARKS.md.
	Weights FieldWeights
	// Merge is how BM25 and dense rankings are merged: MergeRRF (the
	// default) or MergeLinear.
	Merge string
	// RRFK is the k of reciprocal-rank fusion, score = Σ w/(k+rank)
	// (default 60).
	RRFK float64
	// DenseWeight is the weight of the dense ranking in reciprocal-rank
	// fusion; the BM25 ranking weighs 1 (default 1).
	DenseWeight float64
	// LinearDense is the dense share α of linear merging, score =
	// (1-α)·BM25/best BM25 + α·similarity (default 0.3, the best of 0.3,
	// 0.5 and 0.7 on both variants of the search benchmark; see
	// docs/BENCHMARKS.md).
	LinearDense float64
	// DenseK is how many dense neighbours join the matched set (default
	// 100). Only neighbours with a positive similarity count.
	DenseK int
	// PersonalWeight is the share of the personal affinity in the order
	// of the best PersonalWindow matches: each is ranked by
	// (1-w)·relevance/max relevance + w·affinity/max affinity (default
	// 0.25), so relevance still dominates; items beyond the window keep
	// their order.
	PersonalWeight float64
	// PersonalWindow is how many of the best matches personalisation may
	// re-order (default 50).
	PersonalWindow int
	// FacetLimit caps the values listed per facet, most frequent first
	// (default 20).
	FacetLimit int
	// ImageK is how many nearest items by image vector join the matched
	// set of a search by photo (default 100). Only neighbours with a
	// positive similarity count.
	ImageK int
	// ImageWeight is the weight of the image ranking when a request has
	// both an Image and a Query: the two are fused by reciprocal rank,
	// score = 1/(RRFK+text rank) + ImageWeight/(RRFK+image rank), the
	// text ranking (BM25 and dense, already fused) weighing 1 (default 1).
	ImageWeight float64
}

// DefaultConfig returns the defaults documented on Config.
func DefaultConfig() Config {
	return Config{
		K1:             1.2,
		B:              0.75,
		Weights:        FieldWeights{Title: 3, Brand: 2, Category: 1.5, Tags: 1.2, Description: 0.3},
		Merge:          MergeRRF,
		RRFK:           60,
		DenseWeight:    1,
		LinearDense:    0.3,
		DenseK:         100,
		ImageK:         100,
		ImageWeight:    1,
		PersonalWeight: 0.25,
		PersonalWindow: 50,
		FacetLimit:     20,
	}
}

// withDefaults returns c with its zero fields set to the defaults.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	def := func(v *float64, dv float64) {
		if *v <= 0 {
			*v = dv
		}
	}
	defInt := func(v *int, dv int) {
		if *v <= 0 {
			*v = dv
		}
	}
	def(&c.K1, d.K1)
	def(&c.B, d.B)
	def(&c.Weights.Title, d.Weights.Title)
	def(&c.Weights.Brand, d.Weights.Brand)
	def(&c.Weights.Category, d.Weights.Category)
	def(&c.Weights.Tags, d.Weights.Tags)
	def(&c.Weights.Description, d.Weights.Description)
	def(&c.RRFK, d.RRFK)
	def(&c.DenseWeight, d.DenseWeight)
	def(&c.LinearDense, d.LinearDense)
	def(&c.ImageWeight, d.ImageWeight)
	if c.Merge == "" {
		c.Merge = d.Merge
	}
	def(&c.PersonalWeight, d.PersonalWeight)
	defInt(&c.DenseK, d.DenseK)
	defInt(&c.ImageK, d.ImageK)
	defInt(&c.PersonalWindow, d.PersonalWindow)
	defInt(&c.FacetLimit, d.FacetLimit)
	return c
}

// Deps are the collaborators an Index calls. Every field may be nil;
// each documents what nil means. They must be safe for concurrent use.
type Deps struct {
	// Analyzer makes index terms; nil splits text into lower-case words
	// of letters and digits.
	Analyzer Analyzer
	// Parser reads the query's intent; nil takes the query's words as its
	// terms, with no filters or sort.
	Parser Parser
	// Encoder encodes queries for dense retrieval; nil means BM25 only.
	// Item vectors given to Upsert must have Encoder.Dim() floats.
	Encoder aisle.TextEncoder
	// Vectors holds the item vectors and answers dense retrieval: an
	// empty index for vectors of Encoder.Dim() floats, in which the Index
	// adds and deletes under its own keys. nil means an exact
	// vector.Flat, which suits catalogs up to tens of thousands of items;
	// vector.New's index turns to HNSW beyond. Unused without Encoder.
	Vectors VectorIndex
	// ImageVectors holds the item image vectors (from an image encoder,
	// any length, the same for every item) and answers search by photo
	// (Request.Image), under the Index's own keys like Vectors. nil means
	// vector.New's index (exact while small, HNSW beyond) for the length
	// of the first image vector given to UpsertVectors.
	ImageVectors VectorIndex
	// Personalizer re-orders the best matches for a request's user; nil
	// means no personalisation.
	Personalizer Personalizer
	// Popularity orders results for "popular" queries; nil keeps the
	// relevance order for them.
	Popularity Popularity
	// Rules are the store's merchandising rules, applied to the matches
	// (rules.go); nil applies none.
	Rules *rules.Live
}

// Fields of an item, in the order of FieldWeights.
const (
	fieldTitle = iota
	fieldBrand
	fieldCategory
	fieldTags
	fieldDescription
	numFields
)

// posting is one document's occurrences of a term, per field (saturating
// at 255).
type posting struct {
	doc int32
	tf  [numFields]uint8
}

// doc is one indexed item: what filters, sorts, facets and hits need.
type doc struct {
	id, title, brand string
	// categories is the category path; colors the extracted colours and
	// the photo's (aisle.Item.Colors).
	categories, colors []string
	price              *float64
	created            time.Time
	avail              aisle.Availability
	lens               [numFields]float32
	// attrs are its attributes and materials its extracted materials,
	// which rules match (rules.go).
	attrs     map[string]string
	materials []string
	// terms are the distinct term ids of the document.
	terms []int32
	// facets are the numbers of its facet values (Index.facetVals).
	facets [numFacets][]int32
	// key is the document's id in Deps.Vectors, where it has a vector
	// when inVectors.
	key       int32
	inVectors bool
	// inImages: it has an image vector in Index.images under key.
	inImages bool
	alive    bool
}

// Index is an in-memory search index over a catalog. Create it with New.
// Its methods are safe for concurrent use: searches run in parallel,
// updates one at a time and exclusively (see the package documentation).
type Index struct {
	cfg     Config
	deps    Deps
	logger  *slog.Logger
	weights [numFields]float64

	// mu guards the fields below.
	mu sync.RWMutex
	// docs are indexed by slot; deleted slots stay (alive false) until
	// dead outnumber live and compact renumbers them.
	docs   []doc
	slotOf map[string]int32
	// termIDs numbers the terms; postings and df are indexed by term id.
	// Each postings list is in slot order and may hold dead slots; df
	// counts live documents only.
	termIDs  map[string]int32
	postings [][]posting
	df       []int32
	live     int
	lenSum   [numFields]float64
	// facetVals number the facet values of every item indexed.
	facetVals [numFacets]facetTable
	// keySlot maps the key of each live document (a number given to
	// each document added, never reused) to its slot: Deps.Vectors
	// knows documents by key, since compaction changes slots.
	keySlot map[int32]int32
	nextKey int32
	// images is Deps.ImageVectors, made at the first image vector when
	// nil; imageDim is the length of the image vectors (0 before the
	// first).
	images   VectorIndex
	imageDim int
}

// New returns an empty index configured by cfg that calls deps (see
// Deps for what a nil field means). It does no I/O. logger receives
// warnings about failures search works around (an encoder, parser or
// personalizer error); nil discards them.
func New(cfg Config, deps Deps, logger *slog.Logger) *Index {
	cfg = cfg.withDefaults()
	if deps.Analyzer == nil {
		deps.Analyzer = words{}
	}
	if deps.Encoder != nil && deps.Vectors == nil {
		deps.Vectors = vector.NewFlat(deps.Encoder.Dim())
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	w := cfg.Weights
	return &Index{
		cfg:     cfg,
		deps:    deps,
		logger:  logger,
		weights: [numFields]float64{w.Title, w.Brand, w.Category, w.Tags, w.Description},
		slotOf:  make(map[string]int32),
		termIDs: make(map[string]int32),
		keySlot: make(map[int32]int32),
		images:  deps.ImageVectors,
	}
}

// Len returns the number of items indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.live
}

// Upsert adds items, replacing those already indexed under the same id.
// vecs is nil or holds one vector per item: nil for an item without one,
// otherwise Deps.Encoder.Dim() floats (the integrator feeds vectors
// kept in storage; EncodeItems computes them). Items are taken as stored
// (validated); an item without an id, or a vector of the wrong length,
// is EINVALID and nothing is indexed. An item replaced by Upsert loses
// any image vector it had; UpsertVectors gives both kinds.
func (x *Index) Upsert(items []aisle.Item, vecs [][]float32) error {
	return x.UpsertVectors(items, vecs, nil)
}

// UpsertVectors is Upsert with the items' image vectors too: images is
// nil or holds one per item, nil for an item without one (its photo not
// read yet). Image vectors must all have the same length, that of those
// indexed before, and be finite and not zero; each is scaled to unit
// length. A bad one is EINVALID naming it ("images[3]") and nothing is
// indexed.
func (x *Index) UpsertVectors(items []aisle.Item, vecs, images [][]float32) error {
	if vecs != nil && len(vecs) != len(items) {
		return aisle.Errorf(aisle.EINVALID, "%d vectors for %d items", len(vecs), len(items))
	}
	if images != nil && len(images) != len(items) {
		return aisle.Errorf(aisle.EINVALID, "%d image vectors for %d items", len(images), len(items))
	}
	for i := range items {
		if items[i].ID == "" {
			return aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("items[%d].id", i), "must not be empty")
		}
		if vecs == nil || vecs[i] == nil {
			continue
		}
		if x.deps.Encoder == nil {
			return aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("vectors[%d]", i), "given, but the index has no encoder")
		}
		if d := x.deps.Encoder.Dim(); len(vecs[i]) != d {
			return aisle.FieldErrorf(aisle.EINVALID, fmt.Sprintf("vectors[%d]", i), "has %d floats; the encoder makes %d", len(vecs[i]), d)
		}
	}
	units, dim, err := unitVectors(images)
	if err != nil {
		return err
	}
	// Analyse outside the lock: it is the costly part.
	docs := make([]doc, len(items))
	fieldTerms := make([][numFields][]string, len(items))
	for i := range items {
		docs[i] = newDoc(&items[i])
		for f, text := range fieldTexts(&items[i]) {
			fieldTerms[i][f] = x.deps.Analyzer.Terms(nil, text)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if dim > 0 {
		switch {
		case x.imageDim == 0:
			x.imageDim = dim
			if x.images == nil {
				x.images = vector.New(dim, vector.Config{})
			}
		case dim != x.imageDim:
			return aisle.FieldErrorf(aisle.EINVALID, "images", "have %d floats; the indexed image vectors have %d", dim, x.imageDim)
		}
	}
	for i := range docs {
		if slot, ok := x.slotOf[docs[i].id]; ok {
			x.deleteLocked(slot)
		}
		var v, img []float32
		if vecs != nil {
			v = vecs[i]
		}
		if units != nil {
			img = units[i]
		}
		x.addLocked(docs[i], &fieldTerms[i], v, img)
	}
	x.compactLocked()
	return nil
}

// unitVectors returns vs scaled to unit length (copies; nil entries stay
// nil) and their common length (0 when all are nil). A vector of another
// length than the first, empty, zero or not finite is EINVALID.
func unitVectors(vs [][]float32) ([][]float32, int, error) {
	var units [][]float32
	dim, first := 0, 0
	for i, v := range vs {
		if v == nil {
			continue
		}
		field := fmt.Sprintf("images[%d]", i)
		if dim == 0 {
			dim, first = len(v), i
		}
		if len(v) != dim {
			return nil, 0, aisle.FieldErrorf(aisle.EINVALID, field, "has %d floats; images[%d] has %d", len(v), first, dim)
		}
		u, err := unitVector(field, v)
		if err != nil {
			return nil, 0, err
		}
		if units == nil {
			units = make([][]float32, len(vs))
		}
		units[i] = u
	}
	return units, dim, nil
}

// unitVector returns a copy of v scaled to unit length; an empty, zero
// or non-finite v is EINVALID naming field.
func unitVector(field string, v []float32) ([]float32, error) {
	for _, f := range v {
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			return nil, aisle.FieldErrorf(aisle.EINVALID, field, "holds a value that is not a finite number")
		}
	}
	u := slices.Clone(v)
	if vector.Normalize(u) == 0 {
		return nil, aisle.FieldErrorf(aisle.EINVALID, field, "is empty or all zeros")
	}
	return u, nil
}

// Delete removes the item with id; it reports whether it was indexed.
func (x *Index) Delete(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	slot, ok := x.slotOf[id]
	if !ok {
		return false
	}
	x.deleteLocked(slot)
	x.compactLocked()
	return true
}

// newDoc returns the stored facts of it, without terms.
func newDoc(it *aisle.Item) doc {
	d := doc{
		id:         it.ID,
		title:      it.Title,
		brand:      it.Brand,
		categories: it.Categories,
		price:      it.Price,
		created:    it.CreatedAt,
		avail:      it.Availability,
		alive:      true,
	}
	if d.created.IsZero() {
		d.created = it.UpdatedAt
	}
	d.colors = it.Colors()
	d.attrs = it.Attributes
	if ex := it.Extracted; ex != nil {
		d.materials = ex.Materials
		if d.brand == "" {
			d.brand = ex.Brand
		}
		if len(d.categories) == 0 {
			d.categories = ex.Category
		}
	}
	return d
}

// fieldTexts returns the text of each field of it: the item's own brand
// and categories, or the extracted ones when it has none.
func fieldTexts(it *aisle.Item) [numFields]string {
	var t [numFields]string
	t[fieldTitle] = it.Title
	t[fieldBrand] = it.Brand
	t[fieldCategory] = strings.Join(it.Categories, "\n")
	t[fieldDescription] = it.Description
	if ex := it.Extracted; ex != nil {
		if t[fieldBrand] == "" {
			t[fieldBrand] = ex.Brand
		}
		if t[fieldCategory] == "" {
			t[fieldCategory] = strings.Join(ex.Category, "\n")
		}
		t[fieldTags] = strings.Join(ex.Tags, "\n")
	}
	return t
}

// addLocked appends d in a new slot with the given terms per field,
// vector v and unit image vector img (nil for none).
func (x *Index) addLocked(d doc, fieldTerms *[numFields][]string, v, img []float32) {
	slot := int32(len(x.docs))
	start := make(map[int32]int) // term id → index of its posting in postings[term]
	for f, terms := range fieldTerms {
		d.lens[f] = float32(len(terms))
		x.lenSum[f] += float64(len(terms))
		for _, t := range terms {
			id, ok := x.termIDs[t]
			if !ok {
				id = int32(len(x.postings))
				x.termIDs[t] = id
				x.postings = append(x.postings, nil)
				x.df = append(x.df, 0)
			}
			p, ok := start[id]
			if !ok {
				p = len(x.postings[id])
				start[id] = p
				x.postings[id] = append(x.postings[id], posting{doc: slot})
				x.df[id]++
				d.terms = append(d.terms, id)
			}
			if tf := &x.postings[id][p].tf[f]; *tf < 255 {
				*tf++
			}
		}
	}
	x.facetIDsLocked(&d)
	d.key = x.nextKey
	x.nextKey++
	x.keySlot[d.key] = slot
	if v != nil && d.avail != aisle.AvailabilityDiscontinued { // never found anyway
		x.deps.Vectors.Add(d.key, v) // copies v
		d.inVectors = true
	}
	if img != nil && d.avail != aisle.AvailabilityDiscontinued {
		x.images.Add(d.key, img)
		d.inImages = true
	}
	x.docs = append(x.docs, d)
	x.slotOf[d.id] = slot
	x.live++
}

// deleteLocked marks slot dead and takes it out of the statistics.
func (x *Index) deleteLocked(slot int32) {
	d := &x.docs[slot]
	for _, t := range d.terms {
		x.df[t]--
	}
	for f := range d.lens {
		x.lenSum[f] -= float64(d.lens[f])
	}
	delete(x.slotOf, d.id)
	delete(x.keySlot, d.key)
	if d.inVectors {
		x.deps.Vectors.Delete(d.key)
	}
	if d.inImages {
		x.images.Delete(d.key)
	}
	*d = doc{}
	x.live--
}

// compactLocked renumbers the slots without the dead ones once these
// outnumber the live ones (and there are more than 1,024), so updates
// cost amortised time and memory proportional to the live catalog.
func (x *Index) compactLocked() {
	dead := len(x.docs) - x.live
	if dead <= x.live || dead <= 1024 {
		return
	}
	renum := make([]int32, len(x.docs))
	docs := make([]doc, 0, x.live)
	for slot := range x.docs {
		renum[slot] = -1
		if x.docs[slot].alive {
			renum[slot] = int32(len(docs))
			x.slotOf[x.docs[slot].id] = int32(len(docs))
			x.keySlot[x.docs[slot].key] = int32(len(docs))
			docs = append(docs, x.docs[slot])
		}
	}
	x.docs = docs
	for t, ps := range x.postings {
		kept := ps[:0]
		for _, p := range ps {
			if s := renum[p.doc]; s >= 0 {
				p.doc = s
				kept = append(kept, p)
			}
		}
		x.postings[t] = kept
	}
}

// EncodeItems returns the vectors of items' texts (aisle.Item.Text) from
// enc, encoding batch texts per call (batch ≤ 0 means 64), for Upsert.
func EncodeItems(ctx context.Context, enc aisle.TextEncoder, items []aisle.Item, batch int) ([][]float32, error) {
	if batch <= 0 {
		batch = 64
	}
	vecs := make([][]float32, 0, len(items))
	texts := make([]string, 0, batch)
	for start := 0; start < len(items); start += batch {
		texts = texts[:0]
		for i := start; i < min(start+batch, len(items)); i++ {
			texts = append(texts, items[i].Text())
		}
		vs, err := enc.Encode(ctx, texts)
		if err != nil {
			return nil, fmt.Errorf("encode items: %w", err)
		}
		if len(vs) != len(texts) {
			return nil, fmt.Errorf("encode items: %d vectors for %d texts", len(vs), len(texts))
		}
		vecs = append(vecs, vs...)
	}
	return vecs, nil
}
