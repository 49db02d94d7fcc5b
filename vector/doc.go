// Package vector finds the nearest item vectors to a query: exact search
// (Flat) for small catalogs, an HNSW graph (Malkov & Yashunin, "Efficient
// and robust approximate nearest neighbor search using Hierarchical
// Navigable Small World graphs", 2016/2018) above a size threshold, and a
// chooser (Auto) that switches between them. It serves dense search
// retrieval and content-based recommendation.
//
// Vectors are float32 and meant to be unit length: the score of a hit is
// its inner product with the query, which for unit vectors is the cosine
// similarity. All vectors of an index live in one contiguous []float32.
// Results come best first; equal scores are ordered by smaller id.
//
// Filters are applied during the search, not after it: a keep function
// rejects ids while the HNSW graph is still traversed through them, and when
// a filter keeps so few ids that walking the graph would cost more than
// scoring them all, the search scans the kept ids exactly instead. Either
// way k hits come back whenever k kept ids exist.
//
// The HNSW graph is written here rather than taken from a library: the
// newest tagged release of github.com/coder/hnsw (v0.6.1) was measured at
// recall@10 ≈ 0.19 because of a search-loop bug fixed only on its unreleased
// main branch, and this package needs filtered search, tombstone deletes,
// parallel bulk build and a compact, checked file format, which no
// maintained pure-Go library offers together. Recall is verified against
// Flat in the tests and in RunBenchmark.
package vector
