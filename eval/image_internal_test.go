package eval

import "testing"

// TestImageMetrics checks the nearest-photo helpers on four photos whose
// embeddings are known: two hats near (1, 0), two shoes near (0, 1).
func TestImageMetrics(t *testing.T) {
	photos := []Photo{
		{ID: "h1", Split: "test", Label: "hat", Embedding: []float32{1, 0}},
		{ID: "h2", Split: "validation", Label: "hat", Embedding: []float32{0.8, 0.6}},
		{ID: "s1", Split: "test", Label: "shoes", Embedding: []float32{0, 1}},
		{ID: "s2", Split: "validation", Label: "shoes", Embedding: []float32{0.6, 0.8}},
	}
	if got := nearest(photos, photos[1].Embedding, "h2"); got[0].ID != "s2" || len(got) != 3 {
		t.Errorf("nearest to h2 = %v, want s2 first of 3", got)
	}
	// Among the 3 other photos, h1's class holds 1: 1/10 with depth 10.
	if r := ImageSearch(photos, "", ""); r.Queries != 4 || r.Score != 0.1 {
		t.Errorf("all → all: %d queries, precision %v; want 4 and 0.1", r.Queries, r.Score)
	}
	if got := majorityLabel(append(photos, Photo{Label: "shoes"})); got != "shoes" {
		t.Errorf("majority = %q, want shoes", got)
	}
	if got := majorityLabel(photos); got != "hat" {
		t.Errorf("majority on a tie = %q, want hat (first sorted)", got)
	}
}
