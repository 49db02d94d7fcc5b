package analyze_test

import (
	"fmt"

	"github.com/aislehq/aisle/text/analyze"
)

func ExampleAnalyzer_Terms() {
	a := analyze.New(analyze.Config{})
	// Without Load, Chinese falls back to characters and pairs.
	fmt.Println(a.Terms(nil, "The Shredders, 8.5 x 11 paper, 1,000 sheets 黑色"))
	fmt.Println(a.Words(nil, "The Shredders"))
	// Output:
	// [shredder 8.5 x 11 paper 1000 sheet 黑 黑色 色]
	// [the shredders]
}
