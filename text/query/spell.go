package query

import (
	"slices"

	"github.com/rivo/uniseg"
)

// spellPrefix is how many leading letters of a word the deletion index
// keys on (SymSpell's prefix length): longer words are told apart by the
// edit distance check, which sees the whole word.
const spellPrefix = 7

// speller corrects misspelt words to catalog words, SymSpell-style: every
// catalog word is indexed under the strings its prefix gives with up to
// maxEdits letters deleted, so a query word's own deletions find the
// catalog words within that many edits without scanning the vocabulary.
type speller struct {
	words    []string
	counts   []int
	deletes  map[uint64][]int32 // hash of a deletion → words giving it
	maxEdits int
	known    func(string) bool
}

// newSpeller indexes the words of vocab (word → count) that can be
// corrections: lower-case ASCII letters only, three or more of them, seen
// at least twice. known tells the words never to correct.
func newSpeller(vocab map[string]int, maxEdits int, known func(string) bool) *speller {
	s := &speller{deletes: make(map[uint64][]int32), maxEdits: maxEdits, known: known}
	for w, n := range vocab {
		if n >= 2 && len(w) >= 3 && isASCIILetters(w) {
			s.words = append(s.words, w)
		}
	}
	slices.Sort(s.words)
	s.counts = make([]int, len(s.words))
	seen := make(map[uint64]bool)
	for i, w := range s.words {
		s.counts[i] = vocab[w]
		clear(seen)
		eachDeletion(prefixOf(w), maxEdits, func(d string) {
			h := hash(d)
			if !seen[h] {
				seen[h] = true
				s.deletes[h] = append(s.deletes[h], int32(i))
			}
		})
	}
	return s
}

// correct returns the catalog word closest to w (fewest edits, then most
// frequent) and true, or false when w is known, is not a lower-case
// ASCII word of four or more letters (numbers and model numbers are never
// corrected), or has no catalog word near enough. Words shorter than
// eight letters are corrected by one edit at most: two edits turn too
// many short nonsense words into real ones ("blorft" into "loft").
func (s *speller) correct(w string) (string, bool) {
	if len(w) < 4 || !isASCIILetters(w) || s.known(w) {
		return "", false
	}
	limit := s.maxEdits
	if len(w) < 8 {
		limit = min(limit, 1)
	}
	best, bestDist, bestCount := -1, limit+1, 0
	tried := make(map[int32]bool)
	eachDeletion(prefixOf(w), limit, func(d string) {
		for _, i := range s.deletes[hash(d)] {
			if tried[i] {
				continue
			}
			tried[i] = true
			c := s.words[i]
			if abs(len(c)-len(w)) > limit {
				continue
			}
			dist := editDistance(w, c, limit)
			if dist < bestDist || (dist == bestDist && s.counts[i] > bestCount) {
				best, bestDist, bestCount = int(i), dist, s.counts[i]
			}
		}
	})
	if best < 0 || bestDist > limit {
		return "", false
	}
	return s.words[best], true
}

func prefixOf(w string) string {
	if len(w) > spellPrefix {
		return w[:spellPrefix]
	}
	return w
}

// eachDeletion calls f with w and every string w gives with up to n
// letters deleted (repeats included).
func eachDeletion(w string, n int, f func(string)) {
	f(w)
	if n == 0 || len(w) <= 1 {
		return
	}
	for i := range len(w) {
		eachDeletion(w[:i]+w[i+1:], n-1, f)
	}
}

// hash is 64-bit FNV-1a.
func hash(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// editDistance returns the optimal string alignment distance between a
// and b (insertions, deletions, substitutions and transpositions of
// neighbours), or limit+1 once it must exceed limit.
func editDistance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit+1)
}

func isASCIILetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return w != ""
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// wordSegments splits s at Unicode word boundaries, the boundaries the
// analyzer splits at, keeping everything (spaces and punctuation too).
func wordSegments(s string) []string {
	var segs []string
	state := -1
	for s != "" {
		var seg string
		seg, s, state = uniseg.FirstWordInString(s, state)
		segs = append(segs, seg)
	}
	return segs
}
