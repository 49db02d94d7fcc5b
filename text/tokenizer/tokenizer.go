// Package tokenizer implements BERT-style WordPiece tokenization for ONNX
// sentence encoders (all-MiniLM-L6-v2, bge-small, e5-small and other BERT
// descendants whose tokenizer.json has a WordPiece model).
//
// It follows the Hugging Face tokenizers library (the Rust implementation
// behind tokenizer.json and Python's fast tokenizers): the BertNormalizer
// (drop NUL, U+FFFD and Cc/Cf/Co/Cs characters, whitespace to spaces, spaces
// around CJK ideographs, NFD and nonspacing marks dropped, per-character
// lowercasing), the BertPreTokenizer (split on whitespace and on
// punctuation), the WordPiece model (greedy longest match first with the
// "##" prefix, [UNK] for words with no match or over 100 characters),
// special tokens written literally in the input ("[SEP]") and the
// "[CLS] text [SEP]" template. The tests check it against ids produced by
// tokenizers and by transformers.js.
//
// Known differences from tokenizers, all on rare characters: the CJK
// ranges are BERT's (tokenizers has U+2B920 for U+2B820, a typo), and the
// Unicode categories are Go's (Unicode 15) where tokenizers' tables are
// older (about Unicode 9), so marks and punctuation added or recategorized
// since then can split or normalize differently.
//
// A *WordPiece is immutable after Load and safe for concurrent use.
package tokenizer

// Encoding is one tokenized text: [CLS] tokens [SEP], never padded. The three
// slices have the same length.
type Encoding struct {
	// IDs are the vocabulary ids, starting with [CLS] and ending with [SEP].
	IDs []int64
	// AttentionMask is 1 for every position.
	AttentionMask []int64
	// TypeIDs (token_type_ids) are all 0 for a single sequence.
	TypeIDs []int64
}

// Batch is several encodings padded to a common length, flattened row-major
// so each slice can back an ONNX tensor of shape [Rows, Cols].
type Batch struct {
	// IDs holds Rows*Cols ids; padding positions hold the [PAD] id.
	IDs []int64
	// AttentionMask is 1 on real tokens and 0 on padding.
	AttentionMask []int64
	// TypeIDs are all 0.
	TypeIDs []int64
	// Rows is the number of texts; Cols the longest encoding in the batch.
	Rows, Cols int
}

// WordPiece is a loaded BERT WordPiece tokenizer. Create it with Load.
type WordPiece struct {
	vocab  map[string]int64 // every vocabulary token
	cont   map[string]int64 // continuation pieces, keyed without the prefix
	tokens []string         // id -> token, "" where an id is unused
	// maxInit[b] and maxCont[b] are the longest keys of vocab and cont
	// starting with byte b, in bytes: WordPiece tries no longer piece.
	maxInit, maxCont [256]int

	unkID, clsID, sepID, padID int64
	maxChars                   int // max_input_chars_per_word

	norm normalizer
	// ascii classifies and maps bytes below 0x80 for the all-ASCII fast path.
	ascii [128]asciiClass
	// single holds the id of every one-byte word, unkID when absent.
	single [128]int64

	raw   splitter // added tokens matched on the raw text
	normd splitter // added tokens matched on the normalized text
}

// VocabSize returns the number of ids the model can emit: one more than the
// largest id of the vocabulary and the added tokens.
func (w *WordPiece) VocabSize() int { return len(w.tokens) }

// TokenID returns the id of a vocabulary or added token.
func (w *WordPiece) TokenID(token string) (int64, bool) {
	if id, ok := w.vocab[token]; ok {
		return id, true
	}
	for _, t := range w.raw.tokens {
		if t.content == token {
			return t.id, true
		}
	}
	for _, t := range w.normd.tokens {
		if t.content == token {
			return t.id, true
		}
	}
	return 0, false
}

// Encode tokenizes text as [CLS] tokens [SEP]. When maxLen > 0 the result is
// truncated on the right to at most maxLen ids, [SEP] kept last; a maxLen of
// 1 is taken as 2, since [CLS] and [SEP] are always present. When
// maxLen <= 0 nothing is truncated. The result is not padded.
func (w *WordPiece) Encode(text string, maxLen int) Encoding {
	ids := w.encodeIDs(text, maxLen)
	n := len(ids)
	rest := make([]int64, 2*n)
	mask := rest[:n:n]
	for i := range mask {
		mask[i] = 1
	}
	return Encoding{IDs: ids, AttentionMask: mask, TypeIDs: rest[n:]}
}

// encodeIDs returns [CLS] ids [SEP] truncated as Encode documents.
func (w *WordPiece) encodeIDs(text string, maxLen int) []int64 {
	limit := -1
	c := len(text)/4 + 8
	if maxLen > 0 {
		maxLen = max(maxLen, 2)
		limit = maxLen - 1 // room for [SEP]
		c = min(c, maxLen)
	}
	ids := make([]int64, 1, c)
	ids[0] = w.clsID
	ids = w.appendIDs(ids, text, limit)
	return append(ids, w.sepID)
}

// EncodeBatch encodes every text like Encode(text, maxLen) and pads the rows
// with [PAD] to the longest one. An empty texts gives a zero Batch.
func (w *WordPiece) EncodeBatch(texts []string, maxLen int) Batch {
	if len(texts) == 0 {
		return Batch{}
	}
	rows := make([][]int64, len(texts))
	cols := 0
	for i, t := range texts {
		rows[i] = w.encodeIDs(t, maxLen)
		cols = max(cols, len(rows[i]))
	}
	n := len(texts) * cols
	all := make([]int64, 3*n)
	b := Batch{
		IDs:           all[:n:n],
		AttentionMask: all[n : 2*n : 2*n],
		TypeIDs:       all[2*n:],
		Rows:          len(texts),
		Cols:          cols,
	}
	for i, r := range rows {
		ids := b.IDs[i*cols : (i+1)*cols]
		copy(ids, r)
		for j := len(r); j < cols; j++ {
			ids[j] = w.padID
		}
		mask := b.AttentionMask[i*cols : i*cols+len(r)]
		for j := range mask {
			mask[j] = 1
		}
	}
	return b
}

// Tokens returns the tokens of text as strings, for debugging: no [CLS] or
// [SEP] and no truncation. Unknown words appear as the unknown token.
func (w *WordPiece) Tokens(text string) []string {
	ids := w.appendIDs(nil, text, -1)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = w.tokens[id]
	}
	return out
}
