package clip

import (
	"bytes"
	"os"
	"testing"
)

// smallReal returns a tokenizer built from the first 300 merges of
// OpenAI's real vocabulary file: a real encoding small enough to mutate.
func smallReal(tb testing.TB) *Tokenizer {
	tb.Helper()
	data, err := os.ReadFile(openAIVocab)
	if err != nil {
		tb.Fatalf("%v (run make clipvocab)", err)
	}
	lines := bytes.SplitN(data, []byte("\n"), 302)
	tok, err := ParseOpenAI(bytes.Join(lines[:301], []byte("\n")))
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// checkIDs fails t if tok encodes a text to an id outside its vocabulary.
func checkIDs(t *testing.T, tok *Tokenizer) {
	t.Helper()
	for _, text := range []string{"a photo of a cat", "ab abc", "東京 'll", "\xff\x00<|endoftext|>"} {
		for _, id := range tok.Encode(text, DefaultContextLength) {
			if id < 0 || int(id) >= tok.VocabSize() {
				t.Fatalf("Encode(%q): id %d out of range", text, id)
			}
		}
		tok.Decode(tok.Encode(text, 0))
	}
}

// FuzzParseHF feeds any bytes to the vocab.json and merges.txt parser:
// it must fail cleanly or give a tokenizer whose encodings are well
// formed.
func FuzzParseHF(f *testing.F) {
	vocab, merges, _ := hfFiles(f, smallReal(f), false)
	f.Add(vocab, merges, "")
	f.Add(vocab, merges, "!")
	f.Add([]byte(`{"a": 0, "b": 1, "ab</w>": 2, "<|endoftext|>": 3}`), []byte("#version: 0.2\na b</w>\n"), "<|endoftext|>")
	f.Fuzz(func(t *testing.T, vocab, merges []byte, pad string) {
		if tok, err := parseHF(vocab, merges, pad); err == nil {
			checkIDs(t, tok)
		}
	})
}

// FuzzParseTokenizerJSON feeds any bytes, seeded with real encodings, to
// the tokenizer.json parser (FuzzParse covers it too, seeded by hand).
func FuzzParseTokenizerJSON(f *testing.F) {
	tok := smallReal(f)
	for _, pairs := range []bool{false, true} {
		_, _, tj := hfFiles(f, tok, pairs)
		f.Add(tj, "")
	}
	f.Fuzz(func(t *testing.T, data []byte, pad string) {
		if tok, err := parseTokenizerJSON(data, pad); err == nil {
			checkIDs(t, tok)
		}
	})
}
