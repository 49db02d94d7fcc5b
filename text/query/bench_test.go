package query

import (
	"testing"

	"github.com/aislehq/aisle/text/analyze"
)

// benchQueries are shoppers' queries of every kind Parse reads.
func benchQueries() []string {
	return []string{
		"paper shredder", "bic pens", "black gel pens under $30", "cordles phone",
		"headset without bluetooth", "cheapest stapler", "$30 to $50 laser printer paper",
		"订书机", "黑色 笔 30元以下", "staplr", "post it notes -yellow", "hp 61 black ink",
	}
}

// BenchmarkParse parses a mix of queries against the Office catalog; the
// reported ns/op is per query.
func BenchmarkParse(b *testing.B) {
	u := office(b)
	qs := benchQueries()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := u.Parse(qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkTermsBaseline is Parse's baseline: only the analyzer's Terms of
// the same queries, what a search with no query understanding does.
func BenchmarkTermsBaseline(b *testing.B) {
	an := loadedAnalyzer(b)
	qs := benchQueries()
	b.ReportAllocs()
	i := 0
	var dst []string
	for b.Loop() {
		dst = an.Terms(dst[:0], qs[i%len(qs)])
		i++
	}
}

// BenchmarkLearn builds the Understander of the Office catalog with
// CC-CEDICT (the jieba dictionary loaded beforehand).
func BenchmarkLearn(b *testing.B) {
	items := loadOffice(b)
	an := loadedAnalyzer(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Learn(items, nil, an, Config{CEDICT: testCEDICT}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLearnNoCEDICT builds it without CC-CEDICT: the catalog's own
// part of Learn.
func BenchmarkLearnNoCEDICT(b *testing.B) {
	items := loadOffice(b)
	an := analyze.New(analyze.Config{})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Learn(items, nil, an, Config{}); err != nil {
			b.Fatal(err)
		}
	}
}
