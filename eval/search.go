package eval

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/search"
)

// SearchCase is one query of the search benchmark and the items relevant
// to it.
type SearchCase struct {
	Query    string
	Relevant map[string]bool
}

// Minimum relevant items for a benchmark query.
const (
	minLeafItems  = 5
	minBrandItems = 3
)

// SearchCases builds the search benchmark's queries from a catalog's
// category paths: each leaf category that at least 5 items have (the
// query is the leaf's name, lower case; relevant are the items whose path
// contains it), and each brand with at least 3 items in a leaf (the query
// is "brand leaf"; relevant are that brand's items in that leaf). Cases
// come in a stable order.
func SearchCases(items []aisle.Item) []SearchCase {
	leaf := make(map[string][]string)
	brandLeaf := make(map[[2]string][]string)
	for _, it := range items {
		if len(it.Categories) == 0 {
			continue
		}
		l := it.Categories[len(it.Categories)-1]
		leaf[l] = append(leaf[l], it.ID)
		if it.Brand != "" {
			k := [2]string{it.Brand, l}
			brandLeaf[k] = append(brandLeaf[k], it.ID)
		}
	}
	// An item is relevant to a leaf query when the leaf is anywhere on its
	// path (a leaf of one path may be an inner node of another).
	inPath := make(map[string]map[string]bool)
	for _, it := range items {
		for _, c := range it.Categories {
			if _, ok := leaf[c]; !ok {
				continue
			}
			if inPath[c] == nil {
				inPath[c] = make(map[string]bool)
			}
			inPath[c][it.ID] = true
		}
	}
	var cases []SearchCase
	for _, l := range slices.Sorted(maps.Keys(leaf)) {
		if len(leaf[l]) >= minLeafItems {
			cases = append(cases, SearchCase{Query: strings.ToLower(l), Relevant: inPath[l]})
		}
	}
	keys := make([][2]string, 0, len(brandLeaf))
	for k, ids := range brandLeaf {
		if len(ids) >= minBrandItems {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b [2]string) int { return strings.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1]) })
	for _, k := range keys {
		cases = append(cases, SearchCase{Query: strings.ToLower(k[0] + " " + k[1]), Relevant: setOf(brandLeaf[k])})
	}
	return cases
}

func setOf(ids []string) map[string]bool {
	s := make(map[string]bool, len(ids))
	for _, id := range ids {
		s[id] = true
	}
	return s
}

// StripCategoryWords returns copies of items for the benchmark's harder
// variant: the category path is removed, and from the title and the
// description every word is removed that, lower-cased, equals a word of
// the item's own category path, or equals it plus or minus a trailing
// "s" or "es" ("Staplers" strips "stapler" and "staplers"); runs of white
// space left behind become one space. Brands stay.
// Without this the benchmark's queries, which are category names, would
// match the indexed category field (and titles repeating it) verbatim.
func StripCategoryWords(items []aisle.Item) []aisle.Item {
	out := make([]aisle.Item, len(items))
	for i, it := range items {
		strip := make(map[string]bool)
		for _, c := range it.Categories {
			for _, w := range splitWords(c) {
				w = strings.ToLower(w)
				strip[w] = true
				strip[strings.TrimSuffix(w, "s")] = true
				strip[strings.TrimSuffix(w, "es")] = true
			}
		}
		it.Categories = nil
		it.Extracted = nil
		it.Title = stripWords(it.Title, strip)
		it.Description = stripWords(it.Description, strip)
		out[i] = it
	}
	return out
}

// stripWords removes from s the words in strip (or in strip once a
// trailing "s" or "es" is taken off), keeping the other text, with runs
// of white space made one space.
func stripWords(s string, strip map[string]bool) string {
	var b strings.Builder
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < len(s); {
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !word(r) {
				break
			}
			j += n
		}
		if j > i {
			w := strings.ToLower(s[i:j])
			if !strip[w] && !strip[strings.TrimSuffix(w, "s")] && !strip[strings.TrimSuffix(w, "es")] {
				b.WriteString(s[i:j])
			}
			i = j
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+n])
		i += n
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func splitWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// SearchOptions configure SearchBenchmark.
type SearchOptions struct {
	// Index configures the index (its Merge is set by SearchBenchmark).
	Index search.Config
	// Hard runs the harder variant (StripCategoryWords).
	Hard bool
}

// SearchDeps are what SearchBenchmark builds its indexes with.
type SearchDeps struct {
	// Analyzer makes the index terms; nil is search's default. The index
	// gets no parser, since a parser reading the category out of the
	// query would turn the benchmark into a filter test, and its encoder
	// comes from NewEncoder.
	Analyzer search.Analyzer
	// NewEncoder, when set, makes the dense encoder from the catalog as
	// indexed (the stripped one in the harder variant); nil measures BM25
	// alone.
	NewEncoder func(ctx context.Context, items []aisle.Item) (aisle.TextEncoder, error)
}

// SearchResult is one retrieval method's score on the search benchmark.
type SearchResult struct {
	Variant string  `json:"variant"` // "plain" or "hard"
	Method  string  `json:"method"`  // one of the Method constants
	Queries int     `json:"queries"`
	NDCG10  float64 `json:"ndcg@10"`
	// Recall50 is the share of the relevant items in the top 50, out of
	// at most 50 (a query with 200 relevant items and 50 of them in the
	// top 50 has recall 1).
	Recall50 float64 `json:"recall@50"`
}

// Methods of the search benchmark, as SearchResult.Method names them.
const (
	MethodBM25   = "bm25"   // BM25F alone
	MethodDense  = "dense"  // the encoder alone
	MethodRRF    = "rrf"    // hybrid, reciprocal-rank fusion, RRF (the index's default)
	MethodLinear = "linear" // hybrid, linear merge
)

// SearchBenchmark builds the search benchmark from items (SearchCases),
// indexes the catalog (stripped with opts.Hard) and scores BM25 alone,
// and with an encoder dense alone and both hybrids (opts.Index with
// merged by RRF and linearly), by mean nDCG@10 and recall@50 over the
// cases.
func SearchBenchmark(ctx context.Context, items []aisle.Item, opts SearchOptions, sd SearchDeps) ([]SearchResult, error) {
	cases := SearchCases(items)
	variant := "plain"
	indexed := items
	if opts.Hard {
		variant = "hard"
		indexed = StripCategoryWords(items)
	}
	cfg := opts.Index
	cfg.Merge = search.MergeRRF
	deps := search.Deps{Analyzer: sd.Analyzer}
	type method struct {
		name, retrieval, merge string
	}
	methods := []method{{MethodBM25, search.RetrievalBM25, search.MergeRRF}}
	var vecs [][]float32
	if sd.NewEncoder != nil {
		enc, err := sd.NewEncoder(ctx, indexed)
		if err != nil {
			return nil, fmt.Errorf("search benchmark: %w", err)
		}
		if vecs, err = search.EncodeItems(ctx, enc, indexed, 0); err != nil {
			return nil, fmt.Errorf("search benchmark: %w", err)
		}
		deps.Encoder = enc
		methods = append(methods,
			method{MethodDense, search.RetrievalDense, search.MergeRRF},
			method{MethodRRF, search.RetrievalHybrid, search.MergeRRF},
			method{MethodLinear, search.RetrievalHybrid, search.MergeLinear})
	}
	indexes := make(map[string]*search.Index)
	var results []SearchResult
	for _, m := range methods {
		x, ok := indexes[m.merge]
		if !ok {
			c := cfg
			c.Merge = m.merge
			x = search.New(c, deps, nil)
			if err := x.Upsert(indexed, vecs); err != nil {
				return nil, fmt.Errorf("search benchmark: %w", err)
			}
			indexes[m.merge] = x
		}
		r := SearchResult{Variant: variant, Method: m.name, Queries: len(cases)}
		for _, c := range cases {
			res, err := x.Search(ctx, search.Request{Query: c.Query, N: 50, Retrieval: m.retrieval})
			if err != nil {
				return nil, fmt.Errorf("search benchmark: query %q: %w", c.Query, err)
			}
			ndcg, recall := searchMetrics(res.Items, c.Relevant)
			r.NDCG10 += ndcg
			r.Recall50 += recall
		}
		if len(cases) > 0 {
			r.NDCG10 /= float64(len(cases))
			r.Recall50 /= float64(len(cases))
		}
		results = append(results, r)
	}
	return results, nil
}

// searchMetrics returns nDCG@10 and recall@50 (out of min(|relevant|, 50))
// of a ranked list with binary relevance.
func searchMetrics(hits []search.Hit, relevant map[string]bool) (nDCG, recall float64) {
	var dcg, ideal float64
	found := 0
	for i, h := range hits[:min(len(hits), 50)] {
		if !relevant[h.ID] {
			continue
		}
		found++
		if i < 10 {
			dcg += gain(i)
		}
	}
	for i := range min(len(relevant), 10) {
		ideal += gain(i)
	}
	if ideal == 0 {
		return 0, 0
	}
	return dcg / ideal, float64(found) / float64(min(len(relevant), 50))
}

// gain is the discounted gain of a relevant item at 0-based rank, as
// metric.Evaluate counts NDCG.
func gain(rank int) float64 { return 1 / math.Log2(float64(rank)+2) }

// WriteSearchTable writes results as an aligned text table.
func WriteSearchTable(w io.Writer, results []SearchResult) {
	fmt.Fprintf(w, "%-8s %-8s %8s %8s %10s\n", "variant", "method", "queries", "nDCG@10", "recall@50")
	for _, r := range results {
		fmt.Fprintf(w, "%-8s %-8s %8d %8.4f %10.4f\n", r.Variant, r.Method, r.Queries, r.NDCG10, r.Recall50)
	}
}
