package eval

import (
	"math"
	"strings"
	"unicode"
)

// Text metrics of the copy evaluation: ROUGE-L (Lin, 2004), BLEU
// (Papineni et al., 2002) and distinct-n (Li et al., 2016), over the
// tokens CopyTokens gives.

// CopyTokens splits text into the tokens the text metrics count: lower
// case runs of letters or digits, each Chinese character a token of its
// own.
func CopyTokens(s string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur = append(cur, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// RougeL returns the ROUGE-L F1 of a candidate against one reference:
// with LCS the length of their longest common subsequence, precision
// LCS/len(cand), recall LCS/len(ref), and F1 their harmonic mean; 0 when
// either is empty.
func RougeL(cand, ref []string) float64 {
	if len(cand) == 0 || len(ref) == 0 {
		return 0
	}
	lcs := lcsLen(cand, ref)
	if lcs == 0 {
		return 0
	}
	p := float64(lcs) / float64(len(cand))
	r := float64(lcs) / float64(len(ref))
	return 2 * p * r / (p + r)
}

// lcsLen returns the length of the longest common subsequence of a and
// b, in O(len(a)·len(b)) time and O(len(b)) memory.
func lcsLen(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// BLEU returns corpus BLEU-4 of candidates against one reference each
// (refs[i] for cands[i]): the geometric mean of the modified (clipped)
// n-gram precisions for n = 1..4, counts summed over the corpus, times
// the brevity penalty exp(1 − r/c) when the candidates' total length c
// is below the references' r. 0 when some precision is 0 (no smoothing).
func BLEU(cands, refs [][]string) float64 {
	const maxN = 4
	c, r := 0, 0
	for i := range cands {
		c += len(cands[i])
		r += len(refs[i])
	}
	if c == 0 {
		return 0
	}
	logSum := 0.0
	for n := 1; n <= maxN; n++ {
		match, total := modifiedPrecision(cands, refs, n)
		if match == 0 || total == 0 {
			return 0
		}
		logSum += math.Log(float64(match) / float64(total))
	}
	bp := 1.0
	if c < r {
		bp = math.Exp(1 - float64(r)/float64(c))
	}
	return bp * math.Exp(logSum/maxN)
}

// modifiedPrecision returns BLEU's clipped n-gram matches and the
// candidates' n-gram count, summed over the corpus: each candidate
// n-gram counts at most as often as it occurs in its reference.
func modifiedPrecision(cands, refs [][]string, n int) (match, total int) {
	for i, cand := range cands {
		refCounts := ngramCounts(refs[i], n)
		for g, k := range ngramCounts(cand, n) {
			match += min(k, refCounts[g])
			total += k
		}
	}
	return match, total
}

// ngramCounts counts the n-grams of ts.
func ngramCounts(ts []string, n int) map[string]int {
	m := map[string]int{}
	for i := 0; i+n <= len(ts); i++ {
		m[strings.Join(ts[i:i+n], "\x00")]++
	}
	return m
}

// Distinct returns distinct-n across texts: the number of distinct
// n-grams over all texts divided by the number of n-grams; 0 when there
// are none.
func Distinct(texts [][]string, n int) float64 {
	seen := map[string]bool{}
	total := 0
	for _, ts := range texts {
		for i := 0; i+n <= len(ts); i++ {
			seen[strings.Join(ts[i:i+n], "\x00")] = true
			total++
		}
	}
	if total == 0 {
		return 0
	}
	return float64(len(seen)) / float64(total)
}
