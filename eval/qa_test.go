package eval

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
)

func TestSplitQA(t *testing.T) {
	var qs []aisle.Question
	for _, id := range []string{"a/1", "a/2", "a/3", "b/1", "c/1", "c/2"} {
		item, _, _ := strings.Cut(id, "/")
		qs = append(qs, aisle.Question{ID: id, Item: item, Question: "q " + id})
	}
	s := SplitQA(qs)
	if len(s.Test) != 2 || len(s.Train) != 4 {
		t.Fatalf("SplitQA: %d test, %d train; want 2 and 4", len(s.Test), len(s.Train))
	}
	if s.Test[0].Item != "a" || s.Test[1].Item != "c" {
		t.Errorf("test items %s, %s; want a and c (b has one question)", s.Test[0].Item, s.Test[1].Item)
	}
	for _, q := range s.Test {
		for _, o := range qs {
			if o.Item == q.Item && idHash(o.ID) > idHash(q.ID) {
				t.Errorf("held out %s, but %s hashes higher", q.ID, o.ID)
			}
		}
	}
	// The split depends on the ids, not on their order.
	rev := slices.Clone(qs)
	slices.Reverse(rev)
	if got := SplitQA(rev); !slices.EqualFunc(got.Test, s.Test, func(a, b aisle.Question) bool { return a.ID == b.ID }) {
		t.Errorf("reversed input held out %v, want %v", got.Test, s.Test)
	}
}

func TestQAExperimentAppliances(t *testing.T) {
	if testing.Short() {
		t.Skip("reads and ranks the whole Appliances Q&A")
	}
	dir := filepath.Join("..", "..", "shared", "data", "amazon-qa-appliances")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("Appliances Q&A not found at %s (see shared/data/README.md): %v", dir, err)
	}
	qs, err := importer.ReadQuestions(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := QAExperiment(context.Background(), qs, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	// The dataset card: 9,011 questions on 1,153 products, each with at
	// least two.
	if rep.Questions != 9011 || rep.Items != 1153 || rep.Test != 1153 || rep.Train != 9011-1153 {
		t.Errorf("split %+v, want 9011 questions, 1153 items held out", rep)
	}
	y := rep.YesNo
	if y.N == 0 || y.MajorityLabel != "Y" || y.Majority != float64(y.Yes)/float64(y.N) {
		t.Errorf("yes/no %+v: want the majority baseline to be the Y share", y)
	}
	if y.Confident < y.ConfidentMajority || y.ConfidentShare <= 0 || y.ConfidentShare >= 1 {
		t.Errorf("yes/no %+v: the confident vote answers part of the questions, no worse than the majority there", y)
	}
	if rep.Candidates < 100 || len(rep.Rankings) != 2 {
		t.Fatalf("ranking %+v, want ≥ 100 candidates and two methods", rep)
	}
	bm25, aisleQA := rep.Rankings[0], rep.Rankings[1]
	if aisleQA.MRR <= bm25.MRR || bm25.MRR <= 1.0/rep.Candidates*5 {
		t.Errorf("MRR: BM25 %.4f, Aisle %.4f; want Aisle above BM25, and both far above chance", bm25.MRR, aisleQA.MRR)
	}
}
