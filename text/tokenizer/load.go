package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// maxVocab bounds the ids a vocabulary may use, so a corrupt file cannot
// make Load allocate without limit.
const maxVocab = 1 << 24

// Load reads the tokenizer in dir: tokenizer.json (the Hugging Face
// tokenizers format) when present, else vocab.txt, one token a line, with
// the options of tokenizer_config.json when that exists (do_lower_case,
// default true; strip_accents, default do_lower_case;
// tokenize_chinese_chars, default true; the special token names).
//
// A tokenizer.json must have a WordPiece model, a BertNormalizer (or none)
// and a BertPreTokenizer. Either way the vocabulary must hold the
// [CLS], [SEP], [PAD] and [UNK] tokens (or the names the files give them).
func Load(dir string) (*WordPiece, error) {
	cfg, err := readConfig(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "tokenizer.json")
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return loadJSON(path, data, cfg)
	case errors.Is(err, fs.ErrNotExist):
		return loadVocabTxt(filepath.Join(dir, "vocab.txt"), cfg)
	default:
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
}

// config is what Load uses of tokenizer_config.json.
type config struct {
	DoLowerCase          *bool     `json:"do_lower_case"`
	StripAccents         *bool     `json:"strip_accents"`
	TokenizeChineseChars *bool     `json:"tokenize_chinese_chars"`
	CLSToken             tokenName `json:"cls_token"`
	SEPToken             tokenName `json:"sep_token"`
	PADToken             tokenName `json:"pad_token"`
	UNKToken             tokenName `json:"unk_token"`
	MaskToken            tokenName `json:"mask_token"`
}

// tokenName is a special token in tokenizer_config.json: a string, or an
// object with the string in "content".
type tokenName string

// UnmarshalJSON accepts "[CLS]", {"content": "[CLS]", ...} and null.
func (t *tokenName) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*t = tokenName(s)
		return nil
	}
	var o struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("special token: %w", err)
	}
	*t = tokenName(o.Content)
	return nil
}

func (t tokenName) or(def string) string {
	if t == "" {
		return def
	}
	return string(t)
}

// readConfig reads tokenizer_config.json; a missing file is an empty
// config.
func readConfig(path string) (config, error) {
	var cfg config
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("tokenizer: %w", err)
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return cfg, fmt.Errorf("tokenizer: parse %s: %w", path, err)
	}
	return cfg, nil
}

// hfTokenizer is the part of tokenizer.json that Load reads.
type hfTokenizer struct {
	AddedTokens []struct {
		ID         int64  `json:"id"`
		Content    string `json:"content"`
		Special    bool   `json:"special"`
		Normalized *bool  `json:"normalized"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
	} `json:"added_tokens"`
	Normalizer *struct {
		Type               string `json:"type"`
		CleanText          *bool  `json:"clean_text"`
		HandleChineseChars *bool  `json:"handle_chinese_chars"`
		StripAccents       *bool  `json:"strip_accents"`
		Lowercase          *bool  `json:"lowercase"`
	} `json:"normalizer"`
	PreTokenizer *struct {
		Type string `json:"type"`
	} `json:"pre_tokenizer"`
	PostProcessor *struct {
		Type   string            `json:"type"`
		Single []json.RawMessage `json:"single"`
		CLS    []json.RawMessage `json:"cls"`
		SEP    []json.RawMessage `json:"sep"`
	} `json:"post_processor"`
	Model *struct {
		Type                    string           `json:"type"`
		Vocab                   map[string]int64 `json:"vocab"`
		UNKToken                string           `json:"unk_token"`
		ContinuingSubwordPrefix *string          `json:"continuing_subword_prefix"`
		MaxInputCharsPerWord    *int             `json:"max_input_chars_per_word"`
	} `json:"model"`
}

// names are the special tokens Encode needs.
type names struct{ cls, sep, pad, unk string }

func configNames(cfg config) names {
	return names{
		cls: cfg.CLSToken.or("[CLS]"),
		sep: cfg.SEPToken.or("[SEP]"),
		pad: cfg.PADToken.or("[PAD]"),
		unk: cfg.UNKToken.or("[UNK]"),
	}
}

func boolOr(b *bool, def bool) bool {
	if b == nil {
		return def
	}
	return *b
}

func loadJSON(path string, data []byte, cfg config) (*WordPiece, error) {
	var t hfTokenizer
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("tokenizer: parse %s: %w", path, err)
	}
	m := t.Model
	switch {
	case m == nil:
		return nil, fmt.Errorf("tokenizer: %s: no model", path)
	case m.Type != "WordPiece":
		return nil, fmt.Errorf("tokenizer: %s: model type %q is not WordPiece", path, m.Type)
	case len(m.Vocab) == 0:
		return nil, fmt.Errorf("tokenizer: %s: empty vocabulary", path)
	}
	if p := t.PreTokenizer; p == nil || p.Type != "BertPreTokenizer" {
		typ := "null"
		if p != nil {
			typ = p.Type
		}
		return nil, fmt.Errorf("tokenizer: %s: pre_tokenizer %s is not supported (want BertPreTokenizer)", path, typ)
	}
	var nz normalizer
	if n := t.Normalizer; n != nil {
		if n.Type != "BertNormalizer" {
			return nil, fmt.Errorf("tokenizer: %s: normalizer %s is not supported (want BertNormalizer)", path, n.Type)
		}
		nz.clean = boolOr(n.CleanText, true)
		nz.chinese = boolOr(n.HandleChineseChars, true)
		nz.lowercase = boolOr(n.Lowercase, true)
		nz.strip = boolOr(n.StripAccents, nz.lowercase)
	}

	w := &WordPiece{vocab: m.Vocab, norm: nz, maxChars: 100}
	if m.MaxInputCharsPerWord != nil {
		w.maxChars = *m.MaxInputCharsPerWord
	}
	prefix := "##"
	if m.ContinuingSubwordPrefix != nil {
		prefix = *m.ContinuingSubwordPrefix
	}
	size := int64(0)
	for tok, id := range m.Vocab {
		if id < 0 || id >= maxVocab {
			return nil, fmt.Errorf("tokenizer: %s: token %q has id %d out of range", path, tok, id)
		}
		size = max(size, id+1)
	}

	nm := configNames(cfg)
	if m.UNKToken != "" {
		nm.unk = m.UNKToken
	}
	if pp := t.PostProcessor; pp != nil {
		cls, sep, err := templateNames(pp.Type, pp.Single, pp.CLS, pp.SEP)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: post_processor: %w", path, err)
		}
		nm.cls = cls.or(nm.cls)
		nm.sep = sep.or(nm.sep)
	}

	var raw, normd []addedToken
	added := map[string]int64{}
	for _, a := range t.AddedTokens {
		if a.Content == "" || a.ID < 0 || a.ID >= maxVocab {
			return nil, fmt.Errorf("tokenizer: %s: added token %q with id %d is invalid", path, a.Content, a.ID)
		}
		size = max(size, a.ID+1)
		added[a.Content] = a.ID
		at := addedToken{content: a.Content, id: a.ID, lstrip: a.LStrip, rstrip: a.RStrip}
		if boolOr(a.Normalized, !a.Special) && t.Normalizer != nil {
			at.content = nz.apply(a.Content)
			if at.content != "" {
				normd = append(normd, at)
			}
			continue
		}
		raw = append(raw, at)
	}
	w.tokens = make([]string, size)
	for tok, id := range m.Vocab {
		w.tokens[id] = tok
	}
	for tok, id := range added {
		w.tokens[id] = tok
	}
	w.raw, w.normd = newSplitter(raw), newSplitter(normd)
	if err := w.finish(path, prefix, nm, added); err != nil {
		return nil, err
	}
	return w, nil
}

// templateNames returns the [CLS] and [SEP] names of a TemplateProcessing
// or BertProcessing post-processor, empty when it names none.
func templateNames(typ string, single, cls, sep []json.RawMessage) (tokenName, tokenName, error) {
	switch typ {
	case "BertProcessing":
		var c, s tokenName
		if len(cls) > 0 {
			if err := json.Unmarshal(cls[0], &c); err != nil {
				return "", "", fmt.Errorf("cls: %w", err)
			}
		}
		if len(sep) > 0 {
			if err := json.Unmarshal(sep[0], &s); err != nil {
				return "", "", fmt.Errorf("sep: %w", err)
			}
		}
		return c, s, nil
	case "TemplateProcessing":
		type piece struct {
			SpecialToken *struct {
				ID string `json:"id"`
			}
			Sequence *struct {
				ID string `json:"id"`
			}
		}
		ps := make([]piece, len(single))
		for i, raw := range single {
			if err := json.Unmarshal(raw, &ps[i]); err != nil {
				return "", "", fmt.Errorf("single: %w", err)
			}
		}
		if len(ps) != 3 || ps[0].SpecialToken == nil || ps[1].Sequence == nil || ps[2].SpecialToken == nil {
			return "", "", errors.New("single template is not [CLS] $A [SEP]")
		}
		return tokenName(ps[0].SpecialToken.ID), tokenName(ps[2].SpecialToken.ID), nil
	}
	return "", "", nil
}

func loadVocabTxt(path string, cfg config) (*WordPiece, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: no tokenizer.json, and %w", err)
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("tokenizer: %s: empty vocabulary", path)
	}
	w := &WordPiece{vocab: map[string]int64{}, maxChars: 100}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		tok := strings.TrimRight(sc.Text(), "\r")
		if len(w.tokens) >= maxVocab {
			return nil, fmt.Errorf("tokenizer: %s: more than %d tokens", path, maxVocab)
		}
		w.vocab[tok] = int64(len(w.tokens))
		w.tokens = append(w.tokens, tok)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tokenizer: read %s: %w", path, err)
	}
	lc := boolOr(cfg.DoLowerCase, true)
	w.norm = normalizer{
		clean:     true,
		chinese:   boolOr(cfg.TokenizeChineseChars, true),
		strip:     boolOr(cfg.StripAccents, lc),
		lowercase: lc,
	}
	nm := configNames(cfg)
	// The special tokens are matched verbatim in the text, as the Python
	// BertTokenizer does.
	var raw []addedToken
	for _, name := range []string{nm.unk, nm.sep, nm.pad, nm.cls, cfg.MaskToken.or("[MASK]")} {
		if id, ok := w.vocab[name]; ok && name != "" {
			raw = append(raw, addedToken{content: name, id: id})
		}
	}
	w.raw = newSplitter(raw)
	if err := w.finish(path, "##", nm, nil); err != nil {
		return nil, err
	}
	return w, nil
}

// finish checks the special tokens and builds the lookup tables.
func (w *WordPiece) finish(path, prefix string, nm names, added map[string]int64) error {
	if w.maxChars <= 0 {
		return fmt.Errorf("tokenizer: %s: max_input_chars_per_word %d is not positive", path, w.maxChars)
	}
	for _, s := range []struct {
		name string
		id   *int64
	}{{nm.cls, &w.clsID}, {nm.sep, &w.sepID}, {nm.pad, &w.padID}, {nm.unk, &w.unkID}} {
		id, ok := w.vocab[s.name]
		if !ok {
			id, ok = added[s.name]
		}
		if !ok {
			return fmt.Errorf("tokenizer: %s: vocabulary has no %q token", path, s.name)
		}
		*s.id = id
	}

	if prefix == "" {
		w.cont = w.vocab
	} else {
		w.cont = map[string]int64{}
		for tok, id := range w.vocab {
			if rest, ok := strings.CutPrefix(tok, prefix); ok {
				w.cont[rest] = id
			}
		}
	}
	for tok := range w.vocab {
		if tok != "" {
			w.maxInit[tok[0]] = max(w.maxInit[tok[0]], len(tok))
		}
	}
	for tok := range w.cont {
		if tok != "" {
			w.maxCont[tok[0]] = max(w.maxCont[tok[0]], len(tok))
		}
	}

	for c := range w.ascii {
		r := rune(c)
		var ac asciiClass
		switch {
		case w.norm.clean && (r == 0 || isControl(r)):
			ac.kind = asciiDrop
		case unicode.IsSpace(r):
			ac.kind = asciiSpace
		case isPunct(r):
			ac.kind = asciiPunct
		default:
			ac.kind = asciiKeep
			ac.to = byte(c)
			if w.norm.lowercase && 'A' <= c && c <= 'Z' {
				ac.to += 'a' - 'A'
			}
		}
		w.ascii[c] = ac
		w.single[c] = w.appendWord(nil, []byte{byte(c)})[0]
	}
	return nil
}
