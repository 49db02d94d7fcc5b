package qa

import (
	"strings"
	"unicode"

	"github.com/aislehq/aisle"
)

// Polarity is what a text says to a yes/no question.
type Polarity int

// Polarities.
const (
	Neither Polarity = iota
	Yes
	No
)

// yesStarts and noStarts are how answers that say yes or no begin, lower
// case, in English and Chinese.
var (
	yesStarts = []string{"yes", "yep", "yeah", "yup", "sure", "absolutely", "definitely", "of course", "correct", "it does", "it is", "it will", "it can", "they do", "they are", "they will", "i do", "i did", "mine does", "mine is", "是的", "是", "对", "可以", "能", "有", "会"}
	noStarts  = []string{"no", "nope", "not ", "nah", "never", "negative", "it does not", "it doesn't", "it is not", "it isn't", "it will not", "it won't", "it can not", "it cannot", "it can't", "they do not", "they don't", "they are not", "they aren't", "they won't", "i don't", "i do not", "unfortunately", "sorry", "不是", "不", "没有", "没", "不能", "不可以", "不会"}
)

// AnswerPolarity reads whether answer says yes or no by how it begins
// ("Yes, it fits", "No.", "It does not", "是的", "不能"); Neither when it
// does not begin with either.
func AnswerPolarity(answer string) Polarity {
	s := strings.ToLower(strings.TrimLeftFunc(answer, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }))
	s = strings.ReplaceAll(s, "’", "'")
	// The longer, negative forms first: "it does not" before "it does".
	for _, p := range noStarts {
		if startsWord(s, p) {
			return No
		}
	}
	for _, p := range yesStarts {
		if startsWord(s, p) {
			return Yes
		}
	}
	return Neither
}

// startsWord reports whether s begins with p followed by the end of s or
// a character that is not a Latin letter (Chinese needs no word break).
func startsWord(s, p string) bool {
	if !strings.HasPrefix(s, p) {
		return false
	}
	rest := s[len(p):]
	if rest == "" || strings.HasSuffix(p, " ") {
		return true
	}
	r := []rune(rest)[0]
	last := []rune(p)[len([]rune(p))-1]
	if last > unicode.MaxLatin1 {
		return true
	}
	return !(r >= 'a' && r <= 'z') && r != '\''
}

// LabelPolarity reads an Amazon answerType label: "Y" is Yes, "N" is No,
// anything else Neither.
func LabelPolarity(answerType string) Polarity {
	switch strings.ToUpper(strings.TrimSpace(answerType)) {
	case "Y":
		return Yes
	case "N":
		return No
	}
	return Neither
}

// pairPolarity is what a stored pair's answer says: its label when it has
// one, else what its text begins with.
func pairPolarity(q aisle.Question) Polarity {
	if p := LabelPolarity(q.AnswerType); p != Neither {
		return p
	}
	return AnswerPolarity(q.Answer)
}

// yesNoStarts begin an English yes/no question.
var yesNoStarts = []string{"is", "are", "does", "do", "did", "can", "could", "will", "would", "should", "has", "have", "was", "were", "may", "might", "shall", "isn't", "doesn't", "don't", "won't", "can't", "am"}

// IsYesNoQuestion reports whether question asks for a yes or a no: an
// English one that begins with an auxiliary verb ("Does it fit…", "Is this
// a dress") or has one after a leading clause ("For the 2014 model, will
// it fit"), or a Chinese one ending in 吗 or asking 是否, 是不是, 能不能,
// 有没有, 会不会, 可不可以.
func IsYesNoQuestion(question string) bool {
	s := strings.ToLower(strings.TrimSpace(question))
	for _, c := range []string{"是否", "是不是", "能不能", "有没有", "会不会", "可不可以", "对不对"} {
		if strings.Contains(s, c) {
			return true
		}
	}
	t := strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) })
	if strings.HasSuffix(t, "吗") {
		return true
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
	if len(words) == 0 {
		return false
	}
	for _, w := range yesNoStarts {
		if words[0] == w {
			return true
		}
	}
	// A leading clause: "for the 2014 model, will it fit".
	if i := strings.IndexAny(s, ",;:"); i > 0 && i < len(s)-1 {
		return IsYesNoQuestion(s[i+1:])
	}
	return false
}
