// Package ngram is Aisle's built-in text encoder: a hashing encoder over
// words, word bigrams and character n-grams, trained contrastively on the
// store's own catalog and behaviour. It needs no model download and no
// vocabulary, and works for any language.
//
// # Model
//
// A text is normalised (Unicode NFKC, lower case) and split into words at
// every character that is not a letter, digit or combining mark. Its
// features are each word, each pair of adjacent words, and the character
// n-grams (MinN to MaxN runes) of the word wrapped in boundary marks, so
// "pen" gives "<pe", "pen", "en>", "<pen", "pen>". Han, Hiragana, Katakana
// and Hangul characters are words of their own, so a CJK text gives each
// character and each pair of adjacent characters. Every feature is hashed
// (FNV-1a with a fixed offset per feature kind, then mixed) into one of
// Buckets rows of a Dim-wide embedding table, with no fixed vocabulary:
// unseen words still share n-grams with known ones. Only the first
// MaxWords words of a text count. The text's vector is the sum of its
// features' rows scaled to unit L2 length (the mean gives the same
// vector), or the zero vector when the text has no features.
//
// # Training
//
// Train fits the table with InfoNCE over in-batch negatives, symmetric in
// both directions: for a batch of positive pairs (a_i, b_i), the loss is
// the cross-entropy of picking b_i among all b_j for a_i, and a_i among all
// a_j for b_i, over the cosines divided by Temperature. Both sides share
// the one table. The positive pairs are the corpus's item pairs that belong
// together (consecutive purchases, viewed together), its search queries
// paired with the item the shopper then chose, and one self-supervised pair
// per item so that items without events learn too: the title against the
// rest of the item's text (brand, category path, description), or, for an
// item with only a title, two random halves of its features. The update is
// row-wise Adagrad on the rows a batch touches (one accumulator per row).
//
// Each step is data-parallel over Workers goroutines in phases separated
// by barriers: encode the batch's texts, score and differentiate the
// batch, then apply the updates with each goroutine owning a fixed share
// of the rows and applying them in batch order. The table is never read
// and written at the same time, so training is free of data races and its
// result does not depend on Workers: the same Seed gives the same bytes.
package ngram
