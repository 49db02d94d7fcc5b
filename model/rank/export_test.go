package rank

import "github.com/aislehq/aisle/model/dataset"

// CaseFeatures returns the features TrainReranker learns from for case c
// (nil when c's target is not among the re-ranked candidates): those
// Reranker.Rank computes for c's history. Tests only.
func CaseFeatures(blend *Blend, side Side, names []string, c dataset.Case, perMember int) []float32 {
	r := &Reranker{Side: side, Members: names}
	return r.group(blend, c, perMember).feats
}
