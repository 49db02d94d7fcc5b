package clip

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The special tokens every CLIP vocabulary holds.
const (
	startOfText = "<|startoftext|>"
	endOfText   = "<|endoftext|>"
	endOfWord   = "</w>"
)

// DefaultContextLength is CLIP's text context: 77 tokens, start and end
// of text included.
const DefaultContextLength = 77

// Batch is several texts tokenized and padded to one context length,
// flattened row-major so each slice can back an ONNX tensor of shape
// [Rows, Cols].
type Batch struct {
	// IDs holds Rows*Cols ids; padding positions hold the pad id.
	IDs []int64
	// AttentionMask is 1 on real tokens and 0 on padding.
	AttentionMask []int64
	// Rows is the number of texts; Cols the context length.
	Rows, Cols int
}

// Tokenizer is CLIP's byte-level BPE tokenizer, as OpenAI's
// simple_tokenizer.py and Hugging Face's CLIPTokenizer compute it, without
// ftfy: the text is NFC-normalised, its runs of white space are collapsed
// to one space and it is lower-cased; it is split by CLIP's pattern
// (<|startoftext|>, <|endoftext|>, the contractions 's 't 're 've 'm 'll
// 'd, runs of letters, single digits, runs of other non-space characters);
// each piece's UTF-8 bytes become GPT-2's printable byte characters, the
// last one marked with </w>, and are merged by rank. OpenAI's tokenizer
// also unescapes HTML entities and fixes mojibake with ftfy; this one, like
// Hugging Face's fast tokenizer, does neither.
//
// A *Tokenizer is immutable once loaded and safe for concurrent use.
type Tokenizer struct {
	vocab  map[string]int64
	tokens []string // id -> token
	// merges maps two adjacent ids (mergeKey) to their merge's rank and
	// the id of the joined symbol.
	merges map[uint64]merged
	// byteID[b] is the id of the symbol byte b becomes, and byteEndID[b]
	// that of the same symbol marked as a word's last.
	byteID, byteEndID  [256]int64
	bos, eos, pad, unk int64
}

// merged is one merge: its rank (lower merges first) and the id of the
// symbol it makes.
type merged struct{ rank, id int32 }

// mergeKey is the key of the pair (a, b) in Tokenizer.merges.
func mergeKey(a, b int64) uint64 { return uint64(a)<<32 | uint64(b) }

// BOS is the id of <|startoftext|>, which starts every encoding.
func (t *Tokenizer) BOS() int64 { return t.bos }

// EOS is the id of <|endoftext|>, which ends every encoding.
func (t *Tokenizer) EOS() int64 { return t.eos }

// Pad is the id that fills a Batch after the end of text: 0 for OpenAI's
// vocabulary file (as clip.tokenize pads), else the tokenizer's pad_token.
func (t *Tokenizer) Pad() int64 { return t.pad }

// VocabSize is one more than the largest id.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// Encode returns the ids of text: <|startoftext|>, the text's tokens and
// <|endoftext|>, at most contextLength ids in all (the text's tokens are
// cut, the end of text kept), never padded. A contextLength below 2 means
// no limit.
func (t *Tokenizer) Encode(text string, contextLength int) []int64 {
	limit := -1
	if contextLength >= 2 {
		limit = contextLength - 2
	}
	ids := t.appendTokens([]int64{t.bos}, text, limit)
	return append(ids, t.eos)
}

// EncodeBatch encodes every text like Encode(text, contextLength) and pads
// each row to contextLength with Pad. A contextLength below 2 means
// DefaultContextLength. An empty texts gives a zero Batch.
func (t *Tokenizer) EncodeBatch(texts []string, contextLength int) Batch {
	if len(texts) == 0 {
		return Batch{}
	}
	if contextLength < 2 {
		contextLength = DefaultContextLength
	}
	n := len(texts) * contextLength
	all := make([]int64, 2*n)
	b := Batch{IDs: all[:n:n], AttentionMask: all[n:], Rows: len(texts), Cols: contextLength}
	for i, text := range texts {
		row := b.IDs[i*contextLength : (i+1)*contextLength]
		ids := t.appendTokens(append(row[:0], t.bos), text, contextLength-2)
		ids = append(ids, t.eos)
		for j := len(ids); j < contextLength; j++ {
			row[j] = t.pad
		}
		mask := b.AttentionMask[i*contextLength : i*contextLength+len(ids)]
		for j := range mask {
			mask[j] = 1
		}
	}
	return b
}

// Tokens returns the BPE tokens of text as the vocabulary spells them, for
// debugging: no start or end of text and no limit.
func (t *Tokenizer) Tokens(text string) []string {
	ids := t.appendTokens(nil, text, -1)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = t.tokens[id]
	}
	return out
}

// Decode turns ids back into text: each </w> becomes a space, the byte
// characters become bytes again, and the start and end of text and the
// padding after the end are dropped. Unknown ids are skipped.
func (t *Tokenizer) Decode(ids []int64) string {
	var sb strings.Builder
	for _, id := range ids {
		if id == t.eos {
			break
		}
		if id < 0 || int(id) >= len(t.tokens) || id == t.bos {
			continue
		}
		sb.WriteString(t.tokens[id])
	}
	out := make([]byte, 0, sb.Len())
	for _, r := range sb.String() {
		if b, ok := unicodeByte(r); ok {
			out = append(out, b)
		}
	}
	return strings.TrimSpace(strings.ReplaceAll(string(out), endOfWord, " "))
}

// appendTokens appends the token ids of text to dst, at most limit of them
// (no limit when limit is negative).
func (t *Tokenizer) appendTokens(dst []int64, text string, limit int) []int64 {
	n := len(dst)
	text = clean(text)
	for i := 0; i < len(text); {
		if limit >= 0 && len(dst)-n >= limit {
			break
		}
		if text[i] == ' ' {
			i++
			continue
		}
		j := pieceEnd(text, i)
		piece := text[i:j]
		i = j
		if piece == startOfText || piece == endOfText {
			dst = append(dst, t.vocab[piece])
			continue
		}
		start := len(dst)
		for k := 0; k < len(piece)-1; k++ {
			dst = append(dst, t.byteID[piece[k]])
		}
		dst = append(dst, t.byteEndID[piece[len(piece)-1]])
		dst = append(dst[:start], t.merge(dst[start:])...)
	}
	if limit >= 0 && len(dst)-n > limit {
		dst = dst[:n+limit]
	}
	return dst
}

// merge applies the merges to word's symbol ids, lowest rank first, as
// simple_tokenizer.py's bpe does, and returns the ids left, in word's
// storage.
func (t *Tokenizer) merge(word []int64) []int64 {
	for len(word) > 1 {
		best := merged{rank: -1}
		at := -1
		for i := 0; i+1 < len(word); i++ {
			if m, ok := t.merges[mergeKey(word[i], word[i+1])]; ok && (best.rank < 0 || m.rank < best.rank) {
				best, at = m, i
			}
		}
		if at < 0 {
			break
		}
		first, second := word[at], word[at+1]
		out := word[:at]
		for i := at; i < len(word); {
			if i+1 < len(word) && word[i] == first && word[i+1] == second {
				out = append(out, int64(best.id))
				i += 2
			} else {
				out = append(out, word[i])
				i++
			}
		}
		word = out
	}
	return word
}

// clean is the text normalisation before splitting: NFC, each run of white
// space to one space, lower case.
func clean(text string) string {
	text = norm.NFC.String(text)
	var sb strings.Builder
	sb.Grow(len(text))
	space := true // drops leading space
	for _, r := range text {
		if unicode.IsSpace(r) {
			if !space {
				sb.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		sb.WriteRune(r)
	}
	return strings.ToLower(strings.TrimSuffix(sb.String(), " "))
}

// pieceEnd returns where the piece of text starting at i ends, by CLIP's
// pattern, tried in its order:
// <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// text[i] is not a space.
func pieceEnd(text string, i int) int {
	rest := text[i:]
	switch {
	case strings.HasPrefix(rest, startOfText):
		return i + len(startOfText)
	case strings.HasPrefix(rest, endOfText):
		return i + len(endOfText)
	}
	if rest[0] == '\'' && len(rest) > 1 {
		switch rest[1] {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if len(rest) > 2 && rest[2] == 'e' {
				return i + 3
			}
		case 'l':
			if len(rest) > 2 && rest[2] == 'l' {
				return i + 3
			}
		}
	}
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case unicode.IsLetter(r):
		j := i + size
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !unicode.IsLetter(r) {
				break
			}
			j += size
		}
		return j
	case unicode.IsNumber(r):
		return i + size
	}
	j := i + size
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) || unicode.IsLetter(r) || unicode.IsNumber(r) {
			break
		}
		j += size
	}
	return j
}

// byteUnicode is GPT-2's bytes_to_unicode: the printable bytes ! to ~, ¡
// to ¬ and ® to ÿ stand for themselves, the other 68 become U+0100 onwards
// in byte order.
func byteUnicode(b byte) rune {
	if printableByte(b) {
		return rune(b)
	}
	n := 0
	for c := range int(b) {
		if !printableByte(byte(c)) {
			n++
		}
	}
	return rune(256 + n)
}

// unicodeByte inverts byteUnicode.
func unicodeByte(r rune) (byte, bool) {
	if r < 256 {
		return byte(r), printableByte(byte(r))
	}
	n := int(r - 256)
	for c := range 256 {
		if !printableByte(byte(c)) {
			if n == 0 {
				return byte(c), true
			}
			n--
		}
	}
	return 0, false
}

// printableByte reports whether bytes_to_unicode maps b to itself.
func printableByte(b byte) bool {
	return ('!' <= b && b <= '~') || (0xA1 <= b && b <= 0xAC) || (0xAE <= b && b <= 0xFF)
}

// byteOrder is the order of bytes_to_unicode's values, the first 256
// entries of OpenAI's vocabulary: the printable bytes, then the rest.
func byteOrder() []byte {
	var order []byte
	for c := range 256 {
		if printableByte(byte(c)) {
			order = append(order, byte(c))
		}
	}
	for c := range 256 {
		if !printableByte(byte(c)) {
			order = append(order, byte(c))
		}
	}
	return order
}
