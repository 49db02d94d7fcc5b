package extract

// IsColorWord reports whether phrase, lower case with its words separated
// by one space ("navy", "navy blue"), names a colour in the vocabulary
// Extract reads Extracted.Colors with. Phrases of up to two words are in
// it. Safe for concurrent use.
func IsColorWord(phrase string) bool {
	_, ok := colorNames[phrase]
	return ok
}
