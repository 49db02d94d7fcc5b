package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// trimmedReal returns the real tokenizer.json with its vocabulary cut to
// the ids below 1000 (the special tokens among them), small enough to
// mutate, and the real tokenizer_config.json.
func trimmedReal(tb testing.TB) (tokenizerJSON, configJSON []byte) {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(modelDir, "tokenizer.json"))
	if err != nil {
		tb.Fatal(err)
	}
	configJSON, err = os.ReadFile(filepath.Join(modelDir, "tokenizer_config.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var t map[string]any
	if err := json.Unmarshal(data, &t); err != nil {
		tb.Fatal(err)
	}
	model := t["model"].(map[string]any)
	vocab := model["vocab"].(map[string]any)
	for tok, id := range vocab {
		if id.(float64) >= 1000 {
			delete(vocab, tok)
		}
	}
	tokenizerJSON, err = json.Marshal(t)
	if err != nil {
		tb.Fatal(err)
	}
	return tokenizerJSON, configJSON
}

// FuzzLoadJSON feeds any bytes to the tokenizer.json and
// tokenizer_config.json decoders: they must fail cleanly or give a
// tokenizer whose encodings are well formed.
func FuzzLoadJSON(f *testing.F) {
	real, cfg := trimmedReal(f)
	f.Add(real, cfg)
	f.Add(real, []byte(`{"do_lower_case": false, "cls_token": {"content": "[SEP]"}, "unk_token": null}`))
	f.Add([]byte(`{"normalizer": {"type": "BertNormalizer", "lowercase": false}, "pre_tokenizer": {"type": "BertPreTokenizer"},
		"post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]"}}, {"Sequence": {"id": "A"}}, {"SpecialToken": {"id": "[SEP]"}}]},
		"added_tokens": [{"id": 5, "content": "[MASK]", "special": true}, {"id": 6, "content": "Ab", "normalized": true}],
		"model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "", "max_input_chars_per_word": 3,
			"vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "a": 4}}}`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, tokenizerJSON, configJSON []byte) {
		var cfg config
		if json.Unmarshal(configJSON, &cfg) != nil {
			cfg = config{}
		}
		w, err := loadJSON("tokenizer.json", tokenizerJSON, cfg)
		if err != nil {
			return
		}
		for _, text := range []string{"", "Hello, World! [SEP] naïve 東京 ##ing", "\x00\xff [MASK]Ab"} {
			for _, maxLen := range []int{0, 3} {
				checkEncoding(t, w, w.Encode(text, maxLen), maxLen)
			}
			w.Tokens(text)
		}
	})
}
