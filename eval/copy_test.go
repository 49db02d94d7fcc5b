package eval

import (
	"math"
	"strings"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// ROUGE-L on the example of Lin (2004), section 3.1.
func TestRougeL(t *testing.T) {
	ref := strings.Fields("police killed the gunman")
	tests := []struct {
		cand string
		want float64
	}{
		{"police kill the gunman", 0.75}, // LCS "police the gunman"
		{"the gunman kill police", 0.5},  // LCS "the gunman"
		{"police killed the gunman", 1},  // identical
		{"nothing in common here", 0},    // no common word
		{"", 0},                          // empty candidate
		{"police", 2 * 1 * 0.25 / 1.25},  // P 1, R 1/4
	}
	for _, tt := range tests {
		if got := RougeL(strings.Fields(tt.cand), ref); !near(got, tt.want) {
			t.Errorf("RougeL(%q) = %v, want %v", tt.cand, got, tt.want)
		}
	}
}

// BLEU's modified precision on the example of Papineni et al. (2002),
// section 2.1, and hand-computed corpus scores.
func TestBLEU(t *testing.T) {
	cands := [][]string{strings.Fields("the the the the the the the")}
	refs := [][]string{strings.Fields("the cat is on the mat")}
	if m, n := modifiedPrecision(cands, refs, 1); m != 2 || n != 7 {
		t.Errorf("modified unigram precision = %d/%d, want 2/7", m, n)
	}
	cands = [][]string{strings.Fields("the cat the cat on the mat")}
	for n, want := range [][2]int{{5, 7}, {3, 6}, {1, 5}, {0, 4}} {
		if m, tot := modifiedPrecision(cands, refs, n+1); m != want[0] || tot != want[1] {
			t.Errorf("%d-gram precision = %d/%d, want %d/%d", n+1, m, tot, want[0], want[1])
		}
	}
	if got := BLEU(cands, refs); got != 0 {
		t.Errorf("BLEU with no 4-gram match = %v, want 0", got)
	}
	same := [][]string{strings.Fields("the cat sat on the mat")}
	if got := BLEU(same, same); !near(got, 1) {
		t.Errorf("BLEU of identical text = %v, want 1", got)
	}
	// Every n-gram matches, but the candidate is shorter: only the
	// brevity penalty exp(1 − 7/6) is left.
	long := [][]string{strings.Fields("the cat sat on the mat today")}
	if got, want := BLEU(same, long), math.Exp(1-7.0/6); !near(got, want) {
		t.Errorf("BLEU short candidate = %v, want %v", got, want)
	}
	if got := BLEU(nil, nil); got != 0 {
		t.Errorf("BLEU of nothing = %v", got)
	}
}

// distinct-n as Li et al. (2016) define it.
func TestDistinct(t *testing.T) {
	texts := [][]string{strings.Fields("a b a b"), strings.Fields("a b c")}
	// Bigrams: ab ba ab | ab bc — 3 distinct of 5.
	if got := Distinct(texts, 2); !near(got, 3.0/5) {
		t.Errorf("distinct-2 = %v, want 0.6", got)
	}
	if got := Distinct(texts, 1); !near(got, 3.0/7) {
		t.Errorf("distinct-1 = %v, want 3/7", got)
	}
	if got := Distinct(nil, 2); got != 0 {
		t.Errorf("distinct of nothing = %v", got)
	}
}

func TestCopyTokens(t *testing.T) {
	got := strings.Join(CopyTokens("The HP-940XL, 黑色墨盒!"), "|")
	if want := "the|hp|940xl|黑|色|墨|盒"; got != want {
		t.Errorf("CopyTokens = %q, want %q", got, want)
	}
}

// On the Office catalog, built-in copy makes no unsupported claim, in
// any style or language, and covers more facts than the title.
func TestCopyExperimentOffice(t *testing.T) {
	items := officeItems(t)
	if testing.Short() {
		items = items[:400]
	}
	rep := CopyExperiment(items)
	if rep.Evaluated < len(items)/2 {
		t.Fatalf("only %d of %d items evaluated", rep.Evaluated, len(items))
	}
	var title, detailed CopyScores
	for _, s := range rep.Results {
		if strings.HasPrefix(s.Method, "built-in") {
			if s.Precision != 1 || s.Claims == 0 {
				t.Errorf("%s %s: claim precision %v over %d claims, want 1", s.Method, s.Lang, s.Precision, s.Claims)
			}
			if s.Lang == "zh" && (s.RougeL != nil || s.BLEU != nil) {
				t.Errorf("%s zh: scored against English references", s.Method)
			}
		}
		if s.Lang == "en" && (s.RougeL == nil || *s.RougeL <= 0 || *s.RougeL >= 1 || s.BLEU == nil) {
			t.Errorf("%s: ROUGE-L %v BLEU %v", s.Method, s.RougeL, s.BLEU)
		}
		switch {
		case strings.HasPrefix(s.Method, "title"):
			title = s
		case s.Method == "built-in detailed" && s.Lang == "en":
			detailed = s
		}
	}
	if detailed.Coverage <= title.Coverage {
		t.Errorf("detailed copy covers %v of the facts, the title %v", detailed.Coverage, title.Coverage)
	}
	var b strings.Builder
	if err := writeCopyReport(&b, officeDir, rep); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + b.String())
}
