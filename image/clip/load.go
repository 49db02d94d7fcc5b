package clip

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The files Load looks for, in its order.
const (
	tokenizerJSON = "tokenizer.json"
	vocabJSON     = "vocab.json"
	mergesTXT     = "merges.txt"
	// OpenAIVocab is the name of OpenAI's vocabulary file, as CLIP's
	// repository ships it (gzipped) and `make clipvocab` installs it
	// (plain) under lib/clip/.
	OpenAIVocab = "bpe_simple_vocab_16e6.txt"
)

// openAIMerges is how many merges of OpenAI's file CLIP uses: its
// vocabulary is 49,408 = 256 bytes, 256 bytes ending a word, these merges
// and the two special tokens.
const openAIMerges = 49152 - 256 - 2

// maxVocab bounds the ids a vocabulary may use, so that a corrupt file
// cannot make a loader allocate without limit.
const maxVocab = 1 << 22

// Load reads the CLIP tokenizer in dir: tokenizer.json (Hugging Face
// tokenizers, a BPE model with the </w> suffix) when present, else
// vocab.json and merges.txt (Hugging Face's CLIPTokenizer files), else
// OpenAI's bpe_simple_vocab_16e6.txt.gz or bpe_simple_vocab_16e6.txt. The
// pad id of the Hugging Face layouts is tokenizer_config.json's pad_token
// (default <|endoftext|>); OpenAI's file pads with 0. The error names the
// file at fault.
func Load(dir string) (*Tokenizer, error) {
	if data, ok, err := readOptional(filepath.Join(dir, tokenizerJSON)); err != nil {
		return nil, err
	} else if ok {
		pad, err := padToken(dir)
		if err != nil {
			return nil, err
		}
		t, err := parseTokenizerJSON(data, pad)
		if err != nil {
			return nil, fmt.Errorf("clip: %s: %w", filepath.Join(dir, tokenizerJSON), err)
		}
		return t, nil
	}
	if vocab, ok, err := readOptional(filepath.Join(dir, vocabJSON)); err != nil {
		return nil, err
	} else if ok {
		path := filepath.Join(dir, mergesTXT)
		merges, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("clip: %w", err)
		}
		pad, err := padToken(dir)
		if err != nil {
			return nil, err
		}
		t, err := parseHF(vocab, merges, pad)
		if err != nil {
			return nil, fmt.Errorf("clip: %s: %w", dir, err)
		}
		return t, nil
	}
	for _, name := range []string{OpenAIVocab + ".gz", OpenAIVocab} {
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); err == nil {
			return ReadOpenAI(path)
		}
	}
	return nil, fmt.Errorf("clip: no %s, %s and %s, or %s(.gz) in %s", tokenizerJSON, vocabJSON, mergesTXT, OpenAIVocab, dir)
}

// ReadOpenAI reads OpenAI's vocabulary file, bpe_simple_vocab_16e6.txt,
// gzipped or not: a version line, then one merge a line ("a b"), of which
// CLIP uses the first 48,894. The vocabulary is built from them as
// simple_tokenizer.py builds it; the pad id is 0.
func ReadOpenAI(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("clip: %w", err)
	}
	t, err := ParseOpenAI(data)
	if err != nil {
		return nil, fmt.Errorf("clip: %s: %w", path, err)
	}
	return t, nil
}

// ParseOpenAI is ReadOpenAI on the file's contents.
func ParseOpenAI(data []byte) (*Tokenizer, error) {
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		// The real file is 3.2 MB unpacked; a bomb stops at 64 MB.
		data, err = io.ReadAll(io.LimitReader(zr, 64<<20))
		if err != nil {
			return nil, fmt.Errorf("gunzip: %w", err)
		}
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "#version") {
		return nil, errors.New("no #version line: not a BPE merges file")
	}
	lines = lines[1:min(len(lines), openAIMerges+1)]
	merges, err := parseMerges(lines)
	if err != nil {
		return nil, err
	}
	order := byteOrder()
	vocab := make(map[string]int64, 2*len(order)+len(merges)+2)
	add := func(tok string) {
		if _, dup := vocab[tok]; !dup {
			vocab[tok] = int64(len(vocab))
		}
	}
	for _, b := range order {
		add(string(byteUnicode(b)))
	}
	for _, b := range order {
		add(string(byteUnicode(b)) + endOfWord)
	}
	for _, m := range merges {
		add(m.a + m.b)
	}
	add(startOfText)
	add(endOfText)
	return build(vocab, merges, "")
}

// pair is two adjacent symbols a merge joins.
type pair struct{ a, b string }

// parseMerges reads merge lines "a b"; empty lines are skipped.
func parseMerges(lines []string) ([]pair, error) {
	merges := make([]pair, 0, len(lines))
	for i, l := range lines {
		if l == "" {
			continue
		}
		a, b, ok := strings.Cut(l, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			return nil, fmt.Errorf("merge %d %q is not two symbols", i+1, l)
		}
		merges = append(merges, pair{a, b})
	}
	return merges, nil
}

// parseHF reads Hugging Face's vocab.json and merges.txt.
func parseHF(vocabData, mergesData []byte, pad string) (*Tokenizer, error) {
	var vocab map[string]int64
	if err := json.Unmarshal(vocabData, &vocab); err != nil {
		return nil, fmt.Errorf("%s: %w", vocabJSON, err)
	}
	lines := strings.Split(strings.TrimRight(string(mergesData), "\n"), "\n")
	if len(lines) > 0 && strings.HasPrefix(lines[0], "#version") {
		lines = lines[1:]
	}
	merges, err := parseMerges(lines)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", mergesTXT, err)
	}
	return build(vocab, merges, cmp.Or(pad, endOfText))
}

// hfTokenizer is what parseTokenizerJSON reads of a tokenizer.json.
type hfTokenizer struct {
	Model struct {
		Type   string            `json:"type"`
		Vocab  map[string]int64  `json:"vocab"`
		Merges []json.RawMessage `json:"merges"`
		Suffix *string           `json:"end_of_word_suffix"`
	} `json:"model"`
	AddedTokens []struct {
		ID      int64  `json:"id"`
		Content string `json:"content"`
	} `json:"added_tokens"`
}

// parseTokenizerJSON reads a tokenizer.json with a BPE model whose words
// end in </w>. Merges are "a b" strings or, in newer files, ["a", "b"].
func parseTokenizerJSON(data []byte, pad string) (*Tokenizer, error) {
	var hf hfTokenizer
	if err := json.Unmarshal(data, &hf); err != nil {
		return nil, err
	}
	m := hf.Model
	if m.Type != "BPE" {
		return nil, fmt.Errorf("model type %q, want BPE", m.Type)
	}
	if m.Suffix == nil || *m.Suffix != endOfWord {
		return nil, fmt.Errorf("model end_of_word_suffix is not %q: not a CLIP tokenizer", endOfWord)
	}
	lines := make([]string, len(m.Merges))
	for i, raw := range m.Merges {
		var s string
		var two []string
		switch {
		case json.Unmarshal(raw, &s) == nil:
			lines[i] = s
		case json.Unmarshal(raw, &two) == nil && len(two) == 2 && !strings.Contains(two[0], " ") && !strings.Contains(two[1], " "):
			lines[i] = two[0] + " " + two[1]
		default:
			return nil, fmt.Errorf("merge %d is %s, want \"a b\" or [\"a\", \"b\"]", i+1, raw)
		}
	}
	merges, err := parseMerges(lines)
	if err != nil {
		return nil, err
	}
	vocab := m.Vocab
	for _, a := range hf.AddedTokens {
		if vocab == nil {
			vocab = map[string]int64{}
		}
		vocab[a.Content] = a.ID
	}
	return build(vocab, merges, cmp.Or(pad, endOfText))
}

// build checks the vocabulary and makes the tokenizer. pad names the pad
// token; empty means id 0.
func build(vocab map[string]int64, merges []pair, pad string) (*Tokenizer, error) {
	if len(vocab) > maxVocab {
		return nil, fmt.Errorf("vocabulary has %d tokens, more than %d", len(vocab), maxVocab)
	}
	t := &Tokenizer{vocab: vocab, merges: make(map[uint64]merged, len(merges))}
	size := int64(0)
	for tok, id := range vocab {
		if id < 0 || id >= maxVocab {
			return nil, fmt.Errorf("token %q has id %d, outside [0, %d)", tok, id, maxVocab)
		}
		size = max(size, id+1)
	}
	t.tokens = make([]string, size)
	for tok, id := range vocab {
		if t.tokens[id] != "" {
			return nil, fmt.Errorf("tokens %q and %q share id %d", t.tokens[id], tok, id)
		}
		t.tokens[id] = tok
	}
	for i, m := range merges {
		a, okA := vocab[m.a]
		b, okB := vocab[m.b]
		joined, okJ := vocab[m.a+m.b]
		if !okA || !okB || !okJ {
			return nil, fmt.Errorf("merge %d %q: %q, %q or %q is not in the vocabulary", i+1, m.a+" "+m.b, m.a, m.b, m.a+m.b)
		}
		if _, dup := t.merges[mergeKey(a, b)]; !dup {
			t.merges[mergeKey(a, b)] = merged{rank: int32(i), id: int32(joined)}
		}
	}
	for b := range 256 {
		sym := string(byteUnicode(byte(b)))
		var okS, okE bool
		t.byteID[b], okS = vocab[sym]
		t.byteEndID[b], okE = vocab[sym+endOfWord]
		if !okS || !okE {
			return nil, fmt.Errorf("vocabulary has no token %q or %q for byte %#02x", sym, sym+endOfWord, b)
		}
	}
	var ok bool
	if t.bos, ok = vocab[startOfText]; !ok {
		return nil, fmt.Errorf("vocabulary has no %s", startOfText)
	}
	if t.eos, ok = vocab[endOfText]; !ok {
		return nil, fmt.Errorf("vocabulary has no %s", endOfText)
	}
	t.unk = t.eos // CLIP's unk_token is <|endoftext|>
	if pad != "" {
		if t.pad, ok = vocab[pad]; !ok {
			return nil, fmt.Errorf("vocabulary has no pad token %q", pad)
		}
	}
	return t, nil
}

// padToken returns the pad_token of dir's tokenizer_config.json, or "".
func padToken(dir string) (string, error) {
	path := filepath.Join(dir, "tokenizer_config.json")
	data, ok, err := readOptional(path)
	if err != nil || !ok {
		return "", err
	}
	var cfg struct {
		Pad json.RawMessage `json:"pad_token"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("clip: %s: %w", path, err)
	}
	if len(cfg.Pad) == 0 || string(cfg.Pad) == "null" {
		return "", nil
	}
	var s string
	var obj struct {
		Content string `json:"content"`
	}
	if json.Unmarshal(cfg.Pad, &s) == nil {
		return s, nil
	}
	if err := json.Unmarshal(cfg.Pad, &obj); err != nil {
		return "", fmt.Errorf("clip: %s: pad_token: %w", path, err)
	}
	return obj.Content, nil
}

// readOptional reads a file that may be absent.
func readOptional(path string) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("clip: %w", err)
	}
	return data, true, nil
}
