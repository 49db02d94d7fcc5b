package analyze

import (
	"bufio"
	"fmt"
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
type dictionary struct {
	freq     map[string]uint32
	logTotal float64
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
	d := &dictionary{freq: make(map[string]uint32, 1<<19)}
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
		d.freq[w] += uint32(n)
		total += float64(n)
		for i := range w {
			if i > 0 {
				if _, ok := d.freq[w[:i]]; !ok {
					d.freq[w[:i]] = 0
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
			f, ok := d.freq[run[offs[i]:offs[j]]]
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
			if sub := w[i:end]; utf8.RuneCountInString(sub) == size && d.freq[sub] > 0 {
				dst = append(dst, sub)
			}
		}
	}
	return dst
}
