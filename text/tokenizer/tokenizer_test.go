package tokenizer

// The expected ids in these tests come from the reference implementations,
// not from this package: testdata/golden.json and testdata/office.json are
// written by testdata/golden.mjs, which encodes every case with Hugging Face
// tokenizers 0.23.2 (the Rust library behind tokenizer.json, through its
// Node binding, npm "tokenizers") and with transformers.js 4.3.1 (npm
// @huggingface/transformers) on the real all-MiniLM-L6-v2 tokenizer. See the
// head of golden.mjs for how to run it. Where the two references disagree
// the package follows tokenizers, and golden.json says why in "note".

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// modelDir is the real all-MiniLM-L6-v2 tokenizer, shared beside the
// checkout; tests that need it skip when it is absent.
const modelDir = "../../../shared/models/tokenizers/all-MiniLM-L6-v2"

// officeItems holds the Amazon Office item texts, also shared.
const officeItems = "../../../shared/data/amazon-office/Office.item.json"

// loadModel loads modelDir, skipping the test when it is absent.
func loadModel(tb testing.TB) *WordPiece {
	tb.Helper()
	if _, err := os.Stat(modelDir); errors.Is(err, fs.ErrNotExist) {
		tb.Skipf("%s absent", modelDir)
	}
	w, err := Load(modelDir)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

type goldenCase struct {
	Text      string   `json:"text"`
	MaxLength int      `json:"max_length"`
	IDs       []int64  `json:"ids"`            // transformers.js
	TokIDs    []int64  `json:"tokenizers_ids"` // tokenizers, when it differs
	Note      string   `json:"note"`
	Tokens    []string `json:"tokens"` // tokenizers, without [CLS]/[SEP]
}

// want is the expected encoding: the tokenizers one.
func (c goldenCase) want() []int64 {
	if c.TokIDs != nil {
		return c.TokIDs
	}
	return c.IDs
}

func (c goldenCase) name() string {
	s := c.Text
	if utf8.RuneCountInString(s) > 32 {
		s = string([]rune(s)[:32]) + "…"
	}
	return fmt.Sprintf("%q/%d", s, c.MaxLength)
}

func readGolden(tb testing.TB) []goldenCase {
	tb.Helper()
	data, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		tb.Fatal(err)
	}
	var g struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &g); err != nil {
		tb.Fatal(err)
	}
	if len(g.Cases) < 50 {
		tb.Fatalf("golden.json has %d cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		if (c.TokIDs == nil) != (c.Note == "") {
			tb.Fatalf("%s: the references differ without a note (or the reverse)", c.name())
		}
	}
	return g.Cases
}

// checkEncoding checks the shape of an Encoding and returns its ids.
func checkEncoding(tb testing.TB, w *WordPiece, e Encoding, maxLen int) {
	tb.Helper()
	n := len(e.IDs)
	if n < 2 || e.IDs[0] != w.clsID || e.IDs[n-1] != w.sepID {
		tb.Fatalf("ids %v are not [CLS] ... [SEP]", e.IDs)
	}
	if maxLen > 0 && n > max(maxLen, 2) {
		tb.Fatalf("%d ids, maxLen %d", n, maxLen)
	}
	if len(e.AttentionMask) != n || len(e.TypeIDs) != n {
		tb.Fatalf("lengths: ids %d, mask %d, types %d", n, len(e.AttentionMask), len(e.TypeIDs))
	}
	for i := range n {
		if e.AttentionMask[i] != 1 || e.TypeIDs[i] != 0 {
			tb.Fatalf("position %d: mask %d, type %d", i, e.AttentionMask[i], e.TypeIDs[i])
		}
		if e.IDs[i] < 0 || e.IDs[i] >= int64(w.VocabSize()) {
			tb.Fatalf("id %d out of range", e.IDs[i])
		}
	}
}

// TestExamples spells out a few reference encodings (copied from
// golden.json) by category, for reading; TestGolden checks all of them.
func TestExamples(t *testing.T) {
	w := loadModel(t)
	tests := []struct {
		name   string
		text   string
		maxLen int
		want   []int64
	}{
		{"english", "Hello, world!", 0, []int64{101, 7592, 1010, 2088, 999, 102}},
		{"wordpiece", "unaffable unbelievably tokenization embeddings", 0,
			[]int64{101, 14477, 20961, 3468, 4895, 8671, 2666, 3567, 6321, 19204, 3989, 7861, 8270, 4667, 2015, 102}},
		{"punctuation", "Stapler, heavy-duty, 20-sheet capacity (black)", 0,
			[]int64{101, 18785, 2099, 1010, 3082, 1011, 4611, 1010, 2322, 1011, 7123, 3977, 1006, 2304, 1007, 102}},
		{"accents", "Café naïve résumé", 0, []int64{101, 7668, 15743, 13746, 102}},
		{"combining marks", "a\u0303 n\u0303 o\u0303", 0, []int64{101, 1037, 1050, 1051, 102}},
		{"chinese", "我喜欢红色的手机", 0, []int64{101, 1855, 100, 100, 100, 100, 1916, 1858, 100, 102}},
		{"mixed cjk", "iPhone 15 手机壳", 0, []int64{101, 18059, 2321, 1858, 100, 100, 102}},
		{"emoji", "😀 emoji 👍🏽 ❤️", 0, []int64{101, 100, 7861, 29147, 2072, 100, 100, 102}},
		{"greek final sigma", "ΟΔΟΣ Σίσυφος ΣΟΦΙΑΣ", 0,
			[]int64{101, 1169, 29722, 29730, 29733, 1173, 18199, 29733, 29735, 29736, 15297, 1173, 29730, 29736, 27432, 29733, 102}},
		{"special tokens in text", "[CLS] literal [SEP] tokens [PAD] [UNK] [MASK]", 0,
			[]int64{101, 101, 18204, 102, 19204, 2015, 0, 100, 103, 102}},
		{"101-char word", strings.Repeat("a", 101), 0, []int64{101, 100, 102}},
		{"101 chars after stripping accents", strings.Repeat("é", 101), 0, []int64{101, 100, 102}},
		{"truncation", "The quick brown fox jumps over the lazy dog.", 5, []int64{101, 1996, 4248, 2829, 102}},
		{"truncation inside a word", "unaffable unbelievably tokenization embeddings", 6,
			[]int64{101, 14477, 20961, 3468, 4895, 102}},
		{"maxLen 1 is 2", "The quick brown fox", 1, []int64{101, 102}},
		{"empty", "", 0, []int64{101, 102}},
		{"control characters only", "\x00\x01 \t", 0, []int64{101, 102}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := w.Encode(tt.text, tt.maxLen)
			if !slices.Equal(e.IDs, tt.want) {
				t.Fatalf("Encode(%q, %d) = %v, want %v\ntokens %q", tt.text, tt.maxLen, e.IDs, tt.want, w.Tokens(tt.text))
			}
			checkEncoding(t, w, e, tt.maxLen)
		})
	}
}

// TestCJKRanges checks that exactly BERT's CJK ranges are spaced out: a
// character inside them is a word of its own between two letters, one just
// outside joins them. No reference run backs this one: tokenizers starts its
// Extension E range at U+2B920, a typo for BERT's U+2B820, and
// transformers.js spaces out only BMP characters; this package keeps BERT's
// ranges.
func TestCJKRanges(t *testing.T) {
	w := loadModel(t)
	ranges := [][2]rune{
		{0x4E00, 0x9FFF}, {0x3400, 0x4DBF}, {0x20000, 0x2A6DF}, {0x2A700, 0x2B73F},
		{0x2B740, 0x2B81F}, {0x2B820, 0x2CEAF}, {0xF900, 0xFAFF}, {0x2F800, 0x2FA1F},
	}
	for _, r := range ranges {
		for _, c := range []rune{r[0], r[1], (r[0] + r[1]) / 2, 0x2B91F} {
			if c < r[0] || c > r[1] {
				continue
			}
			if got := w.Tokens("x" + string(c) + "x"); len(got) != 3 || got[0] != "x" || got[2] != "x" {
				t.Errorf("U+%04X in [U+%04X, U+%04X]: tokens %q", c, r[0], r[1], got)
			}
		}
	}
	for _, c := range []rune{0x33FF, 0x4DC0, 0xA000, 0xF8FF, 0xFB00, 0x1FFFF, 0x2A6E0, 0x2A6FF, 0x2CEB0, 0x2F7FF, 0x2FA20} {
		if got := w.Tokens("x" + string(c) + "x"); len(got) != 1 {
			t.Errorf("U+%04X outside the ranges: tokens %q", c, got)
		}
	}
}

// TestGolden compares every case of golden.json, ids and tokens.
func TestGolden(t *testing.T) {
	w := loadModel(t)
	for _, c := range readGolden(t) {
		t.Run(c.name(), func(t *testing.T) {
			e := w.Encode(c.Text, c.MaxLength)
			if want := c.want(); !slices.Equal(e.IDs, want) {
				t.Fatalf("Encode(%q, %d)\n got %v\nwant %v\ntokens %q", c.Text, c.MaxLength, e.IDs, want, w.Tokens(c.Text))
			}
			checkEncoding(t, w, e, c.MaxLength)
			if c.Tokens != nil {
				if got := w.Tokens(c.Text); !slices.Equal(got, c.Tokens) {
					t.Fatalf("Tokens(%q)\n got %q\nwant %q", c.Text, got, c.Tokens)
				}
			}
		})
	}
}

// digest is golden.mjs's FNV-1a 32 of the ids joined by ",".
func digest(ids []int64) string {
	h := fnv.New32a()
	var buf []byte
	for i, id := range ids {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = strconv.AppendInt(buf, id, 10)
	}
	h.Write(buf)
	return fmt.Sprintf("%08x", h.Sum32())
}

// TestOffice compares the encodings of all 2,420 Amazon Office titles and
// descriptions (max length 256) with the reference's, by digest.
func TestOffice(t *testing.T) {
	w := loadModel(t)
	data, err := os.ReadFile(officeItems)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s absent", officeItems)
	}
	if err != nil {
		t.Fatal(err)
	}
	var items map[string]struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(data, &items); err != nil {
		t.Fatal(err)
	}
	data, err = os.ReadFile("testdata/office.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		MaxLength    int      `json:"max_length"`
		Titles       []string `json:"titles"`
		Descriptions []string `json:"descriptions"`
	}
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if len(want.Titles) != len(items) || len(want.Descriptions) != len(items) {
		t.Fatalf("office.json has %d titles and %d descriptions for %d items", len(want.Titles), len(want.Descriptions), len(items))
	}
	bad := 0
	for i := range len(items) {
		it := items[strconv.Itoa(i)]
		for _, f := range []struct{ text, want string }{{it.Title, want.Titles[i]}, {it.Description, want.Descriptions[i]}} {
			e := w.Encode(f.text, want.MaxLength)
			if digest(e.IDs) == f.want {
				continue
			}
			if bad++; bad <= 5 {
				t.Errorf("item %d: %q\nids %v", i, f.text, e.IDs)
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d texts differ from the reference", bad, 2*len(items))
	}
}

// TestTruncation checks that every maxLen keeps a prefix of the full
// encoding and [SEP] last.
func TestTruncation(t *testing.T) {
	w := loadModel(t)
	for _, c := range readGolden(t) {
		full := w.Encode(c.Text, 0).IDs
		for m := 1; m <= len(full)+1; m++ {
			got := w.Encode(c.Text, m).IDs
			want := full
			if k := max(m, 2); len(full) > k {
				want = append(slices.Clone(full[:k-1]), w.sepID)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("Encode(%q, %d) = %v, want %v", c.Text, m, got, want)
			}
		}
	}
}

// TestEncodeBatch checks that each row of a batch is Encode's, padded.
func TestEncodeBatch(t *testing.T) {
	w := loadModel(t)
	var texts []string
	for _, c := range readGolden(t) {
		if c.MaxLength == 0 {
			texts = append(texts, c.Text)
		}
	}
	for _, maxLen := range []int{0, 1, 8, 32, 512} {
		for _, batch := range [][]string{texts, texts[:1], {"", ""}, {"a", "The quick brown fox jumps over the lazy dog.", ""}} {
			b := w.EncodeBatch(batch, maxLen)
			if b.Rows != len(batch) || len(b.IDs) != b.Rows*b.Cols || len(b.AttentionMask) != len(b.IDs) || len(b.TypeIDs) != len(b.IDs) {
				t.Fatalf("maxLen %d: rows %d cols %d, lengths %d %d %d", maxLen, b.Rows, b.Cols, len(b.IDs), len(b.AttentionMask), len(b.TypeIDs))
			}
			longest := 0
			for i, text := range batch {
				e := w.Encode(text, maxLen)
				longest = max(longest, len(e.IDs))
				row := b.IDs[i*b.Cols : (i+1)*b.Cols]
				mask := b.AttentionMask[i*b.Cols : (i+1)*b.Cols]
				types := b.TypeIDs[i*b.Cols : (i+1)*b.Cols]
				for j := range b.Cols {
					wantID, wantMask := w.padID, int64(0)
					if j < len(e.IDs) {
						wantID, wantMask = e.IDs[j], 1
					}
					if row[j] != wantID || mask[j] != wantMask || types[j] != 0 {
						t.Fatalf("maxLen %d, row %d (%q), col %d: id %d mask %d type %d, want %d %d 0",
							maxLen, i, text, j, row[j], mask[j], types[j], wantID, wantMask)
					}
				}
			}
			if b.Cols != longest {
				t.Fatalf("maxLen %d: cols %d, longest row %d", maxLen, b.Cols, longest)
			}
		}
	}
	if b := w.EncodeBatch(nil, 16); b.Rows != 0 || b.Cols != 0 || len(b.IDs) != 0 {
		t.Fatalf("empty batch: %+v", b)
	}
}

// TestVocabTxt loads the same model from vocab.txt alone (tokenizer.json
// absent) and checks it encodes the golden cases alike.
func TestVocabTxt(t *testing.T) {
	json := loadModel(t)
	dir := t.TempDir()
	for _, f := range []string{"vocab.txt", "tokenizer_config.json"} {
		abs, err := filepath.Abs(filepath.Join(modelDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	txt, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if txt.VocabSize() != json.VocabSize() {
		t.Fatalf("vocab.txt has %d ids, tokenizer.json %d", txt.VocabSize(), json.VocabSize())
	}
	for _, c := range readGolden(t) {
		if got := txt.Encode(c.Text, c.MaxLength).IDs; !slices.Equal(got, c.want()) {
			t.Errorf("%s: vocab.txt gives %v, want %v", c.name(), got, c.want())
		}
	}
}

// writeFiles creates a directory holding the given files.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tinyVocab is a made-up vocabulary for the options tests; its ids are the
// line numbers.
const tinyVocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nHello\nhel\n##lo\ncafe\ncafé\n,\n!\n"

// TestVocabTxtOptions checks tokenizer_config.json's options on a tiny
// vocabulary (expected ids worked out by hand from tinyVocab).
func TestVocabTxtOptions(t *testing.T) {
	tests := []struct {
		name   string
		config string
		text   string
		want   []int64
	}{
		{"no config: uncased", "", "Hello, HELLO! Café", []int64{2, 5, 11, 5, 12, 9, 3}},
		{"uncased", `{"do_lower_case": true}`, "Hello helLO", []int64{2, 5, 5, 3}},
		{"cased", `{"do_lower_case": false}`, "Hello hello HELLO helo", []int64{2, 6, 5, 1, 1, 3}},
		{"cased keeps accents", `{"do_lower_case": false}`, "café Café", []int64{2, 10, 1, 3}},
		{"uncased keeps accents", `{"do_lower_case": true, "strip_accents": false}`, "Café cafe", []int64{2, 10, 9, 3}},
		{"greedy pieces", "", "hellolo helo", []int64{2, 5, 8, 1, 3}},
		{"special token objects", `{"cls_token": {"content": "[CLS]"}, "unk_token": "[UNK]"}`, "x[MASK]", []int64{2, 1, 4, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"vocab.txt": tinyVocab}
			if tt.config != "" {
				files["tokenizer_config.json"] = tt.config
			}
			w, err := Load(writeFiles(t, files))
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Encode(tt.text, 0).IDs; !slices.Equal(got, tt.want) {
				t.Fatalf("Encode(%q) = %v, want %v (tokens %q)", tt.text, got, tt.want, w.Tokens(tt.text))
			}
		})
	}
	// CRLF line ends.
	w, err := Load(writeFiles(t, map[string]string{"vocab.txt": strings.ReplaceAll(tinyVocab, "\n", "\r\n")}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := w.Encode("hello", 0).IDs, []int64{2, 5, 3}; !slices.Equal(got, want) {
		t.Fatalf("CRLF vocab: %v, want %v", got, want)
	}
}

// TestLoadErrors checks that Load names the file at fault.
func TestLoadErrors(t *testing.T) {
	okJSON := `{"normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
		"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4}}}`
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error
	}{
		{"empty dir", nil, []string{"vocab.txt", "no tokenizer.json"}},
		{"corrupt tokenizer.json", map[string]string{"tokenizer.json": "{not json"}, []string{"tokenizer.json"}},
		{"corrupt config", map[string]string{"tokenizer_config.json": "[1,", "vocab.txt": tinyVocab}, []string{"tokenizer_config.json"}},
		{"BPE model", map[string]string{"tokenizer.json": `{"model": {"type": "BPE", "vocab": {"a": 0}}}`}, []string{"tokenizer.json", "BPE"}},
		{"no model", map[string]string{"tokenizer.json": `{}`}, []string{"tokenizer.json", "no model"}},
		{"other normalizer", map[string]string{"tokenizer.json": strings.Replace(okJSON, "BertNormalizer", "NFKC", 1)}, []string{"tokenizer.json", "NFKC"}},
		{"other pre-tokenizer", map[string]string{"tokenizer.json": strings.Replace(okJSON, "BertPreTokenizer", "Metaspace", 1)}, []string{"tokenizer.json", "Metaspace"}},
		{"no [CLS] in tokenizer.json", map[string]string{"tokenizer.json": strings.Replace(okJSON, `"[CLS]"`, `"[XLS]"`, 1)}, []string{"tokenizer.json", `"[CLS]"`}},
		{"negative id", map[string]string{"tokenizer.json": strings.Replace(okJSON, `"a": 4`, `"a": -4`, 1)}, []string{"tokenizer.json", "out of range"}},
		{"empty vocab.txt", map[string]string{"vocab.txt": ""}, []string{"vocab.txt", "empty"}},
		{"no [PAD]", map[string]string{"vocab.txt": strings.Replace(tinyVocab, "[PAD]", "pad", 1)}, []string{"vocab.txt", `"[PAD]"`}},
		{"no [UNK]", map[string]string{"vocab.txt": strings.Replace(tinyVocab, "[UNK]", "unk", 1)}, []string{"vocab.txt", `"[UNK]"`}},
		{"no [SEP]", map[string]string{"vocab.txt": strings.Replace(tinyVocab, "[SEP]", "sep", 1)}, []string{"vocab.txt", `"[SEP]"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeFiles(t, tt.files))
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not mention %q", err, s)
				}
			}
		})
	}
	if _, err := Load(writeFiles(t, map[string]string{"tokenizer.json": okJSON})); err != nil {
		t.Fatalf("minimal tokenizer.json: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing dir: %v, want fs.ErrNotExist", err)
	}
}

// TestConcurrent encodes from several goroutines at once (run with -race).
func TestConcurrent(t *testing.T) {
	w := loadModel(t)
	cases := readGolden(t)
	want := make([][]int64, len(cases))
	for i, c := range cases {
		want[i] = w.Encode(c.Text, c.MaxLength).IDs
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for k := range 20 {
				i := (g*7 + k) % len(cases)
				if got := w.Encode(cases[i].Text, cases[i].MaxLength).IDs; !slices.Equal(got, want[i]) {
					errs <- fmt.Sprintf("%s: %v, want %v", cases[i].name(), got, want[i])
					return
				}
				w.EncodeBatch([]string{cases[i].Text, cases[(i+1)%len(cases)].Text}, 64)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzEncode checks that Encode never panics and always returns
// [CLS] ... [SEP] within maxLen, a prefix of the untruncated encoding.
func FuzzEncode(f *testing.F) {
	w := loadModel(f)
	for _, c := range readGolden(f) {
		f.Add(c.Text, uint16(c.MaxLength))
	}
	f.Add("\xff\xfe invalid \xc3 utf-8 [SE", uint16(7))
	f.Add("[SEP][SEP][CLS]", uint16(3))
	f.Fuzz(func(t *testing.T, text string, m uint16) {
		maxLen := int(m % 600)
		e := w.Encode(text, maxLen)
		checkEncoding(t, w, e, maxLen)
		full := w.Encode(text, 0).IDs
		if n := len(e.IDs); !slices.Equal(e.IDs[:n-1], full[:n-1]) || (n < len(full)) != (maxLen > 0 && len(full) > max(maxLen, 2)) {
			t.Fatalf("Encode(%q, %d) = %v, not a truncation of %v", text, maxLen, e.IDs, full)
		}
		w.Tokens(text)
	})
}

// benchTitles returns the Amazon Office titles, or a fixed list of
// realistic ones when the data is absent.
func benchTitles(b *testing.B) []string {
	data, err := os.ReadFile(officeItems)
	if err == nil {
		var items map[string]struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal(data, &items); err != nil {
			b.Fatal(err)
		}
		titles := make([]string, 0, len(items))
		for i := range len(items) {
			titles = append(titles, items[strconv.Itoa(i)].Title)
		}
		return titles
	}
	return []string{
		"VTECH CS6114 DECT 6.0 Cordless Phone, White/Grey, 1 Handset",
		"BIC Round Stic Ball Pen, Fine Point, 0.8mm, Black, 12 Pens (GSF11-Blk)",
		"Paper Mate InkJoy 300 RT Retractable Medium Point Ballpoint Pens, Assorted Colors, 8 Pack",
		"Fellowes Binding Machine, Comb, Electric, Quasar E 500 with Starter Kit",
		"Epson WorkForce WF-3520 Wireless All-in-One Color Inkjet Printer, Copier, Scanner, 2-Sided Duplex",
		"Swingline Stapler, Commercial Desk Stapler, 20 Sheet Capacity, Black",
		"Post-it Super Sticky Notes, 3 in x 3 in, Rio de Janeiro Collection, 24 Pads/Pack",
		"Sharpie Permanent Markers, Fine Point, Assorted Colors, 24 Count",
		"Café Bustelo Espresso Ground Coffee, 10 oz — Crème brûlée edition",
		"Apple iPhone 15 Pro 手机壳 Silicone Case with MagSafe – Clay",
	}
}

// BenchmarkEncode encodes product titles (maxLen 128) and reports titles
// and tokens per second.
func BenchmarkEncode(b *testing.B) {
	w := loadModel(b)
	titles := benchTitles(b)
	tokens := 0
	for _, t := range titles {
		tokens += len(w.Encode(t, 128).IDs)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		w.Encode(titles[n%len(titles)], 128)
		n++
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(n)/sec, "titles/s")
	b.ReportMetric(float64(n)*float64(tokens)/float64(len(titles))/sec, "tokens/s")
}

// BenchmarkEncodeBatch encodes batches of 32 titles (maxLen 128), padded.
func BenchmarkEncodeBatch(b *testing.B) {
	w := loadModel(b)
	titles := benchTitles(b)
	const size = 32
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		i := (n * size) % (len(titles) - size)
		w.EncodeBatch(titles[i:i+size], 128)
		n++
	}
	b.ReportMetric(float64(n*size)/b.Elapsed().Seconds(), "titles/s")
}
