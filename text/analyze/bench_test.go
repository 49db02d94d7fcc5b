package analyze

import (
	"strings"
	"testing"
)

// BenchmarkTerms analyses every real Office item text.
func BenchmarkTerms(b *testing.B) {
	texts := officeTexts(b)
	a := New(Config{})
	b.ReportAllocs()
	var dst []string
	for b.Loop() {
		for _, t := range texts {
			dst = a.Terms(dst[:0], t)
		}
	}
}

// BenchmarkFieldsBaseline is the baseline for BenchmarkTerms: lower-casing
// and splitting on spaces, the least a tokenizer does.
func BenchmarkFieldsBaseline(b *testing.B) {
	texts := officeTexts(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			_ = strings.Fields(strings.ToLower(t))
		}
	}
}

// BenchmarkTermsChinese segments a Chinese product title with the jieba
// dictionary.
func BenchmarkTermsChinese(b *testing.B) {
	a := loaded(b)
	const text = "得力订书机办公用品大号加厚订书器学生用钉书机黑色"
	b.ReportAllocs()
	var dst []string
	for b.Loop() {
		dst = a.Terms(dst[:0], text)
	}
}
