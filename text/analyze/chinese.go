package analyze

import (
	"bufio"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// dictionary is a jieba word list: each Chinese word's frequency, and
// every prefix of a word with frequency 0 so a scan can stop as soon as no
// word starts with what it has read.
//
// Words are kept by their 64-bit hash, not as strings: a map without
// pointers is one the garbage collector never scans, where half a million
// word strings were half a million objects to mark in every collection of
// a serving process. Two of the ~450,000 keys colliding has a probability
// near 10⁻⁸; a collision would only merge two frequencies.
type dictionary struct {
	seed     maphash.Seed
	freq     map[uint64]uint32
	logTotal float64
}

// lookup returns w's frequency and whether w is a word or a word's prefix.
func (d *dictionary) lookup(w string) (uint32, bool) {
	f, ok := d.freq[maphash.String(d.seed, w)]
	return f, ok
}

// loadDictionary reads a jieba dict.txt: "word freq [tag]" a line. Words
// that are not all Han characters (jieba also lists "AT&T", "B超") are
// skipped: only Han runs are segmented.
func loadDictionary(path string) (*dictionary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load chinese dictionary: %w", err)
	}
	defer f.Close()
	return parseDictionary(f, path)
}

// parseDictionary reads a jieba dictionary from r; path names it in
// errors ("path:line: reason").
func parseDictionary(r io.Reader, path string) (*dictionary, error) {
	d := &dictionary{seed: maphash.MakeSeed(), freq: make(map[uint64]uint32, 1<<19)}
	var total float64
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if len(fields) < 2 {
			return nil, fmt.Errorf("load chinese dictionary: %s:%d: want \"word freq [tag]\"", path, line)
		}
		n, err := strconv.ParseUint(fields[1], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("load chinese dictionary: %s:%d: frequency: %w", path, line, err)
		}
		w := fields[0]
		if n == 0 || strings.IndexFunc(w, notHan) >= 0 {
			continue
		}
		d.freq[maphash.String(d.seed, w)] += uint32(n)
		total += float64(n)
		for i := range w {
			if i > 0 {
				if h := maphash.String(d.seed, w[:i]); !hasKey(d.freq, h) {
					d.freq[h] = 0
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load chinese dictionary: %s: %w", path, err)
	}
	if total == 0 {
		return nil, fmt.Errorf("load chinese dictionary: %s: no words", path)
	}
	d.logTotal = math.Log(total)
	return d, nil
}

func hasKey(m map[uint64]uint32, k uint64) bool {
	_, ok := m[k]
	return ok
}

func notHan(r rune) bool { return !unicode.Is(unicode.Han, r) }

// cut splits run, a string of Han characters, into the words of its most
// probable segmentation (the product of word probabilities, unknown
// characters counted as frequency 1) and calls emit with each in order.
func (d *dictionary) cut(run string, emit func(string)) {
	offs := make([]int, 0, len(run)/3+1)
	for i := range run {
		offs = append(offs, i)
	}
	offs = append(offs, len(run))
	n := len(offs) - 1
	// score[i] is the best log probability of run[offs[i]:]; next[i]
	// ends its first word.
	score := make([]float64, n+1)
	next := make([]int, n+1)
	for i := n - 1; i >= 0; i-- {
		score[i], next[i] = math.Inf(-1), i+1
		for j := i + 1; j <= n; j++ {
			f, ok := d.lookup(run[offs[i]:offs[j]])
			if !ok && j > i+1 {
				break
			}
			if f == 0 {
				if j > i+1 {
					continue
				}
				f = 1
			}
			if s := math.Log(float64(f)) - d.logTotal + score[j]; s > score[i] {
				score[i], next[i] = s, j
			}
		}
	}
	for i := 0; i < n; i = next[i] {
		emit(run[offs[i]:offs[next[i]]])
	}
}

// appendInner appends the two- and three-character dictionary words
// inside w when w is longer than them (jieba's search mode). A nil
// dictionary appends nothing.
func (d *dictionary) appendInner(dst []string, w string) []string {
	if d == nil {
		return dst
	}
	n := utf8.RuneCountInString(w)
	for size := 2; size <= 3 && size < n; size++ {
		for i := range w {
			end := i
			for k := 0; k < size && end < len(w); k++ {
				_, l := utf8.DecodeRuneInString(w[end:])
				end += l
			}
			if sub := w[i:end]; utf8.RuneCountInString(sub) == size {
				if f, _ := d.lookup(sub); f == 0 {
					continue
				}
				dst = append(dst, sub)
			}
		}
	}
	return dst
}
