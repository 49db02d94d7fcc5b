package copywriter_test

import (
	"testing"

	"github.com/aislehq/aisle/copywriter"
	"github.com/aislehq/aisle/grounding"
)

// BenchmarkBuiltin writes detailed English copy of Office items, facts
// built per call as the HTTP handler does.
func BenchmarkBuiltin(b *testing.B) {
	items := officeItems(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		it := &items[i%len(items)]
		copywriter.Builtin(grounding.New(it, nil, []string{"color:black"}), copywriter.Request{Style: copywriter.StyleDetailed})
		i++
	}
}

// BenchmarkCheck checks detailed copy of Office items with the checker
// that knows every brand of the catalog.
func BenchmarkCheck(b *testing.B) {
	items := officeItems(b)
	checker := grounding.NewChecker(brands(items))
	type pair struct {
		f    *grounding.Facts
		text string
	}
	var ps []pair
	for i := range items[:500] {
		f := grounding.New(&items[i], nil, nil)
		ps = append(ps, pair{f, copywriter.Builtin(f, copywriter.Request{Style: copywriter.StyleDetailed}).Text})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		p := ps[i%len(ps)]
		checker.Check(p.text, p.f)
		i++
	}
}
