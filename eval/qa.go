package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/importer"
	"github.com/aislehq/aisle/qa"
	"github.com/aislehq/aisle/text/analyze"
)

// TaskQA is the product Q&A evaluation (RunQA).
const TaskQA = "qa"

// QASplit is the held-out split of the Q&A evaluation.
type QASplit struct {
	// Train are the questions the index is built from: every question
	// but the held-out ones.
	Train []aisle.Question
	// Test holds one question per item with at least two: the one whose
	// ID has the largest FNV-1a 64-bit hash.
	Test []aisle.Question
}

// SplitQA holds out, for each item with at least two questions, the
// question whose ID has the largest FNV-1a 64-bit hash (ties, which need
// equal IDs, go to the later question); the rest are for training. The
// split depends on the question IDs alone, so it is the same on every
// run and in every order. Test comes in item order.
func SplitQA(qs []aisle.Question) QASplit {
	byItem := make(map[string][]int)
	for i, q := range qs {
		byItem[q.Item] = append(byItem[q.Item], i)
	}
	held := make(map[int]bool)
	for _, idx := range byItem {
		if len(idx) < 2 {
			continue
		}
		best, bestH := -1, uint64(0)
		for _, i := range idx {
			if h := idHash(qs[i].ID); best < 0 || h >= bestH {
				best, bestH = i, h
			}
		}
		held[best] = true
	}
	var s QASplit
	for i, q := range qs {
		if held[i] {
			s.Test = append(s.Test, q)
		} else {
			s.Train = append(s.Train, q)
		}
	}
	slices.SortFunc(s.Test, func(a, b aisle.Question) int { return strings.Compare(a.Item, b.Item) })
	return s
}

// idHash is the FNV-1a 64-bit hash of id.
func idHash(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}

// QAYesNo is yes/no accuracy on the held-out questions labelled Y or N.
type QAYesNo struct {
	// N is the number of such questions; Yes how many are labelled Y.
	N   int `json:"n"`
	Yes int `json:"yes"`
	// Majority is the majority-class baseline's accuracy: the training
	// questions' more frequent label (Majority label) for every question.
	Majority      float64 `json:"majority"`
	MajorityLabel string  `json:"majority_label"`
	// Vote is the accuracy of the retrieved pairs' vote (qa.Index.YesNo),
	// falling back to the majority label when no retrieved pair says yes
	// or no. Voted is the share of questions the vote decided and
	// VotedAccuracy its accuracy on them.
	Vote          float64 `json:"vote"`
	Voted         float64 `json:"voted"`
	VotedAccuracy float64 `json:"voted_accuracy"`
	// Confident is the accuracy, and ConfidentShare the share, of the
	// questions on which the vote's margin is at least ConfidentMargin
	// (what qa.Answerer answers yes or no; it says "unknown" otherwise).
	Confident       float64 `json:"confident"`
	ConfidentShare  float64 `json:"confident_share"`
	ConfidentMargin float64 `json:"confident_margin"`
	// ConfidentMajority is the majority label's accuracy on those same
	// questions.
	ConfidentMajority float64 `json:"confident_majority"`
}

// QARanking is how one scorer ranks the held-out answers.
type QARanking struct {
	Method string  `json:"method"`
	MRR    float64 `json:"mrr"`
	P1     float64 `json:"p@1"`
}

// QAReport is RunQA's result.
type QAReport struct {
	Questions int     `json:"questions"`
	Items     int     `json:"items"`
	Train     int     `json:"train"`
	Test      int     `json:"test"`
	YesNo     QAYesNo `json:"yes_no"`
	// Candidates is the mean number of candidate answers per ranked
	// question; Ranked the number of ranked questions.
	Candidates float64     `json:"candidates"`
	Ranked     int         `json:"ranked"`
	Rankings   []QARanking `json:"rankings"`
}

// otherItems is how many other items contribute one answer each to a
// held-out question's candidates.
const otherItems = 99

// QAExperiment splits qs (SplitQA), indexes the training questions with
// an, and measures yes/no accuracy and answer retrieval on the held-out
// ones. Answer retrieval ranks each held-out question's answer among the
// item's other (training) answers and one answer of each of 99 other
// items, drawn with a generator seeded by seed and the question's
// position; ties count half (a candidate scored equal to the held-out
// answer adds half a rank, and P@1 is 1/(1+ties) when none scores more).
func QAExperiment(ctx context.Context, qs []aisle.Question, an *analyze.Analyzer, seed uint64) (QAReport, error) {
	split := SplitQA(qs)
	rep := QAReport{Questions: len(qs), Train: len(split.Train), Test: len(split.Test)}
	items := make(map[string]bool)
	for _, q := range qs {
		items[q.Item] = true
	}
	rep.Items = len(items)
	if len(split.Test) == 0 {
		return rep, fmt.Errorf("eval qa: no item has two questions")
	}
	ix := qa.NewIndex(an, split.Train)
	rep.YesNo = yesNoAccuracy(ctx, ix, split)
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	var err error
	rep.Rankings, rep.Candidates, rep.Ranked, err = rankAnswers(ctx, ix, split, seed)
	return rep, err
}

// yesNoAccuracy measures the vote against the majority class.
func yesNoAccuracy(ctx context.Context, ix *qa.Index, split QASplit) QAYesNo {
	var yes, no int
	for _, q := range split.Train {
		switch qa.LabelPolarity(q.AnswerType) {
		case qa.Yes:
			yes++
		case qa.No:
			no++
		}
	}
	majority := qa.Yes
	r := QAYesNo{MajorityLabel: "Y", ConfidentMargin: qa.YesNoMargin}
	if no > yes {
		majority, r.MajorityLabel = qa.No, "N"
	}
	var right, voteRight, voted, votedRight, conf, confRight, confMaj int
	for _, q := range split.Test {
		if ctx.Err() != nil {
			break
		}
		want := qa.LabelPolarity(q.AnswerType)
		if want == qa.Neither {
			continue
		}
		r.N++
		if want == qa.Yes {
			r.Yes++
		}
		if want == majority {
			right++
		}
		v := ix.YesNo(q.Question, q.Item, nil)
		got := v.Polarity()
		if got != qa.Neither {
			voted++
			if got == want {
				votedRight++
			}
			if v.Margin() >= qa.YesNoMargin {
				conf++
				if got == want {
					confRight++
				}
				if want == majority {
					confMaj++
				}
			}
		} else {
			got = majority
		}
		if got == want {
			voteRight++
		}
	}
	if r.N > 0 {
		n := float64(r.N)
		r.Majority, r.Vote, r.Voted = float64(right)/n, float64(voteRight)/n, float64(voted)/n
		r.ConfidentShare = float64(conf) / n
	}
	if voted > 0 {
		r.VotedAccuracy = float64(votedRight) / float64(voted)
	}
	if conf > 0 {
		r.Confident = float64(confRight) / float64(conf)
		r.ConfidentMajority = float64(confMaj) / float64(conf)
	}
	return r
}

// rankAnswers ranks each held-out answer among its candidates under each
// scorer.
func rankAnswers(ctx context.Context, ix *qa.Index, split QASplit, seed uint64) ([]QARanking, float64, int, error) {
	// One answer per item to draw from: items in a fixed order, each
	// with its non-empty training answers.
	answers := make(map[string][]string)
	for _, q := range split.Train {
		if strings.TrimSpace(q.Answer) != "" {
			answers[q.Item] = append(answers[q.Item], q.Answer)
		}
	}
	itemList := make([]string, 0, len(answers))
	for it := range answers {
		itemList = append(itemList, it)
	}
	slices.Sort(itemList)
	scorers := []struct {
		name  string
		score func(question, item, answer string) float64
	}{
		{"BM25 (question over answer)", func(q, _, a string) float64 { return ix.AnswerBM25(q, a) }},
		{"Aisle (BM25 + item context)", ix.ScoreAnswer},
	}
	rr := make([]float64, len(scorers))
	p1 := make([]float64, len(scorers))
	var ranked, cands int
	for k, q := range split.Test {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, err
		}
		if strings.TrimSpace(q.Answer) == "" {
			continue
		}
		cs := candidates(q, answers, itemList, rand.New(rand.NewPCG(seed, uint64(k))))
		ranked++
		cands += len(cs) + 1
		for si, sc := range scorers {
			target := sc.score(q.Question, q.Item, q.Answer)
			var greater, ties int
			for _, c := range cs {
				switch s := sc.score(q.Question, q.Item, c); {
				case s > target:
					greater++
				case s == target:
					ties++
				}
			}
			rr[si] += 1 / (1 + float64(greater) + float64(ties)/2)
			if greater == 0 {
				p1[si] += 1 / float64(1+ties)
			}
		}
	}
	if ranked == 0 {
		return nil, 0, 0, fmt.Errorf("eval qa: no held-out question has an answer")
	}
	out := make([]QARanking, len(scorers))
	for i, sc := range scorers {
		out[i] = QARanking{Method: sc.name, MRR: rr[i] / float64(ranked), P1: p1[i] / float64(ranked)}
	}
	return out, float64(cands) / float64(ranked), ranked, nil
}

// candidates returns the answers the held-out question q's answer is
// ranked among: its item's training answers that differ from it, then one
// answer of each of otherItems other items drawn with rng.
func candidates(q aisle.Question, answers map[string][]string, itemList []string, rng *rand.Rand) []string {
	var out []string
	for _, a := range answers[q.Item] {
		if a != q.Answer {
			out = append(out, a)
		}
	}
	others := make([]string, 0, len(itemList))
	for _, it := range itemList {
		if it != q.Item {
			others = append(others, it)
		}
	}
	rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
	for _, it := range others[:min(otherItems, len(others))] {
		as := answers[it]
		out = append(out, as[rng.IntN(len(as))])
	}
	return out
}

// QAOptions configure RunQA.
type QAOptions struct {
	// Path is the dataset (a file or folder of Amazon Q&A, or any format
	// package importer reads questions from); Format its format ("":
	// detected).
	Path, Format string
	// Seed draws the other items' answers.
	Seed uint64
	// JSON prints one JSON object instead of text.
	JSON bool
	// Analyzer tokenises (nil: a fresh one, without the Chinese
	// dictionary; the dataset is English).
	Analyzer *analyze.Analyzer
}

// RunQA reads the questions at opts.Path, runs QAExperiment and writes its
// report to w.
func RunQA(ctx context.Context, opts QAOptions, w io.Writer) error {
	qs, err := importer.ReadQuestions(ctx, opts.Path, opts.Format)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		return fmt.Errorf("eval qa: %s: no questions", opts.Path)
	}
	rep, err := QAExperiment(ctx, qs, opts.Analyzer, opts.Seed)
	if err != nil {
		return err
	}
	if opts.JSON {
		return json.NewEncoder(w).Encode(rep)
	}
	return writeQAReport(w, opts.Path, rep)
}

// writeQAReport writes rep as text.
func writeQAReport(w io.Writer, path string, rep QAReport) error {
	y := rep.YesNo
	var b strings.Builder
	fmt.Fprintf(&b, "Product Q&A on %s: %d questions on %d items; held out %d (one per item with ≥ 2), %d for training\n\n", path, rep.Questions, rep.Items, rep.Test, rep.Train)
	fmt.Fprintf(&b, "Yes/no on %d held-out questions labelled Y or N (%d Y)\n", y.N, y.Yes)
	fmt.Fprintf(&b, "  %-44s accuracy %.3f\n", "majority class ("+y.MajorityLabel+")", y.Majority)
	fmt.Fprintf(&b, "  %-44s accuracy %.3f (vote decided %.1f%%, accuracy there %.3f)\n", "retrieved pairs' vote, else majority", y.Vote, 100*y.Voted, y.VotedAccuracy)
	fmt.Fprintf(&b, "  %-44s accuracy %.3f on %.1f%% answered (margin ≥ %.2f; majority class there %.3f)\n\n", "vote with a clear margin (/ask's rule)", y.Confident, 100*y.ConfidentShare, y.ConfidentMargin, y.ConfidentMajority)
	fmt.Fprintf(&b, "Answer retrieval: %d held-out answers, each among %.1f candidates on average\n", rep.Ranked, rep.Candidates)
	fmt.Fprintf(&b, "  %-44s %7s %7s\n", "method", "MRR", "P@1")
	for _, r := range rep.Rankings {
		fmt.Fprintf(&b, "  %-44s %7.4f %7.4f\n", r.Method, r.MRR, r.P1)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
