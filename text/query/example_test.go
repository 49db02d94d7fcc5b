package query_test

import (
	"fmt"

	"github.com/aislehq/aisle"
	"github.com/aislehq/aisle/text/analyze"
	"github.com/aislehq/aisle/text/query"
)

func ExampleUnderstander_Parse() {
	// A made-up two-item catalog; see the tests for the real Office one.
	items := []aisle.Item{
		{ID: "1", Title: "Swingline Desktop Stapler, Black", Description: "A stapler for every desk.", Brand: "Swingline", Categories: []string{"Office", "Staplers"}},
		{ID: "2", Title: "Gel Ink Pens, Blue, 12 Pack", Brand: "Pilot", Categories: []string{"Office", "Pens"}},
	}
	u, err := query.Learn(items, nil, analyze.New(analyze.Config{}), query.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := u.Parse("cheapest black swingline staplr under $30 -electric")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("corrected %q\nterms %q\nbrand %s, category %s, colors %q\nmax price %v, exclude %q, sort %s\n",
		in.Corrected, in.Terms, in.Brand, in.Category, in.Colors, *in.MaxPrice, in.Exclude, in.Sort)
	// Output:
	// corrected "cheapest black swingline stapler under $30 -electric"
	// terms ["stapler"]
	// brand Swingline, category Staplers, colors ["black"]
	// max price 30, exclude ["electr"], sort price_asc
}
